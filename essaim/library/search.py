"""The one search interface of the library (ADR 0020).

The index is a table of postings, the same on both databases (migration 0003): one row per
(stem, findable resource) holding a BM25F weight computed when the resource is indexed and
the resource's facet values packed into one integer (`FacetCode`). A query reads only the
postings of its own stems, through the primary key (SQLite: a WITHOUT ROWID table;
PostgreSQL: an index-only scan of the primary key, which INCLUDEs the weight and the code):
every match is ranked, and facet counts are exact, without reading a resource row. The cost
grows with the postings of the query's stems, a few bytes each, never with the size of the
resources. Visibility and facet filters are conditions on the packed code. A dedicated
engine plugs in as another `SearchBackend`.
"""

from __future__ import annotations

import html
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import connection, transaction
from django.utils.safestring import SafeString, mark_safe

from essaim.library import text as ftext
from essaim.library import vocabulary
from essaim.library.models import Resource

# BM25F (Robertson & Zaragoza): field weights, then saturation and length normalisation.
FIELD_WEIGHTS = (("title", 5.0), ("themes", 3.0), ("summary", 3.0), ("body", 1.0), ("files", 0.5))
K1 = 4.0
B = 0.3
AVERAGE_LENGTH = 250.0  # words; a constant, so that a weight never changes after indexing
TITLE_SHARE = 3.0  # added to a stem's weight, divided by the number of distinct stems in the title
POSTINGS = "library_search_posting"
TERMS = "library_search_term"


@dataclass(frozen=True, slots=True)
class IndexDocument:
    id: int
    title: str
    summary: str
    body: str
    files: str
    code: int  # FacetCode.pack(...)
    themes: str = ""
    prior: float = 1.0  # a per-resource weight, multiplied into every posting (`resource_prior`)


class FacetCode:
    """The facet values of a resource in one integer: organisation id + 1 (0: none) in the
    high bits, then the index of type, licence, audience, language in their choices, then
    one bit « public ». Decoded in Python; filtered in SQL with shifts and masks."""

    FIELDS = (("type", Resource.Type, 10), ("licence", Resource.Licence, 7), ("audience", Resource.Audience, 4))
    LANGUAGE_SHIFT = 1
    COMPETENCIES = 1 << 13  # the resource has competencies (their counts are then worth reading)
    ORGANISATION_SHIFT = 16

    @classmethod
    def pack(
        cls,
        *,
        type: str,
        licence: str,
        audience: str,
        language: str,
        organisation_id: int | None,
        public: bool,
        has_competencies: bool = False,
    ) -> int:
        organisation = 0 if organisation_id is None else organisation_id + 1
        if organisation >= 1 << 16:  # the SQLite index packs the code in 32 bits of a rowid
            raise ValueError("FacetCode: organisation ids above 65,534 do not fit")
        code = organisation << cls.ORGANISATION_SHIFT
        for value, (_name, choices, shift) in zip((type, licence, audience), cls.FIELDS, strict=True):
            code |= _index(choices.values, value) << shift
        code |= _index(Resource.Language.values, language) << cls.LANGUAGE_SHIFT
        return code | int(public) | (cls.COMPETENCIES if has_competencies else 0)

    @classmethod
    def unpack(cls, code: int) -> dict[str, str]:
        values = {name: choices.values[(code >> shift) & 7] for name, choices, shift in cls.FIELDS}
        values["language"] = Resource.Language.values[(code >> cls.LANGUAGE_SHIFT) & 3]
        organisation = code >> cls.ORGANISATION_SHIFT
        values["organisation"] = str(organisation - 1) if organisation else ""
        return values

    @classmethod
    def condition(cls, name: str, values: Sequence[str]) -> tuple[str, list[int]]:
        """SQL on the column `code` keeping the resources whose facet `name` is one of `values`."""
        if name == "organisation":
            wanted = [int(v) + 1 for v in values]
            return f"(code >> {cls.ORGANISATION_SHIFT}) IN ({', '.join(['%s'] * len(wanted))})", wanted
        if name == "language":
            shift, mask, choices = cls.LANGUAGE_SHIFT, 3, Resource.Language.values
        else:
            _n, field_choices, shift = next(f for f in cls.FIELDS if f[0] == name)
            mask, choices = 7, field_choices.values
        wanted = [choices.index(v) for v in values if v in choices]
        return f"((code >> {shift}) & {mask}) IN ({', '.join(['%s'] * len(wanted)) or 'NULL'})", wanted


if any(len(choices.values) > 8 for _n, choices, _s in FacetCode.FIELDS) or len(Resource.Language.values) > 4:
    raise RuntimeError("FacetCode: a facet outgrew its bits (three per field, two for the language)")


