from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from essaim.accounts import roles
from essaim.core.models import AuditEntry, OutboxMessage


def admin_site_has_permission(request: Any) -> bool:
    """The Django admin is the programme admins' back office: the role decides, not is_staff."""
    user = request.user
    return bool(user.is_active and (user.is_superuser or roles.is_programme_admin(user)))


admin.site.has_permission = admin_site_has_permission  # type: ignore[method-assign]


class ProgrammeAdminMixin:
    """Programme admins see every Essaim model in the admin; writes still go through services."""

    # An address typed without a scheme is read as https (Django 6's default; without it,
    # Django 5.2 warns on every admin form with a URL field).
    formfield_overrides: Any = {models.URLField: {"assume_scheme": "https"}}

    def has_module_permission(self, request: Any) -> bool:
        return admin_site_has_permission(request)

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return admin_site_has_permission(request)


class ServiceBackedAdminMixin:
    """Django wraps the change form in a transaction; our services are durable transactions
    of their own (they must commit before their side effects run), so the form is run
    without the outer one. `save_model` must call exactly one service."""

    def changeform_view(self, request: Any, object_id: Any = None, form_url: str = "", extra_context: Any = None):
        return self._changeform_view(request, object_id, form_url, extra_context)  # type: ignore[attr-defined]

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        """The admin's generated ModelForm refuses control characters in single-line text,
        as every form of the site does (core/forms.py)."""
        return _single_line(super().get_form(request, obj, change, **kwargs))  # type: ignore[misc]

    def get_formsets_with_inlines(self, request: Any, obj: Any = None) -> Any:
        """The inlines' forms too (a survey's questions: their labels are shown to people)."""
        for formset, inline in super().get_formsets_with_inlines(request, obj):  # type: ignore[misc]
            formset.form = _single_line(formset.form)
            yield formset, inline


def _single_line(form: type) -> type:
    """`form` with core/forms.py's control-character rule on its single-line fields."""
    from essaim.core.forms import SingleLineTextMixin

    return type(form.__name__, (SingleLineTextMixin, form), {})


class ReadOnlyAdmin(ProgrammeAdminMixin, admin.ModelAdmin):
    """Seen in the admin, written only by services (or shipped as reference data)."""

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Append-only: nobody edits or deletes the trail, not even superusers."""

    list_display = ["created_at", "actor_label", "actor_role", "action", "target_label", "summary"]
    list_filter = ["action", "actor_role"]
    search_fields = ["actor_label", "target_label", "summary", "action"]
    date_hierarchy = "created_at"


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    """The side effects waiting, delivered or failed (core/outbox.py); a failed one can be
    given another round of attempts once its cause is fixed."""

    list_display = ["pk", "created_at", "queue", "task", "ref", "status", "attempts", "last_error"]
    list_filter = ["status", "queue", "task"]
    search_fields = ["ref", "topic", "last_error"]
    exclude = ["kwargs"]  # may hold an e-mail's body
    actions = ["retry"]

    @admin.action(description=_("Relancer l’envoi des messages en échec"))
    def retry(self, request: Any, queryset: Any) -> None:
        from essaim.core.outbox import outbox_retry

        count = sum(outbox_retry(message=message, acting_user=request.user) for message in queryset)
        self.message_user(request, _("%(count)d message(s) relancé(s).") % {"count": count})
