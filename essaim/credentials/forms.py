from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from essaim.core.forms import EssaimForm


class VerifyCodeForm(EssaimForm):
    code = forms.CharField(
        label=_("Code de vérification"),
        help_text=_("Imprimé sur l’attestation, par exemple ESS-7K2M-Q9RT-4HXA"),
        max_length=40,
    )


class VerifyTokenForm(EssaimForm):
    token = forms.CharField(
        label=_("Badge numérique (VC-JWT ou badge.json)"),
        help_text=_("Collez le contenu du fichier .jwt ou .json téléchargé depuis Essaim."),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
    )


class RevokeForm(EssaimForm):
    reason = forms.CharField(
        label=_("Motif de la révocation"),
        help_text=_("Consigné dans le journal d’audit ; il n’est pas affiché publiquement."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
