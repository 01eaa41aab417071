"""Forms of the session editing pages. They parse input; the services check the rules again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from essaim.core.forms import EssaimForm
from essaim.organisations.models import Organisation, Region
from essaim.training.models import Session
from essaim.training.session_edit import trainer_candidates
from essaim.training.sessions import MAX_HALF_DAYS, signup_window_errors

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SessionDetailsForm(EssaimForm):
    custom_title = forms.CharField(
        label=_("Intitulé de la session"),
        help_text=_("Laissez vide pour reprendre l’intitulé de la formation."),
        required=False,
        max_length=200,
    )
    description = forms.CharField(
        label=_("Informations pratiques"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000
    )
    audience = forms.ChoiceField(label=_("Public"), choices=Session.Audience.choices)
    audience_organisation = forms.ModelChoiceField(
        label=_("Organisation du public (si réservé)"), queryset=Organisation.objects.none(), required=False
    )
    audience_region = forms.ModelChoiceField(
        label=_("Région du public (si réservé)"), queryset=Region.objects.order_by("name"), required=False
    )
    approval_mode = forms.ChoiceField(label=_("Mode d’inscription"), choices=Session.ApprovalMode.choices)
    signup_opens_at = forms.DateTimeField(
        label=_("Ouverture des inscriptions"),
        help_text=_("Laissez vide pour ouvrir dès la publication."),
        required=False,
        widget=DATETIME_INPUT,
    )
    signup_closes_at = forms.DateTimeField(
        label=_("Clôture des inscriptions"),
        help_text=_("Laissez vide pour clore au début de la session."),
        required=False,
        widget=DATETIME_INPUT,
    )
    min_seats = forms.IntegerField(label=_("Minimum pour maintenir la session"), min_value=0, max_value=10_000)
    cancellation_cutoff_hours = forms.IntegerField(
        label=_("Annulation en ligne jusqu’à (heures avant)"), min_value=0, max_value=720
    )

    def __init__(self, *args: Any, session: Session, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session = session
        self.fields["audience_organisation"].queryset = organisations  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for field, message in signup_window_errors(
            opens_at=data.get("signup_opens_at"),
            closes_at=data.get("signup_closes_at"),
            first_start=self.session.starts_at,
        ).items():
            self.add_error(field, message)
        if data.get("audience") == Session.Audience.ORGANISATION and not data.get("audience_organisation"):
            self.add_error("audience_organisation", _("Choisissez l’organisation à qui la session est réservée."))
        if data.get("audience") == Session.Audience.REGION and not data.get("audience_region"):
            self.add_error("audience_region", _("Choisissez la région à qui la session est réservée."))
        if (data.get("min_seats") or 0) > self.session.capacity:
            self.add_error("min_seats", _("Le minimum de participants dépasse le nombre de places."))
        for name in ("custom_title", "description"):
            if name in data:
                data[name] = (data[name] or "").strip()
        return data


class HalfDayForm(EssaimForm):
    """One half-day of the timetable: a day and local hours. Empty rows are ignored."""

    day = forms.DateField(
        label=_("Jour"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    # Browsers' date and time inputs read ISO values only, never the localised format.
    start = forms.TimeField(
        label=_("Début"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end = forms.TimeField(
        label=_("Fin"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    remove = forms.BooleanField(label=_("Supprimer cette demi-journée"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = [data.get(name) is not None for name in ("day", "start", "end")]
        if any(filled) and not all(filled) and not data.get("remove"):
            raise forms.ValidationError(_("Indiquez le jour, l’heure de début et l’heure de fin."), code="incomplete")
        if all(filled) and data["end"] <= data["start"]:
            self.add_error("end", _("La fin doit suivre le début."))
        return data

    def slot(self) -> tuple[dt.datetime, dt.datetime] | None:
        data = self.cleaned_data
        if data.get("remove") or data.get("day") is None or data.get("start") is None or data.get("end") is None:
            return None
        tz = timezone.get_current_timezone()
        return dt.datetime.combine(data["day"], data["start"], tz), dt.datetime.combine(data["day"], data["end"], tz)


class BaseTimetableFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        # Every row is read, even one equal to its initial value: a row skipped as
        # "unchanged" would silently remove its half-day.
        return {**super().get_form_kwargs(index), "empty_permitted": False}

    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms):
            return
        if not self.slots():
            raise forms.ValidationError(_("Une session comporte au moins une demi-journée."), code="empty")

    def slots(self) -> list[tuple[dt.datetime, dt.datetime]]:
        return sorted(slot for form in self.forms if (slot := form.slot()) is not None)


TimetableFormSet = forms.formset_factory(
    HalfDayForm,
    formset=BaseTimetableFormSet,
    extra=2,
    max_num=MAX_HALF_DAYS,
    validate_max=True,
    absolute_max=MAX_HALF_DAYS + 2,
)


def timetable_initial(session: Session) -> list[dict[str, Any]]:
    rows = []
    for slot in session.slots.order_by("starts_at"):
        start, end = timezone.localtime(slot.starts_at), timezone.localtime(slot.ends_at)
        rows.append({"day": start.date(), "start": start.time(), "end": end.time()})
    return rows


class TrainersForm(EssaimForm):
    trainers = forms.ModelMultipleChoiceField(
        label=_("Formateurs et formatrices"),
        help_text=_("Ils relèvent la présence et clôturent la session."),
        queryset=trainer_candidates(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
