from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from essaim.accounts import roles
from essaim.core.exceptions import ServiceError
from essaim.reporting.selectors import scope_for
from essaim.surveys.forms import AnswerForm
from essaim.surveys.models import Survey
from essaim.surveys.selectors import invitation_by_token, survey_results, surveys_list
from essaim.surveys.services import response_submit


@login_required
def answer(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_by_token(token)
    if invitation is None:
        raise Http404(_("Ce lien d’enquête n’existe pas."))
    if invitation.user_id != request.user.pk:
        message = _("Ce lien d’enquête ne vous est pas destiné : connectez-vous avec le compte qui l’a reçu.")
        return render(request, "surveys/refused.html", {"message": message}, status=403)
    if invitation.answered_at:
        return render(request, "surveys/thanks.html", {"invitation": invitation, "already": True})
    form = AnswerForm(request.POST or None, survey=invitation.survey)
    if request.method == "POST" and form.is_valid():
        try:
            response_submit(invitation=invitation, answers=form.answers(), acting_user=request.user)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            return redirect("surveys:answer", token=token)
    status = 400 if request.method == "POST" else 200
    return render(request, "surveys/answer.html", {"invitation": invitation, "form": form}, status=status)


@login_required
def results(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    scope = scope_for(request.user)
    if scope.is_empty:
        raise PermissionDenied(_("Les résultats des enquêtes sont réservés aux équipes du programme."))
    surveys = surveys_list()
    survey = get_object_or_404(Survey, pk=pk) if pk else None
    outcome = survey_results(survey=survey, scope=scope) if survey else None
    return render(
        request,
        "surveys/results.html",
        {"surveys": surveys, "survey": survey, "results": outcome, "is_admin": roles.is_programme_admin(request.user)},
    )
