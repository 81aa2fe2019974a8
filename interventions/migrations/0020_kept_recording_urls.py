"""Each intervention keeps the CSV export's recording cell (recording_links.py), and its kept lists stay in the row.

Migration 0011 set the table's TOAST target to 128 bytes, so that texts and search vectors leave the row, and kept
the short columns lists and exports show in it (STORAGE MAIN). The kept name lists (0017) were added later with
the default storage, and PostgreSQL moved them out of the row too: every row the CSV export read cost a TOAST fetch
per list (2.4 million buffer reads for the themes' lists of the whole archive at 1M). They, and the new cell, are
stored MAIN, and the fill writes the lists again with the cell, which brings the existing ones back into the row.
"""

from django.db import migrations, models, transaction

import interventions.name_lists
import interventions.recording_links

TABLE = "interventions_intervention"
KEPT_IN_THE_ROW = ["theme_names", "on_behalf_of_names", "recording_urls"]


def kept_in_the_row(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for column in KEPT_IN_THE_ROW:
            schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN {column} SET STORAGE MAIN")


def stored_as_before(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for column in ["theme_names", "on_behalf_of_names"]:
            schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN {column} SET STORAGE EXTENDED")


def fill_recording_urls(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        interventions.recording_links.refresh_all(
            apps.get_model("interventions", "Intervention"), connection, apps.get_model("hearings", "Recording")
        )
        return
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # One statement for the whole archive (4.1 minutes at a million interventions on two CPUs).
        cursor.execute("SET LOCAL statement_timeout = 0")
        cursor.execute(
            f"UPDATE {TABLE} SET theme_names = {interventions.name_lists.PG_THEME_NAMES_SQL}, "  # noqa: S608
            f"on_behalf_of_names = {interventions.name_lists.PG_ON_BEHALF_OF_NAMES_SQL}, "
            f"recording_urls = {interventions.recording_links.PG_RECORDING_URLS_SQL}"
        )


class Migration(migrations.Migration):

    dependencies = [
        ('hearings', '0007_history_of_date_precision'),
        ('interventions', '0019_snapshot_year_and_type_counts'),
    ]

    operations = [
        migrations.AddField(
            model_name='intervention',
            name='recording_urls',
            field=models.TextField(blank=True, default='', editable=False, verbose_name='recording addresses'),
        ),
        migrations.RunPython(kept_in_the_row, stored_as_before, elidable=False),
        migrations.RunPython(fill_recording_urls, migrations.RunPython.noop),
    ]
