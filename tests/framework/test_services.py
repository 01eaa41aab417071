from __future__ import annotations

import copy
import csv
import io
import json
import re

import pytest

from essaim.core.exceptions import ServiceError
from essaim.core.models import AuditEntry
from essaim.framework.models import Competency, FrameworkVersion, Level, LevelDescriptor
from essaim.framework.services import (
    SEED_PATH,
    competency_update,
    descriptor_set,
    framework_export,
    framework_export_csv,
    framework_import,
    framework_import_csv,
    framework_load_seed,
    framework_new_draft,
    framework_publish,
)
from tests.framework.conftest import make_document

pytestmark = pytest.mark.django_db


def _content(exported: dict) -> dict:
    """What a version says, leaving out what identifies it."""
    return {key: exported[key] for key in ("title", "description", "levels", "competencies")}


def _row_counts(framework: FrameworkVersion) -> tuple[int, int, int]:
    return (
        framework.levels.count(),
        framework.competencies.count(),
        LevelDescriptor.objects.filter(competency__framework=framework).count(),
    )


# Import and export ---------------------------------------------------------------------


def test_json_import_creates_a_draft_that_exports_back_unchanged(document, programme_admin):
    framework = framework_import(data=document, acting_user=programme_admin)

    assert framework.status == FrameworkVersion.Status.DRAFT and framework.published_at is None
    assert _row_counts(framework) == (3, 6, 18)
    exported = framework_export(framework=framework)
    assert exported["version"] == "2030.1"
    assert exported["licence"] == "etalab-2.0"
    assert exported["status"] == "draft" and exported["published_at"] is None and exported["based_on"] is None
    assert _content(exported) == _content(document)

    again = framework_import(data={**exported, "version": "2030.2"}, acting_user=programme_admin)
    assert _content(framework_export(framework=again)) == _content(document)

    entry = AuditEntry.objects.filter(action="framework.version.import").first()
    assert entry is not None and entry.actor == programme_admin and entry.actor_role == "programme_admin"
    assert entry.changes["competencies"] == 6


def test_children_may_come_before_their_parent_in_the_file(document):
    document["competencies"].reverse()
    framework = framework_import(data=document, acting_user=None)
    child = Competency.objects.get(framework=framework, code="competence-1-1")
    assert child.parent is not None and child.parent.code == "domaine-1"


def test_csv_export_has_one_row_per_competency_and_level_and_imports_back(draft):
    text = framework_export_csv(framework=draft)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "competency_code",
        "competency_name",
        "parent_code",
        "level_rank",
        "level_code",
        "level_name",
        "descriptor",
    ]
    assert len(rows) == 6 * 3
    assert rows[3] == {
        "competency_code": "competence-1-1",
        "competency_name": "Compétence 1.1",
        "parent_code": "domaine-1",
        "level_rank": "1",
        "level_code": "decouvrir",
        "level_name": "Découvrir",
        "descriptor": "Compétence 1.1, niveau 1, avec « guillemets », virgule.",
    }

    copy_ = framework_import_csv(text=text, version="2030.9", title="Copie CSV", acting_user=None)
    assert framework_export_csv(framework=copy_) == text
    original, imported = framework_export(framework=draft), framework_export(framework=copy_)
    # The CSV carries the tree and the descriptors, not the descriptions.
    for key in ("code", "name", "parent", "descriptors"):
        assert [c[key] for c in imported["competencies"]] == [c[key] for c in original["competencies"]]
    assert [(lvl["rank"], lvl["code"], lvl["name"]) for lvl in imported["levels"]] == [
        (lvl["rank"], lvl["code"], lvl["name"]) for lvl in original["levels"]
    ]


def test_csv_import_accepts_a_byte_order_mark_and_blank_descriptors(draft):
    text = framework_export_csv(framework=draft).replace("Domaine 1, niveau 2.", "")
    framework = framework_import_csv(text="\ufeff" + text, version="2030.3", title="Avec BOM", acting_user=None)
    exported = framework_export(framework=framework)
    assert "pratiquer" not in exported["competencies"][0]["descriptors"]
    assert LevelDescriptor.objects.filter(competency__framework=framework).count() == 17


# Validation ----------------------------------------------------------------------------


def _set(path: str, value):
    def mutate(doc):
        *parents, last = path.split(".")
        target = doc
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is KeyError:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value

    return mutate