def _index(values: Sequence[str], value: str) -> int:
    return values.index(value) if value in values else 0


def resource_prior(*, organisation: bool, themes: bool, competencies: bool) -> float:
    """A per-resource weight, the same for every query: a resource described with care
    (its organisation, themes and competencies filled in) weighs up to 30 % more."""
    return 1.0 + 0.1 * organisation + 0.1 * themes + 0.1 * competencies


def clean_stem(value: str) -> str:
    """A stem as both databases' matchers read it: letters and digits only."""
    return re.sub(r"[\W_]+", "", value)[:64]


def document_postings(document: IndexDocument) -> dict[str, float]:
    """The precomputed weight of each stem of the document: BM25F over the fields, plus a
    title share (a short title made of the query's words is a strong signal)."""
    weighted: dict[str, float] = {}
    title: set[str] = set()
    length = 0
    for name, weight in FIELD_WEIGHTS:
        stems = [s for s in (clean_stem(ftext.stem(w)) for w in ftext.document_words(getattr(document, name))) if s]
        length += len(stems)
        if name == "title":
            title = set(stems)
        for stem in stems:
            weighted[stem] = weighted.get(stem, 0.0) + weight
    norm = 1 - B + B * length / AVERAGE_LENGTH
    return {
        stem: round(
            document.prior * (tf * (K1 + 1) / (tf + K1 * norm) + (TITLE_SHARE / len(title) if stem in title else 0.0)),
            5,
        )
        for stem, tf in weighted.items()
    }


@dataclass
class Matches:
    """What a backend answers: the page of (id, score) in order, the number of matches that
    pass visibility and filters, exact counts per facet code and per competency, and whether
    the ranking is certified exact (the threshold test passed, see `_rank`)."""

    ranked: list[tuple[int, float]]
    total: int
    codes: list[tuple[int, int]] = field(default_factory=list)
    competencies: list[tuple[int, int]] = field(default_factory=list)
    known_stems: dict[str, int] = field(default_factory=dict)
    exact: bool = True
    suggestion: str = ""  # the query with its misspelt words corrected, when some were


class SearchBackend(Protocol):
    def index(self, documents: Sequence[IndexDocument], *, fresh: bool = False) -> None: ...

    def remove(self, ids: Iterable[int]) -> None: ...

    def clear(self) -> None: ...

    def search(
        self,
        query: str,
        *,
        public_only: bool,
        filters: dict[str, list[str]],
        by_date: bool,
        offset: int,
        limit: int,
        with_facets: bool,
    ) -> Matches: ...


Groups = list[list[list[str]]]


def _in(values: Sequence[object]) -> str:
    return ", ".join(["%s"] * len(values))


