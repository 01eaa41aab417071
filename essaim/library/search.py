"""The one search interface of the library (ADR 0020), with a backend per database.

A backend indexes findable resources (published, not a draft) and answers `match()`: the
ids and scores of a BOUNDED candidate set — the best title matches plus the most recent
matches anywhere, each capped at `LIBRARY_SEARCH_CANDIDATES` — never a ranking of every
document that contains a common word. Visibility, facet filters, counts, sorting and
snippets are done once, above the backends, in `selectors.py`, so that both databases
behave the same. A dedicated engine plugs in as another `SearchBackend`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db import connection
from django.utils.safestring import SafeString, mark_safe

from essaim.library import text as ftext


@dataclass(frozen=True, slots=True)
class IndexDocument:
    id: int
    title: str
    summary: str
    body: str
    files: str


class SearchBackend(Protocol):
    def index(self, documents: Sequence[IndexDocument]) -> None: ...

    def remove(self, ids: Iterable[int]) -> None: ...

    def clear(self) -> None: ...

    def match(self, query: str, *, limit: int, any_word: bool = False) -> dict[int, float]: ...


class PostgresBackend:
    """A stored tsvector (title A, summary B, body C, file text D) in the `essaim_fr` text
    search configuration (`french` with `unaccent`), GIN-indexed (migration 0002)."""

    VECTOR = (
        "setweight(to_tsvector('essaim_fr', %s), 'A') || setweight(to_tsvector('essaim_fr', %s), 'B') || "
        "setweight(to_tsvector('essaim_fr', %s), 'C') || setweight(to_tsvector('essaim_fr', %s), 'D')"
    )

    def index(self, documents: Sequence[IndexDocument]) -> None:
        rows = [
            (
                ftext.expand_compounds(d.title),
                ftext.expand_compounds(d.summary),
                ftext.expand_compounds(d.body),
                ftext.expand_compounds(d.files),
                d.id,
            )
            for d in documents
        ]
        vector = self.VECTOR.replace("%s", "v.{}").format("t", "s", "b", "f")
        with connection.cursor() as cursor:
            # One set-based UPDATE per 500 resources (a full reindex is 200 statements, not 100,000).
            for start in range(0, len(rows), 500):
                chunk = rows[start : start + 500]
                values = ", ".join(["(%s::bigint, %s, %s, %s, %s)"] * len(chunk))
                cursor.execute(
                    f"UPDATE library_resource r SET search_vector = {vector}, "  # noqa: S608 # nosec B608
                    f"title_vector = to_tsvector('essaim_fr', v.t) "
                    f"FROM (VALUES {values}) AS v(id, t, s, b, f) WHERE r.id = v.id",
                    [value for row in chunk for value in (row[4], *row[:4])],
                )

    def remove(self, ids: Iterable[int]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE library_resource SET search_vector = NULL, title_vector = NULL WHERE id = ANY(%s)", [list(ids)]
            )

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE library_resource SET search_vector = NULL, title_vector = NULL WHERE search_vector IS NOT NULL"
            )

    def match(self, query: str, *, limit: int, any_word: bool = False) -> dict[int, float]:
        # Words only (letters and digits, see text.query_groups): no tsquery operator of the
        # person's ever reaches to_tsquery. Stop words are dropped by the configuration.
        everywhere = _expression(query, any_word=any_word, word=lambda w: w, all_of=" & ", any_of=" | ")
        if not everywhere:
            return {}
        # The limit is inside: only `limit` rows per tier are ever ranked. The planner walks
        # the primary key backwards for a common word, the GIN index for a rare one.
        # Each tier has its limit inside, so only `limit` rows per tier are ever ranked. The
        # planner walks the primary key backwards for a common word, the GIN index for a rare
        # one. Title matches are ranked on the small title vector (weight 10).
        sql = """
            (SELECT id, 10 * ts_rank(title_vector, q.query) FROM library_resource,
                (SELECT to_tsquery('essaim_fr', %s) AS query) q
             WHERE title_vector @@ q.query ORDER BY id DESC LIMIT %s)
            UNION ALL
            (SELECT c.id, ts_rank(c.search_vector, q.query) FROM (
                SELECT id, search_vector FROM library_resource
                WHERE search_vector @@ to_tsquery('essaim_fr', %s) ORDER BY id DESC LIMIT %s
             ) c, (SELECT to_tsquery('essaim_fr', %s) AS query) q)
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [everywhere, limit, everywhere, limit, everywhere])
            return _sum_scores(cursor.fetchall())


def _sum_scores(rows: Iterable[tuple[int, float]]) -> dict[int, float]:
    """A resource found by both tiers adds its title score to its overall score."""
    scores: dict[int, float] = {}
    for pk, score in rows:
        scores[pk] = scores.get(pk, 0.0) + float(score)
    return scores


def _expression(query: str, *, any_word: bool, word: Callable[[str], str], all_of: str, any_of: str) -> str:
    """Groups ANDed (ORed with `any_word`), alternatives ORed, words of an alternative ANDed.
    `word` renders one word and returns "" to drop it (a stop word)."""
    rendered_groups = []
    for group in ftext.query_groups(query):
        alternatives = []
        for alternative in group:
            words = [w for w in (word(x) for x in alternative) if w]
            if words:
                alternatives.append("(" + all_of.join(words) + ")" if len(words) > 1 else words[0])
        if alternatives:
            rendered_groups.append("(" + any_of.join(alternatives) + ")" if len(alternatives) > 1 else alternatives[0])
    return (any_of if any_word else all_of).join(rendered_groups)


