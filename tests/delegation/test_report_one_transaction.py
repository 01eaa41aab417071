"""The delegation's report is published and linked in one transaction (issue 13): a
failure at the last step leaves no published report behind and the call as it was."""

from __future__ import annotations

import pytest

from essaim.core.exceptions import ServiceError
from essaim.delegation import services
from essaim.delegation.models import Call
from essaim.delegation.services import (
    ReportData,
    application_decide,
    application_submit,
    call_report_publish,
    call_set_status,
    selection_publish,
)
from essaim.library.models import Resource
from tests.delegation.conftest import MOTIVATION, close_window
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_selection(open_call, make_agent, programme_admin):
    agent = make_agent(OrganisationFactory(name="Ministère du rapport", slug="ministere-rapport"))
    application = application_submit(call=open_call, user=agent, motivation=MOTIVATION)
    close_window(open_call)
    application_decide(application=application, decision="selected", acting_user=programme_admin)
    call_set_status(call=open_call, status=Call.Status.CLOSED, acting_user=programme_admin)
    selection_publish(call=open_call, acting_user=programme_admin)
    return open_call


def test_a_failure_while_linking_the_report_publishes_nothing(published_selection, programme_admin, monkeypatch):
    def audit_fails(**kwargs):
        if kwargs.get("action") == "delegation.call.publish_report":
            raise ServiceError("the last step failed")

    monkeypatch.setattr(services, "audit_log", audit_fails)
    data = ReportData(title="Compte rendu", summary="Ce que nous avons appris.")
    with pytest.raises(ServiceError):
        call_report_publish(call=published_selection, data=data, acting_user=programme_admin)
    published_selection.refresh_from_db()
    assert published_selection.status == Call.Status.SELECTION_PUBLISHED and published_selection.report is None
    assert not Resource.objects.filter(title="Compte rendu").exists()

    monkeypatch.undo()
    call_report_publish(call=published_selection, data=data, acting_user=programme_admin)
    published_selection.refresh_from_db()
    assert published_selection.status == Call.Status.REPORT_PUBLISHED
    assert Resource.objects.filter(title="Compte rendu").count() == 1  # no orphan from the failed try
    assert published_selection.report.status == Resource.Status.PUBLISHED
