"""Content-Security-Policy on every HTML page (scripts only with the response's nonce or
from our own origin, no inline handlers, no style attributes) and CSRF on every form view."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
TAG = re.compile(r"<[a-zA-Z][^>]*>", re.DOTALL)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTR = re.compile(r"\sstyle\s*=", re.IGNORECASE)
NONCE = re.compile(r"'nonce-([^']+)'")


def parameterless_routes(resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""):
    """(name, path) of every URL that takes no argument."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.pattern.regex.groups:
                continue
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from parameterless_routes(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern) and pattern.name and not pattern.pattern.regex.groups:
            name = f"{namespace}{pattern.name}"
            try:
                yield name, reverse(name)
            except Exception:  # noqa: S112 - a pattern needing arguments (regex admin routes)
                continue


def _html_pages(client: Client):
    for name, path in sorted(set(parameterless_routes())):
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.headers.get("Content-Type", ""):
            continue
        if getattr(response, "streaming", False):
            continue
        yield name, response


def _offences(response) -> list[str]:
    policy = response.headers.get("Content-Security-Policy", "")
    if not policy:
        return ["no Content-Security-Policy header"]
    problems = []
    script_src = next((d for d in policy.split(";") if d.strip().startswith("script-src")), "")
    if "'unsafe-inline'" in script_src or "'unsafe-eval'" in script_src:
        problems.append(f"script-src allows inline code: {script_src}")
    # django-csp adds the nonce to the header only when the page used it: without one, the
    # policy is stricter still (no inline script at all).
    nonce = NONCE.search(script_src)
    body = response.content.decode()
    for attributes in SCRIPT.findall(body):
        src = re.search(r"\bsrc=[\"']([^\"']+)", attributes)
        if src and (src.group(1).startswith("/") and not src.group(1).startswith("//")):
            continue
        if re.search(r"\btype=[\"']application/(ld\+)?json", attributes):
            continue  # a data block, never executed
        if nonce is None or f'nonce="{nonce.group(1)}"' not in attributes:
            problems.append(f"script without the nonce: <script{attributes}>")
    style_src = next((d for d in policy.split(";") if d.strip().startswith("style-src")), "")
    for tag in TAG.findall(body):
        if HANDLER.search(tag):
            problems.append(f"inline event handler: {tag[:120]}")
        if "'unsafe-inline'" not in style_src and STYLE_ATTR.search(tag):
            problems.append(f"style attribute the policy blocks: {tag[:120]}")
    return problems


@pytest.mark.parametrize("who", ["anonymous", "agent"])
def test_every_html_page_carries_a_nonce_csp_and_no_inline_code(client, directorate, who):
    if who == "agent":
        client.force_login(UserFactory(email="csp@exemple.gouv.fr", organisation=directorate))
    checked, failures = 0, []
    for name, response in _html_pages(client):
        checked += 1
        failures += [f"{name}: {problem}" for problem in _offences(response)]
    assert checked >= 20, checked
    assert not failures, "\n".join(failures)


def test_the_home_page_policy_carries_the_nonce_of_its_scripts(client):
    response = client.get("/")
    nonce = NONCE.search(response.headers["Content-Security-Policy"])
    assert nonce is not None
    assert f'nonce="{nonce.group(1)}"' in response.content.decode()


# Views Django exempts from CSRF on purpose (none today): add "name: reason" here.
CSRF_EXEMPT: dict[str, str] = {}


def test_every_html_view_refuses_a_post_without_csrf_token(settings, tmp_path):
    from tests.security.test_authorisation_matrix import ROUTES
    from tests.security.world import build_world

    settings.CREDENTIALS_KEY_DIR = tmp_path / "keys"
    world = build_world()
    anonymous = Client(enforce_csrf_checks=True)
    signed_in = Client(enforce_csrf_checks=True)
    signed_in.force_login(world.people["programme_admin"])
    urls = {reverse(row.name, kwargs=row.kwargs(world)): row.name for row in ROUTES}
    failures = []
    for url, name in sorted(urls.items()):
        if name in CSRF_EXEMPT:
            continue
        for client in (anonymous, signed_in):
            status = client.post(url, {"name": "x"}).status_code
            if status != 403:
                failures.append(f"POST {url} ({name}) without CSRF token: {status}")
    assert len(urls) > 100
    assert not failures, "\n".join(failures)


def test_the_api_refuses_a_session_cookie_write_without_csrf_but_not_a_token(directorate):
    from essaim.accounts.services import api_token_create

    user = UserFactory(email="csrf.api@exemple.gouv.fr", organisation=directorate)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    body = {"title": "Sans jeton CSRF", "summary": "Une contribution."}
    response = client.post("/api/v1/resources/contributions", body, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["detail"] == "CSRF check Failed"
    _token, secret = api_token_create(user=user, name="outil", acting_user=user)
    bearer = Client(enforce_csrf_checks=True)
    response = bearer.post(
        "/api/v1/resources/contributions",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 201, response.content
