from __future__ import annotations

from typing import Any

from django.contrib import admin

from essaim.core.admin import ProgrammeAdminMixin, ServiceBackedAdminMixin, admin_site_has_permission
from essaim.surveys.models import Question, Survey
from essaim.surveys.services import survey_save


class QuestionInline(admin.TabularInline):
    """Questions are part of the survey's design: saved with it, by the same programme admin."""

    model = Question
    extra = 1
    fields = ["position", "kind", "label", "choices", "required", "measure"]

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return admin_site_has_permission(request)

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return admin_site_has_permission(request)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return admin_site_has_permission(request)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        # A question already answered is protected by the database (answers keep it).
        return admin_site_has_permission(request)


@admin.register(Survey)
class SurveyAdmin(ServiceBackedAdminMixin, ProgrammeAdminMixin, admin.ModelAdmin):
    """Programme admins design surveys (questions: scale, single or multiple choice, free
    text) and attach them to courses. Invitations and answers are never edited here."""

    list_display = ["title", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    filter_horizontal = ["courses"]
    inlines = [QuestionInline]

    def has_add_permission(self, request: Any) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def save_model(self, request: Any, obj: Survey, form: Any, change: bool) -> None:
        survey_save(survey=obj, acting_user=request.user, created=not change)
