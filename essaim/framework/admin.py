"""The framework in the back office, read only: versions are written by import, publish and
new-draft services (and the pages at /referentiel/), never by hand here."""

from __future__ import annotations

from django.contrib import admin

from essaim.core.admin import ReadOnlyAdmin
from essaim.framework.models import Competency, FrameworkVersion, Level, LevelDescriptor


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(ReadOnlyAdmin):
    list_display = ["version", "title", "status", "published_at", "based_on", "created_at"]
    list_filter = ["status"]
    list_select_related = ["based_on"]
    search_fields = ["version", "title"]


@admin.register(Level)
class LevelAdmin(ReadOnlyAdmin):
    list_display = ["framework", "rank", "code", "name"]
    list_filter = ["framework"]
    list_select_related = ["framework"]
    search_fields = ["code", "name"]


@admin.register(Competency)
class CompetencyAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "parent", "framework", "position"]
    list_filter = ["framework"]
    list_select_related = ["framework", "parent"]
    search_fields = ["code", "name"]


@admin.register(LevelDescriptor)
class LevelDescriptorAdmin(ReadOnlyAdmin):
    list_display = ["competency", "level", "text"]
    list_filter = ["level__framework"]
    list_select_related = ["competency", "level"]
    search_fields = ["competency__code", "competency__name", "text"]
