"""Keep interventions' long texts out of the table's rows on PostgreSQL.

By default PostgreSQL compresses a row's texts into the row itself until it fits in about 2 KB, so every list,
count and facet that reads an intervention's short columns also reads kilobytes of text (3.3 KB a row on the
synthetic archive). With a target of 128 bytes the two texts and the search vector move to the TOAST table, read
only when a page shows them. The short columns every list and export shows (title, summary ...) are stored MAIN:
compressed in the row when need be, but kept in it, since fetching each from the TOAST table made the CSV export
twice as slow.

New and edited rows are stored so at once; rows written before take the new layout when the table is rewritten
(`VACUUM FULL interventions_intervention`, see docs/deploy.md), which this migration leaves to the operator because
it locks the table while it runs.
"""

from django.db import migrations

TABLE = "interventions_intervention"
IN_THE_ROW = [
    "title",
    "summary",
    "speaker_name",
    "speaker_title",
    "hearing_role",
    "modality",
    "language",
    "source_url",
    "source_id",
    "status",
]


def narrow(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} SET (toast_tuple_target = 128)")
        for column in IN_THE_ROW:
            schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN {column} SET STORAGE MAIN")


def widen(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} RESET (toast_tuple_target)")
        for column in IN_THE_ROW:
            schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN {column} SET STORAGE EXTENDED")


class Migration(migrations.Migration):
    dependencies = [("interventions", "0010_search_index_per_language")]

    operations = [migrations.RunPython(narrow, widen, elidable=False)]
