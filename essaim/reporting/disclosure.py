"""Statistical disclosure control: the one rule every public figure about people follows.

Everything the public sees (public dashboard with any filters and breakdown, public
export, open-data files, OGP report) is a cell of one *publication cube* per year and
measure: counts by quarter × ministry × region × course, with every margin (any of the
four dimensions summed out, down to the year's total). Because a dashboard visitor can
filter and break down by any combination, every margin is treated as published.

`protect` applies, on the whole lattice of margins at once (a margin being one more
value, « all », of each dimension):

1. primary suppression: a cell counting 1 to threshold − 1 people is hidden;
2. complementary (secondary) suppression by the hypercube method (Repsilber; τ-ARGUS's
   GHMITER, used by statistical offices): for each primary cell, one other value (or the
   margin) is chosen on every dimension and the 2^d corners of the hypercube they span
   are hidden. Every additive relation ``parent = Σ children`` then holds zero or two
   hidden corners, so adding +t/−t on the corners (the sign flips along a dimension
   where both corners are values, not where one is the margin) keeps every published
   figure; the cube is chosen so that this shift can reach at least `threshold` in
   total, every corner staying ≥ 1, and among those, the one hiding the fewest people
   not hidden yet. Shifts of different cubes add up, so the union stays protected.

Limits: the cube is chosen greedily, among the `CANDIDATES` smallest neighbours per
dimension, so more cells than an optimal (linear-programming) pattern may be hidden; the
protection holds for the relations of the cube alone (not against knowledge from outside
the publication, e.g. the same figures computed differently elsewhere). It is checked
against a linear attacker in tests/reporting/test_disclosure.py and
tests/reporting/test_disclosure_attack.py. See docs/adr/0035-statistical-disclosure.md.

Zero cells are published as zero (an empty group singles nobody out); hidden cells are
all shown with the same mark, so nobody can tell a primary from a complementary one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping
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


def protect(*, base: Mapping[Key, int], threshold: int) -> dict[Key, int | None]:
    """The lattice of margins of `base` with hidden cells as None (see the module's rule)."""
    cells = margins(base=base)
    primary = sorted((key for key, value in cells.items() if 0 < value < threshold), key=lambda k: (cells[k], repr(k)))
    values: list[list[Any]] = [sorted({key[i] for key in base}, key=repr) for i in range(_width(base))]
    hidden: set[Key] = set()
    for cell in primary:
        hidden.update(_best_cube(cells, cell, values, hidden, threshold))
    return {key: (None if key in hidden else value) for key, value in cells.items()}


def _width(base: Mapping[Key, int]) -> int:
    return len(next(iter(base))) if base else 0


def _corners(cell: Key, other: Key) -> list[tuple[Key, int]]:
    """The 2^d corners of the hypercube spanned by `cell` and `other`, each with the sign
    it moves by when `cell` moves by +1 while every relation still holds: along a
    dimension where both are values the sign flips, where one is the margin it does not."""
    corners = []
    for choice in product((False, True), repeat=len(cell)):
        key = tuple(o if pick else c for c, o, pick in zip(cell, other, choice, strict=True))
        sign = 1
        for c, o, pick in zip(cell, other, choice, strict=True):
            if pick and ALL not in (c, o):
                sign = -sign
        corners.append((key, sign))
    return corners


def _room(cells: Mapping[Key, int], corners: list[tuple[Key, int]]) -> int | None:
    """How far the hypercube's cell can move both ways with every corner staying ≥ 1
    (None: a corner is an empty group, known to be zero, so the cube cannot be used)."""
    if any(not cells.get(key) for key, _sign in corners):
        return None
    down = min(cells[key] - 1 for key, sign in corners if sign > 0)
    minus = [cells[key] - 1 for key, sign in corners if sign < 0]
    up = min(minus) if minus else 10**9
    return down + up


#: Alternatives tried per dimension (the smallest neighbours and the margin).
CANDIDATES = 5


def _best_cube(
    cells: Mapping[Key, int], cell: Key, values: list[list[Any]], hidden: set[Key], threshold: int
) -> list[Key]:
    """The hypercube protecting `cell` that hides the fewest people not hidden yet."""
    options: list[list[Any]] = []
    for i, part in enumerate(cell):
        neighbours = [v for v in values[i] if v != part and cells.get((*cell[:i], v, *cell[i + 1 :]))]
        neighbours.sort(key=lambda v: (cells[(*cell[:i], v, *cell[i + 1 :])], repr(v)))
        options.append(([] if part == ALL else [ALL]) + neighbours[:CANDIDATES])
    best: tuple[tuple[int, int, int], list[Key]] | None = None
    for other in product(*options):
        corners = _corners(cell, tuple(other))
        room = _room(cells, corners)
        if room is None:
            continue
        keys = [key for key, _sign in corners]
        cost = sum(cells[key] for key in set(keys) - hidden)
        rank = (0 if room >= threshold else 1, cost, -room)
        if best is None or rank < best[0]:
            best = (rank, keys)
    if best is None:  # no usable cube (cannot happen: the margin is always a corner)
        return [cell]
    return best[1]


def hidden_share(*, protected: Mapping[Hashable, int | None]) -> tuple[int, int]:
    """(hidden cells, non-zero cells): how much of a cube is withheld."""
    non_zero = [v for v in protected.values() if v != 0]
    return sum(1 for v in non_zero if v is None), len(non_zero)
