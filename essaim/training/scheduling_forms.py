from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from essaim.catalogue.models import Course
from essaim.core.forms import EssaimForm
from essaim.organisations.models import Organisation, Region
from essaim.training.models import Session
from essaim.training.sessions import venue_errors


def half_day_slots(first_day: dt.date, half_days: int) -> list[tuple[dt.datetime, dt.datetime]]:
    """Consecutive working days, mornings 9:00–12:30 and afternoons 14:00–17:30 (local time)."""
    slots = []
    day = first_day
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    for index in range(half_days):
        if index and index % 2 == 0:
            day += dt.timedelta(days=1)
            while day.weekday() >= 5:
                day += dt.timedelta(days=1)
        if index % 2 == 0:
            start, end = dt.time(9, 0), dt.time(12, 30)
        else:
            start, end = dt.time(14, 0), dt.time(17, 30)
        tz = timezone.get_current_timezone()
        slots.append((dt.datetime.combine(day, start, tz), dt.datetime.combine(day, end, tz)))
    return slots


class SessionScheduleForm(EssaimForm):
    course = forms.ModelChoiceField(label=_("Formation"), queryset=Course.objects.published())
    organiser = forms.ModelChoiceField(label=_("Organisation qui organise"), queryset=Organisation.objects.none())
    first_day = forms.DateField(label=_("Premier jour"), widget=forms.DateInput(attrs={"type": "date"}))
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=1000)
    min_seats = forms.IntegerField(label=_("Minimum pour maintenir la session"), min_value=0, initial=0)
    approval_mode = forms.ChoiceField(label=_("Mode d’inscription"), choices=Session.ApprovalMode.choices)
    audience = forms.ChoiceField(label=_("Public"), choices=Session.Audience.choices)
    audience_organisation = forms.ModelChoiceField(
        label=_("Organisation du public (si réservé)"), queryset=Organisation.objects.none(), required=False
    )
    audience_region = forms.ModelChoiceField(
        label=_("Région du public (si réservé)"), queryset=Region.objects.order_by("name"), required=False
    )
    venue = forms.ChoiceField(label=_("Lieu"), choices=Session.Venue.choices)
    address = forms.CharField(label=_("Adresse"), max_length=300, required=False)
    lab = forms.ModelChoiceField(label=_("Laboratoire"), queryset=Organisation.objects.labs(), required=False)
    remote_url = forms.URLField(label=_("Lien de connexion"), required=False, assume_scheme="https")
    region = forms.ModelChoiceField(label=_("Région"), queryset=Region.objects.order_by("name"), required=False)
    signup_closes_at = forms.DateTimeField(
        label=_("Clôture des inscriptions"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    cancellation_cutoff_hours = forms.IntegerField(
        label=_("Annulation en ligne jusqu’à (heures avant)"), min_value=0, max_value=720, initial=48
    )
    description = forms.CharField(
        label=_("Informations pratiques"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Co-animée avec (partenaires de la société civile)"),
        queryset=Organisation.objects.active().partners().order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    publish = forms.BooleanField(label=_("Publier tout de suite"), required=False)

    def __init__(self, *args: Any, organisers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = organisers
        self.fields["audience_organisation"].queryset = organisers

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for field, message in venue_errors(data).items():
            self.add_error(field, message)
        if data.get("audience") == Session.Audience.ORGANISATION and not data.get("audience_organisation"):
            self.add_error("audience_organisation", _("Choisissez l’organisation à qui la session est réservée."))
        if data.get("audience") == Session.Audience.REGION and not data.get("audience_region"):
            self.add_error("audience_region", _("Choisissez la région à qui la session est réservée."))
        return data


class SessionPartnersForm(EssaimForm):
    partners = forms.ModelMultipleChoiceField(
        label=_("Co-animée avec (partenaires de la société civile)"),
        queryset=Organisation.objects.active().partners().order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
