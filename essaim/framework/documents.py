"""The framework as a document: JSON and CSV parsing and validation, with no database.

Services turn a validated document into rows; exports produce the same shape, so an
exported file imports back unchanged. Every refusal is a `ServiceError` whose French
message names the item and the field at fault, because the people who read it are
programme admins fixing a file, not developers.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from essaim.core.exceptions import ServiceError
from essaim.core.spreadsheets import restore

LICENCE = "etalab-2.0"
CSV_COLUMNS = [
    "competency_code",
    "competency_name",
    "parent_code",
    "level_rank",
    "level_code",
    "level_name",
    "descriptor",
]
#: A version appears in URLs (/referentiel/2026.1/, /referentiel/2026.1.json).
VERSION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]*$")
#: Path segments of /referentiel/ that cannot be versions.
RESERVED_VERSIONS = frozenset({"importer"})
SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+$")
MAX_RANK = 32767


@dataclass(frozen=True)
class LevelData:
    rank: int
    code: str
    name: str
    description: str


@dataclass(frozen=True)
class CompetencyData:
    code: str
    name: str
    description: str
    parent: str | None
    position: int
    depth: int
    descriptors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FrameworkDocument:
    version: str
    title: str
    description: str
    levels: list[LevelData]
    competencies: list[CompetencyData]

    @property
    def descriptor_count(self) -> int:
        return sum(len(c.descriptors) for c in self.competencies)


def _missing(where: str, name: str) -> ServiceError:
    return ServiceError(
        _("%(where)s : le champ « %(field)s » est manquant ou vide.") % {"where": where, "field": name},
        code="missing_field",
    )


def _text(item: dict[str, Any], name: str, *, where: str, max_length: int, required: bool = True) -> str:
    value = item.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _missing(where, name)
        return ""
    if not isinstance(value, str):
        raise ServiceError(
            _("%(where)s : le champ « %(field)s » doit être un texte.") % {"where": where, "field": name},
            code="invalid_field",
        )
    value = value.strip()
    if max_length and len(value) > max_length:
        raise ServiceError(
            _("%(where)s : le champ « %(field)s » dépasse %(max)d caractères.")
            % {"where": where, "field": name, "max": max_length},
            code="invalid_field",
        )
    return value


def _slug(item: dict[str, Any], name: str, *, where: str, max_length: int) -> str:
    value = _text(item, name, where=where, max_length=max_length)
    if not SLUG_RE.match(value):
        raise ServiceError(
            _(
                "%(where)s : le code « %(code)s » n’est pas valide (lettres non accentuées, chiffres, "
                "tirets et tirets bas uniquement)."
            )
            % {"where": where, "code": value},
            code="invalid_code",
        )
    return value


def _rank(value: Any, *, where: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if value is None or value == "":
        raise _missing(where, "rank")
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_RANK:
        raise ServiceError(
            _("%(where)s : le rang doit être un nombre entier positif.") % {"where": where}, code="invalid_field"
        )
    return value


def _items(data: dict[str, Any], name: str) -> list[dict[str, Any]]:
    value = data.get(name)
    if value is None:
        raise _missing(_("Référentiel"), name)
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ServiceError(
            _("Référentiel : le champ « %(field)s » doit être une liste d’objets.") % {"field": name},
            code="invalid_field",
        )
    return value


def validate_version(value: Any) -> str:
    where = _("Référentiel")
    version = _text({"version": value}, "version", where=where, max_length=20)
    if not VERSION_RE.match(version) or version.lower() in RESERVED_VERSIONS:
        raise ServiceError(
            _(
                "La version « %(version)s » n’est pas valide : utilisez des chiffres, des lettres non accentuées, "
                "des points ou des tirets, par exemple 2026.1."
            )
            % {"version": version},
            code="invalid_version",
        )
    return version


def _levels(raw: list[dict[str, Any]]) -> list[LevelData]:
    levels: list[LevelData] = []
    codes: set[str] = set()
    ranks: set[int] = set()
    for index, item in enumerate(raw, start=1):
        where = _("Niveau n° %(index)d") % {"index": index}
        code = _slug(item, "code", where=where, max_length=40)
        where = _("Niveau « %(code)s »") % {"code": code}
        rank = _rank(item.get("rank"), where=where)
        if code in codes:
            raise ServiceError(
                _("Le code de niveau « %(code)s » apparaît plusieurs fois.") % {"code": code}, code="duplicate_code"
            )
        if rank in ranks:
            raise ServiceError(
                _("Le rang %(rank)d est donné à plusieurs niveaux.") % {"rank": rank}, code="duplicate_rank"
            )
        codes.add(code)
        ranks.add(rank)
        levels.append(
            LevelData(
                rank=rank,
                code=code,
                name=_text(item, "name", where=where, max_length=100),
                description=_text(item, "description", where=where, max_length=0, required=False),
            )
        )
    return sorted(levels, key=lambda level: level.rank)


def _depths(parents: dict[str, str | None]) -> dict[str, int]:
    """Depth of every node; refuses unknown parents and cycles (a node among its own ancestors)."""
    for code, parent in parents.items():
        if parent is not None and parent not in parents:
            raise ServiceError(
                _("Compétence « %(code)s » : la compétence parente « %(parent)s » n’existe pas dans le fichier.")
                % {"code": code, "parent": parent},
                code="unknown_parent",
            )
    depths: dict[str, int] = {}
    for start in parents:
        chain: list[str] = []
        node: str | None = start
        while node is not None and node not in depths:
            if node in chain:
                cycle = [*chain[chain.index(node) :], node]
                raise ServiceError(
                    _("L’arborescence des compétences forme un cycle : %(cycle)s.") % {"cycle": " → ".join(cycle)},
                    code="cycle",
                )
            chain.append(node)
            node = parents[node]
        depth = -1 if node is None else depths[node]
        for code in reversed(chain):
            depth += 1
            depths[code] = depth
    return depths


def _descriptors(item: dict[str, Any], *, code: str, level_codes: set[str]) -> dict[str, str]:
    raw = item.get("descriptors") or {}
    if not isinstance(raw, dict):
        raise ServiceError(
            _("Compétence « %(code)s » : « descriptors » doit associer un code de niveau à un texte.") % {"code": code},
            code="invalid_field",
        )
    descriptors: dict[str, str] = {}
    for level_code, text in raw.items():
        if level_code not in level_codes:
            raise ServiceError(
                _("Compétence « %(code)s » : le niveau « %(level)s » des descripteurs n’existe pas.")
                % {"code": code, "level": level_code},
                code="unknown_level",
            )
        if text is None or (isinstance(text, str) and not text.strip()):
            continue
        if not isinstance(text, str):
            raise ServiceError(
                _("Compétence « %(code)s » : le descripteur du niveau « %(level)s » doit être un texte.")
                % {"code": code, "level": level_code},
                code="invalid_field",
            )
        descriptors[level_code] = text.strip()
    return descriptors


def validate_document(data: Any) -> FrameworkDocument:
    """Check a JSON-shaped document from top to bottom and return it normalised.

    Unknown keys (``licence``, ``status``, ``published_at``… written by exports) are ignored.
    """
    if not isinstance(data, dict):
        raise ServiceError(_("Le référentiel doit être un objet JSON."), code="invalid_document")
    where = _("Référentiel")
    version = validate_version(data.get("version"))
    title = _text(data, "title", where=where, max_length=200)
    description = _text(data, "description", where=where, max_length=0, required=False)
    levels = _levels(_items(data, "levels"))
    level_codes = {level.code for level in levels}

    raw_competencies = _items(data, "competencies")
    seen: dict[str, dict[str, Any]] = {}
    parents: dict[str, str | None] = {}
    for index, item in enumerate(raw_competencies, start=1):
        code = _slug(item, "code", where=_("Compétence n° %(index)d") % {"index": index}, max_length=60)
        if code in seen:
            raise ServiceError(
                _("Le code de compétence « %(code)s » apparaît plusieurs fois.") % {"code": code},
                code="duplicate_code",
            )
        seen[code] = item
        parent = item.get("parent")
        if parent is not None and not isinstance(parent, str):
            raise ServiceError(
                _("Compétence « %(code)s » : « parent » doit être un code de compétence ou null.") % {"code": code},
                code="invalid_field",
            )
        parents[code] = (parent.strip() or None) if isinstance(parent, str) else None
    depths = _depths(parents)

    competencies: list[CompetencyData] = []
    for position, (code, item) in enumerate(seen.items()):
        where = _("Compétence « %(code)s »") % {"code": code}
        competencies.append(
            CompetencyData(
                code=code,
                name=_text(item, "name", where=where, max_length=200),
                description=_text(item, "description", where=where, max_length=0, required=False),
                parent=parents[code],
                position=position,
                depth=depths[code],
                descriptors=_descriptors(item, code=code, level_codes=level_codes),
            )
        )
    return FrameworkDocument(
        version=version, title=title, description=description, levels=levels, competencies=competencies
    )


def parse_json(text: str) -> dict[str, Any]:
    """The document in a JSON file's text, or a readable refusal."""
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        raise ServiceError(
            _("Le fichier JSON est illisible (ligne %(line)d, colonne %(column)d) : %(error)s.")
            % {"line": exc.lineno, "column": exc.colno, "error": exc.msg},
            code="invalid_json",
        ) from exc
    except RecursionError as exc:  # a few kilobytes of "[[[[…" exhaust the parser's stack
        raise ServiceError(_("Le fichier JSON est imbriqué trop profondément."), code="invalid_json") from exc
    if not isinstance(data, dict):
        raise ServiceError(_("Le référentiel doit être un objet JSON."), code="invalid_document")
    return data


