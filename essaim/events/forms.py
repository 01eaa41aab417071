from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from essaim.core.forms import EssaimForm
from essaim.events.models import Event, Speaker
from essaim.library.models import Resource
from essaim.organisations.models import Organisation, Region
from essaim.training.models import Session


class EventForm(EssaimForm):
    """What an event says. On creation, also its date, place, seats and organiser."""

    kind = forms.ChoiceField(label=_("Type d’événement"), choices=Event.Kind.choices)
    title = forms.CharField(label=_("Titre"), max_length=200)
    description = forms.CharField(label=_("Présentation"), widget=forms.Textarea(attrs={"rows": 5}))
    organiser = forms.ModelChoiceField(label=_("Organisation qui organise"), queryset=Organisation.objects.none())
    starts_at = forms.DateTimeField(
        label=_("Début"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    ends_at = forms.DateTimeField(
        label=_("Fin"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=5000)
    venue = forms.ChoiceField(
        label=_("Lieu"),
        choices=[(Session.Venue.PLACE, _("Adresse")), (Session.Venue.REMOTE, _("À distance"))],
    )
    address = forms.CharField(label=_("Adresse"), max_length=300, required=False)
    remote_url = forms.URLField(label=_("Lien de connexion"), required=False, assume_scheme="https")
    region = forms.ModelChoiceField(label=_("Région"), queryset=Region.objects.order_by("name"), required=False)
    partners = forms.ModelMultipleChoiceField(
        label=_("Partenaires de la société civile"),
        queryset=Organisation.objects.active().partners().order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    replay_url = forms.URLField(label=_("Lien du replay (après l’événement)"), required=False, assume_scheme="https")
    resources = forms.CharField(
        label=_("Ressources liées (après l’événement)"),
        help_text=_("Identifiants des ressources publiées de la bibliothèque, un par ligne."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    publish = forms.BooleanField(label=_("Publier"), required=False)

    SEAT_FIELDS = ("organiser", "starts_at", "ends_at", "capacity", "venue", "address", "remote_url", "region")
    AFTER_FIELDS = ("replay_url", "resources")

    def __init__(self, *args: Any, organisers: Any = None, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            self.fields["organiser"].queryset = organisers
            for name in self.AFTER_FIELDS:
                del self.fields[name]
        else:
            for name in self.SEAT_FIELDS:
                del self.fields[name]

    def clean_resources(self) -> list[Resource]:
        slugs = [line.strip() for line in self.cleaned_data.get("resources", "").splitlines() if line.strip()]
        found = {r.slug: r for r in Resource.objects.published().filter(slug__in=slugs)}
        missing = [slug for slug in slugs if slug not in found]
        if missing:
            raise forms.ValidationError(
                _("Ressources publiées introuvables : %(slugs)s") % {"slugs": ", ".join(missing)}
            )
        return [found[slug] for slug in dict.fromkeys(slugs)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if isinstance(starts, dt.datetime) and isinstance(ends, dt.datetime) and ends <= starts:
            self.add_error("ends_at", _("La fin doit suivre le début."))
        if "venue" in self.fields:
            if data.get("venue") == Session.Venue.PLACE and not (data.get("address") or "").strip():
                self.add_error("address", _("Indiquez l’adresse."))
            if data.get("venue") == Session.Venue.REMOTE and not data.get("remote_url"):
                self.add_error("remote_url", _("Indiquez le lien de connexion."))
        return data


class SpeakerForm(EssaimForm):
    name = forms.CharField(label=_("Nom de l’intervenant"), max_length=150, required=False)
    affiliation = forms.CharField(label=_("Structure"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Origine"), choices=Speaker.Kind.choices)


SpeakerFormSet = forms.formset_factory(SpeakerForm, extra=3, max_num=12)
