"""Every form of the project refuses control characters in its single-line fields, through
one mechanism (`core/forms.py`): a new form that skipped the base class fails here."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django import forms

import essaim
from essaim.core.forms import EssaimForm, SingleLineTextMixin, is_single_line


def _project_forms() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(essaim.__path__, "essaim."):
        if ".migrations" in module.name or module.name.endswith(("wsgi", "asgi")):
            continue
        importlib.import_module(module.name)
    found: list[type[forms.BaseForm]] = []
    pending = list(forms.BaseForm.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("essaim.") and cls.__module__ != "essaim.core.forms":
            found.append(cls)
    return found


def test_every_form_of_the_project_uses_the_mechanism():
    project = _project_forms()
    assert len(project) > 40
    escaped = [f"{cls.__module__}.{cls.__name__}" for cls in project if not issubclass(cls, SingleLineTextMixin)]
    # Django admin forms are ModelForms of the admin site: they go through model validation.
    assert [name for name in escaped if ".admin" not in name] == []


class _Sample(EssaimForm):
    name = forms.CharField()
    email = forms.EmailField(required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    notes = forms.CharField(widget=forms.Textarea, required=False)
    secret = forms.CharField(widget=forms.PasswordInput, required=False, strip=False)


@pytest.mark.parametrize("bad", ["a\r\nb", "a\tb", "a\x0bb", "a\x1bb", "a\x7fb", "a\x85b", "a\u2028b", "a\u202eb"])
def test_single_line_fields_refuse_control_characters_with_a_clear_message(bad):
    form = _Sample(data={"name": bad, "hidden": bad, "notes": "ligne 1\r\nligne 2\tfin", "secret": "a\tb"})
    assert not form.is_valid()
    assert set(form.errors) == {"name", "hidden"}
    assert "ne doit tenir que sur une ligne" in form.errors["name"][0]


def test_text_areas_and_passwords_are_not_single_line():
    fields = _Sample().fields
    assert [name for name, field in fields.items() if is_single_line(field)] == ["name", "email", "hidden"]
