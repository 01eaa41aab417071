"""Admin for programme admins (staff). Writes go through the services, so they are audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from essaim.accounts.models import ApiToken, RoleAssignment, User
from essaim.accounts.rules import acting_role
from essaim.accounts.services import api_token_revoke, role_grant, role_revoke
from essaim.core.admin import ProgrammeAdminMixin, ReadOnlyAdmin, ServiceBackedAdminMixin, admin_site_has_permission
from essaim.core.exceptions import ServiceError
from essaim.core.services import audit_log


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ["email", "given_name", "usual_name", "organisation", "auth_source", "is_active", "last_login"]
    list_filter = ["auth_source", "is_active", "is_staff"]
    search_fields = ["email", "given_name", "usual_name"]
    list_select_related = ["organisation"]
    exclude = ["password"]

    def change_view(self, request: Any, object_id: str, form_url: str = "", extra_context: Any = None) -> Any:
        """Opening someone's account is an access to personal data: it is written to the journal."""
        response = super().change_view(request, object_id, form_url, extra_context)
        if getattr(response, "status_code", None) == 200:
            person = self.get_object(request, object_id)
            if person is not None:
                audit_log(
                    actor=request.user,
                    role=acting_role(request.user),
                    action="core.personal_data.admin_view",
                    target=person,
                    summary=str(_("Consultation d’un compte dans l’administration")),
                )
        return response


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ServiceBackedAdminMixin, ProgrammeAdminMixin, admin.ModelAdmin):
    list_display = ["user", "role", "organisation", "granted_by", "granted_at", "revoked_at"]
    list_filter = ["role", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email", "organisation__name"]
    list_select_related = ["user", "organisation", "granted_by"]
    autocomplete_fields = ["user", "organisation"]
    fields = ["user", "role", "organisation"]
    actions = ["revoke"]

    def has_add_permission(self, request: Any) -> bool:
        return admin_site_has_permission(request)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        # Roles are granted and revoked, never edited in place (the history stays true).
        return obj is None and admin_site_has_permission(request)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def save_model(self, request: Any, obj: RoleAssignment, form: Any, change: bool) -> None:
        try:
            saved = role_grant(user=obj.user, role=obj.role, organisation=obj.organisation, acting_user=request.user)
        except ServiceError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return
        obj.pk = saved.pk

    @admin.action(description=_("Retirer les rôles sélectionnés"))
    def revoke(self, request: Any, queryset: Any) -> None:
        for assignment in queryset.filter(revoked_at__isnull=True).select_related("user"):
            role_revoke(assignment=assignment, acting_user=request.user)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    search_fields = ["user__email", "name", "prefix"]
    list_select_related = ["user"]
    exclude = ["token_hash"]
    actions = ["revoke"]

    @admin.action(description=_("Révoquer les jetons sélectionnés"))
    def revoke(self, request: Any, queryset: Any) -> None:
        for token in queryset:
            api_token_revoke(token=token, acting_user=request.user)
