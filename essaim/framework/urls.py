from django.urls import path, register_converter

from essaim.framework import views


class VersionConverter:
    """A framework version in a URL: 2026.1, 2027.0-beta… (see documents.VERSION_RE)."""

    regex = r"[0-9A-Za-z][0-9A-Za-z._-]*"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(VersionConverter, "framework_version")

app_name = "framework"

urlpatterns = [
    path("", views.framework_current_view, name="current"),
    path("importer/", views.framework_import_view, name="import"),
    path("<framework_version:version>.json", views.framework_export_json, name="export-json"),
    path("<framework_version:version>.csv", views.framework_export_csv_view, name="export-csv"),
    path("<framework_version:version>/", views.framework_detail, name="detail"),
    path("<framework_version:version>/publier/", views.framework_publish_view, name="publish"),
    path("<framework_version:version>/nouveau-brouillon/", views.framework_new_draft_view, name="new-draft"),
]
