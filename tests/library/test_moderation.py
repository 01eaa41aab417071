"""Contributions and moderation: submitted → published / changes requested / rejected;
every edit makes a version; reports and feedback."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from essaim.core.exceptions import ServiceError
from essaim.core.models import AuditEntry
from essaim.library.models import Resource
from essaim.library.selectors import resource_search
from essaim.library.services import (
    Decision,
    ResourceData,
    resource_create,
    resource_feedback_give,
    resource_report,
    resource_review,
    resource_update,
)

pytestmark = pytest.mark.django_db


def _submit(user, title="Le forum ouvert en mairie", **extra):
    return resource_create(
        data=ResourceData(title=title, summary="Une journée de forum ouvert avec les habitants.", **extra),
        acting_user=user,
    )


def _found(query):
    return [hit.resource.title for hit in resource_search(user=AnonymousUser(), query=query).hits]


def test_a_submission_is_invisible_until_a_moderator_publishes_it(partner, programme_admin):
    resource = _submit(partner)
    assert resource.status == Resource.Status.SUBMITTED
    assert resource.licence == Resource.Licence.ETALAB
    assert _found("forums ouverts") == []

    resource_review(resource=resource, acting_user=programme_admin, decision=Decision.PUBLISH)
    resource.refresh_from_db()
    assert resource.status == Resource.Status.PUBLISHED
    assert resource.published_at is not None
    assert _found("forums ouverts") == ["Le forum ouvert en mairie"]
    assert AuditEntry.objects.filter(action="library.resource.publish", target_id=str(resource.pk)).exists()


def test_changes_requested_then_resubmitted_then_published(partner, programme_admin):
    resource = _submit(partner)
    with pytest.raises(ServiceError, match="Indiquez la raison"):
        resource_review(resource=resource, acting_user=programme_admin, decision=Decision.REQUEST_CHANGES)
    resource_review(
        resource=resource, acting_user=programme_admin, decision=Decision.REQUEST_CHANGES, reason="Ajoutez un déroulé."
    )
    resource.refresh_from_db()
    assert resource.status == Resource.Status.CHANGES_REQUESTED
    assert resource.moderation_reason == "Ajoutez un déroulé."
    with pytest.raises(ServiceError, match="Seule une ressource en attente"):
        resource_review(resource=resource, acting_user=programme_admin, decision=Decision.PUBLISH)

    resource_update(
        resource=resource,
        data=ResourceData(title=resource.title, summary=resource.summary, body="<p>Déroulé : 9 h accueil.</p>"),
        acting_user=partner,
        submit=True,
    )
    resource.refresh_from_db()
    assert resource.status == Resource.Status.SUBMITTED
    resource_review(resource=resource, acting_user=programme_admin, decision=Decision.PUBLISH)
    assert [v.note for v in resource.versions.order_by("number")] == [
        "Création",
        "Modifications demandées",
        "Modification",
        "Publiée",
    ]


def test_a_rejection_needs_a_reason_and_keeps_the_resource_hidden(partner, programme_admin):
    resource = _submit(partner)
    resource_review(resource=resource, acting_user=programme_admin, decision=Decision.REJECT, reason="Hors sujet.")
    resource.refresh_from_db()
    assert resource.status == Resource.Status.REJECTED
    assert _found("forum ouvert") == []


def test_every_edit_makes_a_version_and_the_index_follows(programme_admin, public_resource):
    resource_update(
        resource=public_resource,
        data=ResourceData(title="Le world café revisité", summary="Des conversations en tables tournantes."),
        acting_user=programme_admin,
    )
    assert public_resource.versions.count() == 2
    first = public_resource.versions.get(number=1)
    assert first.data["title"] == "Le world café"
    assert _found("revisité") == ["Le world café revisité"]
    assert _found("petits groupes") == []


def test_body_html_is_sanitised(partner):
    resource = _submit(
        partner,
        body='<p onclick="x()">Texte <script>alert(1)</script><a href="javascript:alert(1)">lien</a></p>',
    )
    assert "script" not in resource.body
    assert "onclick" not in resource.body
    assert "javascript" not in resource.body
    assert "<p>Texte" in resource.body


def test_all_rights_reserved_needs_a_reason(partner):
    with pytest.raises(ServiceError, match="doit en donner la raison"):
        _submit(partner, licence=Resource.Licence.RESERVED)
    resource = _submit(partner, licence=Resource.Licence.RESERVED, licence_reason="Photographies sous droits.")
    assert resource.licence_reason == "Photographies sous droits."


def test_reports_and_feedback(client, agent, programme_admin, public_resource):
    client.force_login(agent)
    response = client.post(
        reverse("library:report", args=[public_resource.pk]), {"reason": "outdated", "comment": "Lien mort"}
    )
    assert response.status_code == 302
    report = public_resource.reports.get()
    assert report.get_reason_display() == "Obsolète"
    client.force_login(programme_admin)
    queue = client.get(reverse("library:moderation")).content.decode()
    assert "Lien mort" in queue
    resource_report(resource=public_resource, acting_user=agent, reason="duplicate")
    resource_feedback_give(resource=public_resource, acting_user=agent, rating=4, comment="Utile")
    resource_feedback_give(resource=public_resource, acting_user=agent, rating=5)
    assert list(public_resource.feedback.values_list("rating", flat=True)) == [5]
    public_resource.feedback_enabled = False
    public_resource.save()
    with pytest.raises(ServiceError, match="désactivés"):
        resource_feedback_give(resource=public_resource, acting_user=agent, rating=3)


def test_a_partner_submits_through_the_page_and_an_admin_publishes(client, partner, programme_admin):
    client.force_login(partner)
    response = client.post(
        reverse("library:submit"),
        {
            "title": "Le photolangage en conseil de quartier",
            "summary": "Des photos pour aider chacun à parler.",
            "type": "case_study",
            "audience": "citizens",
            "language": "fr",
            "licence": "etalab-2.0",
            "visibility": "public",
            "feedback_enabled": "on",
            "links": "https://exemple.org/photolangage",
        },
    )
    resource = Resource.objects.get()
    assert response.status_code == 302
    assert resource.contributor == partner
    assert resource.links.get().url == "https://exemple.org/photolangage"
    assert "Le photolangage en conseil de quartier" in client.get(reverse("library:mine")).content.decode()

    client.force_login(programme_admin)
    response = client.post(reverse("library:review", args=[resource.pk]), {"decision": "reject", "reason": ""})
    assert response.status_code == 400
    assert "Indiquez la raison" in response.content.decode()
    response = client.post(reverse("library:review", args=[resource.pk]), {"decision": "publish"})
    assert response.status_code == 302
    client.logout()
    listing = client.get(reverse("library:list"), {"q": "photolangages"}).content.decode()
    assert "Le photolangage en conseil de quartier" in listing
    assert client.get(reverse("library:detail", args=[resource.pk])).status_code == 200


def test_a_contribution_is_filed_under_ones_own_organisation_only(agent, ministry, other_ministry, programme_admin):
    # The agent works in a directorate of `ministry`: their service or the ministry above it, fine.
    assert _submit(agent, organisation=ministry).organisation == ministry
    with pytest.raises(ServiceError, match="au nom de votre organisation"):
        _submit(agent, title="Au nom d’un autre", organisation=other_ministry)
    assert not Resource.objects.filter(title="Au nom d’un autre").exists()
    # Programme admins file what they publish for others.
    assert (
        _submit(programme_admin, title="Pour un ministère", organisation=other_ministry).organisation == other_ministry
    )
