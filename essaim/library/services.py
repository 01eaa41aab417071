"""Writes to the resource library. Every write is audited; the search index is updated in
the same transaction (it is part of the data: a rolled-back publication is not findable)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import nh3
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from essaim.accounts import roles
from essaim.accounts.rules import acting_role
from essaim.core.exceptions import ServiceError
from essaim.core.outbox import outbox_enqueue
from essaim.core.services import audit_log
from essaim.library import search
from essaim.library import text as ftext
from essaim.library.models import (
    Collection,
    CollectionItem,
    Resource,
    ResourceFeedback,
    ResourceFile,
    ResourceLink,
    ResourceReport,
    ResourceVersion,
)
from essaim.library.related import related_compute
from essaim.library.uploads import TEXT_KINDS, inspect_upload, normalised_name

logger = logging.getLogger(__name__)

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "h2", "h3", "h4",
    "blockquote", "a", "code", "pre", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
VERSIONED_FIELDS = [
    "title", "summary", "body", "type", "themes", "audience", "language", "licence", "licence_reason",
    "authors", "organisation_id", "visibility", "feedback_enabled",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Upload:
    name: str
    data: bytes


@dataclass
class ResourceData:
    """What a person fills in. Validated by `_clean`, whoever sends it (form, API, import)."""

    title: str
    summary: str
    body: str = ""
    type: str = Resource.Type.METHOD
    themes: list[str] = field(default_factory=list)
    audience: str = Resource.Audience.ALL
    language: str = Resource.Language.FR
    licence: str = Resource.Licence.ETALAB
    licence_reason: str = ""
    authors: str = ""
    organisation: Any = None
    visibility: str = Resource.Visibility.PUBLIC
    feedback_enabled: bool = True
    competencies: Sequence[Any] = ()
    links: Sequence[tuple[str, str]] = ()


def sanitise_body(body: str) -> str:
    return nh3.clean(
        body or "",
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "th": {"scope"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def _choice(value: str, choices: Any, message: str) -> str:
    if value not in choices.values:
        raise ServiceError(message % {"value": value})
    return value


def _check_organisation(organisation: Any, *, acting_user: Any, current: Any = None) -> None:
    """A contribution is filed under the contributor's own organisation (or one above it);
    programme admins and imports may file it anywhere; an edit may keep what was there."""
    if organisation is None or acting_user is None or organisation == current:
        return
    if roles.is_programme_admin(acting_user):
        return
    own = getattr(acting_user, "organisation", None)
    if own is None or not own.is_within(organisation):
        raise ServiceError(
            _("Vous ne pouvez publier qu’au nom de votre organisation (%(org)s).")
            % {"org": own or _("aucune organisation renseignée")},
            code="organisation",
            field="organisation",
        )


def _clean(data: ResourceData, *, errors: list[tuple[str | None, str]] | None = None) -> dict[str, Any]:
    """Every refusal at once (ServiceError.many), each with the field it concerns; `errors`
    may already hold the refusals of the files."""
    errors = list(errors or [])

    def choice(name: str, value: str, choices: Any, message: str) -> str:
        try:
            return _choice(value, choices, message)
        except ServiceError as exc:
            errors.append((name, exc.message))
            return value

    title = (data.title or "").strip()
    summary = (data.summary or "").strip()
    if not title:
        errors.append(("title", _("Le titre est obligatoire.")))
    elif len(title) > 200:
        errors.append(("title", _("Le titre dépasse 200 caractères.")))
    if not summary:
        errors.append(("summary", _("Le résumé est obligatoire.")))
    elif len(summary) > 1000:
        errors.append(("summary", _("Le résumé dépasse 1 000 caractères.")))
    licence = choice("licence", data.licence, Resource.Licence, _("Licence inconnue : « %(value)s »."))
    reason = (data.licence_reason or "").strip()
    if licence == Resource.Licence.RESERVED and not reason:
        errors.append(("licence_reason", _("Une ressource « tous droits réservés » doit en donner la raison.")))
    themes = data.themes
    if isinstance(themes, str):
        themes = themes.split(",")
    if not isinstance(themes, list | tuple) or not all(isinstance(t, str) for t in themes):
        errors.append(("themes", _("Les thèmes doivent être une liste de mots.")))
        themes = []
    kind = choice("type", data.type, Resource.Type, _("Type de ressource inconnu : « %(value)s »."))
    audience = choice("audience", data.audience, Resource.Audience, _("Public inconnu : « %(value)s »."))
    language = choice("language", data.language, Resource.Language, _("Langue inconnue : « %(value)s »."))
    visibility = choice("visibility", data.visibility, Resource.Visibility, _("Visibilité inconnue : « %(value)s »."))
    errors += [("links", message) for message in _invalid_links(data.links)]
    if errors:
        raise ServiceError.many(errors)
    return {
        "title": title,
        "summary": summary,
        "body": sanitise_body(data.body),
        "type": kind,
        "themes": sorted({t.strip()[:60] for t in themes if t.strip()})[:20],
        "audience": audience,
        "language": language,
        "licence": licence,
        "licence_reason": reason[:300] if licence == Resource.Licence.RESERVED else "",
        "authors": (data.authors or "").strip()[:300],
        "organisation": data.organisation,
        "visibility": visibility,
        "feedback_enabled": bool(data.feedback_enabled),
    }


def resource_data_errors(*, data: ResourceData) -> list[tuple[str | None, str]]:
    """What the service would refuse in `data`, for a form to show with its own errors."""
    try:
        _clean(data)
    except ServiceError as exc:
        return exc.errors
    return []


def _unique_slug(title: str) -> str:
    base = slugify(title)[:100] or "ressource"
    slug = base
    while Resource.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


def _snapshot(resource: Resource) -> dict[str, Any]:
    data = {name: getattr(resource, name) for name in VERSIONED_FIELDS}
    data["competencies"] = sorted(resource.competencies.values_list("pk", flat=True))
    data["status"] = resource.status
    return data


def _version(resource: Resource, *, author: Any, note: str) -> ResourceVersion:
    last = resource.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return ResourceVersion.objects.create(
        resource=resource,
        number=last + 1,
        data=_snapshot(resource),
        author=author if getattr(author, "is_authenticated", False) else None,
        note=note[:300],
    )


def index_resources(resources: Iterable[Resource], *, fresh: bool = False) -> None:
    """Findable resources in the index, the others out of it (`fresh`: the index was just
    cleared, nothing to remove first)."""
    backend = search.backend()
    findable, gone = [], []
    for resource in resources:
        if resource.status == Resource.Status.PUBLISHED and resource.visibility != Resource.Visibility.DRAFT:
            files = "\n".join(f.text for f in resource.files.all())
            has_competencies = bool(resource.competencies.all())
            code = search.FacetCode.pack(
                type=resource.type,
                licence=resource.licence,
                audience=resource.audience,
                language=resource.language,
                organisation_id=resource.organisation_id,
                public=resource.visibility == Resource.Visibility.PUBLIC,
                has_competencies=has_competencies,
            )
            findable.append(
                search.IndexDocument(
                    resource.pk,
                    resource.title,
                    resource.summary,
                    ftext.html_to_text(resource.body),
                    files,
                    code,
                    themes=" ".join(str(t) for t in resource.themes or []),
                    prior=search.resource_prior(
                        organisation=resource.organisation_id is not None,
                        themes=bool(resource.themes),
                        competencies=has_competencies,
                    ),
                )
            )
        else:
            gone.append(resource.pk)
    if gone and not fresh:
        backend.remove(gone)
    if findable:
        backend.index(findable, fresh=fresh)
        if not fresh:
            related_compute([d.id for d in findable])


def _inspect_uploads(uploads: Sequence[Upload]) -> tuple[list[tuple[Upload, Any]], list[str]]:
    """Each file inspected once, before anything is written; the refusals of all of them."""
    accepted, refused = [], []
    for upload in uploads:
        try:
            # Checked here; the text for the index is extracted afterwards by a task.
            accepted.append((upload, inspect_upload(upload.name, upload.data, with_text=False)))
        except ServiceError as exc:
            refused.append(exc.message)
    return accepted, refused


def _store_files(resource: Resource, inspected_uploads: Sequence[tuple[Upload, Any]]) -> list[ResourceFile]:
    """Each file saved, and for a document the extraction of its text recorded in the outbox
    (same transaction): the index gets the text moments after the commit, not in the request."""
    from essaim.library.tasks import extract_file_text

    stored = []
    for upload, inspected in inspected_uploads:
        name = normalised_name(upload.name, inspected.extension)
        # A random folder: names never collide and a storage URL cannot be guessed.
        path = default_storage.save(f"library/{resource.pk}/{secrets.token_hex(8)}/{name}", ContentFile(upload.data))
        has_text = inspected.kind in TEXT_KINDS
        stored_file = ResourceFile.objects.create(
            resource=resource,
            file=path,
            name=name,
            kind=inspected.kind,
            content_type=inspected.content_type,
            size=len(upload.data),
            text_status=ResourceFile.TextStatus.PENDING if has_text else ResourceFile.TextStatus.NONE,
        )
        if has_text:
            outbox_enqueue(
                task=extract_file_text, kwargs={"file_id": stored_file.pk}, ref=f"library.resource:{resource.pk}"
            )
        stored.append(stored_file)
    return stored


def resource_file_text_extract(*, file_id: int, again: bool = False) -> ResourceFile | None:
    """The text of an uploaded document, read from the stored file, then the resource
    re-indexed with it (the outbox's task; idempotent: a file already done — or, unless
    `again`, failed — is left alone, a deleted one is skipped). The file is read and parsed
    before any lock is taken: a long PDF never holds up an edit of its resource. A text that
    cannot be read, or a stored file gone, leaves the file downloadable (or listed), marked
    failed, and the resource indexed without it; any other error (storage unreachable) is
    raised for the outbox to retry."""
    wanted: set[str] = {ResourceFile.TextStatus.PENDING, *([ResourceFile.TextStatus.FAILED] if again else [])}
    stored = ResourceFile.objects.filter(pk=file_id).first()
    if stored is None or stored.text_status not in wanted:
        return stored
    try:
        with stored.file.open("rb") as handle:
            data = handle.read()
        text, status = inspect_upload(stored.name, data, with_text=True).text, ResourceFile.TextStatus.DONE
    except FileNotFoundError:
        text, status = "", ResourceFile.TextStatus.FAILED
        logger.warning("library: file %s is missing from the storage", file_id)
    except ServiceError as exc:
        text, status = "", ResourceFile.TextStatus.FAILED
        logger.warning("library: text of file %s not extracted: %s", file_id, exc.message)
    return _file_text_save(file_id=file_id, path=stored.file.name or "", text=text, status=status, wanted=wanted)


def resource_file_text_fail(*, file_id: int) -> ResourceFile | None:
    """The extraction's last delivery failed too: the file is marked failed (not left
    « en cours » for ever), the resource indexed without its text."""
    stored = ResourceFile.objects.filter(pk=file_id).first()
    if stored is None:
        return None
    wanted: set[str] = {ResourceFile.TextStatus.PENDING}
    return _file_text_save(
        file_id=file_id, path=stored.file.name or "", text="", status=ResourceFile.TextStatus.FAILED, wanted=wanted
    )


@transaction.atomic(durable=True)
def _file_text_save(*, file_id: int, path: str, text: str, status: str, wanted: set[str]) -> ResourceFile | None:
    resource_id = ResourceFile.objects.filter(pk=file_id).values_list("resource_id", flat=True).first()
    # The resource first, as its edits do: an edit committed meanwhile is not overwritten in
    # the index by an older read of it.
    if resource_id is None or not Resource.objects.select_for_update().filter(pk=resource_id).exists():
        return None
    stored = ResourceFile.objects.select_for_update().filter(pk=file_id).first()
    if stored is None or stored.text_status not in wanted or stored.file.name != path:
        return stored  # changed while it was read: the newer state stands
    stored.text, stored.text_status = text, status
    stored.save(update_fields=["text", "text_status"])
    resource = Resource.objects.prefetch_related("files", "competencies").get(pk=resource_id)
    index_resources([resource])
    audit_log(
        actor=None,
        role="system",
        action="library.file.text",
        target=resource,
        summary=f"{stored.name}: {stored.get_text_status_display()}",
    )
    return stored


def _invalid_links(links: Sequence[tuple[str, str]]) -> list[str]:
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    validate = URLValidator(schemes=["http", "https"])
    invalid = []
    for url, _label in links:
        try:
            validate(url)
        except ValidationError:
            invalid.append(_("Lien invalide : « %(url)s ».") % {"url": url[:200]})
    return invalid


def _set_links(resource: Resource, links: Sequence[tuple[str, str]]) -> None:
    """The links were checked by _clean, before anything was written."""
    resource.links.all().delete()
    ResourceLink.objects.bulk_create(
        [ResourceLink(resource=resource, url=url, label=(label or url)[:200]) for url, label in links]
    )


def _create(
    *, data: ResourceData, acting_user: Any, status: str, uploads: Sequence[Upload] = (), slug: str = ""
) -> Resource:
    inspected, refused = _inspect_uploads(uploads)
    values = _clean(data, errors=[("documents", message) for message in refused])
    _check_organisation(values["organisation"], acting_user=acting_user)
    if slug and Resource.objects.filter(slug=slug).exists():
        raise ServiceError(_("Une ressource porte déjà l’identifiant « %(slug)s ».") % {"slug": slug})
    resource = Resource.objects.create(
        slug=slug or _unique_slug(values["title"]),
        status=status,
        contributor=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        published_at=timezone.now() if status == Resource.Status.PUBLISHED else None,
        **values,
    )
    resource.competencies.set(data.competencies)
    _set_links(resource, data.links)
    _store_files(resource, inspected)
    _version(resource, author=acting_user, note=_("Création"))
    index_resources([resource])
    return resource


@transaction.atomic(durable=True)
def resource_create(
    *, data: ResourceData, acting_user: Any, uploads: Sequence[Upload] = (), submit: bool = True
) -> Resource:
    """A contribution from an agent or a partner: submitted for moderation (or kept as a draft)."""
    status = Resource.Status.SUBMITTED if submit else Resource.Status.DRAFT
    resource = _create(data=data, acting_user=acting_user, status=status, uploads=uploads)
    if resource.status == Resource.Status.SUBMITTED:
        _notify_submitted(resource)
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, resource),
        action="library.resource.create",
        target=resource,
        summary=_("Ressource proposée : %(title)s") % {"title": resource.title},
        changes={"status": resource.status},
    )
    return resource


@transaction.atomic(durable=True)
def resource_update(
    *,
    resource: Resource,
    data: ResourceData,
    acting_user: Any,
    uploads: Sequence[Upload] = (),
    submit: bool = False,
    note: str = "",
) -> Resource:
    """An edit: always a new version. A contributor's edit after « changes requested » can be
    resubmitted; a moderator may edit a published resource in place."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    before = _snapshot(resource)
    inspected, refused = _inspect_uploads(uploads)
    values = _clean(data, errors=[("documents", message) for message in refused])
    _check_organisation(values["organisation"], acting_user=acting_user, current=resource.organisation)
    for name, value in values.items():
        setattr(resource, name, value)
    if submit and resource.status in {Resource.Status.DRAFT, Resource.Status.CHANGES_REQUESTED}:
        resource.status = Resource.Status.SUBMITTED
        _notify_submitted(resource)
    resource.save()
    resource.competencies.set(data.competencies)
    _set_links(resource, data.links)
    _store_files(resource, inspected)
    version = _version(resource, author=acting_user, note=note or _("Modification"))
    index_resources([resource])
    after = version.data
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, resource),
        action="library.resource.update",
        target=resource,
        summary=_("Ressource modifiée (version %(number)s)") % {"number": version.number},
        changes={k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)},
    )
    return resource


