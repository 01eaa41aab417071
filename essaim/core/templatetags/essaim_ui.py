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


# French typography ---------------------------------------------------------------------------
# « 3 novembre 2026 », « 1er février », « 9 h – 12 h 30 »: what the French administration's
# writing guides ask for, and what Django's date filter cannot say (no « 1er », no « 9 h »).

_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
NBSP = "\u00a0"


def _is_french() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "fr").startswith("fr")


def fr_time(value: Any) -> str:
    """« 9 h », « 12 h 30 » in French; « 9:00 am » stays Django's in English."""
    if value is None or value == "":
        return ""
    if hasattr(value, "tzinfo") and hasattr(value, "date") and getattr(value, "tzinfo", None) is not None:
        from django.utils import timezone

        value = timezone.localtime(value)
    if not _is_french():
        from django.utils.dateformat import time_format

        return time_format(value, "g:i A")
    return f"{value.hour}{NBSP}h" + (f"{NBSP}{value.minute:02d}" if value.minute else "")


@register.filter(name="fr_date")
def fr_date(value: Any, arg: str = "", *, with_time: bool = False) -> str:
    """« 3 novembre 2026 », « 1er février 2027 »; ``|fr_date:"court"`` drops the year,
    ``|fr_date:"jour"`` starts with the weekday (« lundi 3 novembre 2026 »), ``"heure"``
    adds « à 9 h » (``"jour heure"``: both). English pages get « 3 November 2026 »."""
    if value is None or value == "":
        return ""
    import datetime as dt

    from django.utils import timezone

    options = set(arg.split())
    if isinstance(value, str):  # an ISO date kept for the JSON exports: « 2026-11-03 »
        try:
            value = dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = timezone.localtime(value)
        with_time = with_time or "heure" in options
        day = value.date()
    else:
        day = value
    if not _is_french():
        from django.utils.dateformat import format as date_format

        text = date_format(day, ("l " if "jour" in options else "") + ("j F" if "court" in options else "j F Y"))
        return f"{text}, {fr_time(value)}" if with_time and isinstance(value, dt.datetime) else text
    number = "1er" if day.day == 1 else str(day.day)
    text = f"{number}{NBSP}{_MONTHS[day.month - 1]}"
    if "jour" in options:
        text = f"{_WEEKDAYS[day.weekday()]} {text}"
    if "court" not in options:
        text += f" {day.year}"
    if with_time and isinstance(value, dt.datetime):
        text += f" à {fr_time(value)}"
    return text


@register.filter(name="fr_time")
def fr_time_filter(value: Any) -> str:
    return fr_time(value)


@register.simple_tag(name="fr_time_range")
def fr_time_range(start: Any, end: Any) -> str:
    """« 9 h – 12 h 30 »: an en dash between spaces, the second space non-breaking."""
    if not start:
        return ""
    if not end:
        return fr_time(start)
    return f"{fr_time(start)} –{NBSP}{fr_time(end)}"


@register.filter(name="fr_number")
def fr_number(value: Any) -> str:
    """« 12 345 » with a narrow non-breaking space, as the French administration writes it."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return "" if value is None else str(value)
    text = f"{number:,}"
    return text.replace(",", "\u202f") if _is_french() else text


@register.simple_tag(name="content_lang")
def content_lang(language: str = "fr") -> str:
    """` lang="fr"` on content written in French (course and resource texts, titles typed by
    people) when the page itself is in another language (WCAG 3.1.2); nothing otherwise."""
    from django.utils.html import format_html
    from django.utils.translation import get_language

    language = language or "fr"
    if (get_language() or "fr").split("-")[0] == language.split("-")[0]:
        return ""
    return format_html(' lang="{}"', language)


@register.simple_tag(name="rgaa_assessment")
def rgaa_assessment() -> Any:
    """The RGAA 4.1 self-assessment (essaim/core/rgaa.py), with its sample of pages."""
    from essaim.core.rgaa import SAMPLE, assessment

    result = assessment()
    return {
        "criteria": result.criteria,
        "conform": result.conform,
        "not_conform": result.not_conform,
        "not_applicable": result.not_applicable,
        "rate": f"{result.rate:.1f}".replace(".", ",") if _is_french() else f"{result.rate:.1f}",
        "non_conformities": result.non_conformities,
        "sample": SAMPLE,
    }
