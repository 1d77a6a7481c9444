"""pg_trgm indexes for the staff's `%text%` searches, on PostgreSQL only.

Django's `icontains` is `UPPER(column::text) LIKE UPPER('%text%')` on PostgreSQL, which no
B-tree index serves; a GIN index over `UPPER(column)` with `gin_trgm_ops` does (for three
characters or more). SQLite has no such index and keeps its plain search, so the indexes
are not in the models' `Meta` (which would create them on SQLite too): migrations call
`indexes()` through `RunPython`, which does nothing on another database.
"""


def index_name(table: str, field: str) -> str:
    return f"{table}_{field}_trgm"[:63]


def indexes(app_label: str, model_name: str, fields: list[str]):
    """(forwards, backwards) for `migrations.RunPython`: `CREATE INDEX ... USING gin
    (UPPER(column) gin_trgm_ops)` per field."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        model = apps.get_model(app_label, model_name)
        table = model._meta.db_table
        quote = schema_editor.quote_name
        for field in fields:
            column = model._meta.get_field(field).column
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {quote(index_name(table, field))} ON {quote(table)} "
                f"USING gin (UPPER({quote(column)}) gin_trgm_ops)"
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = apps.get_model(app_label, model_name)._meta.db_table
        for field in fields:
            schema_editor.execute(
                f"DROP INDEX IF EXISTS {schema_editor.quote_name(index_name(table, field))}"
            )

    return forwards, backwards
