from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from essaim.core.forms import EssaimForm
from essaim.framework.models import Competency, FrameworkVersion
from essaim.library.models import Resource, ResourceReport
from essaim.library.services import Decision, ResourceData, Upload, resource_data_errors
from essaim.organisations.models import Organisation


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class ResourceForm(EssaimForm):
    title = forms.CharField(label=_("Titre"), max_length=200)
    summary = forms.CharField(label=_("Résumé"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    body = forms.CharField(
        label=_("Contenu"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Mise en forme simple en HTML : paragraphes, listes, liens, titres."),
    )
    type = forms.ChoiceField(label=_("Type"), choices=Resource.Type.choices)
    competencies = forms.ModelMultipleChoiceField(
        label=_("Compétences du référentiel"),
        queryset=Competency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    themes = forms.CharField(label=_("Thèmes"), required=False, help_text=_("Séparés par des virgules"), max_length=500)
    audience = forms.ChoiceField(label=_("Public"), choices=Resource.Audience.choices)
    language = forms.ChoiceField(label=_("Langue"), choices=Resource.Language.choices)
    licence = forms.ChoiceField(label=_("Licence"), choices=Resource.Licence.choices, initial=Resource.Licence.ETALAB)
    licence_reason = forms.CharField(
        label=_("Motif de la réserve de droits"),
        required=False,
        max_length=300,
        help_text=_("Obligatoire pour « Tous droits réservés »"),
    )
    authors = forms.CharField(label=_("Auteurs"), required=False, max_length=300)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.filter(is_active=True), required=False
    )
    visibility = forms.ChoiceField(label=_("Visibilité"), choices=Resource.Visibility.choices)
    feedback_enabled = forms.BooleanField(label=_("Accepter les avis des lecteurs"), required=False, initial=True)
    links = forms.CharField(
        label=_("Liens externes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Une adresse par ligne (https://…)"),
    )
    documents = MultipleFileField(
        label=_("Fichiers"),
        required=False,
        help_text=_("PDF, DOCX, ODT, PPTX ou image ; 20 Mo au plus par fichier."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        framework = FrameworkVersion.objects.published().first()
        field = self.fields["competencies"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Competency.objects.filter(framework=framework) if framework else Competency.objects.none()

    @classmethod
    def initial_for(cls, resource: Resource) -> dict[str, Any]:
        return {
            "title": resource.title,
            "summary": resource.summary,
            "body": resource.body,
            "type": resource.type,
            "competencies": list(resource.competencies.all()),
            "themes": ", ".join(resource.themes),
            "audience": resource.audience,
            "language": resource.language,
            "licence": resource.licence,
            "licence_reason": resource.licence_reason,
            "authors": resource.authors,
            "organisation": resource.organisation,
            "visibility": resource.visibility,
            "feedback_enabled": resource.feedback_enabled,
            "links": "\n".join(link.url for link in resource.links.all()),
        }

    def clean(self) -> dict[str, Any]:
        """The service's own refusals beside the form's, so that all show after one submit."""
        cleaned = super().clean() or {}
        if self.errors:
            # A field the form refused stays out: the service would report it a second time.
            data = self.to_data(defaults=True)
            for field, message in resource_data_errors(data=data):
                if field not in self.errors:
                    self.add_error(field if field in self.fields else None, message)
        return cleaned

    def to_data(self, *, defaults: bool = False) -> ResourceData:
        d = self.cleaned_data
        if defaults:  # some fields were refused: the service checks what is left
            d = {
                "title": "?",
                "summary": "?",
                "body": "",
                "type": Resource.Type.values[0],
                "competencies": [],
                "themes": "",
                "audience": Resource.Audience.values[0],
                "language": Resource.Language.values[0],
                "licence": Resource.Licence.ETALAB,
                "licence_reason": "",
                "authors": "",
                "organisation": None,
                "visibility": Resource.Visibility.values[0],
                "feedback_enabled": False,
                "links": "",
                **{k: v for k, v in d.items() if k not in self.errors},
            }
        return ResourceData(
            title=d["title"],
            summary=d["summary"],
            body=d["body"],
            type=d["type"],
            competencies=list(d["competencies"]),
            themes=d["themes"].split(","),
            audience=d["audience"],
            language=d["language"],
            licence=d["licence"],
            licence_reason=d["licence_reason"],
            authors=d["authors"],
            organisation=d["organisation"],
            visibility=d["visibility"],
            feedback_enabled=d["feedback_enabled"],
            links=[(line.strip(), "") for line in d["links"].splitlines() if line.strip()],
        )

    def uploads(self) -> list[Upload]:
        # Never more than the limit plus one byte in memory: inspect_upload refuses the rest.
        limit = settings.LIBRARY_MAX_UPLOAD_BYTES
        return [Upload(name=f.name, data=f.read(limit + 1)) for f in self.cleaned_data.get("documents") or []]


class ReviewForm(EssaimForm):
    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=[
            (Decision.PUBLISH, _("Publier")),
            (Decision.REQUEST_CHANGES, _("Demander des modifications")),
            (Decision.REJECT, _("Refuser")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Raison"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatoire pour une demande de modifications ou un refus"),
    )


class ReportForm(EssaimForm):
    id_prefix = "report"
    reason = forms.ChoiceField(label=_("Motif"), choices=ResourceReport.Reason.choices)
    comment = forms.CharField(label=_("Précisions"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FeedbackForm(EssaimForm):
    id_prefix = "feedback"
    rating = forms.TypedChoiceField(
        label=_("Note"), choices=[(i, str(i)) for i in range(1, 6)], coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("Commentaire"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CollectionForm(EssaimForm):
    title = forms.CharField(label=_("Titre de la collection"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    is_public = forms.BooleanField(label=_("Collection publique"), required=False)
