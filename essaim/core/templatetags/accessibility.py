"""The accessibility declaration reads the audited pages from the table the sweep tests."""

from __future__ import annotations

from typing import Any

from django import template

from essaim.core import accessibility

register = template.Library()


@register.simple_tag
def accessibility_audit() -> dict[str, Any]:
    groups = [
        {
            "capability": capability,
            "pages": [
                {
                    "label": key_page.label,
                    "pattern": key_page.pattern,
                    "role": accessibility.ROLE_LABELS[key_page.role],
                    "mobile": key_page.mobile,
                }
                for key_page in pages
            ],
        }
        for capability, pages in accessibility.key_pages_by_capability()
    ]
    return {
        "groups": groups,
        "count": len(accessibility.KEY_PAGES),
        "mobile_count": sum(1 for key_page in accessibility.KEY_PAGES if key_page.mobile),
        "axe_version": accessibility.AXE_CORE_VERSION,
        "mobile_width": accessibility.MOBILE_WIDTH,
        "date": accessibility.DECLARATION_DATE,
    }
