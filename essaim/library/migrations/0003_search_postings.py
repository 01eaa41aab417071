"""The search index becomes a table of postings, the same on both databases (ADR 0020).

`library_search_posting`: one row per (stem, findable resource) with its precomputed BM25F
weight and the resource's packed facet code; `library_search_term`, the vocabulary with
document frequencies, read best-first (ranking) and by key (scores
of candidates). Matching and exact facet counts: SQLite an FTS5 table of the stems whose
rowid packs the resource id and the facet code; PostgreSQL `library_search_document`, a
narrow table (id, code, stems as a position-less tsvector) with a GIN index.
The tsvector columns and FTS5 tables of migration 0002 are dropped (the `unaccent`
extension and `essaim_fr` configuration stay: harmless, and shared by nobody else).
Run `manage.py library_reindex` after migrating.
"""

from django.db import migrations

# The vocabulary: each stem and the number of findable resources using it (IDF, spelling).
TERMS = "CREATE TABLE library_search_term (term varchar(64) PRIMARY KEY, documents integer NOT NULL)"
# Related resources, computed at indexing (library/related.py).
RELATED = [
    "CREATE TABLE library_search_related (resource_id bigint NOT NULL REFERENCES library_resource (id) "
    "ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED, related_id bigint NOT NULL REFERENCES library_resource (id) "
    "ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED, score real NOT NULL, PRIMARY KEY (resource_id, related_id))",
    "CREATE INDEX library_search_related_other ON library_search_related (related_id)",
]
CREATE = {
    "sqlite": [
        "CREATE TABLE library_search_posting (term varchar(64) NOT NULL, "
        "resource_id bigint NOT NULL REFERENCES library_resource (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED, "
        "score real NOT NULL, code bigint NOT NULL, PRIMARY KEY (term, resource_id)) WITHOUT ROWID",
        "CREATE INDEX library_search_posting_best ON library_search_posting (term, score DESC, resource_id DESC, code)",
        "CREATE INDEX library_search_posting_resource ON library_search_posting (resource_id)",
        TERMS,
        *RELATED,
        # rowid = resource id << 32 | facet code: matches and their facets without a lookup.
        "CREATE VIRTUAL TABLE library_search_fts USING fts5(words, tokenize = 'unicode61 remove_diacritics 0')",
        "DROP TABLE IF EXISTS library_resource_fts",
        "DROP TABLE IF EXISTS library_resource_title_fts",
    ],
    "postgresql": [
        "CREATE TABLE library_search_posting (term varchar(64) NOT NULL, "
        "resource_id bigint NOT NULL REFERENCES library_resource (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED, "
        "score real NOT NULL, code bigint NOT NULL, "
        "CONSTRAINT library_search_posting_pk PRIMARY KEY (term, resource_id) INCLUDE (score, code))",
        "CREATE INDEX library_search_posting_best ON library_search_posting "
        "(term, score DESC, resource_id DESC) INCLUDE (code)",
        "CREATE INDEX library_search_posting_resource ON library_search_posting (resource_id)",
        TERMS,
        *RELATED,
        "CREATE TABLE library_search_document (resource_id bigint PRIMARY KEY "
        "REFERENCES library_resource (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED, "
        "code bigint NOT NULL, words tsvector NOT NULL)",
        "CREATE INDEX library_search_document_words ON library_search_document USING gin (words)",
        "DROP INDEX IF EXISTS library_resource_search_gin",
        "DROP INDEX IF EXISTS library_resource_title_gin",
        "ALTER TABLE library_resource DROP COLUMN IF EXISTS search_vector",
        "ALTER TABLE library_resource DROP COLUMN IF EXISTS title_vector",
    ],
}
DROP = {
    "sqlite": [
        "DROP TABLE IF EXISTS library_search_posting",
        "DROP TABLE IF EXISTS library_search_term",
        "DROP TABLE IF EXISTS library_search_related",
        "DROP TABLE IF EXISTS library_search_fts",
        "CREATE VIRTUAL TABLE library_resource_fts USING fts5("
        "title, summary, body, files, tokenize = 'unicode61 remove_diacritics 2')",
        "CREATE VIRTUAL TABLE library_resource_title_fts USING fts5(title, tokenize = 'unicode61 remove_diacritics 2')",
    ],
    "postgresql": [
        "DROP TABLE IF EXISTS library_search_posting",
        "DROP TABLE IF EXISTS library_search_term",
        "DROP TABLE IF EXISTS library_search_related",
        "DROP TABLE IF EXISTS library_search_document",
        "ALTER TABLE library_resource ADD COLUMN search_vector tsvector",
        "ALTER TABLE library_resource ADD COLUMN title_vector tsvector",
        "CREATE INDEX library_resource_search_gin ON library_resource USING gin (search_vector)",
        "CREATE INDEX library_resource_title_gin ON library_resource USING gin (title_vector)",
    ],
}


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("library", "0002_search_index")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
