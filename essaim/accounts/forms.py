from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from essaim.accounts.models import User
from essaim.core.forms import EssaimForm
from essaim.core.validators import refuse_formula_prefix
from essaim.organisations.models import Organisation, Region


class MagicLinkRequestForm(EssaimForm):
    email = forms.EmailField(
        label=_("Adresse électronique"),
        help_text=_("Format attendu : nom@domaine.fr"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class PasswordLoginForm(EssaimForm):
    email = forms.EmailField(
        label=_("Adresse électronique"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ProfileForm(EssaimForm):
    given_name = forms.CharField(label=_("Prénom"), max_length=150, required=False, validators=[refuse_formula_prefix])
    usual_name = forms.CharField(
        label=_("Nom d’usage"), max_length=150, required=False, validators=[refuse_formula_prefix]
    )
    preferred_language = forms.ChoiceField(label=_("Langue préférée"), choices=User.Language.choices)
    region = forms.ModelChoiceField(
        label=_("Région de travail"), queryset=Region.objects.order_by("name"), required=False
    )
    mute_optional_notifications = forms.BooleanField(
        label=_("Ne plus recevoir les rappels (7 jours et la veille d’une session)"),
        help_text=_(
            "Les messages liés à vos inscriptions (confirmation, liste d’attente, place proposée, "
            "changement, annulation, validation) vous sont toujours envoyés."
        ),
        required=False,
    )


class AffiliationForm(EssaimForm):
    organisation = forms.ModelChoiceField(
        label=_("Nouvelle organisation"),
        queryset=Organisation.objects.active().filter(kind__in=sorted(Organisation.PUBLIC_KINDS)).order_by("name"),
    )
    unit = forms.CharField(label=_("Service ou unité"), max_length=255, required=False)
    start_date = forms.DateField(
        label=_("Date de prise de poste"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Laissez vide pour aujourd’hui."),
    )


class ApiTokenForm(EssaimForm):
    name = forms.CharField(
        label=_("Nom du jeton"), max_length=100, help_text=_("Par exemple : tableau de bord de mon ministère")
    )
    expires_at = forms.DateField(
        label=_("Date d’expiration"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
