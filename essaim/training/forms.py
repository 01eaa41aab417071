from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from essaim.catalogue.models import Course
from essaim.core.forms import EssaimForm
from essaim.organisations.models import Region


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m")


class SessionFilterForm(EssaimForm):
    """The filters of the public list of sessions (GET)."""

    course = forms.ModelChoiceField(
        label=_("Formation"),
        queryset=Course.objects.published().order_by("position", "title"),
        to_field_name="code",
        required=False,
        empty_label=_("Toutes les formations"),
    )
    region = forms.ModelChoiceField(
        label=_("Région"),
        queryset=Region.objects.order_by("name"),
        required=False,
        empty_label=_("Toutes les régions"),
    )
    month = forms.DateField(
        label=_("Mois"),
        widget=MonthInput(),
        input_formats=["%Y-%m"],
        required=False,
        help_text=_("Format : aaaa-mm"),
    )
    format = forms.ChoiceField(
        label=_("Format"), choices=[("", _("Tous les formats")), *Course.Format.choices], required=False
    )
    seats_left = forms.BooleanField(label=_("Places disponibles seulement"), required=False)

    def filters(self) -> dict[str, Any]:
        """The selector's keyword arguments from the fields that are valid (an invalid
        month does not hide the other filters)."""
        data = getattr(self, "cleaned_data", {})
        course = data.get("course")
        region = data.get("region")
        return {
            "course_code": course.code if course else "",
            "region": region.pk if region else "",
            "month": data.get("month"),
            "format": data.get("format") or "",
            "with_seats_left": bool(data.get("seats_left")),
        }
