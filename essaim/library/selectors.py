"""Reads of the resource library: the search (one entry point for pages and API), details."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from essaim.core.exceptions import ServiceError
from essaim.framework.models import Competency
from essaim.library import search
from essaim.library import text as ftext
from essaim.library.models import Resource
from essaim.organisations.models import Organisation

MAX_QUERY_LENGTH = 200
MAX_PAGE = 500
FIELD_FACETS = ("type", "licence", "audience", "language")
FIELD_CHOICES = {
    "type": Resource.Type,
    "licence": Resource.Licence,
    "audience": Resource.Audience,
    "language": Resource.Language,
}
FACETS = ("type", "competency", "licence", "organisation", "audience", "language")
SORTS = ("relevance", "date")


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class SearchHit:
    resource: Resource
    score: float | None
    snippet: SafeString


@dataclass
class SearchPage:
    query: str
    hits: list[SearchHit]
    total: int
    capped: bool
    page: int
    num_pages: int
    page_size: int
    sort: str
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    suggestion: str = ""  # « Vouliez-vous dire … » : the query with misspelt words corrected

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages


def clean_filters(raw: dict[str, list[str]]) -> dict[str, list[str]]:
    """Facet filters from a query string; a value that cannot exist is a readable error."""
    filters: dict[str, list[str]] = {}
    for name in FACETS:
        values = [v for v in raw.get(name, []) if v != ""][:20]
        if not values:
            continue
        if name in FIELD_FACETS:
            allowed = FIELD_CHOICES[name].values
            wrong = [v for v in values if v not in allowed]
        else:
            wrong = [v for v in values if not v.isdigit() or len(v) > 18]
        if wrong:
            raise ServiceError(
                _("Filtre « %(facet)s » : valeur inconnue « %(value)s ».") % {"facet": name, "value": wrong[0][:50]},
                code="bad_filter",
            )
        filters[name] = values
    return filters


def _apply_filters(qs: QuerySet[Resource], filters: dict[str, list[str]]) -> QuerySet[Resource]:
    for name in FIELD_FACETS:
        if name in filters:
            qs = qs.filter(**{f"{name}__in": filters[name]})
    if "organisation" in filters:
        qs = qs.filter(organisation_id__in=[int(v) for v in filters["organisation"]])
    if "competency" in filters:
        through = Resource.competencies.through.objects.filter(
            competency_id__in=[int(v) for v in filters["competency"]]
        )
        qs = qs.filter(pk__in=through.values("resource_id"))
    return qs


def _competency_counts(through: QuerySet[Any]) -> list[tuple[Any, ...]]:
    return list(
        through.values("competency_id", "competency__name")
        .annotate(n=Count("resource_id"))
        .values_list("competency_id", "competency__name", "n")
    )


def _facets(
    grouped: Iterable[tuple[Any, ...]], competencies: Iterable[tuple[Any, ...]], filters: dict[str, list[str]]
) -> tuple[dict[str, list[FacetValue]], int]:
    """Facet values with counts, and the total, from rows (type, licence, audience,
    language, organisation id, organisation name, count) and (competency id, name, count)."""
    counts: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    labels: dict[str, dict[str, str]] = {
        name: {k: str(v) for k, v in choices.choices} for name, choices in FIELD_CHOICES.items()
    }
    labels["organisation"], labels["competency"] = {}, {}
    total = 0
    for *values, org_id, org_name, n in grouped:
        total += n
        for name, value in zip(FIELD_FACETS, values, strict=True):
            if value not in (None, ""):  # a resource without that field is in none of its values
                counts[name][value] += n
        if org_id is not None:
            counts["organisation"][str(org_id)] += n
            labels["organisation"][str(org_id)] = org_name
    for pk, name, n in competencies:
        counts["competency"][str(pk)] = n
        labels["competency"][str(pk)] = name
    facets = {
        name: sorted(
            (
                FacetValue(value, labels[name].get(value, value), n, value in filters.get(name, []))
                for value, n in counts[name].items()
            ),
            key=lambda f: (-f.count, f.label),
        )
        for name in FACETS
    }
    return facets, total


def _is_signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _query_facets(matches: search.Matches, filters: dict[str, list[str]]) -> dict[str, list[FacetValue]]:
    """Facet values from the exact counts per packed code and per competency."""
    grouped: Counter[tuple[str, ...]] = Counter()
    for code, n in matches.codes:
        values = search.FacetCode.unpack(code)
        grouped[tuple(values[name] for name in (*FIELD_FACETS, "organisation"))] += n
    organisation_ids = [int(k[-1]) for k in grouped if k[-1]]
    organisations = (
        dict(Organisation.objects.filter(pk__in=organisation_ids).values_list("pk", "name")) if organisation_ids else {}
    )
    rows = [
        (*key[:-1], int(key[-1]) if key[-1] else None, organisations.get(int(key[-1])) if key[-1] else None, n)
        for key, n in grouped.items()
    ]
    names = (
        dict(Competency.objects.filter(pk__in=[pk for pk, _n in matches.competencies]).values_list("pk", "name"))
        if matches.competencies
        else {}
    )
    competencies = [(pk, names.get(pk, str(pk)), n) for pk, n in matches.competencies]
    facets, _total = _facets(rows, competencies, filters)
    return facets


def resource_search(
    *,
    user: Any,
    query: str = "",
    filters: dict[str, list[str]] | None = None,
    sort: str = "relevance",
    page: int = 1,
    page_size: int = 20,
    with_facets: bool = True,
    with_snippets: bool = True,
) -> SearchPage:
    """What `user` may see, matching `query` (French, accents and word forms ignored), with
    exact facet counts and snippets (the API, which shows none, passes `with_snippets`
    False). Every match is ranked (ADR 0020)."""
    query = " ".join((query or "").split())
    if len(query) > MAX_QUERY_LENGTH:
        raise ServiceError(
            _("La recherche est trop longue (%(max)s caractères au plus).") % {"max": MAX_QUERY_LENGTH},
            code="bad_query",
        )
    filters = filters or {}
    sort = sort if sort in SORTS else "relevance"
    page = min(max(page, 1), MAX_PAGE)
    stems = ftext.query_stems(query) if query else []
    facets: dict[str, list[FacetValue]] = {}
    scores: dict[int, float] = {}
    capped = False
    suggestion = ""
    if stems:
        matches = search.backend().search(
            query,
            public_only=not _is_signed_in(user),
            filters=filters,
            by_date=sort == "date",
            offset=(page - 1) * page_size,
            limit=page_size,
            with_facets=with_facets,
        )
        total = matches.total
        if total and not matches.ranked and page > 1:
            # Past the last page: show the last one.
            page = max(math.ceil(total / page_size), 1)
            return resource_search(
                user=user,
                query=query,
                filters=filters,
                sort=sort,
                page=page,
                page_size=page_size,
                with_facets=with_facets,
                with_snippets=with_snippets,
            )
        if with_facets:
            facets = _query_facets(matches, filters)
        scores = dict(matches.ranked)
        capped = not matches.exact
        suggestion = matches.suggestion
        found = Resource.objects.select_related("organisation").in_bulk(list(scores))
        resources = [found[pk] for pk, _score in matches.ranked if pk in found]
    else:
        qs: QuerySet[Resource] = _apply_filters(Resource.objects.visible_to(user), filters)
        if query:
            qs = qs.none()  # only stop words: nothing to find
        if with_facets:
            grouped = (
                qs.order_by()
                .values(*FIELD_FACETS, "organisation_id", "organisation__name")
                .annotate(n=Count("pk"))
                .values_list(*FIELD_FACETS, "organisation_id", "organisation__name", "n")
            )
            through = Resource.competencies.through.objects.filter(resource_id__in=qs.order_by().values("pk"))
            facets, total = _facets(grouped, _competency_counts(through), filters)
        else:
            total = qs.count()
        # Paged by hand on purpose: `total` already came out of the facet aggregation.
        page = min(page, max(math.ceil(total / page_size), 1))
        resources = list(
            qs.select_related("organisation").order_by("-published_at", "-pk")[
                (page - 1) * page_size : page * page_size
            ]
        )
    hits = [
        SearchHit(
            resource=r,
            score=round(scores[r.pk], 6) if r.pk in scores else None,
            snippet=(
                search.highlight(r.summary + " " + ftext.html_to_text(r.body) if stems else r.summary, stems)
                if with_snippets
                else SafeString("")
            ),
        )
        for r in resources
    ]
    return SearchPage(
        query=query,
        hits=hits,
        total=total,
        capped=capped,
        suggestion=suggestion,
        page=page,
        num_pages=max(math.ceil(total / page_size), 1),
        page_size=page_size,
        sort=sort,
        facets=facets,
    )


def resource_for_viewer(*, user: Any, pk: int) -> Resource | None:
    """One resource if `user` may see it, else None (the caller answers 404: a hidden
    resource is not acknowledged to exist)."""
    resource = (
        Resource.objects.select_related("organisation", "contributor")
        .prefetch_related("files", "links", "competencies")
        .filter(pk=pk)
        .first()
    )
    if resource is None or not user.has_perm("library.view_resource", resource):
        return None
    return resource


def related_resources(*, user: Any, resource: Resource) -> list[Resource]:
    """The resource's related resources (computed at indexing) that `user` may see."""
    from essaim.library.related import related_ids

    ids = related_ids(resource.pk)
    found = Resource.objects.visible_to(user).select_related("organisation").in_bulk(ids) if ids else {}
    return [found[pk] for pk in ids if pk in found]


