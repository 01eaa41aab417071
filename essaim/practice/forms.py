from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from essaim.core.forms import EssaimForm


class PracticeEntryForm(EssaimForm):
    date = forms.DateField(label=_("Date de l’atelier"), widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    method = forms.CharField(label=_("Méthode"), max_length=200, help_text=_("Par exemple : world café, forum ouvert"))
    audience = forms.CharField(label=_("Public"), max_length=200, required=False)
    participants = forms.IntegerField(label=_("Nombre de participants"), min_value=1, max_value=100000)
    outcome = forms.CharField(
        label=_("Ce qui a marché, ce qui est à revoir"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
