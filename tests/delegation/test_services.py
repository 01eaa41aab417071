"""Applications, the selection under quotas, the reserve list and the notices."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from essaim.core.exceptions import ServiceError
from essaim.core.models import AuditEntry
from essaim.delegation.models import Application, Call
from essaim.delegation.services import (
    application_decide,
    application_submit,
    application_update,
    application_withdraw,
    call_create,
    call_set_status,
    call_update,
    selection_publish,
)
from tests.delegation.conftest import MOTIVATION, call_data, close_window
from tests.factories import OrganisationFactory

S = Application.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def ministries(db):
    return [OrganisationFactory(name=f"Ministère {c}", slug=f"ministere-{c}") for c in "xyz"]


def apply(call, user, motivation=MOTIVATION):
    return application_submit(call=call, user=user, motivation=motivation)


# Applying -----------------------------------------------------------------------------------


def test_only_trained_agents_may_apply(open_call, make_agent, ministries):
    untrained = make_agent(ministries[0], trained=False)
    with pytest.raises(ServiceError) as refused:
        apply(open_call, untrained)
    assert refused.value.code == "not_trained"
    assert not Application.objects.exists()

    trained = make_agent(ministries[0])
    application = apply(open_call, trained)
    assert application.status == S.SUBMITTED
    # The ministry is the top of the tree the person's service sits in, snapshotted with the region.
    assert application.ministry == ministries[0]
    assert application.region_id == "11"
    assert AuditEntry.objects.filter(action="delegation.application.submit", actor=trained).exists()


def test_one_application_per_person_per_call(open_call, make_agent, ministries):
    agent = make_agent(ministries[0])
    apply(open_call, agent)
    with pytest.raises(ServiceError) as refused:
        apply(open_call, agent)
    assert refused.value.code == "duplicate"
    assert Application.objects.filter(user=agent).count() == 1


def test_applications_are_taken_only_while_the_window_is_open(programme_admin, make_agent, ministries):
    agent = make_agent(ministries[0])
    now = timezone.now()
    call = call_create(
        data=call_data(opens_at=now + dt.timedelta(days=1), closes_at=now + dt.timedelta(days=5)),
        acting_user=programme_admin,
    )
    with pytest.raises(ServiceError):  # a draft
        apply(call, agent)
    call = call_set_status(call=call, status=Call.Status.OPEN, acting_user=programme_admin)
    with pytest.raises(ServiceError):  # not yet
        apply(call, agent)
    Call.objects.filter(pk=call.pk).update(opens_at=now - dt.timedelta(days=1))
    application = apply(call, agent)
    close_window(call)
    with pytest.raises(ServiceError) as refused:  # after the deadline, neither new nor edited
        apply(call, make_agent(ministries[1]))
    assert refused.value.code == "closed"
    with pytest.raises(ServiceError):
        application_update(application=application, acting_user=agent, motivation=MOTIVATION + " Encore.")


def test_motivation_is_required_bounded_and_kept_as_plain_text(open_call, make_agent, ministries):
    agent = make_agent(ministries[0])
    with pytest.raises(ServiceError):
        apply(open_call, agent, motivation="   ")
    with pytest.raises(ServiceError) as too_long:
        apply(open_call, agent, motivation="a" * 2001)
    assert too_long.value.code == "too_long"
    application = apply(open_call, agent, motivation=f"<script>alert(1)</script><b>{MOTIVATION}</b>\x07")
    assert application.motivation == f"alert(1){MOTIVATION}"
    updated = application_update(application=application, acting_user=agent, motivation=MOTIVATION + " Merci.")
    assert updated.motivation.endswith("Merci.")


# Selection under quotas ---------------------------------------------------------------------


def test_no_selection_while_applications_are_open(open_call, make_agent, ministries, programme_admin):
    application = apply(open_call, make_agent(ministries[0]))
    with pytest.raises(ServiceError):
        application_decide(application=application, decision=S.SELECTED, acting_user=programme_admin)


def test_the_ministry_quota_and_the_seats_are_enforced(open_call, make_agent, ministries, programme_admin):
    x1, x2, x3 = (apply(open_call, make_agent(ministries[0])) for _ in range(3))
    y1, z1 = apply(open_call, make_agent(ministries[1])), apply(open_call, make_agent(ministries[2]))
    close_window(open_call)

    def decide(application, decision=S.SELECTED):
        return application_decide(application=application, decision=decision, acting_user=programme_admin)

    decide(x1)
    decide(x2)
    with pytest.raises(ServiceError) as quota:  # quota: 2 per ministry
        decide(x3)
    assert quota.value.code == "quota"
    assert "ministère" in quota.value.message
    decide(y1)
    with pytest.raises(ServiceError) as seats:  # 3 seats
        decide(z1)
    assert "places" in seats.value.message
    assert Application.objects.filter(status=S.SELECTED).count() == 3
    # Freeing a seat of ministry X lets the other ministry in.
    decide(x2, S.NOT_SELECTED)
    decide(z1)
    assert set(Application.objects.filter(status=S.SELECTED).values_list("pk", flat=True)) == {x1.pk, y1.pk, z1.pk}


def test_the_optional_region_quota_is_enforced(programme_admin, make_agent, ministries):
    call = call_create(data=call_data(seats=5, region_quota=1), acting_user=programme_admin)
    call = call_set_status(call=call, status=Call.Status.OPEN, acting_user=programme_admin)
    breton = apply(call, make_agent(ministries[0], "53"))
    other_breton = apply(call, make_agent(ministries[1], "53"))
    close_window(call)
    application_decide(application=breton, decision=S.SELECTED, acting_user=programme_admin)
    with pytest.raises(ServiceError) as refused:
        application_decide(application=other_breton, decision=S.SELECTED, acting_user=programme_admin)
    assert "région" in refused.value.message


def test_seats_cannot_be_lowered_below_the_people_already_selected(open_call, make_agent, ministries, programme_admin):
    apps = [apply(open_call, make_agent(m)) for m in ministries]
    close_window(open_call)
    for application in apps[:2]:
        application_decide(application=application, decision=S.SELECTED, acting_user=programme_admin)
    with pytest.raises(ServiceError):
        call_update(call=open_call, data=call_data(seats=1, ministry_quota=1), acting_user=programme_admin)


def test_only_programme_admins_select(open_call, make_agent, ministries, organiser):
    application = apply(open_call, make_agent(ministries[0]))
    close_window(open_call)
    with pytest.raises(ServiceError) as refused:
        application_decide(application=application, decision=S.SELECTED, acting_user=organiser)
    assert refused.value.code == "forbidden"
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


# Reserve list and publication ---------------------------------------------------------------


def test_a_withdrawal_promotes_the_first_reserve_who_fits_the_quota(
    open_call, make_agent, ministries, programme_admin, mailoutbox, django_capture_on_commit_callbacks
):
    x1, x2 = apply(open_call, make_agent(ministries[0])), apply(open_call, make_agent(ministries[0]))
    y1 = apply(open_call, make_agent(ministries[1]))
    x3 = apply(open_call, make_agent(ministries[0]))  # reserve rank 1, same ministry as x1 and x2
    z1 = apply(open_call, make_agent(ministries[2]))  # reserve rank 2
    close_window(open_call)
    for application, decision in [
        (x1, S.SELECTED),
        (x2, S.SELECTED),
        (y1, S.SELECTED),
        (x3, S.RESERVE),
        (z1, S.RESERVE),
    ]:
        application_decide(application=application, decision=decision, acting_user=programme_admin)
    call_set_status(call=open_call, status=Call.Status.CLOSED, acting_user=programme_admin)
    with django_capture_on_commit_callbacks(execute=True):
        selection_publish(call=open_call, acting_user=programme_admin)
    assert len(mailoutbox) == 5
    mailoutbox.clear()

    # Y withdraws: X is at its quota (2), so the first reserve who fits is Z, not X3.
    with django_capture_on_commit_callbacks(execute=True):
        application_withdraw(application=y1, acting_user=y1.user)
    z1.refresh_from_db()
    x3.refresh_from_db()
    assert z1.status == S.SELECTED and z1.reserve_rank is None
    assert x3.status == S.RESERVE
    assert [m.to for m in mailoutbox] == [[z1.user.email]]
    assert "Bonne nouvelle" in mailoutbox[0].body
    assert AuditEntry.objects.filter(action="delegation.application.promote", target_id=str(z1.pk)).exists()

    # X2 withdraws: now X3 fits its ministry's quota again and takes the seat.
    application_withdraw(application=x2, acting_user=x2.user)
    x3.refresh_from_db()
    assert x3.status == S.SELECTED
    assert Application.objects.filter(call=open_call, status=S.SELECTED).count() == 3


def test_only_the_applicant_may_withdraw(open_call, make_agent, ministries):
    application = apply(open_call, make_agent(ministries[0]))
    stranger = make_agent(ministries[1])
    with pytest.raises(ServiceError):
        application_withdraw(application=application, acting_user=stranger)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_publishing_notifies_each_applicant_once_in_their_language(
    open_call, make_agent, ministries, programme_admin, mailoutbox, django_capture_on_commit_callbacks
):
    chosen = apply(open_call, make_agent(ministries[0], language="en"))
    waiting = apply(open_call, make_agent(ministries[1]))
    refused = apply(open_call, make_agent(ministries[2]))
    close_window(open_call)
    with pytest.raises(ServiceError):  # the call must be closed first
        selection_publish(call=open_call, acting_user=programme_admin)
    call_set_status(call=open_call, status=Call.Status.CLOSED, acting_user=programme_admin)
    application_decide(application=chosen, decision=S.SELECTED, acting_user=programme_admin)
    application_decide(application=waiting, decision=S.RESERVE, acting_user=programme_admin)
    with pytest.raises(ServiceError) as pending:  # one is still undecided
        selection_publish(call=open_call, acting_user=programme_admin)
    assert pending.value.code == "pending"
    assert mailoutbox == []
    application_decide(application=refused, decision=S.NOT_SELECTED, acting_user=programme_admin)

    with django_capture_on_commit_callbacks(execute=True):
        assert selection_publish(call=open_call, acting_user=programme_admin) == 3
    by_address = {m.to[0]: m for m in mailoutbox}
    assert set(by_address) == {chosen.user.email, waiting.user.email, refused.user.email}
    assert "Good news" in by_address[chosen.user.email].body
    assert "rang 1" in by_address[waiting.user.email].body
    assert "n’a pas été retenue" in by_address[refused.user.email].body

    # Publishing again sends nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        assert selection_publish(call=open_call, acting_user=programme_admin) == 0
    assert len(mailoutbox) == 3
    open_call.refresh_from_db()
    assert open_call.status == Call.Status.SELECTION_PUBLISHED
