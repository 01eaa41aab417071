"""The full-text index, specific to each database (ADR 0020).

PostgreSQL: the `unaccent` extension, a text search configuration `essaim_fr` copied from
`french` with `unaccent` before `french_stem`, a tsvector column and its GIN index.
SQLite: an FTS5 table (`unicode61 remove_diacritics 2`) whose rowid is the resource id;
the text put in it is stemmed in Python (library/text.py).
Both also index titles alone (`title_vector`, `library_resource_title_fts`): the title tier of
a query is then as cheap to bound as the other (a weight-restricted tsquery cannot use the
GIN index's statistics, and an FTS5 column filter walks every posting of the word).
"""

from django.db import migrations

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """
    DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'essaim_fr') THEN
            CREATE TEXT SEARCH CONFIGURATION essaim_fr (COPY = french);
            ALTER TEXT SEARCH CONFIGURATION essaim_fr
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
        END IF;
    END $$
    """,
    "ALTER TABLE library_resource ADD COLUMN search_vector tsvector",
    "ALTER TABLE library_resource ADD COLUMN title_vector tsvector",
    "CREATE INDEX library_resource_search_gin ON library_resource USING gin (search_vector)",
    "CREATE INDEX library_resource_title_gin ON library_resource USING gin (title_vector)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS library_resource_search_gin",
    "DROP INDEX IF EXISTS library_resource_title_gin",
    "ALTER TABLE library_resource DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE library_resource DROP COLUMN IF EXISTS title_vector",
]
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE library_resource_fts USING fts5("
    "title, summary, body, files, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE library_resource_title_fts USING fts5(title, tokenize = 'unicode61 remove_diacritics 2')",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS library_resource_fts", "DROP TABLE IF EXISTS library_resource_title_fts"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
