"""Rules on text typed by people, shared by forms (`core/forms.py`) and services.

- A single-line field (a name, a subject, a title, a search) holds no control character:
  no CR/LF (a mail header would be split, then the send fails and the message is lost), no
  tab, no C0/C1 code, no Unicode line separator, no bidirectional override (a name that
  reads differently from what it is).
- A name that ends up in a spreadsheet cannot start like a formula (`core/spreadsheets.py`).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from essaim.core.exceptions import ServiceError
from essaim.core.spreadsheets import starts_like_a_formula

CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")

CONTROL_MESSAGE = _(
    "Ce champ ne doit tenir que sur une ligne : retirez les retours à la ligne, tabulations et "
    "autres caractères de contrôle."
)
FORMULA_MESSAGE = _("Un nom ne peut pas commencer par =, +, - ou @ (un tableur le lirait comme une formule).")


def refuse_control_characters(value: object) -> None:
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        raise ValidationError(CONTROL_MESSAGE, code="control_characters")


def refuse_formula_prefix(value: object) -> None:
    if isinstance(value, str) and starts_like_a_formula(value):
        raise ValidationError(FORMULA_MESSAGE, code="formula")


def check_name(value: str) -> str:
    """For services: a one-line name that no spreadsheet will run."""
    for rule in (refuse_control_characters, refuse_formula_prefix):
        try:
            rule(value)
        except ValidationError as exc:
            raise ServiceError(str(exc.messages[0]), code=str(exc.code)) from exc
    return value


def check_single_line(value: str) -> str:
    """For services: a subject or a title that fits on one line (no header splitting)."""
    try:
        refuse_control_characters(value)
    except ValidationError as exc:
        raise ServiceError(str(exc.messages[0]), code="control_characters") from exc
    return value
