from __future__ import annotations

from django.contrib import admin

from essaim.core.admin import ReadOnlyAdmin
from essaim.delegation.models import Application, Call


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    """Read-only: calls are written through the back office (/pilotage/delegation/) and its services."""

    list_display = ["year", "title", "status", "seats", "ministry_quota", "region_quota"]
    list_filter = ["status"]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["id", "call", "ministry", "region", "status", "reserve_rank", "created_at"]
    list_filter = ["call", "status"]
    list_select_related = ["call", "ministry", "region"]
