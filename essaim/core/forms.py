"""The one form base class: every form of the site renders through includes/form.html.

DSFR field markup (django-dsfr's snippets), an error summary at the top that lists every
error at once with a link to its field, ids unique on a page (``id_prefix``), and the
refusals of a service (ServiceError) shown next to the field they concern.

`SingleLineTextMixin` (in `EssaimForm`, and mixed in by the few forms rendered by hand)
refuses control characters in every single-line text field (text, e-mail, URL, search,
hidden inputs — not text areas, not passwords), with one translated message
(`core/validators.py`): a subject with CR/LF would split a mail header, a tab or a
bidirectional override would make a name read differently from what it is.
tests/security/test_control_characters.py checks that no form of the project escapes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dsfr
from django import forms
from django.conf import settings
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy
from dsfr.forms import DsfrBaseForm, DsfrDjangoTemplates

from essaim.core.exceptions import ServiceError
from essaim.core.validators import refuse_control_characters

_MULTIPLE = (forms.RadioSelect, forms.CheckboxSelectMultiple)
MULTI_LINE_WIDGETS = (forms.Textarea, forms.PasswordInput)


def is_single_line(field: forms.Field) -> bool:
    return isinstance(field, forms.CharField) and not isinstance(field.widget, MULTI_LINE_WIDGETS)


class SingleLineTextMixin:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, forms.Field] = getattr(self, "fields", {})
        for field in fields.values():  # this form's own copies of the fields
            if is_single_line(field) and refuse_control_characters not in field.validators:
                field.validators = [*field.validators, refuse_control_characters]


class EssaimFormRenderer(DsfrDjangoTemplates):
    """django-dsfr's field snippets, and the project's templates (includes/form.html) first."""

    @cached_property
    def engine(self):  # type: ignore[no-untyped-def]
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [
                    *settings.TEMPLATES[0]["DIRS"],
                    Path(dsfr.__file__).resolve().parent / self.backend.app_dirname,
                    Path(forms.__path__[0]).resolve() / "templates",
                ],
                "NAME": "essaimforms",
                "OPTIONS": {},
            }
        )


_RENDERER = EssaimFormRenderer()


@dataclass(frozen=True, slots=True)
class ErrorLink:
    label: str
    anchor: str
    message: str


#: Django's label for the empty choice of a select (ModelChoiceField.empty_label,
#: BLANK_CHOICE_DASH of a model field with choices and blank=True).
DJANGO_EMPTY_LABEL = "---------"


def name_empty_choices(fields: dict[str, forms.Field]) -> None:
    """The empty choice of every select or radio group says what it means instead of
    Django's « --------- »: « Sélectionner une option » when an answer is required (DSFR's
    wording), « Non renseigné » when none is a valid answer. A label a form set itself is kept."""
    for field in fields.values():
        if not isinstance(field, forms.ChoiceField):
            continue
        label = gettext_lazy("Sélectionner une option") if field.required else gettext_lazy("Non renseigné")
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label == DJANGO_EMPTY_LABEL:
                field.empty_label = label
            continue
        choices: list[tuple[Any, Any]] = list(field.choices)  # type: ignore[arg-type]
        if any(value == "" and text == DJANGO_EMPTY_LABEL for value, text in choices):
            field.choices = [
                (value, label if value == "" and text == DJANGO_EMPTY_LABEL else text) for value, text in choices
            ]


class EssaimForm(SingleLineTextMixin, DsfrBaseForm):
    template_name = "includes/form.html"  # type: ignore[assignment]
    #: Set when two forms of one page could share field names (« comment »…): their ids
    #: become id_<prefix>-<name> while the submitted names stay the same.
    id_prefix: str = ""
    default_renderer = _RENDERER

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if self.id_prefix and "auto_id" not in kwargs:
            kwargs["auto_id"] = f"id_{self.id_prefix}-%s"
        super().__init__(*args, **kwargs)
        name_empty_choices(self.fields)
        for bound in self.visible_fields():
            widget = bound.field.widget
            if isinstance(widget, forms.FileInput) and "class" not in widget.attrs:
                # DSFR's upload component instead of the browser's bare file button.
                widget.attrs["class"] = "fr-upload"
                widget.group_class = "fr-upload-group"  # type: ignore[attr-defined]

    @property
    def summary_id(self) -> str:
        return str(self.auto_id or "id_%s") % "error-summary"

    def add_service_error(self, error: ServiceError) -> None:
        """Every refusal of the service, each on its field when the form has it."""
        for field, message in error.errors:
            self.add_error(field if field in self.fields else None, message)

    def anchor_for(self, name: str) -> str:
        bound = self[name]
        if isinstance(bound.field.widget, _MULTIPLE):
            return f"{bound.auto_id}_0"
        return bound.id_for_label or bound.auto_id

    def error_links(self) -> list[ErrorLink]:
        """The error summary: non-field errors first, then each field in page order."""
        links = [ErrorLink(label="", anchor="", message=str(message)) for message in self.non_field_errors()]
        for name in self.fields:
            if name in self.errors:
                bound = self[name]
                for message in bound.errors:
                    links.append(ErrorLink(label=str(bound.label), anchor=self.anchor_for(name), message=str(message)))
        return links
