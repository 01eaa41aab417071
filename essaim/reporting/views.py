"""Dashboards (public and internal), exports, open data and the OGP progress report.

Views parse the filters with a form (400 with the errors on bad input), compute the
person's scope once, call one selector and render.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from essaim.accounts import roles
from essaim.accounts.models import Role
from essaim.reporting.exports import csv_response, xlsx_response
from essaim.reporting.forms import DashboardFilterForm
from essaim.reporting.models import PublishedDataset
from essaim.reporting.opendata import DATASETS, LICENSE_URL, datagouv_metadata
from essaim.reporting.progress import progress_pdf, progress_report
from essaim.reporting.selectors import (
    DIMENSIONS,
    PUBLIC_SCOPE,
    TABLES,
    TARGET_TRAINED_PER_YEAR,
    Filters,
    Scope,
    dashboard,
    network_size,
    scope_for,
)
from essaim.reporting.targets import TargetProgress, dashboard_targets, data_as_of
from essaim.training.backoffice_selectors import trainer_figures

#: Drilling into a row filters on it and breaks it down one level further.
DRILL_NEXT = {"ministry": "organiser", "organiser": "course", "region": "organiser", "course": "organiser"}


def _form(request: HttpRequest, scope: Scope, *, public: bool) -> DashboardFilterForm:
    return DashboardFilterForm(request.GET, scope=scope, public=public, default_year=timezone.localdate().year)


def _render_dashboard(request: HttpRequest, scope: Scope, *, public: bool, template: str) -> HttpResponse:
    form = _form(request, scope, public=public)
    if not form.is_valid():
        return render(request, template, {"form": form, "board": None, "query": "", "form_cache_key": ""}, status=400)
    filters = form.filters()
    board = dashboard(scope=scope, filters=filters, breakdown=form.breakdown())
    year = filters.year or timezone.localdate().year
    whole_year = filters == Filters(year=filters.year)
    context: dict[str, Any] = {
        # Targets are the programme's for a whole year: measured only without other filters.
        "targets": _targets(board, year) if whole_year and scope.everything else None,
        "breakdown_label": DIMENSIONS[board.breakdown_dimension],
        "data_as_of": data_as_of(),
        "form": form,
        "board": board,
        "target_trained": TARGET_TRAINED_PER_YEAR,
        "network": network_size(scope=scope, year=filters.year or timezone.localdate().year),
        "query": request.GET.urlencode(),
        "form_cache_key": _form_cache_key(scope, public, form),
        "drill_next": DRILL_NEXT[board.breakdown_dimension],
    }
    return render(request, template, context)


def _targets(board: Any, year: int) -> list[TargetProgress]:
    quarters = next(chart for chart in board.charts if chart.slug == "sessions-trimestre")
    held = {int(bar.key): bar.value or 0 for bar in quarters.bars}
    return dashboard_targets(
        trained=board.totals["people_trained"], held_by_quarter=held, year=year, today=timezone.localdate()
    )


def _form_cache_key(scope: Scope, public: bool, form: DashboardFilterForm) -> str:
    values = sorted((k, str(v)) for k, v in form.cleaned_data.items() if v not in (None, ""))
    raw = repr((public, scope.everything, scope.organiser_paths, scope.region_ids, values))
    return hashlib.sha256(raw.encode()).hexdigest()


def public_dashboard(request: HttpRequest) -> HttpResponse:
    return _render_dashboard(request, PUBLIC_SCOPE, public=True, template="reporting/public_dashboard.html")


def _internal_scope(request: HttpRequest) -> Scope:
    scope = scope_for(request.user)
    if scope.is_empty:
        raise PermissionDenied(
            _(
                "Le tableau de bord interne est réservé aux organisateurs, coordinations de laboratoire "
                "et à l’administration du programme."
            )
        )
    return scope


@login_required
def internal_dashboard(request: HttpRequest) -> HttpResponse:
    if scope_for(request.user).is_empty and roles.has_role(request.user, Role.TRAINER):
        # A trainer's « Chiffres de mon périmètre » are those of the sessions they lead.
        return render(
            request,
            "reporting/trainer_figures.html",
            {"figures": trainer_figures(user=request.user), "page_title": _("Chiffres de mes sessions")},
        )
    return _render_dashboard(
        request, _internal_scope(request), public=False, template="reporting/internal_dashboard.html"
    )


def _export(request: HttpRequest, scope: Scope, table: str, fmt: str, *, public: bool) -> HttpResponseBase:
    if table not in TABLES or (public and table != "trimestres") or fmt not in ("csv", "xlsx"):
        raise Http404(_("Ce tableau n’existe pas."))
    form = _form(request, scope, public=public)
    if not form.is_valid():
        return render(
            request,
            "reporting/public_dashboard.html" if public else "reporting/internal_dashboard.html",
            {"form": form, "board": None, "query": "", "form_cache_key": ""},
            status=400,
        )
    filters = form.filters()
    header, rows = TABLES[table](scope=scope, filters=filters)
    filename = f"essaim-{table}-{filters.year}"
    if fmt == "csv":
        return csv_response(filename, header, rows)
    return xlsx_response(filename, header, rows)


def public_export(request: HttpRequest, table: str, fmt: str) -> HttpResponseBase:
    return _export(request, PUBLIC_SCOPE, table, fmt, public=True)


@login_required
def internal_export(request: HttpRequest, table: str, fmt: str) -> HttpResponseBase:
    return _export(request, _internal_scope(request), table, fmt, public=False)


def opendata_index(request: HttpRequest) -> HttpResponse:
    published = {d.slug: d for d in PublishedDataset.objects.only("slug", "rows", "published_at")}
    datasets = [(d, published.get(d.slug)) for d in DATASETS.values()]
    return render(request, "reporting/opendata.html", {"datasets": datasets, "license_url": LICENSE_URL})


def dataset_csv(request: HttpRequest, slug: str) -> HttpResponse:
    published = PublishedDataset.objects.filter(slug=slug).first()
    if slug not in DATASETS or published is None:
        raise Http404(_("Ce jeu de données n’est pas publié."))
    response = HttpResponse(published.content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{slug}.csv"'
    response["Last-Modified"] = published.published_at.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return response


def dataset_schema(request: HttpRequest, slug: str) -> JsonResponse:
    if slug not in DATASETS:
        raise Http404(_("Ce jeu de données n’existe pas."))
    return JsonResponse(DATASETS[slug].schema(), json_dumps_params={"ensure_ascii": False, "indent": 2})


def datagouv(request: HttpRequest) -> JsonResponse:
    return JsonResponse(datagouv_metadata(settings.SITE_URL), json_dumps_params={"ensure_ascii": False, "indent": 2})


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year") or str(timezone.localdate().year)
    try:
        year = int(raw)
    except ValueError:
        year = 0
    if not 2020 <= year <= timezone.localdate().year + 1:
        raise Http404(_("Année invalide : choisissez une année entre 2020 et l’an prochain."))
    return year


def progress(request: HttpRequest) -> HttpResponse:
    report = progress_report(year=_year(request))
    current = timezone.localdate().year
    return render(request, "reporting/progress.html", {"report": report, "years": list(range(2024, current + 2))})


def progress_as_pdf(request: HttpRequest) -> HttpResponse:
    report = progress_report(year=_year(request))
    response = HttpResponse(progress_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="essaim-rapport-ogp-{report["year"]}.pdf"'
    return response
