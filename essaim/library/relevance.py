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


def relevance_run() -> list[Outcome]:
    slugs = dict(Resource.objects.values_list("pk", "slug"))
    outcomes = []
    for case in relevance_cases():
        page = resource_search(user=AnonymousUser(), query=case["query"], page_size=TOP, with_facets=False)
        ranked = [slugs.get(hit.resource.pk) for hit in page.hits]
        rank = ranked.index(case["expected"]) + 1 if case["expected"] in ranked else None
        outcomes.append(Outcome(case["query"], case["expected"], case.get("form", ""), rank))
    return outcomes
