"""An organiser's message to registrants whose subject holds CR/LF is refused on the form with
a clear message, and nothing is sent (issue 14, point 5)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from essaim.core.exceptions import ServiceError
from essaim.training.models import SessionMessage
from essaim.training.sessions import session_message_send
from tests.training.conftest import make_session

pytestmark = pytest.mark.django_db


def test_a_subject_with_a_line_break_is_refused(
    client, organiser, intro_course, ministry, mailoutbox, django_capture_on_commit_callbacks
):
    session = make_session(intro_course, ministry, capacity=2, days_ahead=20)
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("training_admin:message", args=[session.pk]),
            {
                "message-audience": "booked",
                "message-subject": "Salle changée\r\nBcc: x@exemple.fr",
                "message-body": "Rendez-vous salle 4.",
            },
        )
    assert response.status_code == 400
    assert "ne doit tenir que sur une ligne" in response.content.decode()
    assert not SessionMessage.objects.exists() and mailoutbox == []
    with pytest.raises(ServiceError, match="une ligne"):
        session_message_send(session=session, audience="booked", subject="a\rb", body="x", acting_user=organiser)
