"""The project's form base class: every form of Essaim derives from `EssaimForm` (rendered
by DSFR) or, for the few forms rendered by hand, mixes in `SingleLineTextMixin`.

`SingleLineTextMixin` refuses control characters in every single-line text field (text,
e-mail, URL, search, hidden inputs — not text areas, not passwords), with one translated
message (`core/validators.py`): a subject with CR/LF would split a mail header, a tab or a
bidirectional override would make a name read differently from what it is.
tests/security/test_control_characters.py checks that no form of the project escapes it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from dsfr.forms import DsfrBaseForm

from essaim.core.validators import refuse_control_characters

MULTI_LINE_WIDGETS = (forms.Textarea, forms.PasswordInput)


def is_single_line(field: forms.Field) -> bool:
    return isinstance(field, forms.CharField) and not isinstance(field.widget, MULTI_LINE_WIDGETS)


class SingleLineTextMixin:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, forms.Field] = getattr(self, "fields", {})
        for field in fields.values():  # this form's own copies of the fields
            if is_single_line(field) and refuse_control_characters not in field.validators:
                field.validators = [*field.validators, refuse_control_characters]


class EssaimForm(SingleLineTextMixin, DsfrBaseForm):
    pass
