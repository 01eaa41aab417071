"""Contributors and moderators are told: a submission reaches the moderators; publishing,
asking for changes or refusing reaches the contributor, with the reason."""

from __future__ import annotations

import pytest
from django.urls import reverse

from essaim.library.services import Decision, ResourceData, resource_create, resource_review, resource_update

pytestmark = pytest.mark.django_db


def _data(title="Le forum ouvert en mairie"):
    return ResourceData(title=title, summary="Une journée de forum ouvert avec les habitants.")


def _submit(user, capture):
    with capture(execute=True):
        return resource_create(data=_data(), acting_user=user)


def test_a_submission_reaches_the_moderators_only(
    partner, programme_admin, agent, mailoutbox, django_capture_on_commit_callbacks
):
    _submit(partner, django_capture_on_commit_callbacks)
    (mail,) = mailoutbox
    assert mail.to == [programme_admin.email]
    assert "Ressource à modérer" in mail.subject and "Le forum ouvert en mairie" in mail.body
    assert reverse("library:moderation") in mail.body


def test_a_draft_tells_nobody_until_it_is_submitted(
    partner, programme_admin, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        draft = resource_create(data=_data(), acting_user=partner, submit=False)
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        resource_update(resource=draft, data=_data(), acting_user=partner, submit=True)
    assert [m.to for m in mailoutbox] == [[programme_admin.email]]


@pytest.mark.parametrize(
    ("decision", "reason", "subject", "sentence"),
    [
        (Decision.PUBLISH, "", "Ressource publiée", "est publiée"),
        (Decision.REQUEST_CHANGES, "Ajoutez un déroulé.", "Modifications demandées", "Corrigez-la"),
        (Decision.REJECT, "Hors du champ de la bibliothèque.", "Ressource refusée", "n’est pas publiée"),
    ],
)
def test_the_decision_reaches_the_contributor_with_the_reason(
    partner, programme_admin, mailoutbox, django_capture_on_commit_callbacks, decision, reason, subject, sentence
):
    resource = _submit(partner, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        resource_review(resource=resource, acting_user=programme_admin, decision=decision, reason=reason)
    (mail,) = mailoutbox
    assert mail.to == [partner.email]
    assert mail.subject.startswith(subject) and sentence in mail.body
    if reason:
        assert reason in mail.body


def test_the_reason_arrives_word_for_word_whatever_the_language(
    partner, programme_admin, mailoutbox, django_capture_on_commit_callbacks
):
    partner.preferred_language = "en"
    partner.save()
    resource = _submit(partner, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        resource_review(resource=resource, acting_user=programme_admin, decision=Decision.REJECT, reason="Doublon.")
    assert "Doublon." in mailoutbox[0].body
