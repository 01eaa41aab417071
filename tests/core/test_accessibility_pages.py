"""No page escapes the accessibility sweep, and the declaration lists what the sweep checks.

Every named URL must be a key page (essaim/core/accessibility.py KEY_PAGES, swept by
tests/browser/test_accessibility_sweep.py) or be excluded with a reason (NOT_AUDITED):
a new page added without either fails here, without a browser.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from essaim.core.accessibility import (
    AXE_CORE_VERSION,
    KEY_PAGES,
    NOT_AUDITED,
    NOT_AUDITED_NAMESPACES,
    POST_ONLY,
    ROLE_LABELS,
)


def _named_patterns(resolver: URLResolver, namespace: str = "", route: str = "") -> list[tuple[str, str]]:
    """(namespaced name or '', route) of every URL pattern, outside the excluded namespaces."""
    found: list[tuple[str, str]] = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace or "") if part)
            if inner.split(":")[0] in NOT_AUDITED_NAMESPACES:
                continue
            found += _named_patterns(entry, inner, route + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
            found.append((name, route + str(entry.pattern)))
    return found


def test_every_page_is_swept_or_excluded_with_a_reason():
    patterns = _named_patterns(get_resolver())
    unnamed = [route for name, route in patterns if not name]
    assert not unnamed, f"URL patterns without a name cannot be tracked by the sweep: {unnamed}"

    swept = {key_page.url_name for key_page in KEY_PAGES}
    names = {name for name, _route in patterns}
    missing = sorted(names - swept - set(NOT_AUDITED))
    assert not missing, (
        "Pages neither in essaim/core/accessibility.py KEY_PAGES nor in NOT_AUDITED (with a reason): "
        + ", ".join(missing)
    )
    # No stale rows: what the table names exists, and nothing is both swept and excluded.
    assert not (swept | set(NOT_AUDITED)) - names, sorted((swept | set(NOT_AUDITED)) - names)
    assert not swept & set(NOT_AUDITED), sorted(swept & set(NOT_AUDITED))
    assert all(reason.strip() for reason in NOT_AUDITED.values())


def test_every_key_page_has_a_known_role_and_a_readable_pattern():
    for key_page in KEY_PAGES:
        assert key_page.role in ROLE_LABELS, key_page
        assert key_page.pattern.startswith("/"), key_page
        assert key_page.status in (200, 403, 404), key_page
    # Each of the five roles is exercised, and the error pages too.
    assert {key_page.role for key_page in KEY_PAGES} == set(ROLE_LABELS)
    assert {key_page.status for key_page in KEY_PAGES} == {200, 403, 404}


def test_the_exclusions_for_post_only_views_refuse_a_get(client, programme_admin):
    """A view excluded as "POST only" really renders no page for GET (it would otherwise
    need a row in the sweep)."""
    client.force_login(programme_admin)
    samples = {"pk": 1, "version": "2026.1", "slug": "un-lab", "workshop_pk": 1}
    for name, reason in NOT_AUDITED.items():
        if reason != POST_ONLY:
            continue
        for kwargs in (
            {},
            {"pk": samples["pk"]},
            {"version": samples["version"]},
            {"slug": samples["slug"]},
            {"slug": samples["slug"], "pk": samples["pk"]},
            {"slug": samples["slug"], "pk": samples["pk"], "workshop_pk": samples["workshop_pk"]},
        ):
            try:
                url = reverse(name, kwargs=kwargs)
            except Exception:  # noqa: S112 - try the next set of arguments
                continue
            break
        else:
            pytest.fail(f"cannot build a URL for {name}")
        assert client.get(url).status_code == 405, name


@pytest.mark.django_db
def test_the_declaration_lists_every_swept_page_and_the_tool_version(client):
    response = client.get("/accessibilite/")

    assert response.status_code == 200
    content = response.content.decode()
    assert f"axe-core {AXE_CORE_VERSION}" in content
    assert "partiellement conforme" in content
    for key_page in KEY_PAGES:
        assert str(key_page.label).replace("’", "&#x27;") in content or str(key_page.label) in content, key_page
        assert f"<code>{key_page.pattern}</code>" in content.replace("&lt;", "<").replace("&gt;", ">"), key_page
    assert "09 69 39 00 00" in content  # the Défenseur des droits' recourse, as the RGAA model asks


@pytest.mark.django_db
def test_the_declaration_publishes_the_rgaa_self_assessment(client):
    from collections import Counter

    from essaim.core.rgaa import CRITERIA, NC, assessment

    # The 106 criteria of RGAA 4.1, theme by theme, each once, each with a status and evidence.
    per_theme = Counter(c.number.split(".")[0] for c in CRITERIA)
    assert per_theme == {"1": 9, "2": 2, "3": 3, "4": 13, "5": 8, "6": 2, "7": 5, "8": 10, "9": 4, "10": 14,
                         "11": 13, "12": 11, "13": 12}  # fmt: skip
    assert len({c.number for c in CRITERIA}) == 106
    assert all(c.status in {"C", "NC", "NA"} and str(c.evidence) for c in CRITERIA)
    result = assessment()
    assert result.rate == round(100 * result.conform / (result.conform + result.not_conform), 1)
    assert 90 < result.rate < 100  # « partiellement conforme »

    content = client.get("/accessibilite/").content.decode()
    shown = f"{result.rate:.1f}".replace(".", ",")
    assert f"Taux de conformité : {shown} %" in content.replace("\u00a0", " ")
    assert content.count("<tr>") >= 107
    for criterion in CRITERIA:
        if criterion.status == NC:
            assert f"Critère {criterion.number} — " in content, criterion.number
    footer = content[content.index('id="footer"') :]
    assert "Accessibilité : partiellement conforme" in footer.replace("\u00a0", " ")
