"""Every key page of every capability, for the role that uses it, through axe-core (WCAG 2.1
A and AA rules) in Chromium: no serious or critical violation, no CSP violation, no console
error; the public and agent pages again at 375 px wide, where nothing may scroll sideways.

The table of pages is essaim/core/accessibility.py's KEY_PAGES (the declaration page lists
the same); the demo data (seed_demo) supplies one of everything. One browser context per
role and viewport, the database built once: the sweep prints a summary table.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from essaim.core.accessibility import (
    ADMIN,
    AGENT,
    ANONYMOUS,
    AXE_CORE_VERSION,
    AXE_TAGS,
    KEY_PAGES,
    MOBILE_WIDTH,
    ORGANISER,
    TRAINER,
    KeyPage,
)
from tests.browser.conftest import CSP_MARKERS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING_IMPACTS = ("critical", "serious")
IMPACTS = ("critical", "serious", "moderate", "minor")
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": list(AXE_TAGS)}, "resultTypes": ["violations"]}

# The demo account that plays each role (core/management/commands/seed_demo.py).
ACCOUNTS = {
    AGENT: "agent@essaim.localhost",
    TRAINER: "formatrice@essaim.localhost",
    ORGANISER: "organisateur.interieur@essaim.localhost",
    ADMIN: "admin@essaim.localhost",
}


def _samples() -> dict[str, str]:
    """One object of each kind from the demo data, by the names KEY_PAGES' arguments use."""
    from essaim.accounts.models import User
    from essaim.catalogue.models import Course
    from essaim.credentials.models import Credential
    from essaim.framework.models import FrameworkVersion
    from essaim.library.models import Resource
    from essaim.library.services import collection_add, collection_create
    from essaim.network.models import DirectoryProfile, FacilitationRequest
    from essaim.surveys.models import Invitation as SurveyInvitation
    from essaim.training.checkin import checkin_token
    from essaim.training.models import Registration, Session, SessionSlot

    users = {role: User.objects.get(email=email) for role, email in ACCOUNTS.items()}
    agent, organiser = users[AGENT], users[ORGANISER]
    resource = Resource.objects.filter(status=Resource.Status.PUBLISHED).order_by("pk").first()
    assert resource is not None
    collection = collection_create(owner=agent, title="Mes ressources d’animation", acting_user=agent)
    collection_add(collection=collection, resource=resource, acting_user=agent)
    managed = next(
        s for s in Session.objects.order_by("-starts_at") if organiser.has_perm("training.manage_session", s)
    )
    led = Session.objects.filter(trainers=users[TRAINER]).order_by("-starts_at").first()
    assert led is not None
    booked = Registration.objects.filter(user=agent).exclude(session__status=Session.Status.CANCELLED).first()
    assert booked is not None
    # The agent's half-day is under way, so the check-in page asks for confirmation.
    now = timezone.now()
    slot = SessionSlot.objects.filter(session=booked.session).order_by("starts_at").first()
    assert slot is not None
    SessionSlot.objects.filter(pk=slot.pk).update(
        starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=2)
    )
    slot.refresh_from_db()
    survey = SurveyInvitation.objects.filter(user=agent, answered_at=None).first()
    if survey is None:
        survey = SurveyInvitation.objects.filter(answered_at=None).first()
        assert survey is not None
        SurveyInvitation.objects.filter(pk=survey.pk).update(user=agent)
    profile = DirectoryProfile.objects.exclude(user=agent).order_by("pk").first()
    request = FacilitationRequest.objects.filter(requester=agent).first()
    credential = Credential.objects.order_by("pk").first()
    assert profile and request and credential
    from essaim.delegation.models import Call
    from essaim.events.models import Event
    from essaim.network.models import Pilot

    pilot = Pilot.objects.filter(status__in=Pilot.STAGES).select_related("lab").order_by("pk").first()
    event = Event.objects.filter(session__starts_at__gte=now).order_by("session__starts_at").first()
    call = Call.objects.order_by("-year").first()
    assert pilot and event and call
    return {
        "organisation": "dgfip",
        "organiser_organisation": "interieur",
        "framework": FrameworkVersion.objects.get(status=FrameworkVersion.Status.PUBLISHED).version,
        "course": Course.objects.filter(status=Course.Status.PUBLISHED).order_by("position").first().code,  # type: ignore[union-attr]
        "session": str(Session.objects.filter(status=Session.Status.PUBLISHED).order_by("starts_at").last().pk),  # type: ignore[union-attr]
        "checkin": checkin_token(slot=slot),
        "managed_session": str(managed.pk),
        "practice_entry": str(users[AGENT].practice_entries.order_by("pk").first().pk),  # type: ignore[union-attr]
        "trainer_session": str(led.pk),
        "trainer_slot": str(led.slots.order_by("starts_at").first().pk),  # type: ignore[union-attr]
        "trainer": str(users[TRAINER].pk),
        "credential": credential.code,
        "resource": str(resource.pk),
        "collection": str(collection.pk),
        "profile": str(profile.pk),
        "facilitation_request": str(request.pk),
        "lab": "ti-lab",
        "survey": survey.token,
        "survey_id": str(survey.survey_id),
        "magic_link": "lien-de-demonstration",
        "missing": "999999",
        "pilot_lab": pilot.lab.slug,
        "pilot": str(pilot.pk),
        "event": event.slug,
        "event_id": str(event.pk),
        "partner": "democratie-ouverte",
        "call": str(call.pk),
    }


