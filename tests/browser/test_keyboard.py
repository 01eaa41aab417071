"""An agent uses Essaim with the keyboard alone — Tab, Shift+Tab, Enter, Space, Escape and
typing, never a click: skip link, main menu and its sub-menu, the public session list
filtered to a region, registration and cancellation, the phone menu dialog, then the
library search and a resource. At every step the focused element is on screen, shows a
focus indicator, and focus is neither trapped nor dropped on <body>."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from essaim.accounts.models import User
from essaim.training.models import Registration, Session
from tests.browser.test_accessibility_sweep import demo  # noqa: F401  (fixture: the demo data)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the focused element looks like. DSFR draws checkboxes and radios on their label
# (the input itself is transparent), so for those the label's ::before carries the ring;
# an enlarged link (a card, the header's brand) draws it on its own ::before.
FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) {
    return {lost: true};
  }
  let shown = el, pseudo = null;
  if (el.matches('input[type=checkbox], input[type=radio]') && el.labels && el.labels.length) {
    shown = el.labels[0]; pseudo = '::before';
  }
  const box = shown.getBoundingClientRect();
  const style = getComputedStyle(shown, pseudo);
  const own = getComputedStyle(el);
  const ring = (s) => (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
    || (s.boxShadow && s.boxShadow !== 'none');
  return {
    lost: false,
    html: el.outerHTML.slice(0, 160),
    name: (el.innerText || el.value || el.getAttribute('aria-label') || el.id || '').trim().slice(0, 80),
    href: el.getAttribute('href'),
    onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight
      && box.right > 0 && box.left < innerWidth && own.visibility !== 'hidden',
    indicator: ring(style) || ring(own) || ring(getComputedStyle(el, '::before'))
      || ring(getComputedStyle(el, '::after')),
  };
}"""


def _focus(page) -> dict:
    state = page.evaluate(FOCUS_STATE)
    assert not state["lost"], f"focus lost to <body> on {page.url}"
    assert state["onScreen"], f"focused element off screen or hidden on {page.url}: {state['html']}"
    assert state["indicator"], f"no visible focus indicator on {page.url}: {state['html']}"
    return state


def _press(page, key: str) -> dict:
    page.keyboard.press(key)
    return _focus(page)


def _tab_to(page, matches, *, backwards: bool = False, limit: int = 80) -> dict:
    """Tab (or Shift+Tab) until the focused element matches; every stop is checked. The
    same element many times in a row means focus is trapped (a date field takes a few
    presses: one per part)."""
    key = "Shift+Tab" if backwards else "Tab"
    previous, repeats = None, 0
    for _ in range(limit):
        state = _press(page, key)
        if matches(state):
            return state
        repeats = repeats + 1 if state["html"] == previous else 0
        assert repeats < 4, f"focus trapped on {page.url}: {state['html']}"
        previous = state["html"]
    pytest.fail(f"{limit} presses of {key} on {page.url} never reached the element", pytrace=False)


def _goto(page, url: str) -> None:
    """Open a page and wait until the DSFR script has set up the menus: a key pressed
    before would meet sub-menus in their no-script state."""
    page.goto(url)
    page.wait_for_function(
        "document.documentElement.getAttribute('data-fr-js') === 'true' && [...document.querySelectorAll("
        "'.fr-nav__btn')].every((b) => b.hasAttribute('data-fr-js-collapse-button'))"
    )
    # …and until the folded sub-menus have finished folding (a transition): until then their
    # links are still in the tab order.
    page.wait_for_function(
        "[...document.querySelectorAll('.fr-nav .fr-collapse')].every((c) => "
        "c.classList.contains('fr-collapse--expanded') || getComputedStyle(c).visibility === 'hidden')"
    )


def _next_frames(page) -> None:
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")


def _named(name: str):
    return lambda state: state["name"] == name


def _enter_and_wait(page, key: str = "Enter") -> None:
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state("load")


def _signed_in_context(browser, live_server, email: str, width: int = 1280):
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": width, "height": 900 if width > 600 else 740}
    )
    context.set_default_timeout(10_000)
    client = Client()
    client.force_login(User.objects.get(email=email))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context


def _record_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"[{page.url}] {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"[{page.url}] uncaught: {e}"))
    return errors


