from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from essaim.core.forms import EssaimForm
from essaim.reporting.selectors import DIMENSIONS, Filters, Scope, available_years, filter_choices


class DashboardFilterForm(EssaimForm):
    """Parses the dashboards' query string; any bad value is a form error, never a 500."""

    year = forms.TypedChoiceField(label=_("Année"), coerce=int)
    quarter = forms.TypedChoiceField(
        label=_("Trimestre"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", _("Toute l’année"))] + [(q, _("T%(q)s") % {"q": q}) for q in range(1, 5)],
    )
    ministry = forms.TypedChoiceField(label=_("Ministère"), coerce=int, required=False, empty_value=None)
    region = forms.ChoiceField(label=_("Région"), required=False)
    course = forms.TypedChoiceField(label=_("Formation"), coerce=int, required=False, empty_value=None)
    organiser = forms.IntegerField(
        label=_("Organisateur (identifiant)"), required=False, min_value=1, widget=forms.HiddenInput
    )
    par = forms.ChoiceField(label=_("Répartition par"), required=False, choices=list(DIMENSIONS.items()))

    def __init__(self, data: Any, *, scope: Scope, public: bool = False, default_year: int) -> None:
        data = data.copy() if data else {}
        if not data.get("year"):
            data["year"] = str(default_year)
        # The selector shows the breakdown the table shows, even before anyone picks one.
        self.default_breakdown = "region" if public else "ministry"
        if not data.get("par"):
            data["par"] = self.default_breakdown
        super().__init__(data)
        choices = filter_choices(scope)
        everyone = [("", _("Tous"))]
        fields: Any = self.fields
        fields["year"].choices = [(y, str(y)) for y in available_years()]
        fields["ministry"].choices = everyone + choices["ministry"]
        fields["region"].choices = [("", _("Toutes"))] + choices["region"]
        fields["course"].choices = [("", _("Toutes"))] + choices["course"]
        if public:
            del self.fields["organiser"]
            fields["par"].choices = [(k, v) for k, v in DIMENSIONS.items() if k != "organiser"]

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            year=data["year"],
            quarter=data.get("quarter"),
            ministry=data.get("ministry"),
            region=data.get("region") or None,
            course=data.get("course"),
            organiser=data.get("organiser"),
        )

    def breakdown(self) -> str:
        return self.cleaned_data.get("par") or self.default_breakdown
