from __future__ import annotations

from typing import Any

from django.contrib import admin, messages

from essaim.core.admin import ProgrammeAdminMixin, ReadOnlyAdmin, ServiceBackedAdminMixin, admin_site_has_permission
from essaim.core.exceptions import ServiceError
from essaim.organisations.models import Affiliation, Departement, Organisation, Region
from essaim.organisations.services import EDITABLE_FIELDS, organisation_create, organisation_update


@admin.register(Organisation)
class OrganisationAdmin(ServiceBackedAdminMixin, ProgrammeAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "region", "siret", "is_active"]
    list_filter = ["kind", "region", "is_active"]
    search_fields = ["name", "short_name", "siret", "slug"]
    list_select_related = ["parent", "region"]
    autocomplete_fields = ["parent"]
    fields = ["name", "short_name", "kind", "parent", "siret", "region", "departement", "website", "description"]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        # The place in the tree and the kind are set at creation: moving a subtree would
        # silently change who may act on it.
        return ["kind", "parent"] if obj else []

    def has_add_permission(self, request: Any) -> bool:
        return admin_site_has_permission(request)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return admin_site_has_permission(request)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def save_model(self, request: Any, obj: Organisation, form: Any, change: bool) -> None:
        data = {name: form.cleaned_data.get(name) for name in EDITABLE_FIELDS if name in form.cleaned_data}
        try:
            if change:
                organisation_update(organisation=obj, acting_user=request.user, **data)
            else:
                # Empty optional fields arrive as "" or None: text fields take "", the
                # region and département None.
                values: dict[str, Any] = {
                    k: v or ("" if k not in {"region", "departement"} else None) for k, v in data.items()
                }
                created = organisation_create(
                    kind=form.cleaned_data["kind"],
                    parent=form.cleaned_data.get("parent"),
                    acting_user=request.user,
                    **values,
                )
                obj.pk = created.pk
        except ServiceError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name"]
    search_fields = ["name", "code"]


@admin.register(Departement)
class DepartementAdmin(ReadOnlyAdmin):
    search_fields = ["name", "code"]
    list_display = ["code", "name", "region"]
    list_filter = ["region"]


@admin.register(Affiliation)
class AffiliationAdmin(ReadOnlyAdmin):
    list_display = ["user", "organisation", "unit", "start_date", "end_date", "source"]
    list_select_related = ["user", "organisation"]
    search_fields = ["user__email", "organisation__name"]