class SqliteBackend:
    """FTS5 (`unicode61 remove_diacritics 2`) over text stemmed in Python with Snowball
    French (`text.py`), the query stemmed the same way. Rowid = resource id."""

    TABLE = "library_resource_fts"
    TITLES = "library_resource_title_fts"

    def index(self, documents: Sequence[IndexDocument]) -> None:
        rows = [
            (
                d.id,
                ftext.stem_document(d.title),
                ftext.stem_document(d.summary),
                ftext.stem_document(d.body),
                ftext.stem_document(d.files),
            )
            for d in documents
        ]
        with connection.cursor() as cursor:
            for table in (self.TABLE, self.TITLES):
                cursor.executemany(f"DELETE FROM {table} WHERE rowid = %s", [(r[0],) for r in rows])  # noqa: S608 # nosec B608
            cursor.executemany(
                f"INSERT INTO {self.TABLE} (rowid, title, summary, body, files) VALUES (%s, %s, %s, %s, %s)",  # noqa: S608 # nosec B608
                rows,
            )
            cursor.executemany(
                f"INSERT INTO {self.TITLES} (rowid, title) VALUES (%s, %s)",  # noqa: S608 # nosec B608
                [(r[0], r[1]) for r in rows],
            )

    def remove(self, ids: Iterable[int]) -> None:
        rows = [(i,) for i in ids]
        with connection.cursor() as cursor:
            for table in (self.TABLE, self.TITLES):
                cursor.executemany(f"DELETE FROM {table} WHERE rowid = %s", rows)  # noqa: S608 # nosec B608

    def clear(self) -> None:
        with connection.cursor() as cursor:
            for table in (self.TABLE, self.TITLES):
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 # nosec B608

    def match(self, query: str, *, limit: int, any_word: bool = False) -> dict[int, float]:
        # Each stem is made of word characters only and quoted: FTS5 syntax typed by a
        # person (", *, NEAR(, AND, column filters) never reaches MATCH.
        def quoted(word: str) -> str:
            stemmed = ftext.stem(word)
            return f'"{stemmed}"' if stemmed else ""

        everywhere = _expression(query, any_word=any_word, word=quoted, all_of=" AND ", any_of=" OR ")
        if not everywhere:
            return {}
        # LIMIT inside, in rowid order: FTS5 stops after `limit` hits and scores only those.
        # Titles first (their own table), then anywhere, ranked on the full table's bm25.
        # Each tier has its LIMIT inside, in rowid order: FTS5 stops after `limit` hits and
        # scores only those (a MATCH combined with `rowid IN (…)` would rerun the MATCH per row).
        sql = (
            f"SELECT * FROM (SELECT rowid, -10 * bm25({self.TITLES}) FROM {self.TITLES} "  # noqa: S608 # nosec B608
            f"WHERE {self.TITLES} MATCH %s ORDER BY rowid DESC LIMIT %s) "
            f"UNION ALL SELECT * FROM (SELECT rowid, -bm25({self.TABLE}, 10.0, 4.0, 2.0, 1.0) "
            f"FROM {self.TABLE} WHERE {self.TABLE} MATCH %s ORDER BY rowid DESC LIMIT %s)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [everywhere, limit, everywhere, limit])
            return _sum_scores(cursor.fetchall())


def backend() -> SearchBackend:
    return PostgresBackend() if connection.vendor == "postgresql" else SqliteBackend()


def candidate_limit() -> int:
    return int(settings.LIBRARY_SEARCH_CANDIDATES)


# --- Snippets: the same on both databases (the SQLite index holds stems, not prose) ----
SNIPPET_WORDS = 30
_TOKEN = re.compile(r"(\w+(?:[-‐‑]\w+)*)")


def _hits(word: str, stems: set[str]) -> bool:
    if "-" not in word and "‐" not in word and "‑" not in word:
        return ftext.stem(word) in stems
    if ftext.stem(re.sub(r"[-‐‑]", "", word)) in stems:
        return True
    return any(ftext.stem(part) in stems for part in re.split(r"[-‐‑]", word) if part)


def highlight(value: str, stems: Sequence[str], *, words: int = SNIPPET_WORDS) -> SafeString:
    """A window of `words` words of plain text `value` around the first match, matches in
    <mark>, the rest escaped."""
    plain = " ".join(value.split())
    tokens = _TOKEN.split(plain)  # odd indexes are words
    wanted = set(stems)
    word_positions = list(range(1, len(tokens), 2))
    first = next((i for i in word_positions if _hits(tokens[i], wanted)), None) if wanted else None
    start_word = 0
    if first is not None:
        start_word = max(word_positions.index(first) - 8, 0)
    keep = word_positions[start_word : start_word + words]
    if not keep:
        return mark_safe("")  # the empty string, nothing to escape # nosec B308
    begin, end = keep[0], keep[-1]
    out: list[str] = ["… " if start_word else ""]
    for index in range(begin, end + 1):
        token = tokens[index]
        if index % 2 == 1 and wanted and _hits(token, wanted):
            out.append(f"<mark>{html.escape(token)}</mark>")
        else:
            out.append(html.escape(token))
    if end < word_positions[-1]:
        out.append(" …")
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above # nosec B308 B703
