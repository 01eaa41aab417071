"""The relevance set (data/relevance.jsonl): French queries and the resource each should
find in its top 10 — accents dropped or added, singular/plural, hyphenated and joined
forms, verb and noun forms. Run by tests/library/test_relevance.py and bench/bench_library.py."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import AnonymousUser

from essaim.library.models import Resource
from essaim.library.selectors import resource_search

RELEVANCE_FILE = Path(__file__).resolve().parent / "data" / "relevance.jsonl"
TOP = 10


@dataclass(frozen=True, slots=True)
class Outcome:
    query: str
    expected: str
    form: str
    rank: int | None  # 1-based, None when not in the top 10

    @property
    def found(self) -> bool:
        return self.rank is not None


def relevance_cases() -> list[dict[str, str]]:
    return [json.loads(line) for line in RELEVANCE_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]


def typo_variant(query: str) -> str:
    """The query with one typing mistake, made the same way every time: in its longest word
    (at least 6 letters), the letter at two thirds is dropped (« délibération » →
    « délibértion »); the query is unchanged when it has no such word."""
    words = query.split()
    longest = max(range(len(words)), key=lambda i: (len(words[i]), -i))
    word = words[longest]
    if len(word) < 6:
        return query
    cut = (2 * len(word)) // 3
    words[longest] = word[:cut] + word[cut + 1 :]
    return " ".join(words)


def relevance_run(*, typos: bool = False) -> list[Outcome]:
    """Each query of the set (with `typos`, its typo variant; queries that have none are
    left out) and the rank of its expected resource."""
    slugs = dict(Resource.objects.values_list("pk", "slug"))
    outcomes = []
    for case in relevance_cases():
        query = typo_variant(case["query"]) if typos else case["query"]
        if typos and query == case["query"]:
            continue
        page = resource_search(user=AnonymousUser(), query=query, page_size=TOP, with_facets=False)
        ranked = [slugs.get(hit.resource.pk) for hit in page.hits]
        rank = ranked.index(case["expected"]) + 1 if case["expected"] in ranked else None
        outcomes.append(Outcome(query, case["expected"], case.get("form", ""), rank))
    return outcomes
