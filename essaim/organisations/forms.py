from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from essaim.core.forms import EssaimForm
from essaim.organisations.models import Organisation, Region


class OrganisationFilterForm(EssaimForm):
    q = forms.CharField(label=_("Rechercher"), max_length=100, required=False)
    kind = forms.ChoiceField(
        label=_("Type"), choices=[("", _("Tous les types")), *Organisation.Kind.choices], required=False
    )
    region = forms.ModelChoiceField(
        label=_("Région"),
        queryset=Region.objects.order_by("name"),
        required=False,
        empty_label=_("Toutes les régions"),
    )


class OrganisationForm(EssaimForm):
    name = forms.CharField(label=_("Nom"), max_length=255)
    short_name = forms.CharField(label=_("Nom court"), max_length=80, required=False)
    siret = forms.CharField(label=_("SIRET"), max_length=14, min_length=14, required=False, help_text=_("14 chiffres"))
    region = forms.ModelChoiceField(label=_("Région"), queryset=Region.objects.order_by("name"), required=False)
    website = forms.URLField(label=_("Site web"), required=False, assume_scheme="https")
    description = forms.CharField(label=_("Présentation"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def clean_siret(self) -> str:
        from essaim.organisations.models import validate_siret

        value = self.cleaned_data["siret"].replace(" ", "")
        if value:
            validate_siret(value)
        return value