def document_from_csv(*, text: str, version: str, title: str, description: str = "") -> dict[str, Any]:
    """Rebuild the JSON-shaped document from the CSV export (one row per competency × level).

    The CSV carries no descriptions of levels or competencies: they come back empty.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = reader.fieldnames
        if not header:
            raise ServiceError(_("Le fichier CSV est vide."), code="invalid_csv")
        missing = [column for column in CSV_COLUMNS if column not in header]
        if missing:
            raise ServiceError(
                _("Colonnes manquantes dans le fichier CSV : %(columns)s.") % {"columns": ", ".join(missing)},
                code="missing_field",
            )
        rows = list(reader)
    except csv.Error as exc:
        raise ServiceError(_("Le fichier CSV est illisible : %(error)s.") % {"error": exc}, code="invalid_csv") from exc

    levels: dict[str, dict[str, Any]] = {}
    competencies: dict[str, dict[str, Any]] = {}
    for line, row in enumerate(rows, start=2):
        values = {column: restore((row.get(column) or "").strip()) for column in CSV_COLUMNS}
        where = _("Ligne %(line)d") % {"line": line}
        for column in ("competency_code", "competency_name", "level_rank", "level_code", "level_name"):
            if not values[column]:
                raise _missing(where, column)
        level = {
            "rank": _rank(values["level_rank"], where=where),
            "code": values["level_code"],
            "name": values["level_name"],
            "description": "",
        }
        known_level = levels.setdefault(values["level_code"], level)
        if known_level != level:
            raise ServiceError(
                _("Ligne %(line)d : le niveau « %(code)s » est décrit de deux façons différentes.")
                % {"line": line, "code": level["code"]},
                code="inconsistent_level",
            )
        code = values["competency_code"]
        competency = competencies.setdefault(
            code,
            {
                "code": code,
                "name": values["competency_name"],
                "description": "",
                "parent": values["parent_code"] or None,
                "descriptors": {},
            },
        )
        if competency["name"] != values["competency_name"] or competency["parent"] != (values["parent_code"] or None):
            raise ServiceError(
                _("Ligne %(line)d : la compétence « %(code)s » a un autre nom ou un autre parent que plus haut.")
                % {"line": line, "code": code},
                code="inconsistent_competency",
            )
        if level["code"] in competency["descriptors"]:
            raise ServiceError(
                _("Ligne %(line)d : la compétence « %(code)s » a déjà un descripteur pour le niveau « %(level)s ».")
                % {"line": line, "code": code, "level": level["code"]},
                code="duplicate_descriptor",
            )
        competency["descriptors"][level["code"]] = values["descriptor"]
    return {
        "version": version,
        "title": title,
        "description": description,
        "levels": sorted(levels.values(), key=lambda level: level["rank"]),
        "competencies": list(competencies.values()),
    }
