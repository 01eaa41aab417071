"""Pages of credentials: a person's own (downloads), public verification, public issuer
documents (profile, JWKS, status list), revocation and session ZIP for staff, learner record.

Another person's credential is a 404, never a 403: its existence is not revealed.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from essaim.catalogue.models import Course
from essaim.core.exceptions import ServiceError
from essaim.core.typing import AuthenticatedHttpRequest
from essaim.credentials import integrity, keys, vc
from essaim.credentials.forms import RevokeForm, VerifyCodeForm, VerifyTokenForm
from essaim.credentials.models import Credential
from essaim.credentials.pdf import learner_record_pdf
from essaim.credentials.selectors import (
    STATUS_LABELS,
    credential_attestation_pdf,
    credential_by_code,
    credential_json,
    credential_list_for_user,
    credential_status,
    learner_record,
    practice_summary_label,
    session_attestations_zip,
    status_list_document_published,
    status_list_published,
    verify_code,
)
from essaim.credentials.services import credential_revoke, normalise_code
from essaim.training.backoffice_selectors import managed_session_list, may_use_backoffice
from essaim.training.models import Session


def _own_credential(request: AuthenticatedHttpRequest, code: str) -> Credential:
    credential = credential_by_code(code)
    if credential is None or not request.user.has_perm("credentials.view_credential", credential):
        raise Http404
    return credential


def _download(content: bytes | str, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def my_credentials_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    credentials = list(credential_list_for_user(user=request.user))
    rows = [
        {"credential": c, "status": (s := credential_status(c)), "status_label": STATUS_LABELS[s]} for c in credentials
    ]
    return render(
        request,
        "credentials/mine.html",
        {"rows": rows, "page_title": _("Mes attestations et badges")},
    )


@login_required
def attestation_pdf_view(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    credential = _own_credential(request, code)
    return _download(
        credential_attestation_pdf(credential),
        filename=f"attestation-{credential.code}.pdf",
        content_type="application/pdf",
    )


@login_required
def badge_json_view(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    credential = _own_credential(request, code)
    body = json.dumps(credential_json(credential), ensure_ascii=False, indent=2)
    return _download(body, filename=f"badge-{credential.code}.json", content_type="application/json")


@login_required
def badge_jwt_view(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    credential = _own_credential(request, code)
    return _download(credential.jwt, filename=f"badge-{credential.code}.jwt", content_type="application/vc+jwt")


def _verification_context(result: vc.Verification, credential: Credential | None) -> dict[str, Any]:
    return {
        "result": result,
        "status_label": STATUS_LABELS[result.status],
        "credential": credential,
    }


@require_http_methods(["GET", "POST"])
def verify_view(request: HttpRequest) -> HttpResponse:
    """Verify by code (GET ?code=) or by pasting a VC-JWT (POST)."""
    context: dict[str, Any] = {"page_title": _("Vérifier une attestation")}
    code_form = VerifyCodeForm(request.GET if "code" in request.GET else None)
    token_form = VerifyTokenForm(request.POST if request.method == "POST" else None)
    if code_form.is_bound and code_form.is_valid():
        code = normalise_code(code_form.cleaned_data["code"])
        if code:
            return redirect("credentials:verify-code", code=code)
        code_form.add_error("code", _("Ce code n’a pas le bon format : ESS suivi de 12 lettres ou chiffres."))
    if token_form.is_bound and token_form.is_valid():
        result = vc.verify_token(token_form.cleaned_data["token"])
        context.update(_verification_context(result, None))
    context.update({"code_form": code_form, "token_form": token_form})
    return render(request, "credentials/verify.html", context)


def verify_code_view(request: HttpRequest, code: str) -> HttpResponse:
    """The page the QR code opens."""
    result, credential = verify_code(code)
    context = {
        "page_title": _("Vérifier une attestation"),
        "code_form": VerifyCodeForm(initial={"code": code}),
        "token_form": VerifyTokenForm(),
        "code": code,
        **_verification_context(result, credential),
    }
    status = 404 if result.status == "unknown" else 200
    return render(request, "credentials/verify.html", context, status=status)


def _json(data: Any, *, content_type: str = "application/json") -> HttpResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False}, content_type=content_type)
    response["Access-Control-Allow-Origin"] = "*"  # public documents, read by any verifier
    return response


@cache_control(public=True, max_age=300)
def issuer_view(request: HttpRequest) -> HttpResponse:
    return _json(vc.issuer_profile(), content_type="application/ld+json")


@cache_control(public=True, max_age=300)
def jwks_view(request: HttpRequest) -> HttpResponse:
    return _json(keys.jwks(), content_type="application/jwk-set+json")


@cache_control(public=True, max_age=60)
def status_list_view(request: HttpRequest, number: int) -> HttpResponse:
    if number != vc.STATUS_LIST_NUMBER:
        raise Http404
    if _wants_json_ld(request):
        response = _json(status_list_document_published(), content_type="application/vc+ld+json")
    else:
        response = HttpResponse(status_list_published(), content_type="application/vc+jwt")
        response["Access-Control-Allow-Origin"] = "*"
    patch_vary_headers(response, ["Accept"])
    return response


def _wants_json_ld(request: HttpRequest) -> bool:
    """One list, two securing mechanisms (VC 2.0): a client that asks for JSON (a Data
    Integrity verifier) gets the JSON-LD list with its embedded proof; one that asks for a
    JWT, or for anything, gets the VC-JWT as before."""
    accept = request.headers.get("Accept", "").lower()
    return "json" in accept and "jwt" not in accept


@cache_control(public=True, max_age=300)
def multikey_view(request: HttpRequest, multibase: str) -> HttpResponse:
    """The Multikey a badge.json proof's verificationMethod names (404 for any other key)."""
    document = integrity.multikey_document(multibase)
    if document is None:
        raise Http404
    return _json(document, content_type="application/ld+json")


