"""The one way to render a form: DSFR fields, an error summary listing every error at once
with a link to each field, « Erreur – » in the page title, ids unique on a page."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from django import forms
from django.urls import reverse

import essaim
from essaim.core.forms import EssaimForm
from tests.library.conftest import make_resource

pytestmark = pytest.mark.django_db


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.title = ""
        self._in_title = False
        self.controls: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids[attributes["id"]] += 1
        if tag in {"input", "select", "textarea"} and attributes.get("type") not in {"hidden", "submit"}:
            self.controls.append(attributes)
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _summary(html: str) -> str:
    match = re.search(r"<div[^>]*data-essaim-error-summary.*?</div>", html, re.S)
    assert match, "the page has an error summary"
    return match.group(0)


def test_every_form_of_the_site_uses_the_one_base_class():
    for module in pkgutil.walk_packages(essaim.__path__, "essaim."):
        if module.name.endswith((".forms", "_forms", "_views", ".views")):
            importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [c for c in subclasses(forms.BaseForm) if c.__module__.startswith("essaim.")]
    assert len(ours) > 30
    strays = [f"{c.__module__}.{c.__name__}" for c in ours if not issubclass(c, EssaimForm)]
    assert strays == []


def test_a_contribution_sent_back_lists_every_error_at_once_with_links_to_the_fields(client, agent):
    client.force_login(agent)
    response = client.post(
        reverse("library:submit"),
        {
            "title": "",
            "summary": "Un résumé.",
            "type": "method",
            "audience": "agents",
            "language": "fr",
            "licence": "all-rights-reserved",
            "visibility": "public",
            "links": "pas une adresse",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    page = _parse(html)
    assert page.title.strip().startswith("Erreur – Proposer une ressource")
    summary = _summary(html)
    assert "Le formulaire contient 3 erreurs" in summary
    anchors = re.findall(r'href="#([^"]+)"', summary)
    assert len(anchors) == 3
    for anchor in anchors:
        assert page.ids[anchor] == 1, f"#{anchor} leads to one field"
    assert "Titre" in summary and "Motif de la réserve de droits" in summary and "pas une adresse" in summary
    assert max(page.ids.values()) == 1, [i for i, n in page.ids.items() if n > 1]


def test_an_invalid_file_is_reported_with_the_other_errors(client, agent):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(agent)
    response = client.post(
        reverse("library:submit"),
        {
            "title": "Un titre",
            "summary": "Un résumé.",
            "type": "method",
            "audience": "agents",
            "language": "fr",
            "licence": "all-rights-reserved",
            "visibility": "public",
            "documents": SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="application/octet-stream"),
        },
    )
    assert response.status_code == 400
    summary = _summary(response.content.decode())
    assert "Le formulaire contient 2 erreurs" in summary
    assert 'href="#id_documents"' in summary and 'href="#id_licence_reason"' in summary


def test_a_page_without_errors_has_a_plain_title_and_styled_controls(client, agent):
    client.force_login(agent)
    html = client.get(reverse("library:submit")).content.decode()
    page = _parse(html)
    assert not page.title.strip().startswith("Erreur")
    assert "data-essaim-error-summary" not in html
    for control in page.controls:
        if control.get("type") in {"checkbox", "radio"}:
            continue  # DSFR styles these through their group
        assert set((control.get("class") or "").split()) & {"fr-input", "fr-select", "fr-upload"}, control


def test_two_forms_on_a_resource_page_do_not_share_ids(client, agent):
    resource = make_resource("Le world café", "Animer des conversations.")
    client.force_login(agent)
    html = client.get(reverse("library:detail", args=[resource.pk])).content.decode()
    page = _parse(html)
    assert 'name="comment"' in html and html.count('name="comment"') == 2
    assert max(page.ids.values()) == 1, [i for i, n in page.ids.items() if n > 1]
