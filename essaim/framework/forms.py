from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from essaim.core.exceptions import ServiceError
from essaim.core.forms import EssaimForm
from essaim.framework.documents import parse_json

MAX_FILE_SIZE = 2 * 1024 * 1024


class FrameworkImportForm(EssaimForm):
    """A JSON or CSV file, read and decoded here; the service validates its content."""

    file = forms.FileField(
        label=_("Fichier du référentiel"),
        help_text=_("Format JSON ou CSV, encodé en UTF-8, 2 Mo au plus."),
        validators=[FileExtensionValidator(["json", "csv"])],
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.csv,application/json,text/csv"}),
    )
    version = forms.CharField(
        label=_("Version"),
        max_length=20,
        required=False,
        help_text=_("Par exemple 2026.2. Obligatoire pour un fichier CSV ; remplace celle d’un fichier JSON."),
    )
    title = forms.CharField(
        label=_("Titre"),
        max_length=200,
        required=False,
        help_text=_("Obligatoire pour un fichier CSV ; remplace celui d’un fichier JSON."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        if upload.size > MAX_FILE_SIZE:
            self.add_error("file", _("Le fichier dépasse 2 Mo."))
            return cleaned
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            self.add_error("file", _("Le fichier doit être encodé en UTF-8."))
            return cleaned
        version = cleaned.get("version", "").strip()
        title = cleaned.get("title", "").strip()
        if Path(upload.name).suffix.lower() == ".json":
            try:
                data = parse_json(text)
            except ServiceError as exc:
                self.add_error("file", exc.message)
                return cleaned
            if version:
                data["version"] = version
            if title:
                data["title"] = title
            cleaned.update(format="json", data=data)
        else:
            for name, value in (("version", version), ("title", title)):
                if not value:
                    self.add_error(name, _("Obligatoire pour un fichier CSV."))
            cleaned.update(format="csv", text=text, version=version, title=title)
        return cleaned


class FrameworkNewDraftForm(EssaimForm):
    version = forms.CharField(label=_("Version du nouveau brouillon"), max_length=20, help_text=_("Par exemple 2026.2"))
