"""The disclosure rule on its own: no hidden count can be worked out from the margins."""

from __future__ import annotations

import random

import pytest

from essaim.reporting.disclosure import ALL, hidden_share, protect
from tests.reporting.attacker import STAR, leaks


def _as_published(protected):
    return {tuple(STAR if part == ALL else part for part in key): value for key, value in protected.items()}


def test_the_issue_case_national_total_minus_other_regions_no_longer_gives_three():
    # 3 completions in one region, the other regions larger: before, total − others = 3.
    base = {("bretagne",): 3, ("idf",): 40, ("occitanie",): 12, ("normandie",): 9}
    published = protect(base=base, threshold=5)
    assert published[("bretagne",)] is None
    shown = [v for k, v in published.items() if k != (ALL,) and v is not None]
    total = published[(ALL,)]
    assert total is None or total - sum(shown) != 3
    # One more region hidden (the smallest that protects it), the rest still published.
    assert published[("normandie",)] is None and published[("idf",)] == 40 and published[("occitanie",)] == 12
    assert leaks(_as_published(published), threshold=5) == []


def test_a_two_way_table_keeps_its_large_cells():
    base = {(q, r): 30 + 7 * q + r for q in range(1, 5) for r in range(4)}
    base[(2, 1)] = 2
    published = protect(base=base, threshold=5)
    hidden, _cells = hidden_share(protected=published)
    assert published[(2, 1)] is None
    assert 4 <= hidden <= 4 + 2  # one rectangle, not the whole table
    assert published[(ALL, ALL)] == sum(base.values())
    assert leaks(_as_published(published), threshold=5) == []


@pytest.mark.parametrize("seed", range(60))
def test_random_cubes_with_small_cells_resist_the_attacker(seed):
    rnd = random.Random(seed)
    sizes = [rnd.randint(1, 4) for _ in range(rnd.choice([2, 3, 4]))]
    base: dict[tuple[int, ...], int] = {}
    for _ in range(rnd.randint(2, 25)):
        key = tuple(rnd.randrange(n) for n in sizes)
        base[key] = base.get(key, 0) + rnd.choice([1, 2, 3, 4, 5, 6, 8, 12, 20, 40])
    published = protect(base=base, threshold=5)
    assert all(v is None or v >= 5 for v in published.values())
    assert leaks(_as_published(published), threshold=5) == []


def test_the_attacker_finds_what_primary_suppression_alone_leaks():
    """The attacker is not blind: on primary suppression only it recovers the 3."""
    base = {("bretagne",): 3, ("idf",): 40, ("occitanie",): 12}
    published = {("bretagne",): None, ("idf",): 40, ("occitanie",): 12, (STAR,): 55}
    found = leaks(published, threshold=5)
    assert [(f.key, f.low, f.high, f.exact) for f in found] == [(("bretagne",), 3, 3, True)]
    assert sum(base.values()) == 55
