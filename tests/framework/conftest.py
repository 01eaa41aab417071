from __future__ import annotations

import copy
from typing import Any

import pytest

from essaim.framework.services import framework_import

LEVELS = [
    {"rank": 1, "code": "decouvrir", "name": "Découvrir", "description": "Connaît les notions."},
    {"rank": 2, "code": "pratiquer", "name": "Pratiquer", "description": "Met en œuvre avec appui."},
    {"rank": 3, "code": "maitriser", "name": "Maîtriser", "description": "Adapte en autonomie."},
]


def make_document(*, version: str = "2030.1", domains: int = 2, children: int = 2) -> dict[str, Any]:
    """A valid framework document, depth first (parents before children), as exports write it."""
    competencies: list[dict[str, Any]] = []
    for d in range(1, domains + 1):
        competencies.append(
            {
                "code": f"domaine-{d}",
                "name": f"Domaine {d}",
                "description": f"Présentation du domaine {d}.",
                "parent": None,
                "descriptors": {level["code"]: f"Domaine {d}, niveau {level['rank']}." for level in LEVELS},
            }
        )
        for c in range(1, children + 1):
            competencies.append(
                {
                    "code": f"competence-{d}-{c}",
                    "name": f"Compétence {d}.{c}",
                    "description": f"Présentation de la compétence {d}.{c}.",
                    "parent": f"domaine-{d}",
                    "descriptors": {
                        level["code"]: f"Compétence {d}.{c}, niveau {level['rank']}, avec « guillemets », virgule."
                        for level in LEVELS
                    },
                }
            )
    return {
        "version": version,
        "title": "Référentiel de test",
        "description": "Un référentiel pour les tests.",
        "levels": copy.deepcopy(LEVELS),
        "competencies": competencies,
    }


@pytest.fixture
def document() -> dict[str, Any]:
    return make_document()


@pytest.fixture
def draft(db, document):
    return framework_import(data=document, acting_user=None)


@pytest.fixture
def published(db):
    return framework_import(data=make_document(version="2029.1"), acting_user=None, publish=True)
