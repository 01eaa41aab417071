"""The text of an uploaded document reaches the search index through the outbox, after the
upload's commit: the request only checks the file (issue 19)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.contrib.auth.models import AnonymousUser

from essaim.core.models import AuditEntry, OutboxMessage
from essaim.library.models import Resource, ResourceFile
from essaim.library.selectors import resource_search
from essaim.library.services import ResourceData, Upload, resource_file_text_extract, resource_update
from tests.library.conftest import make_resource
from tests.library.test_uploads import PNG, docx, minimal_pdf

pytestmark = pytest.mark.django_db


def _attach(resource: Resource, *uploads: Upload) -> Resource:
    """A moderator adds files to a published resource (the index is updated in place)."""
    return resource_update(
        resource=resource,
        data=ResourceData(title=resource.title, summary=resource.summary, type=resource.type),
        uploads=list(uploads),
        acting_user=None,
    )


@contextmanager
def _delivering(message: OutboxMessage):
    """Run the code inside as the outbox's delivery of `message` (what `outbox_deliver` sets)."""
    from essaim.core.outbox import current_delivery

    token = current_delivery.set({"id": message.pk, "sent": 0})
    try:
        yield
    finally:
        current_delivery.reset(token)


def _unreachable(**_kwargs):
    raise OSError("storage unreachable")


def _found(word: str) -> list[int]:
    return [hit.resource.pk for hit in resource_search(user=AnonymousUser(), query=word).hits]


def test_the_text_of_a_pdf_is_findable_once_the_upload_has_committed(django_capture_on_commit_callbacks):
    resource = make_resource("Fiche d’animation", "Une méthode pour les réunions.")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _attach(resource, Upload("fiche.pdf", minimal_pdf("sociocratie holacratie")))
        stored = resource.files.get()
        # Before the commit: the file is kept and its extraction is waiting in the outbox.
        assert stored.text_status == ResourceFile.TextStatus.PENDING
        assert stored.text == ""
        message = OutboxMessage.objects.get(task="essaim.library.tasks.extract_file_text")
        assert message.kwargs == {"file_id": stored.pk}
        assert message.queue == "reports"
        assert _found("holacratie") == []
    for callback in callbacks:  # the commit: the outbox hands the message to its queue
        callback()
    stored.refresh_from_db()
    assert stored.text_status == ResourceFile.TextStatus.DONE
    assert "holacratie" in stored.text
    assert _found("holacratie") == [resource.pk]
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT


def test_the_upload_request_does_not_read_the_pdf_pages(monkeypatch):
    import pypdf

    def forbidden(*_args, **_kwargs):
        raise AssertionError("text extracted in the request")

    monkeypatch.setattr(pypdf.PageObject, "extract_text", forbidden)
    resource = make_resource("Fiche", "Un résumé.")
    _attach(resource, Upload("fiche.pdf", minimal_pdf("codeveloppement")))
    assert resource.files.get().text_status == ResourceFile.TextStatus.PENDING


def test_an_extraction_delivered_twice_changes_nothing_the_second_time():
    resource = make_resource("Fiche", "Un résumé.")
    _attach(resource, Upload("jury.docx", docx("Le jury citoyen tiré au sort")))
    stored = resource.files.get()
    resource_file_text_extract(file_id=stored.pk)
    resource_file_text_extract(file_id=stored.pk)  # at least once: a redelivery
    stored.refresh_from_db()
    assert stored.text_status == ResourceFile.TextStatus.DONE
    assert "tiré au sort" in stored.text
    assert AuditEntry.objects.filter(action="library.file.text").count() == 1
    assert _found("tiré") == [resource.pk]


def test_a_file_whose_text_cannot_be_read_stays_and_the_resource_stays_findable():
    resource = make_resource("Fiche de débat mouvant", "Un résumé.")
    _attach(resource, Upload("fiche.pdf", minimal_pdf("bonjour")))
    stored = resource.files.get()
    with stored.file.open("wb") as handle:  # the stored bytes damaged after the check
        handle.write(b"%PDF-1.4 damaged")
    resource_file_text_extract(file_id=stored.pk)
    stored.refresh_from_db()
    assert stored.text_status == ResourceFile.TextStatus.FAILED
    assert stored.text == ""
    assert _found("mouvant") == [resource.pk]


def test_images_have_no_extraction_to_wait_for():
    resource = make_resource("Affiche", "Un résumé.")
    _attach(resource, Upload("affiche.png", PNG))
    assert resource.files.get().text_status == ResourceFile.TextStatus.NONE
    assert not OutboxMessage.objects.filter(task="essaim.library.tasks.extract_file_text").exists()


def test_a_deleted_file_is_skipped():
    resource = make_resource("Fiche", "Un résumé.")
    _attach(resource, Upload("fiche.pdf", minimal_pdf("bonjour")))
    stored = resource.files.get()
    stored.delete()
    assert resource_file_text_extract(file_id=stored.pk) is None


def test_library_reindex_reads_the_documents_still_waiting_and_on_request_those_that_failed():
    from io import StringIO

    from django.core.management import call_command

    resource = make_resource("Fiche", "Un résumé.")
    _attach(resource, Upload("a.pdf", minimal_pdf("intelligence collective")))
    waiting = resource.files.get()  # its outbox message never delivered (not committed here)
    out = StringIO()
    call_command("library_reindex", "--no-related", stdout=out)
    waiting.refresh_from_db()
    assert waiting.text_status == ResourceFile.TextStatus.DONE
    assert "Texte extrait de 1 document en attente." in out.getvalue()
    assert _found("collective") == [resource.pk]

    ResourceFile.objects.filter(pk=waiting.pk).update(text_status=ResourceFile.TextStatus.FAILED, text="")
    call_command("library_reindex", "--no-related", stdout=StringIO())
    assert ResourceFile.objects.get(pk=waiting.pk).text_status == ResourceFile.TextStatus.FAILED
    call_command("library_reindex", "--no-related", "--retry-failed-text", stdout=StringIO())
    assert ResourceFile.objects.get(pk=waiting.pk).text_status == ResourceFile.TextStatus.DONE


