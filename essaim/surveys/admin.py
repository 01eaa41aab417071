from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet

from essaim.core.admin import ProgrammeAdminMixin, ServiceBackedAdminMixin, admin_site_has_permission
from essaim.core.exceptions import ServiceError
from essaim.surveys.models import Question, Survey
from essaim.surveys.services import answered_question_ids, question_change_refused, survey_save


def _deleting(form: Any) -> bool:
    return bool(getattr(form, "cleaned_data", {}).get("DELETE"))


class QuestionFormSet(BaseInlineFormSet):
    """Refuses, with the reason on the form, what the service would refuse: deleting a
    question that has answers, or changing its type or choices."""

    def clean(self) -> None:
        super().clean()
        forms = [f for f in self.forms if f.instance.pk and (f.has_changed() or _deleting(f))]
        answered = answered_question_ids([f.instance.pk for f in forms])
        errors = []
        for form in forms:
            deleting = _deleting(form)
            if reason := question_change_refused(question=form.instance, answered=answered, deleting=deleting):
                errors.append(reason)
        if errors:
            raise ValidationError(errors)


class QuestionInline(admin.TabularInline):
    """Questions are part of the survey's design: saved with it, by the same programme admin."""

    model = Question
    formset = QuestionFormSet
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
        """Saved with its courses and questions by one service call, in `save_related`."""

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        saved: list[Question] = []
        deleted: list[Question] = []
        for formset in formsets:
            saved += formset.save(commit=False)
            deleted += formset.deleted_objects
        try:
            survey_save(
                survey=form.instance,
                acting_user=request.user,
                created=not change,
                courses=list(form.cleaned_data.get("courses", [])),
                saved_questions=saved,
                deleted_questions=deleted,
            )
        except ServiceError as error:  # an answer arrived between the form's check and the save
            raise PermissionDenied(str(error)) from error
