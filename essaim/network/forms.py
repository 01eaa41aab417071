from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from essaim.core.forms import EssaimForm
from essaim.network.models import Availability
from essaim.network.selectors import competency_choices, ministry_choices
from essaim.organisations.models import Departement, Region


class DirectoryFilterForm(EssaimForm):
    competency = forms.ChoiceField(label=_("Compétence"), required=False)
    min_level = forms.TypedChoiceField(
        label=_("Niveau minimum"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", _("Tous niveaux")), *[(str(n), str(n)) for n in range(1, 5)]],
    )
    region = forms.ModelChoiceField(
        label=_("Région"), queryset=Region.objects.order_by("name"), required=False, empty_label=_("Toutes les régions")
    )
    ministry = forms.TypedChoiceField(label=_("Ministère"), coerce=int, empty_value=None, required=False)
    availability = forms.ChoiceField(
        label=_("Disponibilité"), choices=[("", _("Toutes")), *Availability.choices], required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competency"].choices = [("", _("Toutes les compétences")), *competency_choices()]
        self.fields["ministry"].choices = [("", _("Tous les ministères")), *ministry_choices()]  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        data = getattr(self, "cleaned_data", {})
        region = data.get("region")
        return {
            "competency": data.get("competency") or "",
            "min_level": data.get("min_level") or 0,
            "region": region.pk if region else "",
            "ministry": data.get("ministry") or None,
            "availability": data.get("availability") or "",
        }


class DirectoryProfileForm(EssaimForm):
    consent = forms.BooleanField(
        label=_("J’accepte de figurer dans l’annuaire du réseau"),
        help_text=_(
            "Les agents connectés verront votre nom, vos compétences, votre région, votre ministère et "
            "votre présentation — jamais votre adresse électronique. Décochez pour disparaître aussitôt."
        ),
        required=False,
    )
    availability = forms.ChoiceField(label=_("Disponibilité"), choices=Availability.choices)
    languages = forms.CharField(
        label=_("Langues de travail"), max_length=100, required=False, help_text=_("Par exemple : français, anglais")
    )
    bio = forms.CharField(
        label=_("Présentation courte"), max_length=600, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class ContactForm(EssaimForm):
    subject = forms.CharField(label=_("Objet"), max_length=150)
    body = forms.CharField(label=_("Message"), max_length=3000, widget=forms.Textarea(attrs={"rows": 6}))


class FacilitationRequestForm(EssaimForm):
    topic = forms.CharField(label=_("Sujet de l’atelier"), max_length=200)
    date = forms.DateField(label=_("Date de l’atelier"), widget=forms.DateInput(attrs={"type": "date"}))
    competency_code = forms.ChoiceField(label=_("Méthode (compétence du référentiel)"))
    audience_size = forms.IntegerField(label=_("Nombre de participants"), min_value=1, max_value=100000)
    is_remote = forms.BooleanField(label=_("Atelier à distance"), required=False)
    departement = forms.ModelChoiceField(
        label=_("Département"),
        queryset=Departement.objects.order_by("code"),
        required=False,
        empty_label=_("Choisir un département"),
    )
    place = forms.CharField(label=_("Lieu"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competency_code"].choices = [("", _("Choisir une méthode")), *competency_choices()]  # type: ignore[attr-defined]


class MarkDoneForm(EssaimForm):
    participants = forms.IntegerField(label=_("Nombre de participants"), min_value=1, max_value=100000)
    outcome = forms.CharField(
        label=_("Ce qui a marché, ce qui est à revoir"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class CoFacilitationForm(EssaimForm):
    """A past session and one of its trainers, chosen as the mentor."""

    pair = forms.ChoiceField(label=_("Session co-animée et mentor"))

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pair"].choices = [("", _("Choisir une session")), *choices]  # type: ignore[attr-defined]

    def session_and_mentor(self) -> tuple[int, int]:
        session_id, mentor_id = self.cleaned_data["pair"].split(":")
        return int(session_id), int(mentor_id)


# Lab pilots -----------------------------------------------------------------------------
class PilotProposalForm(EssaimForm):
    title = forms.CharField(label=_("Titre de la proposition"), max_length=200)
    problem = forms.CharField(
        label=_("Problème à résoudre"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Pour qui, où, depuis quand : ce que vivent les usagers ou les agents."),
    )
    solution = forms.CharField(label=_("Solution proposée"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4}))


class PilotDecisionForm(EssaimForm):
    answer = forms.ChoiceField(
        label=_("Décision"),
        choices=[("accept", _("Accepter : lancer le pilote")), ("decline", _("Décliner"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Motif (obligatoire pour décliner)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PilotMemberForm(EssaimForm):
    email = forms.EmailField(label=_("Adresse électronique de la personne (compte Essaim)"))
    role = forms.CharField(label=_("Rôle dans l’équipe"), max_length=100, help_text=_("Par exemple : animation"))


class PilotDescribeForm(EssaimForm):
    methods = forms.TypedMultipleChoiceField(
        label=_("Méthodes de la bibliothèque"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    methods_text = forms.CharField(
        label=_("Autres méthodes participatives"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    results = forms.CharField(
        label=_("Résultats"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, method_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["methods"].choices = method_choices  # type: ignore[attr-defined]


class PilotWorkshopForm(EssaimForm):
    title = forms.CharField(label=_("Intitulé de l’atelier"), max_length=200)
    date = forms.DateField(label=_("Date de l’atelier"), widget=forms.DateInput(attrs={"type": "date"}))
    method = forms.CharField(label=_("Méthode"), max_length=200, help_text=_("Par exemple : world café"))
    participants = forms.IntegerField(label=_("Nombre de participants"), min_value=1, max_value=100000)
    facilitators = forms.TypedMultipleChoiceField(
        label=_("Personnes qui animent (équipe du pilote)"), coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, team: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facilitators"].choices = team  # type: ignore[attr-defined]
