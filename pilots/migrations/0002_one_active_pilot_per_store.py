"""A store is in at most one active pilot over any day: enforced by the database.

PostgreSQL: an exclusion constraint over (store, the pilot's date range) for active rows,
which needs ``btree_gist`` for the equality on the store (a trusted extension: a database
owner may create it). SQLite (the embedded default): triggers that abort an insert or update
overlapping an active row of the same store. Ranges are inclusive of both ends.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """
    ALTER TABLE pilots_pilotstore ADD CONSTRAINT pilot_store_no_overlap
    EXCLUDE USING gist (store_id WITH =, daterange(start_date, end_date, '[]') WITH &&)
    WHERE (active)
    """,
]
POSTGRES_BACKWARD = ["ALTER TABLE pilots_pilotstore DROP CONSTRAINT pilot_store_no_overlap"]

SQLITE_CHECK = """
    SELECT RAISE(ABORT, 'pilot_store_no_overlap: the store is in an active pilot then')
    WHERE NEW.active AND EXISTS (
        SELECT 1 FROM pilots_pilotstore other
        WHERE other.store_id = NEW.store_id AND other.active AND other.id IS NOT NEW.id
          AND other.start_date <= NEW.end_date AND NEW.start_date <= other.end_date
    );
"""
SQLITE_FORWARD = [
    f"CREATE TRIGGER pilot_store_no_overlap_insert BEFORE INSERT ON pilots_pilotstore "
    f"BEGIN {SQLITE_CHECK} END",
    f"CREATE TRIGGER pilot_store_no_overlap_update BEFORE UPDATE ON pilots_pilotstore "
    f"BEGIN {SQLITE_CHECK} END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER pilot_store_no_overlap_insert",
    "DROP TRIGGER pilot_store_no_overlap_update",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("pilots", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