def test_an_agent_finds_registers_for_and_cancels_a_session_with_the_keyboard_alone(browser, live_server, demo):  # noqa: F811
    agent = User.objects.get(email="agent@essaim.localhost")
    session = Session.objects.get(status=Session.Status.PUBLISHED, region__code="76")
    context = _signed_in_context(browser, live_server, agent.email)
    page = context.new_page()
    errors = _record_errors(page)
    _goto(page, "/")

    # The skip link is the first stop and moves the sequential focus into the content.
    state = _press(page, "Tab")
    assert state["name"] == "Contenu" and state["href"] == "#content"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#content$"))
    _press(page, "Tab")
    assert page.evaluate("document.activeElement.closest('#content') !== null")

    # Skip to the menu, open « Mon espace », reach its first entry.
    _goto(page, "/")
    _press(page, "Tab")
    state = _press(page, "Tab")
    assert state["name"] == "Menu" and state["href"] == "#fr-navigation"
    page.keyboard.press("Enter")
    _tab_to(page, _named("Mon espace"))
    button = page.get_by_role("navigation", name="Menu principal").get_by_role("button", name="Mon espace")
    expect(button).to_have_attribute("aria-expanded", "false")
    _press(page, "Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    # The sub-menu unfolds (a short DSFR transition) before its links take the focus.
    submenu = page.locator(f"#{button.get_attribute('aria-controls')}")
    expect(submenu.get_by_role("link", name="Mes inscriptions")).to_be_visible()
    page.wait_for_function(
        "(id) => document.getElementById(id).getAnimations({subtree: true}).length === 0",
        arg=button.get_attribute("aria-controls"),
    )
    state = _press(page, "Tab")
    assert state["name"] == "Mes inscriptions", state
    # Not checked here: Escape folding the sub-menu. DSFR's navigation ignores Escape when its
    # Tab handler checked the focus before it landed in the menu (dsfr.module.js,
    # Navigation._keydown), about one run in three in this Chromium: a DSFR defect, listed
    # in the closing note. The menu dialog's Escape on a phone is checked below.
    _next_frames(page)

    # Back to « Se former » with Shift+Tab, open it, « Trouver une session », then filter
    # the list to a region.
    _tab_to(page, _named("Se former"), backwards=True)
    training = page.get_by_role("navigation", name="Menu principal").get_by_role("button", name="Se former")
    _press(page, "Enter")
    expect(training).to_have_attribute("aria-expanded", "true")
    page.wait_for_function(
        "(id) => document.getElementById(id).getAnimations({subtree: true}).length === 0",
        arg=training.get_attribute("aria-controls"),
    )
    _tab_to(page, _named("Trouver une session"))
    _enter_and_wait(page)
    assert urlsplit(page.url).path == "/sessions/"
    _press(page, "Tab")
    page.keyboard.press("Enter")  # skip link to the content
    _tab_to(page, lambda s: 'id="id_region"' in s["html"])
    page.keyboard.type("Occitanie")
    expect(page.locator("#id_region")).to_have_value("76")
    _tab_to(page, _named("Filtrer"))
    _enter_and_wait(page)
    assert parse_qs(urlsplit(page.url).query)["region"] == ["76"]
    rows = page.get_by_role("table", name="Sessions à venir").locator("tbody tr")
    expect(rows).to_have_count(1)

    # Open the session, register, see the confirmation, then cancel.
    _tab_to(page, lambda s: s["href"] == f"/sessions/{session.pk}/")
    _enter_and_wait(page)
    _tab_to(page, _named("M’inscrire"))
    _enter_and_wait(page)
    expect(page.locator(".fr-alert--success")).to_be_visible()
    registration = Registration.objects.get(session=session, user=agent)
    assert registration.status == Registration.Status.BOOKED
    _tab_to(page, _named("Annuler mon inscription"))
    page.keyboard.press("Enter")  # opens the confirmation; focus moves into it
    expect(page.get_by_role("dialog", name="Annuler votre inscription ?")).to_be_visible()
    _tab_to(page, _named("Annuler mon inscription"))
    _enter_and_wait(page)
    expect(page.locator(".fr-alert--success")).to_contain_text("est annulée")
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    # DSFR's navigation throws when Shift+Tab leaves a sub-menu it has already forgotten
    # (Navigation._keydown: `this.current.node` with no current menu); nothing visible
    # breaks — the next steps prove it. A DSFR defect, named in the closing note; any
    # other error fails the test.
    dsfr_defect = "Cannot read properties of null (reading 'node')"
    assert not [e for e in errors if not e.endswith(dsfr_defect)], errors
    context.close()


def test_on_a_phone_the_menu_dialog_opens_and_closes_with_the_keyboard(browser, live_server, demo):  # noqa: F811
    context = _signed_in_context(browser, live_server, "agent@essaim.localhost", width=375)
    page = context.new_page()
    errors = _record_errors(page)
    _goto(page, "/")

    state = _tab_to(page, lambda s: 'id="fr-btn-menu-mobile"' in s["html"])
    assert state["name"] == "Menu"
    page.keyboard.press("Enter")
    dialog = page.locator("#fr-menu-mobile")
    expect(dialog).to_be_visible()
    # Focus moved into the dialog, and Tab moves on inside it.
    page.wait_for_function("document.getElementById('fr-menu-mobile').contains(document.activeElement)")
    _focus(page)
    _press(page, "Tab")
    assert page.evaluate("document.getElementById('fr-menu-mobile').contains(document.activeElement)")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    # Closing gives focus back to the button that opened the dialog.
    page.wait_for_function("document.activeElement && document.activeElement.id === 'fr-btn-menu-mobile'")
    _focus(page)
    assert not errors, errors
    context.close()


def test_an_agent_searches_the_library_and_opens_a_resource_with_the_keyboard(browser, live_server, demo):  # noqa: F811
    context = _signed_in_context(browser, live_server, "agent@essaim.localhost")
    page = context.new_page()
    errors = _record_errors(page)
    _goto(page, "/")

    _press(page, "Tab")
    _press(page, "Tab")
    page.keyboard.press("Enter")  # skip link to the menu
    _tab_to(page, _named("Ressources"))
    library = page.get_by_role("navigation", name="Menu principal").get_by_role("button", name="Ressources")
    _press(page, "Enter")
    expect(library).to_have_attribute("aria-expanded", "true")
    page.wait_for_function(
        "(id) => document.getElementById(id).getAnimations({subtree: true}).length === 0",
        arg=library.get_attribute("aria-controls"),
    )
    _tab_to(page, _named("Rechercher une ressource"))
    _enter_and_wait(page)
    assert urlsplit(page.url).path == "/ressources/"
    _tab_to(page, lambda s: 'id="library-q"' in s["html"])
    page.keyboard.type("atelier")
    _enter_and_wait(page)
    assert parse_qs(urlsplit(page.url).query)["q"] == ["atelier"]
    state = _tab_to(page, lambda s: bool(s["href"] and re.fullmatch(r"/ressources/\d+/", s["href"])))
    _enter_and_wait(page)
    assert urlsplit(page.url).path == state["href"]
    expect(page.get_by_role("heading", level=1)).to_have_text(state["name"])
    assert not errors, errors
    context.close()


def test_the_check_in_link_keeps_the_keyboard_focus_when_the_code_refreshes(browser, live_server, demo):  # noqa: F811
    """The trainer's QR page swaps its code every minute (htmx): a keyboard user on the
    fallback link must not find focus dropped on <body>."""
    import datetime as dt

    from django.utils import timezone

    from essaim.training.models import SessionSlot

    trainer = User.objects.get(email="formatrice@essaim.localhost")
    session = Session.objects.filter(trainers=trainer).order_by("-starts_at").first()
    slot = session.slots.order_by("starts_at").first()
    now = timezone.now()
    SessionSlot.objects.filter(pk=slot.pk).update(
        starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=2)
    )
    context = _signed_in_context(browser, live_server, trainer.email)
    page = context.new_page()
    errors = _record_errors(page)
    _goto(page, f"/pilotage/sessions/{session.pk}/presence/qr/{slot.pk}/")

    _tab_to(page, lambda s: "checkin-link" in s["html"])
    # The request the every-minute trigger makes, run now rather than waiting for the timer.
    page.evaluate(
        """() => new Promise(done => {
          const code = document.getElementById('checkin-code');
          document.body.addEventListener('htmx:afterSettle', done, {once: true});
          htmx.ajax('GET', code.getAttribute('hx-get'), {source: code, target: code, swap: 'outerHTML'});
        })"""
    )
    assert page.locator("#checkin-code").count() == 1
    state = _focus(page)
    assert 'id="checkin-link"' in state["html"], state
    assert page.evaluate("document.getElementById('checkin-link') === document.activeElement")
    assert not errors, errors
    context.close()