def moderation_queue() -> QuerySet[Resource]:
    return (
        Resource.objects.filter(status=Resource.Status.SUBMITTED)
        .select_related("organisation", "contributor")
        .order_by("updated_at")
    )


def open_reports() -> QuerySet[Any]:
    from essaim.library.models import ResourceReport

    return ResourceReport.objects.filter(resolved_at=None).select_related("resource", "user").order_by("-created_at")


def collections_for(user: Any) -> dict[str, list[Any]]:
    """The person's own collections and the public ones (curated first)."""
    from essaim.library.models import Collection

    public = Collection.objects.filter(is_public=True).select_related("owner").order_by("-is_curated", "title")
    mine = (
        Collection.objects.filter(owner=user) if getattr(user, "is_authenticated", False) else Collection.objects.none()
    )
    return {"mine": list(mine), "public": list(public[:100])}


def collection_resources(*, collection: Any, user: Any) -> list[Resource]:
    """The collection's resources in order, only those the viewer may see: a public
    collection never shows an agents-only or unpublished resource to a visitor."""
    visible = Resource.objects.visible_to(user)
    ids = list(collection.items.order_by("position", "id").values_list("resource_id", flat=True))
    found = visible.filter(pk__in=ids).select_related("organisation").in_bulk()
    return [found[pk] for pk in ids if pk in found]


def contributions_of(user: Any) -> QuerySet[Resource]:
    return Resource.objects.filter(contributor=user).select_related("organisation").order_by("-updated_at")
