"""Ranking over every match, exact facet counts, forgiving queries (ADR 0020)."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from django.contrib.auth.models import AnonymousUser

from essaim.library import search
from essaim.library.models import Resource
from essaim.library.selectors import resource_search
from tests.factories import OrganisationFactory, UserFactory
from tests.library.conftest import make_resource

pytestmark = pytest.mark.django_db

TYPES = ["method", "template", "case_study", "guide"]
LICENCES = ["etalab-2.0", "cc-by-4.0", "cc-by-sa-4.0"]


@pytest.fixture
def crowd(db):
    """The best resource on « atelier » written first (oldest, smallest id), then 60 others
    that mention the word once in their body, of varied types, licences, visibilities."""
    organisations = [OrganisationFactory(), OrganisationFactory()]
    best = make_resource("L’atelier de co-construction", "Un atelier pour co-construire en atelier.")
    for i in range(60):
        make_resource(
            f"Fiche numéro {i}",
            "Une fiche parmi d’autres sur la méthode.",
            body=f"<p>Étape {i} : un atelier possible.</p>",
            type=TYPES[i % 4],
            licence=LICENCES[i % 3],
            organisation=organisations[i % 2].slug if i % 5 else None,
            visibility=Resource.Visibility.AGENTS if i % 7 == 0 else Resource.Visibility.PUBLIC,
        )
    make_resource("Jury citoyen", "Tirer au sort des habitants.")
    return best


@pytest.fixture(params=["direct", "threshold"])
def strategy(request, monkeypatch):
    """Both ways of ranking: every match scored (few matches), or the threshold algorithm
    reading the postings best first from a tiny depth (what a common word takes)."""
    if request.param == "threshold":
        monkeypatch.setattr(search, "DIRECT", 0)
        monkeypatch.setattr(search, "FIRST_DEPTH", 2)
    return request.param


def test_the_best_resource_wins_however_many_newer_matches_there_are(crowd, strategy):
    page = resource_search(user=AnonymousUser(), query="ateliers", page_size=5)
    assert page.hits[0].resource == crowd
    assert page.total == 1 + sum(1 for i in range(60) if i % 7)
    assert not page.capped
    scores = [hit.score for hit in page.hits]
    assert scores == sorted(scores, reverse=True)


def test_pages_follow_each_other_without_gap_or_repeat(crowd, strategy):
    seen = []
    for number in (1, 2, 3, 4, 5, 6):
        seen += [
            hit.resource.pk
            for hit in resource_search(user=AnonymousUser(), query="atelier", page=number, page_size=10).hits
        ]
    expected = Resource.objects.visible_to(AnonymousUser()).filter(body__contains="atelier").count() + 1
    assert len(seen) == len(set(seen)) == expected


def _full_counts(user, **filters):
    """What a person would count by hand: visible resources whose text has the word."""
    qs = Resource.objects.visible_to(user).filter(**filters)
    matching = [r for r in qs if "atelier" in (r.title + r.summary + r.body).lower()]
    return {
        "type": Counter(r.type for r in matching),
        "licence": Counter(r.licence for r in matching),
        "organisation": Counter(str(r.organisation_id) for r in matching if r.organisation_id),
        "total": len(matching),
    }


@pytest.mark.parametrize("signed_in", [False, True])
def test_facet_counts_are_exact_for_every_match(crowd, strategy, signed_in):
    user = UserFactory() if signed_in else AnonymousUser()
    page = resource_search(user=user, query="atelier", page_size=3)
    full = _full_counts(user)
    assert page.total == full["total"]
    for name in ("type", "licence", "organisation"):
        assert Counter({v.value: v.count for v in page.facets[name]}) == full[name], name
    filtered = resource_search(user=user, query="atelier", filters={"type": ["guide"], "licence": ["cc-by-4.0"]})
    assert filtered.total == _full_counts(user, type="guide", licence="cc-by-4.0")["total"]
    assert all(hit.resource.type == "guide" and hit.resource.licence == "cc-by-4.0" for hit in filtered.hits)


def test_a_misspelt_word_finds_the_resource_and_says_what_it_searched(crowd):
    make_resource("La délibération citoyenne", "Organiser des délibérations publiques.")
    page = resource_search(user=AnonymousUser(), query="délibertion")
    assert [hit.resource.title for hit in page.hits] == ["La délibération citoyenne"]
    assert page.suggestion == "délibération"
    exact = resource_search(user=AnonymousUser(), query="délibération")
    assert exact.suggestion == ""


def test_a_word_nobody_uses_and_nothing_near_finds_nothing(crowd):
    page = resource_search(user=AnonymousUser(), query="zzyzx")
    assert page.total == 0 and page.hits == [] and page.suggestion == ""


def test_synonyms_of_the_editable_list(db):
    cafe = make_resource("Le world café", "Des conversations en petits groupes tournants.")
    space = make_resource("Le forum ouvert", "Un ordre du jour construit par les participants.")
    assert [h.resource for h in resource_search(user=AnonymousUser(), query="café du monde").hits] == [cafe]
    assert [h.resource for h in resource_search(user=AnonymousUser(), query="open space").hits] == [space]


def test_words_written_apart_or_joined_meet(db):
    photo = make_resource("Le photolangage", "Choisir une image pour parler de soi.")
    boat = make_resource("Le speed boat", "Ce qui pousse le bateau, ce qui le freine.")
    assert [h.resource for h in resource_search(user=AnonymousUser(), query="photo langage").hits] == [photo]
    assert [h.resource for h in resource_search(user=AnonymousUser(), query="speedboat").hits] == [boat]


def test_query_syntax_never_reaches_the_matcher(crowd):
    for query in ('atelier" OR "x', "atelier & !jury", "NEAR(atelier", "atelier:*", "'; DROP TABLE x; --"):
        page = resource_search(user=AnonymousUser(), query=query)
        assert page.total >= 0


def test_library_reindex_command_rebuilds_the_index(crowd):
    from io import StringIO

    from django.core.management import call_command

    search.backend().clear()
    assert resource_search(user=AnonymousUser(), query="atelier").total == 0
    out = StringIO()
    call_command("library_reindex", stdout=out)
    assert out.getvalue().startswith("62 ressources indexées")
    assert resource_search(user=AnonymousUser(), query="atelier").hits[0].resource == crowd


def test_related_resources_share_vocabulary_and_only_visible_ones_show(client):
    cafe = make_resource("Le world café", "Des conversations en petits groupes tournants autour de tables.")
    near = make_resource("Le café-débat", "Des conversations tournantes autour de tables, en petits groupes.")
    hidden = make_resource(
        "Conversations en petits groupes",
        "Des conversations tournantes en petits groupes autour de tables.",
        visibility=Resource.Visibility.AGENTS,
    )
    make_resource("Budget participatif", "Voter pour des projets d’investissement.")
    from essaim.library.services import index_resources

    index_resources([cafe])  # computed at indexing: the others exist now
    page = client.get(cafe.get_absolute_url())
    related = page.context["related"]
    assert related[0] == near
    assert hidden not in related
    assert all(r.title != "Budget participatif" for r in related)
    assert "Ressources liées" in page.content.decode()
    client.force_login(UserFactory())
    assert hidden in client.get(cafe.get_absolute_url()).context["related"]


def test_a_misspelt_compound_or_ending_is_corrected_too(db):
    codev = make_resource("Le co-développement entre pairs", "Une méthode de codéveloppement professionnel.")
    for query in ("co-dévelopement", "codéveloppment"):
        page = resource_search(user=AnonymousUser(), query=query)
        assert [hit.resource for hit in page.hits] == [codev], query
        assert page.suggestion, query


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ("atelier étape", {}),
        ("atelier fiche méthode", {"type": ["guide", "method"]}),
        ("jury atelier", {}),  # no resource has both: any word
        ("co-construction atelier", {"licence": ["cc-by-4.0"]}),
    ],
)
def test_the_threshold_pass_finds_the_same_pages_as_scoring_every_match(crowd, monkeypatch, query, filters):
    """Several words: reading the postings best first a little at a time, scoring only the
    resources that can still enter the top, gives the pages that scoring every match gives."""

    def pages():
        return [
            [
                (hit.resource.pk, hit.score)
                for hit in resource_search(
                    user=AnonymousUser(), query=query, filters=filters, page=number, page_size=4
                ).hits
            ]
            for number in (1, 2, 3)
        ]

    rng = random.Random(19)
    words = ["atelier", "étape", "fiche", "méthode", "jury", "co-construction", "débat", "quartier"]
    for i in range(40):  # weights that differ: the best of each stem are not the best of the query
        make_resource(
            " ".join(rng.choices(words, k=rng.randint(1, 4))),
            " ".join(rng.choices(words, k=rng.randint(3, 12))),
            body="<p>" + " ".join(rng.choices([*words, "texte", "autre"], k=rng.randint(5, 80))) + "</p>",
            type=TYPES[i % 4],
            licence=LICENCES[i % 3],
        )
    default = pages()  # PostgreSQL: words all required, one stem each, merge-joined in one pass
    monkeypatch.setattr(search.PostgresBackend, "MAX_JOINED", 0)
    direct = pages()
    assert default == direct
    monkeypatch.setattr(search, "DIRECT", 0)
    monkeypatch.setattr(search, "FIRST_DEPTH", 2)
    monkeypatch.setattr(search, "SCORE_BATCH", 3)
    assert pages() == direct
    assert direct[0]


def test_a_repeated_word_or_synonyms_stemming_alike_search_as_the_word_once(crowd):
    once = resource_search(user=AnonymousUser(), query="atelier")
    for query in ("atelier atelier", "ateliers atelier"):
        again = resource_search(user=AnonymousUser(), query=query)
        assert [(h.resource.pk, h.score) for h in again.hits] == [(h.resource.pk, h.score) for h in once.hits]
        assert again.total == once.total


def test_an_expression_that_contains_another_still_weighs_its_extra_words(db, monkeypatch):
    """« forum ouvert » = « forum ouvert technologie » (synonyms.txt): the longer one matches
    nothing more, but its extra word counts in the score."""
    make_resource("Forum ouvert", "Une journée de forum ouvert.")
    make_resource("Forum ouvert", "Une journée de forum ouvert technologie.")

    def hits():
        return [(h.resource.pk, h.score) for h in resource_search(user=AnonymousUser(), query="forum ouvert").hits]

    now = hits()
    monkeypatch.setattr(search, "_distinct", lambda groups: groups)
    assert now == hits()


def test_a_search_inside_a_transaction_leaves_its_planner_settings_as_they_were(crowd):
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL planner settings")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_nestloop = off")
        for query in ("atelier étape", "atelier fiche", "co-construction atelier"):
            assert resource_search(user=AnonymousUser(), query=query).total
        cursor.execute("SELECT current_setting('enable_seqscan'), current_setting('enable_nestloop')")
        assert cursor.fetchone() == ("off", "off")
    with transaction.atomic(), connection.cursor() as cursor:  # the defaults, kept as well
        cursor.execute("SET LOCAL enable_seqscan = on")
        cursor.execute("SET LOCAL enable_nestloop = on")
        resource_search(user=AnonymousUser(), query="atelier étape")
        resource_search(user=AnonymousUser(), query="co-construction atelier")
        cursor.execute("SELECT current_setting('enable_seqscan'), current_setting('enable_nestloop')")
        assert cursor.fetchone() == ("on", "on")
