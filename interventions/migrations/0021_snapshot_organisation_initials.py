from django.db import migrations, models


def forget_snapshots(apps, schema_editor):
    # Snapshots counted before this migration do not hold the initials; the next visitor counts a new one.
    apps.get_model("interventions", "FacetSnapshot").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("interventions", "0020_kept_recording_urls"),
    ]

    operations = [
        migrations.AddField(
            model_name="facetsnapshot",
            name="organisation_initials",
            field=models.JSONField(default=list, verbose_name="public organisations per type and initial"),
        ),
        migrations.RunPython(forget_snapshots, migrations.RunPython.noop),
    ]
