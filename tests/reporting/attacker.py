"""An attacker who reads every published table and solves for the blanks.

Written apart from essaim.reporting.disclosure (it does not import it): it only knows
that a cell whose key sums a dimension out (``"*"``) equals the sum of the cells that fix
that dimension, a group absent from every breakdown being zero, and that a hidden count
is at least 1 (zeros are published as 0).

Two solvers:
- exact linear algebra over the rationals (`fractions.Fraction`): a hidden cell whose
  unit vector lies in the row space of the equations is determined exactly;
- integer interval propagation over the same equations until nothing moves: the
  narrowest interval each hidden cell can be bounded to.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

STAR = "*"
#: What the attacker assumes of a count nothing bounds.
UNBOUNDED = 10**6
Key = tuple[Any, ...]


@dataclass
class Finding:
    key: Key
    low: int
    high: int
    exact: bool


def equations(published: dict[Key, int | None]) -> list[tuple[Key, list[Key]]]:
    """(parent, children) for every observed margin and every dimension it sums out."""
    by_parent: dict[tuple[Key, int], list[Key]] = defaultdict(list)
    for key in published:
        for i, part in enumerate(key):
            if part != STAR:
                by_parent[((*key[:i], STAR, *key[i + 1 :]), i)].append(key)
    result = []
    for (parent, _i), children in by_parent.items():
        if parent in published:
            result.append((parent, children))
    return result


def attack(published: dict[Key, int | None]) -> dict[Key, Finding]:
    """What the attacker learns about each hidden cell."""
    hidden = sorted((k for k, v in published.items() if v is None), key=repr)
    if not hidden:
        return {}
    index = {k: i for i, k in enumerate(hidden)}
    # Each equation as ({variable: coefficient}, constant): Σ coef·x = constant.
    system: list[tuple[dict[int, int], int]] = []
    for parent, children in equations(published):
        coefficients: dict[int, int] = defaultdict(int)
        constant = 0
        for member, sign in [(parent, 1), *((c, -1) for c in children)]:
            value = published[member]
            if value is None:
                coefficients[index[member]] += sign
            else:
                constant -= sign * value
        coefficients = {v: c for v, c in coefficients.items() if c}
        if coefficients:
            system.append((coefficients, constant))
    exact = _determined(system, len(hidden))
    low, high = _intervals(system, len(hidden), ceiling=UNBOUNDED)
    return {k: Finding(k, low[i], high[i], i in exact) for k, i in index.items()}


def _determined(system: list[tuple[dict[int, int], int]], size: int) -> set[int]:
    """Variables fixed by the equations alone (Gauss–Jordan over Fractions)."""
    rows = [[Fraction(coefs.get(j, 0)) for j in range(size)] for coefs, _constant in system]
    pivots: list[int] = []
    r = 0
    for column in range(size):
        pivot = next((i for i in range(r, len(rows)) if rows[i][column] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        lead = rows[r][column]
        rows[r] = [x / lead for x in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][column] != 0:
                factor = rows[i][column]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[r], strict=True)]
        pivots.append(column)
        r += 1
        if r == len(rows):
            break
    determined = set()
    for i, column in enumerate(pivots):
        if sum(1 for x in rows[i] if x != 0) == 1:
            determined.add(column)
    return determined


def _intervals(system: list[tuple[dict[int, int], int]], size: int, *, ceiling: int) -> tuple[list[int], list[int]]:
    low = [1] * size
    high = [ceiling] * size
    moved = True
    while moved:
        moved = False
        for coefs, constant in system:
            for j, a in coefs.items():
                # a·x_j = constant − Σ_{i≠j} coef_i·x_i
                rest_low = sum(c * (low[i] if c > 0 else high[i]) for i, c in coefs.items() if i != j)
                rest_high = sum(c * (high[i] if c > 0 else low[i]) for i, c in coefs.items() if i != j)
                bounds = sorted(((constant - rest_high) / a, (constant - rest_low) / a))
                new_low = max(low[j], _ceil(bounds[0]))
                new_high = min(high[j], _floor(bounds[1]))
                if new_low > low[j] or new_high < high[j]:
                    low[j], high[j] = new_low, new_high
                    moved = True
    return low, high


def _ceil(x: float) -> int:
    return -int(-x // 1)


def _floor(x: float) -> int:
    return int(x // 1)


def leaks(published: dict[Key, int | None], *, threshold: int) -> list[Finding]:
    """Hidden cells determined exactly or bounded to fewer than `threshold` + 1 values."""
    return [f for f in attack(published).values() if f.exact or f.high - f.low < threshold]