def achievement_view(request: HttpRequest, course_code: str) -> HttpResponse:
    # Drafts are nobody's business yet; archived courses stay (issued badges point to them).
    course = get_object_or_404(
        Course.objects.exclude(status=Course.Status.DRAFT).select_related("framework"), code=course_code
    )
    outcomes = [
        {
            "competency": o.competency.code,
            "competency_name": o.competency.name,
            "level": o.level.code,
            "level_name": o.level.name,
        }
        for o in course.outcomes.select_related("competency", "level")
    ]
    achievement = vc.achievement(
        code=course.code,
        title=course.title,
        summary=course.summary,
        threshold=course.completion_threshold,
        trainer=course.is_trainer_track,
        framework=course.framework.title,
        outcomes=outcomes,
    )
    return _json({"@context": vc.CONTEXTS, **achievement})


@cache_control(public=True, max_age=300)
def key_view(request: HttpRequest, kid: str) -> HttpResponse:
    """What a signature's `kid` URL dereferences to: that public key, as a JWK."""
    document = keys.public_key_document(kid)
    if document is None:
        raise Http404
    return _json(document, content_type="application/jwk+json")


@login_required
def backoffice_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Staff: the closed sessions whose attestations they may download; admins: revoke by code."""
    if not (may_use_backoffice(request.user) or request.user.has_perm("credentials.revoke_credential")):
        raise PermissionDenied
    sessions = [
        s
        for s in managed_session_list(user=request.user, status=Session.Status.DONE)[:50]
        if request.user.has_perm("credentials.download_session_attestations", s)
    ]
    form = VerifyCodeForm(request.GET if "code" in request.GET else None)
    if form.is_bound and form.is_valid() and request.user.has_perm("credentials.revoke_credential"):
        credential = credential_by_code(form.cleaned_data["code"])
        if credential is not None:
            return redirect("credentials:revoke", code=credential.code)
        form.add_error("code", _("Aucune attestation ne porte ce code."))
    return render(
        request,
        "credentials/backoffice.html",
        {
            "sessions": sessions,
            "form": form,
            "may_revoke": request.user.has_perm("credentials.revoke_credential"),
            "page_title": _("Attestations"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def revoke_view(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    if not request.user.has_perm("credentials.revoke_credential"):
        raise Http404
    credential = credential_by_code(code)
    if credential is None:
        raise Http404
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            credential_revoke(credential=credential, reason=form.cleaned_data["reason"], acting_user=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("L’attestation %(code)s est révoquée.") % {"code": credential.code})
            return redirect("credentials:verify-code", code=credential.code)
    return render(
        request,
        "credentials/revoke.html",
        {"credential": credential, "form": form, "page_title": _("Révoquer une attestation")},
    )


@login_required
def session_zip_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(Session.objects.select_related("organiser", "course"), pk=pk)
    if not request.user.has_perm("credentials.download_session_attestations", session):
        raise Http404
    content, _count = session_attestations_zip(session=session)
    return _download(content, filename=f"attestations-session-{session.pk}.zip", content_type="application/zip")


@login_required
def learner_record_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    record = learner_record(user=request.user)
    return render(
        request,
        "credentials/record.html",
        {
            "record": record,
            "practice_summary": practice_summary_label(record),
            "page_title": _("Mon parcours"),
        },
    )


@login_required
def learner_record_json_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    body = json.dumps(learner_record(user=request.user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    return _download(body, filename="mon-parcours.json", content_type="application/json")


@login_required
def learner_record_pdf_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    record = learner_record(user=request.user)
    labels = {
        "title": _("Mon parcours"),
        "competencies": _("Compétences et niveau atteint"),
        "completions": _("Formations validées"),
        "practice": _("Pratique"),
        "practice_summary": practice_summary_label(record),
        "credentials": _("Attestations et badges"),
        "none": _("Aucune pour l’instant."),
    }
    return _download(
        learner_record_pdf(record, labels={k: str(v) for k, v in labels.items()}),
        filename="mon-parcours.pdf",
        content_type="application/pdf",
    )