class Decision:
    PUBLISH = "publish"
    REQUEST_CHANGES = "request_changes"
    REJECT = "reject"
    ALL = (PUBLISH, REQUEST_CHANGES, REJECT)


@transaction.atomic(durable=True)
def resource_review(*, resource: Resource, acting_user: Any, decision: str, reason: str = "") -> Resource:
    """A moderator's decision on a submitted resource."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if decision not in Decision.ALL:
        raise ServiceError(_("Décision de modération inconnue."))
    if resource.status != Resource.Status.SUBMITTED:
        raise ServiceError(
            _("Seule une ressource en attente de modération peut être examinée (statut actuel : %(status)s).")
            % {"status": resource.get_status_display()}
        )
    reason = (reason or "").strip()
    if decision != Decision.PUBLISH and not reason:
        raise ServiceError(_("Indiquez la raison : la personne qui a proposé la ressource la lira."))
    before = resource.status
    if decision == Decision.PUBLISH:
        resource.status = Resource.Status.PUBLISHED
        resource.published_at = resource.published_at or timezone.now()
    elif decision == Decision.REQUEST_CHANGES:
        resource.status = Resource.Status.CHANGES_REQUESTED
    else:
        resource.status = Resource.Status.REJECTED
    resource.moderation_reason = reason
    resource.save(update_fields=["status", "published_at", "moderation_reason", "updated_at"])
    _version(resource, author=acting_user, note=resource.get_status_display())
    index_resources([resource])
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, resource),
        action=f"library.resource.{decision}",
        target=resource,
        summary=reason,
        changes={"status": [before, resource.status]},
    )
    from essaim.library.tasks import notify_resource_reviewed

    outbox_enqueue(
        task=notify_resource_reviewed, kwargs={"resource_id": resource.pk}, ref=f"library.resource:{resource.pk}"
    )
    return resource


def _notify_submitted(resource: Resource) -> None:
    """The moderators are told once the submission is committed."""
    from essaim.library.tasks import notify_resource_submitted

    outbox_enqueue(
        task=notify_resource_submitted, kwargs={"resource_id": resource.pk}, ref=f"library.resource:{resource.pk}"
    )


@transaction.atomic(durable=True)
def resource_report(*, resource: Resource, acting_user: Any, reason: str, comment: str = "") -> ResourceReport:
    if reason not in ResourceReport.Reason.values:
        raise ServiceError(_("Motif de signalement inconnu."))
    report = ResourceReport.objects.create(
        resource=resource, user=acting_user, reason=reason, comment=(comment or "").strip()[:2000]
    )
    audit_log(
        actor=acting_user,
        role=acting_role(acting_user, report),
        action="library.resource.report",
        target=resource,
        summary=report.get_reason_display(),
    )
    return report


@transaction.atomic(durable=True)
def resource_feedback_give(*, resource: Resource, acting_user: Any, rating: int, comment: str = "") -> ResourceFeedback:
    if not resource.feedback_enabled:
        raise ServiceError(_("Les avis sont désactivés pour cette ressource."))
    if not 1 <= int(rating) <= 5:
        raise ServiceError(_("La note va de 1 à 5."))
    feedback, _created = ResourceFeedback.objects.update_or_create(
        resource=resource, user=acting_user, defaults={"rating": int(rating), "comment": (comment or "").strip()[:2000]}
    )
    audit_log(
        actor=acting_user,
        role="self",
        action="library.resource.feedback",
        target=resource,
        summary=f"{feedback.rating}/5",
    )
    return feedback


def resource_count(*, resource: Resource, what: str) -> None:
    """View and download counters: one atomic UPDATE, not audited (a reading, not a change)."""
    field_name = "download_count" if what == "download" else "view_count"
    Resource.objects.filter(pk=resource.pk).update(**{field_name: F(field_name) + 1})


@transaction.atomic(durable=True)
def resource_import(*, record: dict[str, Any], acting_user: Any = None) -> Resource:
    """One line of a bulk import (`import_resources`): published at once or kept as a draft."""
    from essaim.organisations.models import Organisation

    required = ("title", "summary", "type", "licence", "language")
    missing = [key for key in required if not str(record.get(key) or "").strip()]
    if missing:
        raise ServiceError(_("champs obligatoires absents : %(fields)s") % {"fields": ", ".join(missing)})
    organisation = None
    if record.get("organisation"):
        name = str(record["organisation"])
        organisation = Organisation.objects.filter(slug=name).first() or Organisation.objects.filter(name=name).first()
        if organisation is None:
            raise ServiceError(_("organisation inconnue : « %(name)s »") % {"name": name[:100]})
    published = record.get("published", False)
    if not isinstance(published, bool):
        raise ServiceError(_("« published » doit valoir true ou false"))
    themes = record.get("themes") or []
    data = ResourceData(
        title=str(record["title"]),
        summary=str(record["summary"]),
        body=str(record.get("body") or ""),
        type=str(record["type"]),
        licence=str(record["licence"]),
        licence_reason=str(record.get("licence_reason") or ""),
        language=str(record["language"]),
        audience=str(record.get("audience") or Resource.Audience.ALL),
        authors=str(record.get("authors") or ""),
        themes=themes if isinstance(themes, list) else [str(themes)],
        organisation=organisation,
        visibility=str(record.get("visibility") or Resource.Visibility.PUBLIC),
    )
    status = Resource.Status.PUBLISHED if published else Resource.Status.DRAFT
    slug = str(record.get("slug") or "")
    resource = _create(data=data, acting_user=acting_user, status=status, slug=slug)
    audit_log(
        actor=acting_user,
        role="system" if acting_user is None else acting_role(acting_user, resource),
        action="library.resource.import",
        target=resource,
        summary=_("Ressource importée : %(title)s") % {"title": resource.title},
    )
    return resource


def library_files_text_extract(*, retry_failed: bool = False) -> int:
    """Extract now the text of every document still waiting (its outbox message lost or
    dead-lettered), and with `retry_failed` of those that failed (after an upgrade of the
    extraction). One file that cannot be read is marked failed and the others go on.
    Returns how many files were read."""
    statuses: list[str] = [ResourceFile.TextStatus.PENDING, *([ResourceFile.TextStatus.FAILED] if retry_failed else [])]
    ids = list(ResourceFile.objects.filter(text_status__in=statuses).order_by("pk").values_list("pk", flat=True))
    for file_id in ids:
        try:
            resource_file_text_extract(file_id=file_id, again=retry_failed)
        except Exception:  # the storage refused this one: say so, mark it, read the others
            logger.exception("library: file %s could not be read", file_id)
            try:
                _file_text_save(
                    file_id=file_id,
                    path=ResourceFile.objects.filter(pk=file_id).values_list("file", flat=True).first() or "",
                    text="",
                    status=ResourceFile.TextStatus.FAILED,
                    wanted=set(statuses),
                )
            except Exception:  # the index or the database itself: left as it was, the next ones tried
                logger.exception("library: file %s could not be marked failed either", file_id)
    return len(ids)


def library_reindex(*, batch_size: int = 500, related: bool = False) -> int:
    """Rebuild the whole index (after a change of text processing). Returns the count.
    With `related`, then recompute every resource's related resources (a second pass)."""
    backend = search.backend()
    with transaction.atomic():
        backend.clear()
        count = 0
        ids = list(Resource.objects.published().order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), batch_size):
            chunk = Resource.objects.filter(pk__in=ids[start : start + batch_size]).prefetch_related(
                "files", "competencies"
            )
            index_resources(chunk, fresh=True)
            count += len(chunk)
        if related:
            related_compute(ids)
    audit_log(actor=None, role="system", action="library.reindex", summary=f"{count}")
    return count