def test_the_contributor_sees_that_the_text_is_being_read_then_that_it_could_not_be(client, partner):
    from django.urls import reverse

    from essaim.library.services import resource_create

    resource = resource_create(
        data=ResourceData(title="Fiche du partenaire", summary="Un résumé."),
        uploads=[Upload("fiche.pdf", minimal_pdf("bonjour"))],
        acting_user=partner,
    )
    client.force_login(partner)
    page = client.get(reverse("library:detail", args=[resource.pk])).content.decode()
    assert "Texte en cours de lecture pour la recherche" in page
    ResourceFile.objects.filter(resource=resource).update(text_status=ResourceFile.TextStatus.FAILED)
    page = client.get(reverse("library:detail", args=[resource.pk])).content.decode()
    assert "Le texte de ce document n’a pas pu être lu" in page
    ResourceFile.objects.filter(resource=resource).update(text_status=ResourceFile.TextStatus.DONE)
    page = client.get(reverse("library:detail", args=[resource.pk])).content.decode()
    assert "Texte en cours de lecture" not in page and "n’a pas pu être lu" not in page


def test_a_stored_file_gone_is_marked_failed_and_library_reindex_reads_the_others():
    from io import StringIO

    from django.core.files.storage import default_storage
    from django.core.management import call_command

    gone = make_resource("Fiche perdue", "Un résumé.")
    _attach(gone, Upload("perdue.pdf", minimal_pdf("perdue")))
    kept = make_resource("Fiche gardée", "Un résumé.")
    _attach(kept, Upload("gardee.pdf", minimal_pdf("sociocratie")))
    default_storage.delete(gone.files.get().file.name)
    call_command("library_reindex", "--no-related", stdout=StringIO())
    assert gone.files.get().text_status == ResourceFile.TextStatus.FAILED
    assert kept.files.get().text_status == ResourceFile.TextStatus.DONE
    assert _found("sociocratie") == [kept.pk]


def test_when_the_last_delivery_fails_the_file_is_not_left_pending_for_ever(monkeypatch, settings):
    from essaim.library import services, tasks

    resource = make_resource("Fiche", "Un résumé.")
    _attach(resource, Upload("fiche.pdf", minimal_pdf("bonjour")))
    stored = resource.files.get()
    message = OutboxMessage.objects.get(task="essaim.library.tasks.extract_file_text")

    monkeypatch.setattr(services, "resource_file_text_extract", _unreachable)
    with _delivering(message):
        OutboxMessage.objects.filter(pk=message.pk).update(attempts=1)
        with pytest.raises(OSError):
            tasks.extract_file_text.call_local(file_id=stored.pk)
        stored.refresh_from_db()
        assert stored.text_status == ResourceFile.TextStatus.PENDING  # retried later
        OutboxMessage.objects.filter(pk=message.pk).update(attempts=settings.OUTBOX_MAX_ATTEMPTS)
        with pytest.raises(OSError):
            tasks.extract_file_text.call_local(file_id=stored.pk)
        stored.refresh_from_db()
        assert stored.text_status == ResourceFile.TextStatus.FAILED  # the dead letter


def test_the_file_is_read_before_any_lock_is_taken(monkeypatch):
    """A long PDF is parsed outside the transaction that locks its resource."""
    from django.db import connection

    from essaim.library import services

    resource = make_resource("Fiche", "Un résumé.")
    _attach(resource, Upload("fiche.pdf", minimal_pdf("bonjour")))
    depth_while_reading = []
    real = services.inspect_upload

    def spy(*args, **kwargs):
        depth_while_reading.append(len(connection.savepoint_ids))
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "inspect_upload", spy)
    before = len(connection.savepoint_ids)  # the test's own transaction
    resource_file_text_extract(file_id=resource.files.get().pk)
    assert depth_while_reading == [before]  # inside _file_text_save's atomic it would be one more
    assert resource.files.get().text_status == ResourceFile.TextStatus.DONE


def test_a_dead_lettered_extraction_retried_later_reads_the_file(monkeypatch, settings):
    """The last delivery failed (storage down): the file is marked failed; a programme
    admin's retry of the message, once the storage is back, reads it."""
    from essaim.library import services, tasks

    resource = make_resource("Fiche", "Un résumé.")
    _attach(resource, Upload("fiche.pdf", minimal_pdf("holacratie")))
    stored = resource.files.get()
    message = OutboxMessage.objects.get(task="essaim.library.tasks.extract_file_text")
    real = services.resource_file_text_extract

    with _delivering(message):
        OutboxMessage.objects.filter(pk=message.pk).update(attempts=settings.OUTBOX_MAX_ATTEMPTS)
        monkeypatch.setattr(services, "resource_file_text_extract", _unreachable)
        with pytest.raises(OSError):
            tasks.extract_file_text.call_local(file_id=stored.pk)
        assert ResourceFile.objects.get(pk=stored.pk).text_status == ResourceFile.TextStatus.FAILED
        monkeypatch.setattr(services, "resource_file_text_extract", real)  # the storage is back
        tasks.extract_file_text.call_local(file_id=stored.pk)
    assert ResourceFile.objects.get(pk=stored.pk).text_status == ResourceFile.TextStatus.DONE
    assert _found("holacratie") == [resource.pk]
