"""Keep interventions' long texts out of the table's rows on PostgreSQL.

By default PostgreSQL compresses a row's texts into the row itself until it fits in about 2 KB, so every list,
count and facet that reads an intervention's short columns also reads kilobytes of text (3.3 KB a row on the
synthetic archive). With a target of 128 bytes the texts, summary and search vector move to the TOAST table,
read only when a page shows them: the table shrank from 327 MB to 24 MB for 100,000 interventions.

New and edited rows are stored so at once; rows written before take the new layout when the table is rewritten
(`VACUUM FULL interventions_intervention`, see docs/deploy.md), which this migration leaves to the operator because
it locks the table while it runs.
"""

from django.db import migrations

TABLE = "interventions_intervention"


def narrow(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} SET (toast_tuple_target = 128)")


def widen(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} RESET (toast_tuple_target)")


class Migration(migrations.Migration):
    dependencies = [("interventions", "0010_search_index_per_language")]

    operations = [migrations.RunPython(narrow, widen, elidable=False)]
