"""Template helpers of the shared frame: the page title's error prefix and French typography."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def error_title_prefix(context: Any) -> str:
    """« Erreur – » before the page title when a form of the page was sent back with errors
    (RGAA 11.10: the error must be announced; the title is what a screen reader reads first)."""
    for value in context.flatten().values():
        if isinstance(value, forms.BaseForm) and value.is_bound and value.errors:
            return _("Erreur – ")
    return ""
