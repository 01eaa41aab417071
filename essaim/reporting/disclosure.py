"""Statistical disclosure control: the one rule every public figure about people follows.

Everything the public sees (public dashboard with any filters and breakdown, public
export, open-data files, OGP report) is a cell of one *publication cube* per year and
measure: counts by quarter × ministry × region × course, with every margin (any of the
four dimensions summed out, down to the year's total). Because a dashboard visitor can
filter and break down by any combination, every margin is treated as published.

`protect` applies, on the whole lattice of margins at once:

1. primary suppression: a cell counting 1 to threshold − 1 people is hidden;
2. complementary (secondary) suppression: in every additive relation
   ``parent = Σ children`` (one relation per margin cell and summed-out dimension) that
   holds a hidden cell, the hidden cells must be at least two and, when the parent is
   published, their total must exceed their number by at least the threshold (so each
   one can range over at least `threshold` values given the others are ≥ 1). Otherwise
   the smallest published non-zero child is hidden too (the parent when no child is
   left), and the relations are checked again until nothing changes.

This is the classic « hypercube » style heuristic of statistical offices (INSEE's
τ-ARGUS « modular » family), not an optimal linear-programming solution: it can hide
more cells than needed, and it is checked (not proved) against a linear attacker in
tests/reporting/test_disclosure_attack.py. See docs/adr/0035-statistical-disclosure.md.

Zero cells are published as zero (an empty group singles nobody out); hidden cells are
all shown with the same mark, so nobody can tell a primary from a complementary one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from itertools import product
from typing import Any

#: Stands for « every value » of a dimension in a margin cell's key.
ALL = "__all__"

Key = tuple[Any, ...]


def margins(*, base: Mapping[Key, int]) -> dict[Key, int]:
    """Every cell of the lattice: each base cell summed into the 2^d margins it belongs to."""
    cells: dict[Key, int] = defaultdict(int)
    for key, value in base.items():
        for mask in product((False, True), repeat=len(key)):
            cells[tuple(ALL if summed else part for part, summed in zip(key, mask, strict=True))] += value
    return dict(cells)


def relations(*, cells: Iterable[Key]) -> list[tuple[Key, list[Key]]]:
    """Every additive relation: (parent, children) where the children fix one dimension the
    parent sums out."""
    grouped: dict[tuple[Key, int], list[Key]] = defaultdict(list)
    for key in cells:
        for position, part in enumerate(key):
            if part != ALL:
                grouped[(key[:position] + (ALL,) + key[position + 1 :], position)].append(key)
    return [(parent, sorted(children, key=repr)) for (parent, _position), children in grouped.items()]


def protect(*, base: Mapping[Key, int], threshold: int) -> dict[Key, int | None]:
    """The lattice of margins of `base` with hidden cells as None (see the module's rule)."""
    cells = margins(base=base)
    hidden = {key for key, value in cells.items() if 0 < value < threshold}
    # Zero cells are known exactly: they take no part in protecting anything.
    links = [
        (parent, [c for c in children if cells[c]]) for parent, children in relations(cells=cells) if cells[parent]
    ]
    changed = bool(hidden)
    while changed:
        changed = False
        for parent, children in links:
            covered = [c for c in children if c in hidden]
            parent_hidden = parent in hidden
            if not covered and not parent_hidden:
                continue
            if _protected(cells, covered, parent_hidden=parent_hidden, threshold=threshold):
                continue
            candidates = sorted((c for c in children if c not in hidden), key=lambda c: (cells[c], repr(c)))
            if candidates:
                hidden.add(candidates[0])
            elif not parent_hidden:
                hidden.add(parent)
            else:
                continue  # every member already hidden: nothing more this relation can do
            changed = True
    return {key: (None if key in hidden else value) for key, value in cells.items()}


def _protected(cells: Mapping[Key, int], covered: list[Key], *, parent_hidden: bool, threshold: int) -> bool:
    if parent_hidden:
        # parent = Σ children: with the parent hidden, one hidden child is its only unknown
        # partner; it needs a second hidden child unless no child is hidden at all (then
        # the parent would be exactly the published children's sum).
        return len(covered) >= 1
    if len(covered) < 2:
        return False
    return sum(cells[c] for c in covered) - len(covered) >= threshold


def hidden_share(*, protected: Mapping[Hashable, int | None]) -> tuple[int, int]:
    """(hidden cells, non-zero cells): how much of a cube is withheld."""
    non_zero = [v for v in protected.values() if v != 0]
    return sum(1 for v in non_zero if v is None), len(non_zero)