INVALID_DOCUMENTS = [
    (
        "duplicate competency code",
        _set("competencies.2.code", "competence-1-1"),
        "« competence-1-1 » apparaît plusieurs",
    ),
    ("duplicate level code", _set("levels.1.code", "decouvrir"), "niveau « decouvrir » apparaît plusieurs"),
    ("duplicate level rank", _set("levels.1.rank", 1), "rang 1 est donné à plusieurs niveaux"),
    ("unknown parent", _set("competencies.1.parent", "nulle-part"), "parente « nulle-part » n’existe pas"),
    ("own parent", _set("competencies.0.parent", "domaine-1"), "cycle : domaine-1 → domaine-1"),
    ("unknown level in descriptors", _set("competencies.1.descriptors.expert", "Texte"), "niveau « expert »"),
    ("missing title", _set("title", KeyError), "« title » est manquant"),
    ("blank version", _set("version", " "), "« version » est manquant"),
    ("missing levels", _set("levels", KeyError), "« levels » est manquant"),
    ("missing competencies", _set("competencies", KeyError), "« competencies » est manquant"),
    ("missing level code", _set("levels.0.code", KeyError), "Niveau n° 1 : le champ « code » est manquant"),
    ("missing level name", _set("levels.2.name", ""), "Niveau « maitriser » : le champ « name » est manquant"),
    ("missing rank", _set("levels.0.rank", KeyError), "« rank » est manquant"),
    ("missing competency code", _set("competencies.3.code", None), "Compétence n° 4 : le champ « code »"),
    ("missing competency name", _set("competencies.1.name", KeyError), "« competence-1-1 » : le champ « name »"),
    ("code not a slug", _set("competencies.0.code", "Domaine un"), "le code « Domaine un » n’est pas valide"),
    ("version not usable in a URL", _set("version", "2030/1"), "La version « 2030/1 » n’est pas valide"),
    ("reserved version", _set("version", "importer"), "La version « importer » n’est pas valide"),
    ("levels not a list", _set("levels", {"a": 1}), "« levels » doit être une liste"),
    ("descriptors not a mapping", _set("competencies.0.descriptors", ["x"]), "« descriptors » doit associer"),
    ("rank not a number", _set("levels.0.rank", "premier"), "le rang doit être un nombre entier"),
]


@pytest.mark.parametrize(
    "mutate, message", [case[1:] for case in INVALID_DOCUMENTS], ids=[case[0] for case in INVALID_DOCUMENTS]
)
def test_invalid_documents_are_refused_with_a_french_message(document, mutate, message):
    mutate(document)
    with pytest.raises(ServiceError) as excinfo:
        framework_import(data=document, acting_user=None)
    assert message in excinfo.value.message
    assert not FrameworkVersion.objects.exists()


def test_a_cycle_is_named(document):
    document["competencies"][0]["parent"] = "competence-1-2"
    with pytest.raises(ServiceError) as excinfo:
        framework_import(data=document, acting_user=None)
    assert "L’arborescence des compétences forme un cycle : domaine-1 → competence-1-2 → domaine-1." in (
        excinfo.value.message
    )


def test_an_existing_version_is_refused(draft):
    with pytest.raises(ServiceError, match=re.escape("La version « 2030.1 » du référentiel existe déjà.")):
        framework_import(data=make_document(version="2030.1"), acting_user=None)
    assert FrameworkVersion.objects.count() == 1


def test_a_document_that_is_not_an_object_is_refused():
    with pytest.raises(ServiceError, match="doit être un objet JSON"):
        framework_import(data=["pas", "un", "objet"], acting_user=None)  # type: ignore[arg-type]


HEADER = "competency_code,competency_name,parent_code,level_rank,level_code,level_name,descriptor\n"
INVALID_CSV = [
    ("empty file", "", "Le fichier CSV est vide."),
    (
        "missing column",
        "competency_code,competency_name\nx,X\n",
        "Colonnes manquantes dans le fichier CSV : parent_code",
    ),
    ("missing value", HEADER + "a,A,,1,,Découvrir,Texte\n", "Ligne 2 : le champ « level_code » est manquant"),
    (
        "level described twice",
        HEADER + "a,A,,1,decouvrir,Découvrir,T\nb,B,,1,decouvrir,Autre nom,T\n",
        "Ligne 3 : le niveau « decouvrir » est décrit de deux façons différentes.",
    ),
    (
        "competency renamed",
        HEADER + "a,A,,1,decouvrir,Découvrir,T\na,Autre,,2,pratiquer,Pratiquer,T\n",
        "Ligne 3 : la compétence « a » a un autre nom ou un autre parent",
    ),
    (
        "descriptor twice",
        HEADER + "a,A,,1,decouvrir,Découvrir,T\na,A,,1,decouvrir,Découvrir,T\n",
        "a déjà un descripteur pour le niveau « decouvrir »",
    ),
    ("unknown parent", HEADER + "a,A,z,1,decouvrir,Découvrir,T\n", "la compétence parente « z » n’existe pas"),
    ("bad rank", HEADER + "a,A,,un,decouvrir,Découvrir,T\n", "Ligne 2 : le rang doit être un nombre entier"),
]


