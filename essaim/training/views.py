from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from essaim.training.models import Session
from essaim.training.selectors import session_detail


def session_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        session = session_detail(session_id=pk)
    except Session.DoesNotExist:
        from django.http import Http404

        raise Http404 from None
    return render(request, "training/session_detail.html", {"session": session, "page_title": str(session)})
