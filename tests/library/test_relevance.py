"""The relevance set kept in the repository, on the demo content, on this database."""

from __future__ import annotations

import pytest

from essaim.library.demo import demo_library_load
from essaim.library.relevance import relevance_cases, relevance_run
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

DEMO_ORGANISATIONS = (
    "ditp", "dgfip", "ti-lab", "lab-aura", "democratie-ouverte", "decider-ensemble", "institut-de-la-concertation",
)  # fmt: skip


@pytest.fixture
def demo_library(db):
    for slug in DEMO_ORGANISATIONS:
        OrganisationFactory(slug=slug, name=slug.replace("-", " ").title())
    return demo_library_load()


def test_the_relevance_set_is_large_and_varied():
    cases = relevance_cases()
    assert len(cases) >= 50
    forms = " ".join(case["form"] for case in cases)
    for form in ("accents dropped", "plural", "hyphenated", "joined", "verb form", "noun form"):
        assert form in forms


def test_expected_resources_are_in_the_top_ten_for_nine_queries_in_ten(demo_library):
    assert demo_library >= 50
    outcomes = relevance_run()
    missed = [(o.query, o.expected) for o in outcomes if not o.found]
    share = 1 - len(missed) / len(outcomes)
    print(f"relevance: {share:.0%} in the top 10; missed: {missed}")
    assert share >= 0.9, missed


def test_hyphenated_and_joined_forms_find_each_other(demo_library):
    outcomes = {o.query: o for o in relevance_run()}
    for query in ("co-développement", "codéveloppement", "codeveloppement", "co developpement"):
        assert outcomes[query].rank == 1, query


def test_demo_content_is_published_under_licence_ouverte_and_loads_once(demo_library):
    from essaim.library.models import Resource

    assert set(Resource.objects.values_list("licence", flat=True)) == {"etalab-2.0"}
    assert Resource.objects.filter(status="published").count() == demo_library
    assert demo_library_load() == 0


def test_typo_variants_of_the_relevance_set_still_find_their_resource(demo_library):
    outcomes = relevance_run(typos=True)
    missed = [(o.query, o.expected) for o in outcomes if not o.found]
    assert len(outcomes) >= 40
    assert 1 - len(missed) / len(outcomes) >= 0.85, missed