@pytest.mark.parametrize("text, message", [case[1:] for case in INVALID_CSV], ids=[case[0] for case in INVALID_CSV])
def test_invalid_csv_is_refused_with_a_french_message(text, message):
    with pytest.raises(ServiceError) as excinfo:
        framework_import_csv(text=text, version="2030.5", title="CSV", acting_user=None)
    assert message in excinfo.value.message
    assert not FrameworkVersion.objects.exists()


# Publishing and freezing ---------------------------------------------------------------


def test_publish_freezes_a_draft(draft, programme_admin):
    framework = framework_publish(framework=draft, acting_user=programme_admin)
    draft.refresh_from_db()
    assert draft.status == FrameworkVersion.Status.PUBLISHED and draft.published_at is not None
    assert framework.is_frozen
    assert AuditEntry.objects.filter(action="framework.version.publish", actor=programme_admin).count() == 1

    with pytest.raises(ServiceError, match=re.escape("La version « 2030.1 » est déjà publiée.")):
        framework_publish(framework=draft, acting_user=programme_admin)


@pytest.mark.parametrize(
    "emptied, message", [("levels", "n’a aucun niveau"), ("competencies", "n’a aucune compétence")]
)
def test_an_empty_version_cannot_be_published(document, emptied, message):
    document[emptied] = []
    for competency in document["competencies"]:
        competency["descriptors"] = {}
    framework = framework_import(data=document, acting_user=None)
    with pytest.raises(ServiceError, match=message):
        framework_publish(framework=framework, acting_user=None)
    framework.refresh_from_db()
    assert framework.status == FrameworkVersion.Status.DRAFT


def test_published_versions_are_frozen(published, programme_admin):
    competency = Competency.objects.get(framework=published, code="competence-1-1")
    level = Level.objects.get(framework=published, code="decouvrir")
    before = framework_export(framework=published)
    audit_before = AuditEntry.objects.count()

    with pytest.raises(ServiceError, match="est publiée : elle est figée"):
        competency_update(competency=competency, acting_user=programme_admin, name="Renommée")
    with pytest.raises(ServiceError, match="est publiée : elle est figée"):
        descriptor_set(competency=competency, level=level, text="Nouveau texte", acting_user=programme_admin)
    with pytest.raises(ServiceError, match="est publiée : elle est figée"):
        descriptor_set(competency=competency, level=level, text="", acting_user=programme_admin)

    assert framework_export(framework=published) == before
    competency.refresh_from_db()
    assert competency.name == "Compétence 1.1"
    assert AuditEntry.objects.count() == audit_before


def test_drafts_can_be_edited(draft, programme_admin):
    competency = Competency.objects.get(framework=draft, code="competence-1-1")
    other_domain = Competency.objects.get(framework=draft, code="domaine-2")
    level = Level.objects.get(framework=draft, code="maitriser")

    competency_update(
        competency=competency, acting_user=programme_admin, name="  Nouveau nom ", parent=other_domain, position=9
    )
    competency.refresh_from_db()
    assert (competency.name, competency.parent_id, competency.position) == ("Nouveau nom", other_domain.pk, 9)
    entry = AuditEntry.objects.get(action="framework.competency.update")
    assert entry.changes["name"] == ["Compétence 1.1", "Nouveau nom"]

    descriptor = descriptor_set(competency=competency, level=level, text="Sait tout faire.", acting_user=None)
    assert descriptor is not None and descriptor.text == "Sait tout faire."
    assert descriptor_set(competency=competency, level=level, text="", acting_user=None) is None
    assert not LevelDescriptor.objects.filter(competency=competency, level=level).exists()
    assert AuditEntry.objects.filter(action="framework.descriptor.set").count() == 2


