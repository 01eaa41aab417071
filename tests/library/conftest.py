from __future__ import annotations

from typing import Any

import pytest

from essaim.library.models import Resource
from essaim.library.services import resource_import


def make_resource(title: str, summary: str = "Un résumé.", *, body: str = "", **extra: Any) -> Resource:
    record = {
        "title": title,
        "summary": summary,
        "body": body,
        "type": "method",
        "licence": "etalab-2.0",
        "language": "fr",
        "published": True,
        **extra,
    }
    return resource_import(record=record)


@pytest.fixture
def public_resource(db):
    return make_resource("Le world café", "Animer des conversations en petits groupes tournants.")


@pytest.fixture
def agents_resource(db):
    return make_resource(
        "Jury citoyen interne", "Un jury citoyen réservé aux agents.", visibility=Resource.Visibility.AGENTS
    )


@pytest.fixture
def draft_resource(db):
    return make_resource("Brouillon secret de délibération", "Texte non publié sur la délibération.", published=False)
