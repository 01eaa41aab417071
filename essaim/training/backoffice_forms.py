"""Forms of the sessions back office. They parse input only: the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from essaim.catalogue.models import Course
from essaim.core.forms import EssaimForm
from essaim.organisations.models import Organisation, Region
from essaim.training.backoffice_selectors import move_targets
from essaim.training.models import Attendance, Registration, Session, SessionMessage, SessionSlot
from essaim.training.sessions import venue_errors

REASON_MAX_LENGTH = 500  # RegistrationEvent.note


class BackofficeSessionFilterForm(EssaimForm):
    """The filters of the list of managed sessions (GET)."""

    PERIODS = [("", _("Toutes les dates")), ("upcoming", _("À venir ou en cours")), ("past", _("Passées"))]

    status = forms.ChoiceField(
        label=_("Statut"), choices=[("", _("Tous les statuts")), *Session.Status.choices], required=False
    )
    course = forms.ModelChoiceField(
        label=_("Formation"),
        queryset=Course.objects.order_by("position", "title"),
        required=False,
        empty_label=_("Toutes les formations"),
    )
    period = forms.ChoiceField(label=_("Période"), choices=PERIODS, required=False)

    def filters(self) -> dict[str, Any]:
        """The selector's keyword arguments from the valid fields."""
        data = getattr(self, "cleaned_data", {})
        course = data.get("course")
        return {
            "status": data.get("status") or "",
            "course_id": course.pk if course else None,
            "period": data.get("period") or "",
        }


class DeclineForm(EssaimForm):
    reason = forms.CharField(
        label=_("Motif du refus"),
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": _("Indiquez la raison du refus : elle est transmise à la personne.")},
    )


class RegistrationCancelForm(EssaimForm):
    note = forms.CharField(label=_("Message à la personne"), max_length=REASON_MAX_LENGTH, required=False)


class MoveForm(EssaimForm):
    to_session = forms.ModelChoiceField(
        label=_("Transférer vers la session"),
        queryset=Session.objects.none(),
        error_messages={
            "required": _("Choisissez la session vers laquelle transférer la personne."),
            "invalid_choice": _("Choisissez une session à venir de la même formation."),
        },
    )

    def __init__(self, *args: Any, session: Session, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_session"].queryset = move_targets(session=session)  # type: ignore[attr-defined]


class CapacityForm(EssaimForm):
    capacity = forms.IntegerField(label=_("Nombre de places"), min_value=1, max_value=10_000)


class SessionCancelForm(EssaimForm):
    reason = forms.CharField(
        label=_("Raison de l’annulation"),
        help_text=_("Elle est envoyée aux personnes inscrites."),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Indiquez la raison de l’annulation : elle est envoyée aux inscrits.")},
    )


def mark_field_name(registration_id: int) -> str:
    return f"mark-{registration_id}"


class AttendanceForm(EssaimForm):
    """One half-day's attendance: a status per booked person (those left blank are not recorded).

    The template renders the radios itself (one fieldset per person); this form checks them.
    """

    slot = forms.TypedChoiceField(coerce=int, choices=())

    def __init__(self, *args: Any, slots: list[SessionSlot], registrations: list[Registration], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.slots = {slot.pk: slot for slot in slots}
        self.fields["slot"].choices = [(slot.pk, str(slot)) for slot in slots]  # type: ignore[attr-defined]
        self.registration_ids = [registration.pk for registration in registrations]
        for registration_id in self.registration_ids:
            self.fields[mark_field_name(registration_id)] = forms.ChoiceField(
                choices=Attendance.Status.choices, required=False
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.marks():
            raise forms.ValidationError(_("Indiquez la présence d’au moins une personne."), code="empty")
        return cleaned

    def marks(self) -> dict[int, str]:
        """The statuses chosen; with « Tous présents », everyone left blank is present (a
        status chosen for someone, e.g. excused, is kept)."""
        data = getattr(self, "cleaned_data", {})
        everyone = self.data.get("all_present") == "1"
        marks = {}
        for pk in self.registration_ids:
            chosen = data.get(mark_field_name(pk))
            if chosen or everyone:
                marks[pk] = chosen or Attendance.Status.PRESENT
        return marks

    def chosen_slot(self) -> SessionSlot:
        return self.slots[self.cleaned_data["slot"]]


class SessionMessageForm(EssaimForm):
    """An organiser's message to the registrants."""

    audience = forms.ChoiceField(
        label=_("Destinataires"), choices=SessionMessage.Audience.choices, initial=SessionMessage.Audience.BOOKED
    )
    subject = forms.CharField(label=_("Objet"), max_length=150)
    body = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Texte brut, 5 000 caractères au plus. Chaque personne reçoit son propre courriel."),
    )


class VenueForm(EssaimForm):
    """Where the session takes place; checked again by the service."""

    venue = forms.ChoiceField(label=_("Lieu"), choices=Session.Venue.choices)
    address = forms.CharField(label=_("Adresse"), max_length=300, required=False)
    lab = forms.ModelChoiceField(label=_("Laboratoire"), queryset=Organisation.objects.labs(), required=False)
    remote_url = forms.URLField(label=_("Lien de connexion"), required=False, assume_scheme="https")
    region = forms.ModelChoiceField(label=_("Région"), queryset=Region.objects.order_by("name"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for field, message in venue_errors(data).items():
            self.add_error(field, message)
        return data
