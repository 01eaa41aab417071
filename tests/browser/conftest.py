"""Fixtures for the end-to-end tests in a real Chromium (Playwright, sync API).

The browser is Debian's Chromium (/usr/bin/chromium): Playwright's own builds are never
downloaded. Without it the tests are skipped, unless ESSAIM_REQUIRE_BROWSER=1 (CI), where
a missing browser is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# Playwright's sync API drives an asyncio event loop from the test's own thread (in a
# greenlet), and that loop stays "running" for as long as the session-scoped browser is
# open. Django's async-safety guard sees a running loop and raises
# SynchronousOnlyOperation on every ORM call made from that thread: creating test data,
# fixtures such as `agent`, and also ordinary (non-browser) tests collected after these
# ones in the same session. The calls are in fact synchronous and never run inside the
# loop, so the guard is a false positive here. It is set at import time, not in a
# fixture, precisely because the loop outlives the browser tests.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
CSP_MARKERS = ("Content Security Policy", "Refused to")


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        reason = f"Chromium not found at {CHROMIUM} (apt-get install chromium); browser tests need it."
        if os.environ.get("ESSAIM_REQUIRE_BROWSER") == "1":
            pytest.fail(f"ESSAIM_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class ConsoleLog:
    """What the browser saw: console errors and uncaught page errors (with the page URL),
    the URL of every main-frame navigation request (redirect hops included), and the
    sub-resources of the site under test (CSS, JS, images...) that failed to load."""

    errors: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    failed_resources: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return [message for message in self.errors if any(marker in message for marker in CSP_MARKERS)]

    def assert_no_csp_violation(self) -> None:
        violations = self.csp_violations()
        assert not violations, "CSP violations in the browser console:\n" + "\n".join(violations)

    def assert_no_failed_resource(self) -> None:
        assert not self.failed_resources, "Resources of the site failed to load:\n" + "\n".join(self.failed_resources)


@pytest.fixture
def console() -> ConsoleLog:
    return ConsoleLog()


@pytest.fixture
def page(browser, live_server, console: ConsoleLog) -> Iterator:
    """A fresh browser context (no cookies) on the live server, recording console errors.

    live_server needs transactional_db: rows created by the test are committed, so the
    server thread sees them.
    """
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()

    def on_console(message) -> None:
        if message.type == "error":
            console.errors.append(f"[{tab.url}] {message.text}")

    tab.on("console", on_console)
    tab.on("pageerror", lambda error: console.errors.append(f"[{tab.url}] uncaught: {error}"))

    def on_request(request) -> None:
        # Every hop of a redirect chain is a request of its own; committed navigations
        # alone ("framenavigated") would hide the round trip through the issuer.
        if request.is_navigation_request() and request.frame == tab.main_frame:
            console.urls.append(request.url)

    tab.on("request", on_request)

    def on_response(response) -> None:
        request = response.request
        if response.status >= 400 and not request.is_navigation_request() and response.url.startswith(live_server.url):
            console.failed_resources.append(f"{response.status} {response.url} (on {tab.url})")

    tab.on("response", on_response)

    def on_request_failed(request) -> None:
        # ERR_ABORTED is the browser cancelling loads when the page navigates away (a form
        # submitted before the theme artwork arrived); HTTP errors are caught above.
        if request.url.startswith(live_server.url) and request.failure != "net::ERR_ABORTED":
            console.failed_resources.append(f"{request.failure} {request.url} (on {tab.url})")

    tab.on("requestfailed", on_request_failed)
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def browser_proconnect(proconnect, settings, live_server):
    """The local ProConnect stand-in, with the settings a browser round trip needs.

    SITE_URL is the live server: the post-logout redirect URI is built from it. The CSP is
    Essaim's own (form-action 'self' only): the ProConnect button is a link and logout
    leaves through a page, so no form submission is followed to another origin.
    """
    settings.SITE_URL = live_server.url
    return proconnect