class EmbeddedBackend:
    """The database's own backend: matching and facet counts in a vendor-specific store
    (FTS5 / GIN), ranking by the threshold algorithm over the shared postings table."""

    CODE = "code"  # how the facet code reads in the match store's SQL

    # --- index ---------------------------------------------------------------------------
    def index(self, documents: Sequence[IndexDocument], *, fresh: bool = False) -> None:
        if not fresh:
            self.remove([d.id for d in documents])
        postings = [(d, document_postings(d)) for d in documents]
        rows = [(stem, d.id, weight, d.code) for d, weights in postings for stem, weight in weights.items()]
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {POSTINGS} (term, resource_id, score, code) VALUES (%s, %s, %s, %s)",  # noqa: S608 # nosec B608
                rows,
            )
            self._store(cursor, [(d, " ".join(sorted(weights))) for d, weights in postings])
            _count_terms(cursor, Counter(stem for _d, weights in postings for stem in weights), sign=1)

    def remove(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        with connection.cursor() as cursor:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                cursor.execute(
                    f"SELECT term, COUNT(*) FROM {POSTINGS} WHERE resource_id IN ({_in(chunk)}) GROUP BY term",  # noqa: S608 # nosec B608
                    chunk,
                )
                _count_terms(cursor, Counter(dict(cursor.fetchall())), sign=-1)
                cursor.execute(f"DELETE FROM {POSTINGS} WHERE resource_id IN ({_in(chunk)})", chunk)  # noqa: S608 # nosec B608
                self._unstore(cursor, chunk)

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {POSTINGS}")  # noqa: S608 # nosec B608
            cursor.execute(f"DELETE FROM {TERMS}")  # noqa: S608 # nosec B608
            self._unstore(cursor, None)

    def _store(self, cursor: Any, documents: list[tuple[IndexDocument, str]]) -> None:
        raise NotImplementedError

    def _unstore(self, cursor: Any, ids: list[int] | None) -> None:
        raise NotImplementedError

    def _match_sql(self, conditions: list[str]) -> tuple[str, str]:
        """(FROM … WHERE … of the matches, the expression its first parameter; SQL of a
        match's resource id)."""
        raise NotImplementedError

    def _expression(self, groups: Groups, *, any_word: bool) -> str:
        raise NotImplementedError

    # --- search --------------------------------------------------------------------------
    def search(
        self,
        query: str,
        *,
        public_only: bool,
        filters: dict[str, list[str]],
        by_date: bool,
        offset: int,
        limit: int,
        with_facets: bool,
    ) -> Matches:
        planned = vocabulary.plan(query, frequencies=stem_frequencies, nearest=nearest)
        groups = _distinct(planned.groups)
        known = self._frequencies(sorted({s for group in groups for alternative in group for s in alternative}))
        suggestion = _suggestion(query, planned) if planned.corrected else ""
        matches = Matches(ranked=[], total=0, known_stems=known, suggestion=suggestion)
        for any_word in (False, True):
            if any_word and len(groups) < 2:
                break
            live = _live_groups(groups, known, any_word=any_word)
            if not live:
                continue
            conditions, params = self._conditions(public_only=public_only, filters=filters)
            source, resource_id = self._match_sql(conditions)
            params = [self._expression(live, any_word=any_word), *params]
            only = [s for group in live for alternative in group for s in alternative]
            with connection.cursor() as cursor:
                joined = (
                    self._joined(cursor, live, known, public_only=public_only, filters=filters, top=offset + limit)
                    if not any_word and not by_date and "competency" not in filters
                    else None
                )
                if joined is not None:
                    rows, ranked_all = joined
                elif len(only) == 1 and "competency" not in filters:
                    # One stem: its postings (primary key, index-only) hold the codes.
                    posting_conditions, posting_params = _code_conditions(
                        public_only=public_only, filters=filters, code="code"
                    )
                    cursor.execute(
                        f"SELECT code, COUNT(*) FROM {POSTINGS} WHERE term = %s"  # noqa: S608 # nosec B608
                        + "".join(f" AND {c}" for c in posting_conditions)
                        + " GROUP BY code",
                        [only[0], *posting_params],
                    )
                    rows = cursor.fetchall()
                else:
                    rows = self._count(cursor, f"SELECT {self.CODE}, COUNT(*) {source} GROUP BY {self.CODE}", params)  # nosec B608
                codes = [(int(c), int(n)) for c, n in rows]
                total = sum(n for _c, n in codes)
                if not total:
                    continue
                competencies: list[tuple[int, int]] = []
                if with_facets and any(c & FacetCode.COMPETENCIES for c, _n in codes):
                    cursor.execute(
                        "SELECT competency_id, COUNT(*) FROM library_resource_competencies "  # noqa: S608 # nosec B608
                        f"WHERE resource_id IN (SELECT {resource_id} {source} "
                        f"AND ({self.CODE} & {FacetCode.COMPETENCIES}) <> 0) "
                        "GROUP BY competency_id",
                        params,
                    )
                    competencies = [(int(c), int(n)) for c, n in cursor.fetchall()]
                if joined is not None:
                    ranked, exact = ranked_all[offset : offset + limit], True
                elif by_date:
                    cursor.execute(
                        f"SELECT r.id FROM library_resource r WHERE r.id IN (SELECT {resource_id} {source}) "  # noqa: S608 # nosec B608
                        f"ORDER BY r.published_at DESC, r.id DESC LIMIT {int(limit)} OFFSET {int(offset)}",
                        params,
                    )
                    ranked, exact = [(int(pk), 0.0) for (pk,) in cursor.fetchall()], True
                elif total <= DIRECT:
                    # Few matches: score every one of them, no threshold needed.
                    cursor.execute(f"SELECT {resource_id} {source}", params)  # nosec B608
                    ids = sorted(int(pk) for (pk,) in cursor.fetchall())
                    idf = _idf(live, known)
                    scored = _scored(cursor, live, idf, ids, set(ids), any_word=any_word)
                    ranked, exact = scored[offset : offset + limit], True
                else:
                    ranked, exact = _rank(
                        live,
                        known,
                        public_only=public_only,
                        filters=filters,
                        any_word=any_word,
                        top=offset + limit,
                    )
                    ranked = ranked[offset : offset + limit]
            return Matches(ranked, total, codes if with_facets else [], competencies, known, exact, suggestion)
        return matches

    def _frequencies(self, stems: Sequence[str]) -> dict[str, int]:
        return stem_frequencies(stems)

    def _count(self, cursor: Any, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        cursor.execute(sql, params)
        return cursor.fetchall()

    def _joined(
        self,
        cursor: Any,
        groups: Groups,
        known: dict[str, int],
        *,
        public_only: bool,
        filters: dict[str, list[str]],
        top: int,
    ) -> tuple[list[tuple[Any, ...]], list[tuple[int, float]]] | None:
        """Counts and ranking in one pass, where a backend can do it cheaper than counting
        then ranking (None: it cannot, use the general path)."""
        return None

    def _conditions(self, *, public_only: bool, filters: dict[str, list[str]]) -> tuple[list[str], list[Any]]:
        conditions, params = _code_conditions(public_only=public_only, filters=filters, code=self.CODE)
        if "competency" in filters:
            ids = [int(v) for v in filters["competency"]]
            conditions.append(
                f"{self._resource_id()} IN (SELECT resource_id FROM library_resource_competencies "  # noqa: S608 # nosec B608
                f"WHERE competency_id IN ({_in(ids)}))"
            )
            params += ids
        return conditions, params

    def _resource_id(self) -> str:
        return "resource_id"


def _code_conditions(*, public_only: bool, filters: dict[str, list[str]], code: str) -> tuple[list[str], list[Any]]:
    conditions: list[str] = []
    params: list[Any] = []
    if public_only:
        conditions.append(f"({code} & 1) = 1")
    for name, values in filters.items():
        if name != "competency":
            condition, condition_params = FacetCode.condition(name, values)
            conditions.append(condition.replace("code", code))
            params += condition_params
    return conditions, params


def _count_terms(cursor: Any, counts: Counter[str], *, sign: int) -> None:
    """The vocabulary follows the postings (same transaction); a stem nobody uses goes."""
    items = sorted(counts.items())
    for start in range(0, len(items), 2000):
        chunk = items[start : start + 2000]
        cursor.execute(
            f"INSERT INTO {TERMS} AS t (term, documents) VALUES "  # noqa: S608 # nosec B608
            + ", ".join(["(%s, %s)"] * len(chunk))
            + " ON CONFLICT (term) DO UPDATE SET documents = t.documents + excluded.documents",
            [value for term, n in chunk for value in (term, sign * n)],
        )
        if sign < 0:
            cursor.execute(
                f"DELETE FROM {TERMS} WHERE term IN ({_in(chunk)}) AND documents <= 0",  # noqa: S608 # nosec B608
                [term for term, _n in chunk],
            )


def stem_frequencies(stems: Sequence[str]) -> dict[str, int]:
    """How many findable resources use each stem (absent: none)."""
    if not stems:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT term, documents FROM {TERMS} WHERE term IN ({_in(stems)}) AND documents > 0",  # noqa: S608 # nosec B608
            list(stems),
        )
        return {t: int(n) for t, n in cursor.fetchall()}


class SqliteBackend(EmbeddedBackend):
    """FTS5 over the stems; rowid = resource id << 32 | facet code."""

    FTS = "library_search_fts"
    CODE = "(rowid & 4294967295)"

    def _store(self, cursor: Any, documents: list[tuple[IndexDocument, str]]) -> None:
        cursor.executemany(
            f"INSERT INTO {self.FTS} (rowid, words) VALUES (%s, %s)",  # noqa: S608 # nosec B608
            [((d.id << 32) | d.code, words) for d, words in documents],
        )

    def _unstore(self, cursor: Any, ids: list[int] | None) -> None:
        if ids is None:
            cursor.execute(f"DELETE FROM {self.FTS}")  # noqa: S608 # nosec B608
            return
        cursor.executemany(
            f"DELETE FROM {self.FTS} WHERE rowid BETWEEN %s AND %s",  # noqa: S608 # nosec B608
            [(pk << 32, (pk << 32) | 4294967295) for pk in ids],
        )

    def _resource_id(self) -> str:
        return "(rowid >> 32)"

    def _expression(self, groups: Groups, *, any_word: bool) -> str:
        return _boolean(groups, word=lambda w: f'"{w}"', all_of=" AND ", any_of=" OR ", any_word=any_word)

    def _match_sql(self, conditions: list[str]) -> tuple[str, str]:
        where = " AND ".join([f"{self.FTS} MATCH %s", *conditions])
        return f"FROM {self.FTS} WHERE {where}", "(rowid >> 32)"


class PostgresBackend(EmbeddedBackend):
    """A narrow table (resource id, facet code, stems as a position-less tsvector), GIN."""

    DOCUMENTS = "library_search_document"

    def _store(self, cursor: Any, documents: list[tuple[IndexDocument, str]]) -> None:
        for start in range(0, len(documents), 1000):
            chunk = documents[start : start + 1000]
            cursor.execute(
                f"INSERT INTO {self.DOCUMENTS} (resource_id, code, words) VALUES "  # noqa: S608 # nosec B608
                + ", ".join(["(%s, %s, strip(to_tsvector('simple', %s)))"] * len(chunk)),
                [value for d, words in chunk for value in (d.id, d.code, words)],
            )

    def _unstore(self, cursor: Any, ids: list[int] | None) -> None:
        if ids is None:
            cursor.execute(f"DELETE FROM {self.DOCUMENTS}")  # noqa: S608 # nosec B608
        else:
            cursor.execute(f"DELETE FROM {self.DOCUMENTS} WHERE resource_id = ANY(%s)", [ids])  # noqa: S608 # nosec B608

    def _expression(self, groups: Groups, *, any_word: bool) -> str:
        return _boolean(groups, word=lambda w: w, all_of=" & ", any_of=" | ", any_word=any_word)

    MAX_JOINED = 4

    def _joined(
        self,
        cursor: Any,
        groups: Groups,
        known: dict[str, int],
        *,
        public_only: bool,
        filters: dict[str, list[str]],
        top: int,
    ) -> tuple[list[tuple[Any, ...]], list[tuple[int, float]]] | None:
        """Several words, all required, each one stem (« concertation citoyenne », the most
        common multi-word query): their postings merge-joined on the resource (each stem's
        are read in resource order from the primary key, index-only), which gives every
        match with its exact score and code in one pass — the facet counts and the top k in
        one statement, instead of a GIN count then a threshold pass that looks up each
        candidate's other weights. Linear in the stems' postings, like the count it replaces
        (23,600 matches of two words in 42 % and 56 % of 100,000 documents: 21 ms against
        17 + 25). Nested loops are turned off for the statement: the planner, misjudging
        the code condition, chose them and took 72 ms."""
        if len(groups) < 2 or any(len(group) != 1 or len(group[0]) != 1 for group in groups):
            return None
        stems = sorted({group[0][0] for group in groups})
        if len(stems) < 2 or len(stems) > self.MAX_JOINED:
            return None
        idf = _idf(groups, known)
        conditions, condition_params = _code_conditions(public_only=public_only, filters=filters, code="p0.code")
        joins = "".join(
            f" JOIN {POSTINGS} p{i} ON p{i}.term = %s AND p{i}.resource_id = p0.resource_id"
            for i in range(1, len(stems))
        )
        # float8 on both sides, as in Python: a bare literal would be numeric, cast to real.
        score = " + ".join(f"p{i}.score::float8 * %s::float8" for i in range(len(stems)))
        where = "p0.term = %s" + "".join(f" AND {c}" for c in conditions)
        sql = (
            f"WITH m AS (SELECT p0.resource_id, p0.code, {score} AS s FROM {POSTINGS} p0{joins} WHERE {where}) "  # noqa: S608 # nosec B608
            "SELECT 0, code, COUNT(*)::float8 FROM m GROUP BY code UNION ALL "
            f"(SELECT 1, resource_id, s FROM m ORDER BY s DESC, resource_id DESC LIMIT {int(top)})"
        )
        params = [*(idf[t] for t in stems), *stems[1:], stems[0], *condition_params]
        rows = _without_plan(cursor, "enable_nestloop", sql, params)
        codes = [(code, count) for kind, code, count in rows if kind == 0]
        ranked = sorted(((int(pk), float(v)) for kind, pk, v in rows if kind == 1), key=lambda i: (-i[1], -i[0]))
        return codes, ranked

    def _count(self, cursor: Any, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        """The count reads the GIN index, never the whole table: with tens of thousands of
        matches the planner judged a sequential scan as cheap as the bitmap one (it does
        not weigh matching every row's tsvector), and it took twice as long (50 against 20
        ms for 42,000 matches among 100,000). The setting is local to this statement's
        transaction and set back at once (`_without_plan`)."""
        return _without_plan(cursor, "enable_seqscan", sql, params)

    def _match_sql(self, conditions: list[str]) -> tuple[str, str]:
        where = " AND ".join(["words @@ to_tsquery('simple', %s)", *conditions])
        return f"FROM {self.DOCUMENTS} WHERE {where}", "resource_id"


def _without_plan(cursor: Any, setting: str, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """The rows of one PostgreSQL statement planned with `setting` (enable_seqscan,
    enable_nestloop) off: set for the transaction (a savepoint when the caller has one open,
    where a session's own value is then put back as it was, not reset to the default)."""
    with transaction.atomic():
        cursor.execute("SELECT current_setting(%s)", [setting])
        before = cursor.fetchone()[0]
        cursor.execute("SELECT set_config(%s, 'off', true)", [setting])
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        cursor.execute("SELECT set_config(%s, %s, true)", [setting, before])
    return list(rows)


def _boolean(groups: Groups, *, word: Callable[[str], str], all_of: str, any_of: str, any_word: bool) -> str:
    """Groups ANDed (ORed with `any_word`), alternatives ORed, stems of an alternative ANDed.
    Stems are letters and digits only (`clean_stem`): nothing typed reaches the matcher's
    syntax."""
    rendered = []
    for group in groups:
        alternatives = ["(" + all_of.join(word(w) for w in a) + ")" if len(a) > 1 else word(a[0]) for a in group]
        rendered.append("(" + any_of.join(alternatives) + ")" if len(alternatives) > 1 else alternatives[0])
    return (any_of if any_word else all_of).join(rendered)


def nearest(stem: str, word: str = "") -> str | None:
    """The vocabulary's stem nearest to a misspelt one (same first two letters), compared
    with the stem and with the start of the word (`vocabulary.best_candidate`)."""
    limit = vocabulary.allowed_distance(stem)
    if not limit:
        return None
    prefix = stem[:2]
    longest = max(len(stem), len(clean_stem(ftext.strip_accents(word.lower())))) + limit
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT term, documents FROM {TERMS} WHERE term >= %s AND term < %s "  # noqa: S608 # nosec B608
            "AND LENGTH(term) BETWEEN %s AND %s AND documents > 0 ORDER BY documents DESC LIMIT %s",
            [
                prefix,
                prefix[:-1] + chr(ord(prefix[-1]) + 1),
                min(len(stem) - limit, 5),
                longest,
                vocabulary.MAX_SPELLING_CANDIDATES,
            ],
        )
        return vocabulary.best_candidate(stem, [(t, int(n)) for t, n in cursor.fetchall()], word=word)


def surface(stem: str) -> str:
    """A word as resources write it for `stem` (from the resource that weighs it most)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT resource_id FROM {POSTINGS} WHERE term = %s ORDER BY score DESC LIMIT 1",  # noqa: S608 # nosec B608
            [stem],
        )
        row = cursor.fetchone()
    resource = Resource.objects.filter(pk=row[0]).only("title", "summary", "body").first() if row else None
    if resource is not None:
        for word in ftext.document_words(f"{resource.title} {resource.summary} {ftext.html_to_text(resource.body)}"):
            if clean_stem(ftext.stem(word)) == stem:
                return word.lower()
    return stem


def _suggestion(query: str, planned: vocabulary.Plan) -> str:
    text = query
    for index, stem in planned.corrected.items():
        word = planned.words[index]
        if word is not None:
            typed = r"[-‐‑]".join(re.escape(part) for part in (word.compound or word.text).split("-"))
            text = re.sub(rf"(?<!\w){typed}(?!\w)", surface(stem), text, count=1)
    return " ".join(text.split())


def _distinct(groups: Groups) -> Groups:
    """The same query without exact repeats: a stem twice in an alternative, the same
    alternative twice in a group, the same group twice. Synonyms that stem alike
    (« délibérer » / « délibération » / « délibératif » → `deliber`) so become one stem, read
    the cheap way. An alternative that contains another is kept: it matches nothing more,
    but its extra stems weigh in the score (« forum ouvert » = « forum ouvert technologie »)."""
    out: Groups = []
    seen: set[frozenset[tuple[str, ...]]] = set()
    for group in groups:
        kept = list({tuple(dict.fromkeys(a)): None for a in group})
        key = frozenset(kept)
        if kept and key not in seen:
            seen.add(key)
            out.append([list(a) for a in kept])
    return out


def _live_groups(groups: Groups, frequencies: dict[str, int], *, any_word: bool) -> Groups:
    """Alternatives whose stems all exist; with every word required, a group left empty
    means no match at all."""
    live = []
    for group in groups:
        alternatives = [a for a in group if all(s in frequencies for s in a)]
        if alternatives:
            live.append(alternatives)
        elif not any_word:
            return []
    return live


DIRECT = 2000  # at most this many matches: all are scored directly
FIRST_DEPTH = 400
MAX_DEPTH = 25_600
SCORE_BATCH = 500


def _rank(
    groups: Groups,
    frequencies: dict[str, int],
    *,
    public_only: bool,
    filters: dict[str, list[str]],
    any_word: bool,
    top: int,
) -> tuple[list[tuple[int, float]], bool]:
    """The `top` best matches by Σ idf(stem) × weight(stem, resource), by Fagin's threshold
    algorithm with bounded random access: read each stem's postings best first, a slice
    deeper each round (400, 800, …, MAX_DEPTH; what was read is kept), and bound every
    resource seen by its weights read plus, for each stem it was not seen in, the weight at
    that stem's depth. Resources are scored exactly (`_scored`: every group checked) in the
    order of their bound, only while the bound can still reach the `top`-th exact score;
    an unseen resource is bounded by the sum of the weights at the depths. The answer is
    certified when the `top`-th score is at least that sum; at MAX_DEPTH it says it is not
    (`exact` False). A query of one stem is its postings read best first."""
    idf = _idf(groups, frequencies)
    stems = sorted(idf)
    conditions, params = _code_conditions(public_only=public_only, filters=filters, code="code")
    where = "".join(f" AND {c}" for c in conditions)
    competency = [int(v) for v in filters.get("competency", [])]
    if len(stems) == 1 and len(groups) == 1 and not competency:
        with connection.cursor() as cursor:
            cursor.execute(_best_first(where, limit=top, offset=0), [stems[0], *params])
            return [(int(pk), float(score) * idf[stems[0]]) for pk, score in cursor.fetchall()], True
    seen: dict[int, dict[str, float]] = {}  # resource → the weights read for it
    at_depth: dict[str, float] = {}  # stem → weight at its depth (absent: its postings are all read)
    exact: dict[int, float | None] = {}  # scored resources (None: not a match, or filtered out)
    best: list[float] = []  # the exact scores of matches, best first
    read, depth = 0, FIRST_DEPTH
    with connection.cursor() as cursor:
        while True:
            for stem in stems:
                if read and stem not in at_depth:
                    continue
                cursor.execute(_best_first(where, limit=depth - read, offset=read), [stem, *params])
                rows = cursor.fetchall()
                for pk, score in rows:
                    seen.setdefault(int(pk), {})[stem] = float(score)
                if len(rows) == depth - read:
                    at_depth[stem] = float(rows[-1][1])
                else:
                    at_depth.pop(stem, None)
            read = depth
            floor = sum(idf[s] * w for s, w in at_depth.items())
            bounds = sorted(
                (
                    (
                        sum(idf[s] * w for s, w in weights.items())
                        + sum(idf[s] * w for s, w in at_depth.items() if s not in weights),
                        pk,
                    )
                    for pk, weights in seen.items()
                    if pk not in exact
                ),
                reverse=True,
            )
            final = not at_depth or depth >= MAX_DEPTH
            position = 0
            while position < len(bounds):
                threshold = best[top - 1] if len(best) >= top else -math.inf
                if bounds[position][0] < threshold:
                    break  # no resource left can enter the top
                if not final and threshold < floor and position:
                    break  # this depth cannot certify the top: read deeper first
                chunk = sorted(pk for _b, pk in bounds[position : position + SCORE_BATCH])
                position += SCORE_BATCH
                allowed = _with_competencies(cursor, chunk, competency) if competency else set(chunk)
                # A resource whose every stem is known — its weight read, or absent from a
                # stem's postings read to the end — is scored here; only the others are
                # looked up (the postings read passed the same code conditions).
                scored, unknown = {}, []
                for pk in chunk:
                    weights = seen[pk]
                    if any(s not in weights and s in at_depth for s in stems):
                        unknown.append(pk)
                    elif pk in allowed and _satisfies(groups, weights, any_word=any_word):
                        scored[pk] = sum(idf[s] * weights[s] for s in stems if s in weights)  # as _scored_by_key
                if unknown:
                    scored.update(_scored(cursor, groups, idf, unknown, allowed, any_word=any_word))
                for pk in chunk:
                    exact[pk] = scored.get(pk)
                best = sorted([*best, *scored.values()], reverse=True)
            threshold = best[top - 1] if len(best) >= top else -math.inf
            done = position >= len(bounds) or bounds[position][0] < threshold
            if done and (not at_depth or threshold >= floor):
                break
            if done and depth >= MAX_DEPTH:
                ranked = sorted(((pk, s) for pk, s in exact.items() if s is not None), key=lambda i: (-i[1], -i[0]))
                return ranked[:top], False
            depth = min(depth * 2, MAX_DEPTH)
    ranked = sorted(((pk, s) for pk, s in exact.items() if s is not None), key=lambda i: (-i[1], -i[0]))
    return ranked[:top], True


def _satisfies(groups: Groups, present: Mapping[str, float], *, any_word: bool) -> bool:
    """Whether a resource with these stems matches: every group (or, `any_word`, one of
    them) has an alternative whose stems are all present."""
    found = (any(all(s in present for s in a) for a in group) for group in groups)
    return any(found) if any_word else all(found)


def _best_first(where: str, *, limit: int, offset: int) -> str:
    """A stem's postings best first, a slice of them, passing the code conditions `where`.
    On PostgreSQL the conditions go outside a fenced subquery (OFFSET 0): the planner cannot
    estimate a bit test on the code, guessed few rows, and sorted the whole stem's postings
    instead of reading the (term, score DESC) index in order. The score (a `real`) is sent
    as float8: its float4 text would parse in Python to a slightly different double than the
    one the database computes with (`_joined`), and equal rankings would differ."""
    if connection.vendor == "postgresql":
        return (
            f"SELECT resource_id, score::float8 FROM (SELECT resource_id, score, code FROM {POSTINGS} "  # noqa: S608 # nosec B608
            f"WHERE term = %s ORDER BY score DESC, resource_id DESC OFFSET 0) AS best WHERE TRUE{where} "
            f"LIMIT {int(limit)} OFFSET {int(offset)}"
        )
    return (
        f"SELECT resource_id, score FROM {POSTINGS} WHERE term = %s{where} "  # noqa: S608 # nosec B608
        f"ORDER BY score DESC, resource_id DESC LIMIT {int(limit)} OFFSET {int(offset)}"
    )


def _idf(groups: Groups, frequencies: dict[str, int]) -> dict[str, float]:
    stems = {s for group in groups for a in group for s in a}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(resource_id) FROM {POSTINGS}")  # noqa: S608 # nosec B608
        size = max(int(cursor.fetchone()[0] or 1), max(frequencies.values()) * 2)
    return {s: math.log(1 + (size - frequencies[s] + 0.5) / (frequencies[s] + 0.5)) for s in stems}


def _scored(
    cursor: Any, groups: Groups, idf: dict[str, float], ids: list[int], allowed: set[int], *, any_word: bool
) -> list[tuple[int, float]]:
    """The resources among `ids` that satisfy the query, best first: scored and checked by
    the database (one grouped read of their postings per 5,000)."""
    stems = sorted(idf)
    if connection.vendor == "postgresql":
        return _scored_by_key(cursor, groups, idf, ids, allowed, any_word=any_word)
    score = "SUM(score * CASE term " + " ".join("WHEN %s THEN %s" for _ in stems) + " END)"
    score_params: list[Any] = [value for s in stems for value in (s, idf[s])]
    has = "MAX(CASE WHEN term = %s THEN 1 ELSE 0 END) = 1"
    rendered, having_params = [], []
    for group in groups:
        rendered.append("(" + " OR ".join("(" + " AND ".join([has] * len(a)) + ")" for a in group) + ")")
        having_params += [s for a in group for s in a]
    having = (" OR " if any_word else " AND ").join(rendered)
    scored: list[tuple[int, float]] = []
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        cursor.execute(
            f"SELECT resource_id, {score} FROM {POSTINGS} "  # noqa: S608 # nosec B608
            f"WHERE term IN ({_in(stems)}) AND resource_id IN ({_in(chunk)}) GROUP BY resource_id HAVING {having}",
            [*score_params, *stems, *chunk, *having_params],
        )
        scored += [(int(pk), float(value)) for pk, value in cursor.fetchall() if int(pk) in allowed]
    scored.sort(key=lambda item: (-item[1], -item[0]))
    return scored


def _scored_by_key(
    cursor: Any, groups: Groups, idf: dict[str, float], ids: list[int], allowed: set[int], *, any_word: bool
) -> list[tuple[int, float]]:
    """`_scored` on PostgreSQL: each (stem, resource) read by its primary key (an index-only
    probe; the planner, left to choose, took the index on resource_id and the table), the
    groups checked and the score summed here."""
    stems = sorted(idf)
    probes = ", ".join(
        f"(SELECT score::float8 FROM {POSTINGS} p WHERE p.term = %s AND p.resource_id = i.id)"  # noqa: S608 # nosec B608
        for _ in stems
    )
    scored: list[tuple[int, float]] = []
    for start in range(0, len(ids), 5000):
        chunk = [pk for pk in ids[start : start + 5000] if pk in allowed]
        if not chunk:
            continue
        cursor.execute(f"SELECT i.id, {probes} FROM unnest(%s::bigint[]) AS i(id)", [*stems, chunk])  # noqa: S608 # nosec B608
        for pk, *weights in cursor.fetchall():
            present = {s: float(w) for s, w in zip(stems, weights, strict=True) if w is not None}
            if _satisfies(groups, present, any_word=any_word):
                scored.append((int(pk), sum(idf[s] * w for s, w in present.items())))
    scored.sort(key=lambda item: (-item[1], -item[0]))
    return scored


def _with_competencies(cursor: Any, ids: list[int], competencies: list[int]) -> set[int]:
    allowed: set[int] = set()
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        cursor.execute(
            "SELECT resource_id FROM library_resource_competencies "  # noqa: S608 # nosec B608
            f"WHERE competency_id IN ({_in(competencies)}) AND resource_id IN ({_in(chunk)})",
            [*competencies, *chunk],
        )
        allowed.update(int(pk) for (pk,) in cursor.fetchall())
    return allowed


def backend() -> SearchBackend:
    return PostgresBackend() if connection.vendor == "postgresql" else SqliteBackend()


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
