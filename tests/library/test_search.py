from __future__ import annotations

import pytest

from essaim.library.selectors import resource_search
from tests.library.conftest import make_resource

pytestmark = pytest.mark.django_db


def _titles(page):
    return [hit.resource.title for hit in page.hits]


def test_accents_plural_and_word_forms_do_not_matter(rf):
    from django.contrib.auth.models import AnonymousUser

    make_resource("La délibération citoyenne", "Organiser des délibérations publiques.")
    make_resource("Le co-développement entre pairs", "Une méthode de codéveloppement professionnel.")
    make_resource("Budget participatif", "Un budget ouvert aux habitants.")
    anonymous = AnonymousUser()
    for query in ("deliberations", "DÉLIBÉRATION", "délibérer", "deliberer"):
        assert _titles(resource_search(user=anonymous, query=query)) == ["La délibération citoyenne"], query
    for query in ("codéveloppement", "co-développement", "co developpement", "codeveloppements"):
        assert "Le co-développement entre pairs" in _titles(resource_search(user=anonymous, query=query)), query
