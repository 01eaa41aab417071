from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from essaim.core.forms import EssaimForm
from essaim.delegation.models import Application, Call
from essaim.delegation.selectors import ministry_choices, region_choices
from essaim.delegation.services import CallData, ReportData
from essaim.library.services import Upload


class ApplicationForm(EssaimForm):
    motivation = forms.CharField(
        label=_("Votre motivation"),
        help_text=_(
            "Pourquoi souhaitez-vous rejoindre la délégation, et que rapporterez-vous à votre service ? "
            "Entre 30 et 2 000 caractères, en texte simple."
        ),
        max_length=Application.MOTIVATION_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    availability_note = forms.CharField(
        label=_("Disponibilités (facultatif)"),
        help_text=_("Par exemple : contraintes de dates ou de déplacement."),
        max_length=Application.NOTE_MAX,
        required=False,
    )


class CallForm(EssaimForm):
    year = forms.IntegerField(label=_("Année"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Titre"), max_length=200)
    description = forms.CharField(label=_("Présentation"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    place = forms.CharField(label=_("Lieu de l’événement"), max_length=200)
    event_starts_on = forms.DateField(label=_("Début de l’événement"), widget=forms.DateInput(attrs={"type": "date"}))
    event_ends_on = forms.DateField(label=_("Fin de l’événement"), widget=forms.DateInput(attrs={"type": "date"}))
    opens_at = forms.DateTimeField(
        label=_("Ouverture des candidatures"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        label=_("Clôture des candidatures"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    seats = forms.IntegerField(label=_("Nombre de places"), min_value=1, max_value=500)
    ministry_quota = forms.IntegerField(label=_("Quota par ministère"), min_value=1, max_value=500)
    region_quota = forms.IntegerField(
        label=_("Quota par région (facultatif)"), min_value=1, max_value=500, required=False
    )

    @classmethod
    def for_call(cls, call: Call, data: Any = None) -> CallForm:
        initial = {name: getattr(call, name) for name in cls.base_fields}
        for name in ("opens_at", "closes_at"):
            initial[name] = timezone.localtime(initial[name]).strftime("%Y-%m-%dT%H:%M")
        return cls(data, initial=initial)

    def to_data(self) -> CallData:
        return CallData(**{name: self.cleaned_data[name] for name in self.base_fields})


class SelectionFilterForm(EssaimForm):
    status = forms.ChoiceField(label=_("Statut"), required=False)
    ministry = forms.TypedChoiceField(label=_("Ministère"), coerce=int, empty_value=None, required=False)
    region = forms.ChoiceField(label=_("Région"), required=False)

    def __init__(self, *args: Any, call: Call, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Tous les statuts")), *Application.Status.choices]  # type: ignore[attr-defined]
        self.fields["ministry"].choices = [("", _("Tous les ministères")), *ministry_choices(call=call)]  # type: ignore[attr-defined]
        self.fields["region"].choices = [("", _("Toutes les régions")), *region_choices(call=call)]  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        data = getattr(self, "cleaned_data", {})
        return {
            "status": data.get("status") or "",
            "ministry": data.get("ministry") or None,
            "region": data.get("region") or "",
        }


class ReportForm(EssaimForm):
    title = forms.CharField(label=_("Titre du compte rendu"), max_length=200)
    summary = forms.CharField(label=_("Résumé"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    body = forms.CharField(label=_("Texte"), required=False, widget=forms.Textarea(attrs={"rows": 8}))
    document = forms.FileField(
        label=_("Document (facultatif)"), required=False, help_text=_("PDF, ODT ou DOCX, comme dans la bibliothèque.")
    )

    def to_data(self) -> ReportData:
        document = self.cleaned_data.get("document")
        limit = settings.LIBRARY_MAX_UPLOAD_BYTES
        uploads = [Upload(name=document.name, data=document.read(limit + 1))] if document else []
        return ReportData(
            title=self.cleaned_data["title"],
            summary=self.cleaned_data["summary"],
            body=self.cleaned_data["body"],
            uploads=uploads,
        )
