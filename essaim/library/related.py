"""Related resources (ADR 0020), computed when a resource is indexed and stored in
`library_search_related`: the resources sharing its most distinctive vocabulary (its
heaviest stems, weighted by rarity — themes are indexed, so shared themes count) and its
competencies. Read by `selectors.related_resources`, which keeps only what the viewer may see.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from django.db import connection

from essaim.library.search import POSTINGS, TERMS

RELATED = "library_search_related"
KEPT = 6
STEMS = 12
PER_STEM = 100
SHARED_COMPETENCY = 2.0


def related_compute(ids: Iterable[int]) -> None:
    """Replace the stored related resources of each resource of `ids`."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(resource_id) FROM {POSTINGS}")  # noqa: S608 # nosec B608
        size = int(cursor.fetchone()[0] or 1)
        for pk in ids:
            cursor.execute(f"DELETE FROM {RELATED} WHERE resource_id = %s", [pk])  # noqa: S608 # nosec B608
            cursor.execute(
                f"SELECT p.term, p.score, t.documents FROM {POSTINGS} p JOIN {TERMS} t ON t.term = p.term "  # noqa: S608 # nosec B608
                "WHERE p.resource_id = %s AND t.documents > 1",
                [pk],
            )
            weighted = sorted(
                ((score * math.log(1 + size / documents), term) for term, score, documents in cursor.fetchall()),
                reverse=True,
            )[:STEMS]
            scores: dict[int, float] = {}
            for weight, term in weighted:
                cursor.execute(
                    f"SELECT resource_id, score FROM {POSTINGS} WHERE term = %s "  # noqa: S608 # nosec B608
                    f"ORDER BY score DESC, resource_id DESC LIMIT {PER_STEM}",
                    [term],
                )
                for other, score in cursor.fetchall():
                    scores[int(other)] = scores.get(int(other), 0.0) + weight * float(score)
            cursor.execute(
                "SELECT b.resource_id, COUNT(*) FROM library_resource_competencies a "
                "JOIN library_resource_competencies b ON b.competency_id = a.competency_id "
                "WHERE a.resource_id = %s GROUP BY b.resource_id",
                [pk],
            )
            best = max(scores.values(), default=1.0)
            for other, shared in cursor.fetchall():
                scores[int(other)] = scores.get(int(other), 0.0) + SHARED_COMPETENCY * best * int(shared) / STEMS
            scores.pop(pk, None)
            kept = sorted(scores.items(), key=lambda item: (-item[1], -item[0]))[:KEPT]
            if kept:
                cursor.executemany(
                    f"INSERT INTO {RELATED} (resource_id, related_id, score) VALUES (%s, %s, %s)",  # noqa: S608 # nosec B608
                    [(pk, other, round(score, 5)) for other, score in kept],
                )


def related_ids(pk: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT related_id FROM {RELATED} WHERE resource_id = %s ORDER BY score DESC, related_id DESC",  # noqa: S608 # nosec B608
            [pk],
        )
        return [int(r) for (r,) in cursor.fetchall()]
