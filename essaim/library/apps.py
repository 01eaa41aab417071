from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _drop_orphan_matches(*, using: str = "default", **kwargs: object) -> None:
    """SQLite's FTS5 match table cannot reference library_resource, so rows of resources
    removed without the ORM (a flush, a restore, raw SQL) would stay and be counted. After
    every migrate and flush (both send post_migrate), drop them."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite" or "library_search_fts" not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM library_search_fts WHERE (rowid >> 32) NOT IN (SELECT id FROM library_resource)")


class LibraryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "essaim.library"
    verbose_name = _("Bibliothèque de ressources")

    def ready(self) -> None:
        post_migrate.connect(_drop_orphan_matches, sender=self, dispatch_uid="library-drop-orphan-matches")
