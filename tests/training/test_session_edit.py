"""The session's life in the back office without the admin: publish and take back, edit the
details, the timetable (non-consecutive half-days, other hours) and the trainers. Agents
holding a seat get the updated invitation; a removed half-day is cancelled in their calendar."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from essaim.accounts.models import Role
from essaim.core.models import AuditEntry
from essaim.training.models import Session
from essaim.training.services import registration_create
from tests.factories import OrganisationFactory, UserFactory, grant
from tests.training.conftest import make_session

pytestmark = pytest.mark.django_db


def _local(days: int, hour: int, minute: int = 0) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), timezone.get_current_timezone())


def _timetable_post(rows: list[tuple[dt.datetime, dt.datetime] | None], *, removed: tuple[int, ...] = ()) -> dict:
    data = {
        "slots-TOTAL_FORMS": str(len(rows)),
        "slots-INITIAL_FORMS": "0",
        "slots-MIN_NUM_FORMS": "0",
        "slots-MAX_NUM_FORMS": "40",
    }
    for index, row in enumerate(rows):
        if row is None:
            continue
        start, end = (timezone.localtime(value) for value in row)
        data[f"slots-{index}-day"] = start.date().isoformat()
        data[f"slots-{index}-start"] = start.strftime("%H:%M")
        data[f"slots-{index}-end"] = end.strftime("%H:%M")
        if index in removed:
            data[f"slots-{index}-remove"] = "on"
    return data


def _uids(ics: str) -> list[str]:
    return re.findall(r"UID:(.+)\r\n", ics)


def _ics(message) -> str:
    content = next(content for name, content, _mime in message.attachments if name.endswith(".ics"))
    return content.decode() if isinstance(content, bytes) else content


def _sequence(ics: str) -> int:
    return int(re.search(r"SEQUENCE:(\d+)\r\n", ics).group(1))


def _calendar_uids(messages) -> list[str]:
    """One iTIP message per half-day (ADR 0055): the UIDs of a notice, in half-day order."""
    return [uid for message in messages for uid in _uids(_ics(message))]


def test_a_draft_is_published_from_the_back_office_then_taken_back(client, organiser, intro_course, ministry):
    draft = make_session(intro_course, ministry, publish=False)
    client.force_login(organiser)
    page = client.get(reverse("training_admin:detail", args=[draft.pk])).content.decode()
    assert "Publier la session" in page
    response = client.post(reverse("training_admin:publish", args=[draft.pk]), follow=True)
    assert "La session est publiée" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Session.Status.PUBLISHED
    assert client.get(reverse("training:detail", args=[draft.pk])).status_code == 200
    client.post(reverse("training_admin:unpublish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == Session.Status.DRAFT
    actions = list(AuditEntry.objects.filter(target_id=str(draft.pk)).values_list("action", flat=True))
    assert "training.session.publish" in actions and "training.session.unpublish" in actions


def test_a_session_with_registrants_cannot_go_back_to_draft(client, organiser, session, agent):
    registration_create(session=session, agent=agent, acting_user=agent)
    client.force_login(organiser)
    response = client.post(reverse("training_admin:unpublish", args=[session.pk]), follow=True)
    assert "Annulez-la en indiquant la raison" in response.content.decode()
    session.refresh_from_db()
    assert session.status == Session.Status.PUBLISHED


def test_a_draft_in_the_past_is_not_published(client, organiser, intro_course, ministry):
    draft = make_session(intro_course, ministry, publish=False)
    Session.objects.filter(pk=draft.pk).update(starts_at=timezone.now() - dt.timedelta(days=1))
    client.force_login(organiser)
    response = client.post(reverse("training_admin:publish", args=[draft.pk]), follow=True)
    assert "changez les dates avant de publier" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Session.Status.DRAFT


def test_someone_else_gets_the_same_404_as_for_a_missing_session(client, agent, trainer, session):
    for person in (agent, trainer):
        client.force_login(person)
        for name in ("edit", "timetable", "trainers"):
            assert client.get(reverse(f"training_admin:{name}", args=[session.pk])).status_code == 404
        for name in ("publish", "unpublish"):
            assert client.post(reverse(f"training_admin:{name}", args=[session.pk])).status_code == 404
        assert client.get(reverse("training_admin:edit", args=[999_999])).status_code == 404
    session.refresh_from_db()
    assert session.status == Session.Status.PUBLISHED


def test_timetable_becomes_two_half_days_a_week_apart_and_agents_calendars_follow(
    client, organiser, intro_course, ministry, agent, mailoutbox, django_capture_on_commit_callbacks
):
    session = make_session(intro_course, ministry, capacity=3)
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(session=session, agent=agent, acting_user=agent)
    first_uid = _calendar_uids(mailoutbox)[0]
    booked_sequence = _sequence(_ics(mailoutbox[0]))
    mailoutbox.clear()
    monday_morning = (_local(40, 8, 30), _local(40, 11, 45))
    week_later = (_local(47, 14, 0), _local(47, 17, 0))
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("training_admin:timetable", args=[session.pk]), _timetable_post([monday_morning, week_later])
        )
    assert response.status_code == 302
    slots = list(session.slots.order_by("starts_at").values_list("starts_at", "ends_at"))
    assert slots == [monday_morning, week_later]
    mails = [m for m in mailoutbox if m.to == [agent.email]]
    assert len(mails) == 2  # one invitation per half-day
    for mail in mails:
        ics = _ics(mail)
        assert _sequence(ics) > booked_sequence and "METHOD:REQUEST" in ics
    assert first_uid in _calendar_uids(mails)  # a moved half-day is the same event for the calendar
    page = client.get(reverse("training_admin:detail", args=[session.pk])).content.decode()
    slots_list = page.split('id="session-slots"')[1].split("</ul>")[0]
    slots_text = " ".join(slots_list.replace("\xa0", " ").split())
    assert "8 h 30 – 11 h 45" in slots_text and "14 h – 17 h" in slots_text


def test_adding_then_removing_half_days_keeps_agents_calendars_right(
    client, organiser, intro_course, ministry, agent, mailoutbox, django_capture_on_commit_callbacks
):
    session = make_session(intro_course, ministry, capacity=3)
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(session=session, agent=agent, acting_user=agent)
    uids = _calendar_uids(mailoutbox)
    booked_sequence = _sequence(_ics(mailoutbox[0]))
    mailoutbox.clear()
    kept = [(slot.starts_at, slot.ends_at) for slot in session.slots.order_by("starts_at")]
    new = (_local(60, 9), _local(60, 12, 30))
    client.force_login(organiser)
    url = reverse("training_admin:timetable", args=[session.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, _timetable_post([kept[0], kept[1], new, None]))
    added_uids = _calendar_uids(mailoutbox)
    assert len(added_uids) == 3 and set(uids) < set(added_uids)
    assert not any("supprimée" in m.subject for m in mailoutbox)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, _timetable_post([kept[0], kept[1], new], removed=(1,)))
    assert list(session.slots.order_by("starts_at").values_list("starts_at", "ends_at")) == [kept[0], new]
    (cancel,) = [m for m in mailoutbox if "supprimée" in m.subject]
    cancel_ics = _ics(cancel)
    assert "METHOD:CANCEL" in cancel_ics and _uids(cancel_ics) == [uids[1]]
    assert _sequence(cancel_ics) == booked_sequence + 2  # two changes of the timetable since booking
    updates = [m for m in mailoutbox if "modifiée" in m.subject]
    assert _calendar_uids(updates) == [uids[0], added_uids[2]]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([(_local(-2, 9), _local(-2, 12))], "dans le futur"),
        ([(_local(30, 9), _local(30, 12)), (_local(30, 11), _local(30, 13))], "chevauchent"),
        ([], "au moins une demi-journée"),
    ],
)
def test_bad_timetables_are_refused_with_a_reason(client, organiser, session, rows, message):
    before = list(session.slots.values_list("starts_at", flat=True))
    client.force_login(organiser)
    response = client.post(reverse("training_admin:timetable", args=[session.pk]), _timetable_post(rows))
    assert response.status_code in (400, 409)
    assert message in response.content.decode()
    assert list(session.slots.values_list("starts_at", flat=True)) == before


def test_end_before_start_and_incomplete_rows_are_explained(client, organiser, session):
    client.force_login(organiser)
    data = _timetable_post([(_local(30, 14), _local(30, 12))])
    response = client.post(reverse("training_admin:timetable", args=[session.pk]), data)
    assert response.status_code == 400 and "La fin doit suivre le début" in response.content.decode()
    data = _timetable_post([(_local(30, 9), _local(30, 12))])
    del data["slots-0-end"]
    response = client.post(reverse("training_admin:timetable", args=[session.pk]), data)
    assert response.status_code == 400 and "heure de fin" in response.content.decode()
    data["slots-0-day"] = "pas une date"
    assert client.post(reverse("training_admin:timetable", args=[session.pk]), data).status_code == 400


def test_details_edit_and_sign_up_window_checks(client, organiser, session):
    client.force_login(organiser)
    url = reverse("training_admin:edit", args=[session.pk])
    start = timezone.localtime(session.starts_at)
    base = {
        "details-description": "Salle 204, badge à l’accueil.",
        "details-audience": "everyone",
        "details-approval_mode": "organiser",
        "details-min_seats": "0",
        "details-cancellation_cutoff_hours": "24",
    }
    late = (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, base | {"details-signup_closes_at": late})
    assert response.status_code == 400 and "closes avant le début de la session" in response.content.decode()
    response = client.post(
        url,
        base
        | {
            "details-signup_opens_at": (start - dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "details-signup_closes_at": (start - dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 400 and "ouvrir avant leur clôture" in response.content.decode()
    assert client.post(url, base).status_code == 302
    session.refresh_from_db()
    assert session.approval_mode == "organiser" and session.description.startswith("Salle 204")
    assert session.cancellation_cutoff_hours == 24


def test_trainers_are_assigned_and_changed_among_people_with_the_role(client, organiser, session, agent, trainer):
    client.force_login(organiser)
    url = reverse("training_admin:trainers", args=[session.pk])
    assert client.post(url, {"trainers-trainers": [trainer.pk]}).status_code == 302
    assert list(session.trainers.all()) == [trainer]
    response = client.post(url, {"trainers-trainers": [agent.pk]})
    assert response.status_code == 400  # an agent without the role is not offered
    other = UserFactory(email="autre.formatrice@exemple.gouv.fr")
    from essaim.accounts.models import Role
    from tests.factories import grant

    grant(other, Role.TRAINER)
    assert client.post(url, {"trainers-trainers": [other.pk]}).status_code == 302
    assert list(session.trainers.all()) == [other]
    assert AuditEntry.objects.filter(action="training.session.trainers").count() == 2


def test_format_follows_the_venue(intro_course, ministry, organiser):
    from essaim.training.sessions import session_change_venue

    intro_course.format = "remote"
    intro_course.save()
    at_address = make_session(intro_course, ministry, venue="place", address="Place Beauvau, 75008 Paris")
    assert at_address.format == "in_person"
    session_change_venue(
        session=at_address, acting_user=organiser, venue="remote", remote_url="https://visio.gouv.fr/x"
    )
    at_address.refresh_from_db()
    assert at_address.format == "remote"


def test_attendance_messages_and_the_audit_log_read_local_time(client, trainer, intro_course, ministry, agent):
    """A 09:00–12:30 half-day in Paris reads 09:00–12:30, never the UTC 08:00–11:30."""
    from essaim.training.attendance import attendance_record

    session = make_session(intro_course, ministry, capacity=3)
    registration = registration_create(session=session, agent=agent, acting_user=agent)
    session.trainers.add(trainer)
    winter_morning = (_local(-1, 9), _local(-1, 12, 30))
    slot = session.slots.first()
    type(slot).objects.filter(pk=slot.pk).update(starts_at=winter_morning[0], ends_at=winter_morning[1])
    slot.refresh_from_db()
    day = timezone.localtime(winter_morning[0]).strftime("%d/%m/%Y")
    assert str(slot) == f"{day} 09:00–12:30"
    client.force_login(trainer)
    url = reverse("training_admin:attendance", args=[session.pk])
    response = client.post(url, {"slot": slot.pk, f"mark-{registration.pk}": "present"}, follow=True)
    assert f"({day} 09:00–12:30)" in response.content.decode()
    attendance_record(session=session, slot=slot, marks={registration.pk: "late"}, acting_user=trainer)
    labels = " ".join(AuditEntry.objects.values_list("target_label", flat=True)) + " ".join(
        AuditEntry.objects.values_list("summary", flat=True)
    )
    assert "08:00" not in labels and "11:30" not in labels


def _details(**fields: str) -> dict[str, str]:
    base = {
        "details-audience": "everyone",
        "details-approval_mode": "none",
        "details-min_seats": "0",
        "details-cancellation_cutoff_hours": "48",
    }
    return base | {f"details-{name}": value for name, value in fields.items()}


def test_the_organiser_renames_a_session_and_an_empty_title_falls_back_to_the_course(
    client, organiser, session, agent, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(session=session, agent=agent, acting_user=agent)
    booked_sequence = _sequence(_ics(mailoutbox[0]))
    mailoutbox.clear()
    course_title = session.course.title
    client.force_login(organiser)
    url = reverse("training_admin:edit", args=[session.pk])
    assert "Laissez vide pour reprendre l’intitulé de la formation." in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _details(custom_title="  Atelier IA — Rennes  "))
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.custom_title == "Atelier IA — Rennes" and session.title == "Atelier IA — Rennes"
    assert "Atelier IA — Rennes" in client.get(reverse("training:detail", args=[session.pk])).content.decode()
    assert "Atelier IA — Rennes" in client.get(reverse("training_admin:detail", args=[session.pk])).content.decode()
    assert "Atelier IA — Rennes" in client.get(reverse("training_admin:list")).content.decode()
    assert "Atelier IA — Rennes" in client.get(reverse("training:list")).content.decode()
    entry = AuditEntry.objects.filter(action="training.session.update", target_id=str(session.pk)).get()
    assert entry.changes["custom_title"] == ["", "Atelier IA — Rennes"]
    mails = [m for m in mailoutbox if m.to == [agent.email]]
    assert mails and all("Atelier IA — Rennes" in m.subject for m in mails)
    ics = _ics(mails[0])
    assert "SUMMARY:Atelier IA — Rennes" in ics and _sequence(ics) > booked_sequence

    assert client.post(url, _details(custom_title="")).status_code == 302
    session.refresh_from_db()
    assert session.custom_title == "" and session.title == course_title
    page = client.get(reverse("training:detail", args=[session.pk])).content.decode()
    assert course_title in page and "Atelier IA — Rennes" not in page


def test_another_organisers_session_stays_a_404(client, session):
    other_ministry = OrganisationFactory(name="Ministère de test B", slug="ministere-b")
    outsider = UserFactory(email="organisateur.b@exemple.gouv.fr", organisation=other_ministry)
    grant(outsider, Role.ORGANISER, other_ministry)
    client.force_login(outsider)
    url = reverse("training_admin:edit", args=[session.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _details(custom_title="Détournée")).status_code == 404
    session.refresh_from_db()
    assert session.custom_title == "" and session.title == session.course.title