def _url(key_page: KeyPage, samples: dict[str, str]) -> str:
    path = reverse(key_page.url_name, kwargs={name: samples[sample] for name, sample in key_page.kwargs.items()})
    return f"{path}?{key_page.query}" if key_page.query else path


@pytest.fixture
def demo(transactional_db) -> dict[str, str]:
    from essaim.organisations.models import Region

    if not Region.objects.exists():  # flushed by an earlier transactional test
        call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    return _samples()


class Tab:
    """A browser context for one role and viewport, signed in through a real session
    cookie, collecting console errors page by page."""

    def __init__(self, browser: Any, base_url: str, email: str | None, width: int) -> None:
        self.context = browser.new_context(
            base_url=base_url, locale="fr-FR", viewport={"width": width, "height": 900 if width > 600 else 740}
        )
        self.context.set_default_timeout(15_000)
        if email:
            client = Client()
            from essaim.accounts.models import User

            client.force_login(User.objects.get(email=email))
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            self.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))

    def close(self) -> None:
        self.context.close()


def _check(tab: Tab, key_page: KeyPage, url: str) -> tuple[Counter, list[str]]:
    """Load the page, run axe; returns the violations by impact and what is wrong."""
    problems: list[str] = []
    tab.errors.clear()
    response = tab.page.goto(url)
    tab.page.wait_for_load_state("load")
    if response is None or response.status != key_page.status:
        problems.append(f"HTTP {response and response.status}, expected {key_page.status}")
    if key_page.status != 200:  # the browser logs the error status of the page itself
        tab.errors[:] = [e for e in tab.errors if "Failed to load resource" not in e]
    page_errors = list(tab.errors)
    results = Axe().run(tab.page, options=AXE_OPTIONS).response
    # axe-core sets inline styles while it measures, which the CSP rightly blocks: what is
    # logged during its run is the tool's, not the page's.
    csp = [e for e in page_errors if any(marker in e for marker in CSP_MARKERS)]
    problems += [f"CSP: {e}" for e in csp]
    problems += [f"console: {e}" for e in page_errors if e not in csp]
    if results["testEngine"]["version"] != AXE_CORE_VERSION:
        problems.append(f"axe-core {results['testEngine']['version']} ran, the declaration says {AXE_CORE_VERSION}")
    counts: Counter = Counter()
    for violation in results["violations"]:
        counts[violation["impact"]] += len(violation["nodes"])
        if violation["impact"] in BLOCKING_IMPACTS:
            targets = ", ".join(" ".join(map(str, n["target"])) for n in violation["nodes"][:4])
            problems.append(f"{violation['id']} ({violation['impact']}): {violation['help']} — at {targets}")
    if tab.page.viewport_size and tab.page.viewport_size["width"] <= MOBILE_WIDTH:
        overflow = tab.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            problems.append(f"scrolls sideways by {overflow}px at {MOBILE_WIDTH}px wide")
    return counts, problems


def test_every_key_page_passes_axe_for_its_role_on_desktop_and_phone(browser, live_server, demo, capsys):
    rows: list[tuple[str, str, str, Counter, list[str]]] = []
    runs = [(role, 1280, [p for p in KEY_PAGES if p.role == role]) for role in (ANONYMOUS, *ACCOUNTS)]
    runs += [
        (role, MOBILE_WIDTH, [p for p in KEY_PAGES if p.role == role and p.mobile]) for role in (ANONYMOUS, *ACCOUNTS)
    ]
    for role, width, pages in runs:
        if not pages:
            continue
        tab = Tab(browser, live_server.url, ACCOUNTS.get(role), width)
        try:
            for key_page in pages:
                try:
                    url = _url(key_page, demo)
                except Exception as error:  # a bad table row is reported with the others
                    rows.append((key_page.url_name, role, f"{width}px", Counter(), [repr(error)]))
                    continue
                counts, problems = _check(tab, key_page, url)
                rows.append((url, role, f"{width}px", counts, problems))
        finally:
            tab.close()

    lines = [f"{'page':58} {'role':10} {'width':7} " + " ".join(f"{i:>8}" for i in IMPACTS)]
    lines += [
        f"{url[:58]:58} {role:10} {width:7} " + " ".join(f"{counts[i]:>8}" for i in IMPACTS)
        for url, role, width, counts, _problems in rows
    ]
    lines.append(f"{len(rows)} page loads, axe-core {AXE_CORE_VERSION}, tags {', '.join(AXE_TAGS)}")
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    failures = [f"{url} as {role} at {width}:\n  " + "\n  ".join(p) for url, role, width, _c, p in rows if p]
    assert not failures, f"{len(failures)} page(s) fail:\n" + "\n".join(failures)
    # Every role of the table was exercised, on both viewports for the public pages.
    assert {row[1] for row in rows} == {ANONYMOUS, *ACCOUNTS}
    assert any(row[2] == f"{MOBILE_WIDTH}px" and row[1] == ANONYMOUS for row in rows)