def test_draft_edits_are_validated(draft, published):
    domain = Competency.objects.get(framework=draft, code="domaine-1")
    child = Competency.objects.get(framework=draft, code="competence-1-1")
    foreign = Competency.objects.get(framework=published, code="domaine-1")
    foreign_level = Level.objects.get(framework=published, code="decouvrir")

    with pytest.raises(ServiceError, match="ce serait un cycle"):
        competency_update(competency=domain, acting_user=None, parent=child)
    with pytest.raises(ServiceError, match="ce serait un cycle"):
        competency_update(competency=domain, acting_user=None, parent=domain)
    with pytest.raises(ServiceError, match="même version"):
        competency_update(competency=child, acting_user=None, parent=foreign)
    with pytest.raises(ServiceError, match=re.escape("Le nom de la compétence est obligatoire.")):
        competency_update(competency=child, acting_user=None, name=" ")
    with pytest.raises(ServiceError, match="n’appartient pas à la même version"):
        descriptor_set(competency=child, level=foreign_level, text="Texte", acting_user=None)
    with pytest.raises(ValueError, match="Not editable"):
        competency_update(competency=child, acting_user=None, code="autre-code")
    domain.refresh_from_db()
    assert domain.parent_id is None


# New drafts ----------------------------------------------------------------------------


def test_a_new_draft_copies_a_published_version_and_leaves_it_untouched(published, programme_admin):
    source_before = framework_export(framework=published)
    counts_before = _row_counts(published)

    draft = framework_new_draft(source=published, version="2029.2", acting_user=programme_admin)

    assert draft.status == FrameworkVersion.Status.DRAFT and draft.based_on == published
    copied = framework_export(framework=draft)
    assert _content(copied) == _content(source_before)
    assert copied["based_on"] == "2029.1"
    assert _row_counts(draft) == counts_before
    # New rows, not shared ones.
    assert not set(draft.competencies.values_list("pk", flat=True)) & set(
        published.competencies.values_list("pk", flat=True)
    )

    edited = Competency.objects.get(framework=draft, code="competence-2-2")
    competency_update(competency=edited, acting_user=programme_admin, name="Modifiée dans le brouillon")
    descriptor_set(
        competency=edited,
        level=Level.objects.get(framework=draft, code="pratiquer"),
        text="Nouveau descripteur",
        acting_user=programme_admin,
    )
    assert framework_export(framework=published) == source_before
    assert AuditEntry.objects.filter(action="framework.version.new_draft", target_label__contains="2029.2").exists()


def test_a_new_draft_needs_a_published_source_and_a_new_version(draft, published):
    with pytest.raises(ServiceError, match="Seule une version publiée"):
        framework_new_draft(source=draft, version="2030.2", acting_user=None)
    with pytest.raises(ServiceError, match=re.escape("La version « 2030.1 » du référentiel existe déjà.")):
        framework_new_draft(source=published, version="2030.1", acting_user=None)
    with pytest.raises(ServiceError, match="n’est pas valide"):
        framework_new_draft(source=published, version="deux mille", acting_user=None)
    assert FrameworkVersion.objects.count() == 2


# Seed ----------------------------------------------------------------------------------


def test_the_seed_loads_once_and_is_published():
    framework = framework_load_seed()
    assert framework_load_seed() == framework
    assert FrameworkVersion.objects.count() == 1
    assert framework.version == "2026.1" and framework.is_frozen and framework.published_at
    assert [level.code for level in framework.levels.order_by("rank")] == [
        "decouvrir",
        "pratiquer",
        "maitriser",
        "transmettre",
    ]
    assert [level.name for level in framework.levels.order_by("rank")] == [
        "Découvrir",
        "Pratiquer",
        "Maîtriser",
        "Transmettre",
    ]
    competencies = list(framework.competencies.all())
    assert 10 <= len(competencies) <= 14
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", c.code) for c in competencies)
    assert all(c.description for c in competencies)
    assert LevelDescriptor.objects.filter(competency__framework=framework).count() == 4 * len(competencies)
    roots = {c.code for c in competencies if c.parent_id is None}
    assert {"facilitation", "intelligence-collective", "participation-citoyenne", "former-transmettre"} <= roots
    assert {"codeveloppement", "facilitation-graphique", "deliberation-citoyenne"} <= {c.code for c in competencies}
    assert AuditEntry.objects.filter(action__startswith="framework.", actor__isnull=True).count() == 2
    assert AuditEntry.objects.filter(actor_role="system").count() == 2


def test_the_seed_file_round_trips():
    seed = json.loads(SEED_PATH.read_text(encoding="utf-8"))
    exported = framework_export(framework=framework_load_seed())
    assert _content(exported) == _content(seed)
    assert exported["licence"] == seed["licence"] == "etalab-2.0"


def test_import_does_not_change_the_callers_document(document):
    pristine = copy.deepcopy(document)
    framework_import(data=document, acting_user=None)
    assert document == pristine