# --- Collections -------------------------------------------------------------------------
@transaction.atomic(durable=True)
def collection_create(
    *,
    owner: Any,
    title: str,
    acting_user: Any,
    description: str = "",
    is_public: bool = False,
    is_curated: bool = False,
) -> Collection:
    """A personal collection, or a curated one (programme admins only), public or private."""
    from essaim.accounts.roles import is_programme_admin

    title = (title or "").strip()
    if not title:
        raise ServiceError(_("Donnez un titre à la collection."))
    if is_curated and not is_programme_admin(acting_user):
        raise ServiceError(_("Seule l’équipe du programme crée des sélections."))
    collection = Collection.objects.create(
        owner=owner,
        title=title[:200],
        description=(description or "").strip()[:2000],
        is_public=is_public,
        is_curated=is_curated,
    )
    audit_log(actor=acting_user, role="self", action="library.collection.create", target=collection)
    return collection


@transaction.atomic(durable=True)
def collection_add(*, collection: Collection, resource: Resource, acting_user: Any) -> CollectionItem:
    """Add a resource at the end of a collection (its owner may see the resource)."""
    if collection.owner_id != getattr(acting_user, "pk", None):
        raise ServiceError(_("Seule la personne qui a créé la collection peut la modifier."))
    if not acting_user.has_perm("library.view_resource", resource):
        raise ServiceError(_("Ressource introuvable."))
    collection = Collection.objects.select_for_update().get(pk=collection.pk)
    item = collection.items.filter(resource=resource).first()
    if item is None:
        last = collection.items.order_by("-position").values_list("position", flat=True).first()
        item = CollectionItem.objects.create(
            collection=collection, resource=resource, position=(last if last is not None else -1) + 1
        )
        audit_log(
            actor=acting_user,
            role="self",
            action="library.collection.add",
            target=collection,
            summary=resource.title,
        )
    return item
