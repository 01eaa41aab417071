"""A contact message whose subject holds a line break is refused on the form, with a clear
message, instead of « Message envoyé » and a mail that the task then drops (issue 14, point 5)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from essaim.core.exceptions import ServiceError
from essaim.network.models import ContactMessage
from essaim.network.services import contact_message_send
from tests.network.conftest import member

pytestmark = pytest.mark.django_db

SUBJECTS = [
    "Atelier\r\nBcc: tout-le-monde@exemple.fr",
    "Atelier\nsuite",
    "Atelier\x00",
    "Ate\u2028lier",
    "A\u202eletier",
]


@pytest.mark.parametrize("subject", SUBJECTS)
def test_a_subject_with_control_characters_is_refused_and_nothing_is_sent(
    client, agent, course, places, mailoutbox, django_capture_on_commit_callbacks, subject
):
    person = member(course, email="contact.me@x.gouv.fr", departement=places["paris"])
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("network:person", args=[person.directory_profile.pk]),
            {"subject": subject, "body": "Pourriez-vous animer ?\nMerci."},
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert "ne doit tenir que sur une ligne" in page or "caractère nul" in page
    assert "Message envoyé" not in page
    assert not ContactMessage.objects.exists() and mailoutbox == []


def test_the_service_refuses_it_too(agent, course, places):
    person = member(course, email="contact.me@x.gouv.fr", departement=places["paris"])
    with pytest.raises(ServiceError, match="une ligne"):
        contact_message_send(sender=agent, recipient_profile=person.directory_profile, subject=SUBJECTS[0], body="x")


def test_line_breaks_in_the_message_body_are_fine(
    client, agent, course, places, mailoutbox, django_capture_on_commit_callbacks
):
    person = member(course, email="contact.me@x.gouv.fr", departement=places["paris"])
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("network:person", args=[person.directory_profile.pk]),
            {"subject": "Atelier", "body": "Bonjour,\r\nPourriez-vous animer ?\r\nMerci."},
        )
    assert response.status_code == 302 and len(mailoutbox) == 1
