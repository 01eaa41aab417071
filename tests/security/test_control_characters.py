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


# The API: every input schema's single-line text goes through `api.schemas.SingleLine`.
MULTI_LINE_API_FIELDS = {"summary", "body", "bio"}  # free text, where a line break belongs
# Text that is read, never stored nor mailed: a search query is split into words
# (test_search_page: any character, never a 500); a pasted JWT loses its whitespace and a
# pasted badge.json spans lines.
READ_ONLY_TEXT = {"SearchFilters.q", "VerifyIn.jwt", "VerifyIn.code"}


def _text_fields_without_the_rule(schema) -> list[str]:
    from essaim.api.schemas import _one_line

    missing = []
    for name, info in schema.model_fields.items():
        if name in MULTI_LINE_API_FIELDS or f"{schema.__name__}.{name}" in READ_ONLY_TEXT:
            continue
        if "str" not in repr(info.annotation):
            continue
        validators = [getattr(m, "func", None) for m in info.metadata]
        # list[SingleLine] carries the validator inside its annotation
        if _one_line not in validators and "_one_line" not in repr(info.annotation):
            missing.append(f"{schema.__module__}.{schema.__name__}.{name}")
    return missing


def test_every_api_input_schema_refuses_control_characters_in_one_line_text():
    from ninja import Schema

    _project_forms()  # imports every module of the project
    inputs, pending = [], list(Schema.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("essaim.") and cls.__name__.endswith(("In", "Filters")):
            inputs.append(cls)
    assert len(inputs) >= 5
    assert [field for schema in inputs for field in _text_fields_without_the_rule(schema)] == []


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["Atelier\r\nBcc: tous@exemple.fr", "Atelier\x00", "Atelier\u2028suite", "A\u202egnp"])
def test_the_api_refuses_a_request_topic_with_control_characters_in_french(client, agent, bad):
    from django.utils import timezone

    from essaim.network.models import FacilitationRequest

    client.force_login(agent)
    response = client.post(
        "/api/v1/network/requests",
        {"topic": bad, "date": str(timezone.localdate()), "competency": "x", "audience_size": 12},
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "Requête invalide : voir « errors »."
    [error] = [e for e in body["errors"] if e["loc"][-1] == "topic"]
    assert error["msg"].startswith("Ce champ ne doit tenir que sur une ligne")
    assert not FacilitationRequest.objects.exists()


@pytest.mark.django_db
def test_the_api_refuses_a_contribution_title_on_two_lines(client, agent):
    from essaim.library.models import Resource

    client.force_login(agent)
    response = client.post(
        "/api/v1/resources/contributions",
        {"title": "Fiche\nBcc: x", "summary": "Deux lignes\nici, c’est permis."},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [e["loc"][-1] for e in response.json()["errors"]] == ["title"]
    assert not Resource.objects.exists()


class _Choices(EssaimForm):
    region = forms.ModelChoiceField(queryset=None, required=False)  # type: ignore[arg-type]
    organiser = forms.ModelChoiceField(queryset=None)  # type: ignore[arg-type]
    kind = forms.ChoiceField(choices=[("", "---------"), ("a", "A")], required=False)
    named = forms.ModelChoiceField(queryset=None, required=False, empty_label="Toutes les régions")  # type: ignore[arg-type]

    def __init__(self, *args, **kwargs):
        from essaim.organisations.models import Region

        super().__init__(*args, **kwargs)
        for name in ("region", "organiser", "named"):
            self.fields[name].queryset = Region.objects.all()


@pytest.mark.django_db
def test_no_select_of_the_project_offers_django_dashes():
    html = str(_Choices().as_div())
    assert "---------" not in html
    assert html.count("Non renseigné") == 2  # the optional region and kind
    assert "Sélectionner une option" in html  # the required organiser
    assert "Toutes les régions" in html  # a label the form chose is kept


@pytest.mark.django_db
def test_the_admin_forms_that_write_refuse_control_characters_too(client, programme_admin, ministry):
    from django.urls import reverse

    client.force_login(programme_admin)
    url = reverse("admin:organisations_organisation_change", args=[ministry.pk])
    response = client.post(url, {"name": "Ministère\u202e piégé", "short_name": "", "siret": "", "website": ""})
    assert response.status_code == 200  # the form again, with the error
    assert "ne doit tenir que sur une ligne" in response.content.decode()
    ministry.refresh_from_db()
    assert "\u202e" not in ministry.name


@pytest.mark.django_db
def test_the_admin_inline_forms_refuse_control_characters_too(client, programme_admin):
    from django.urls import reverse

    from essaim.surveys.models import Survey
    from tests import steering_data
    from tests.surveys.conftest import survey_admin_data

    course = steering_data.course("facilitation-fondamentaux", is_introduction=True)
    client.force_login(programme_admin)
    question = {"kind": "scale", "label": "Satisfait\u202e ?", "measure": "satisfaction"}
    response = client.post(reverse("admin:surveys_survey_add"), survey_admin_data(course, question))
    assert response.status_code == 200
    assert "ne doit tenir que sur une ligne" in response.content.decode()
    assert not Survey.objects.filter(title="Votre avis").exists()
