from django.db import migrations, models


def forget_snapshots(apps, schema_editor):
    # Snapshots counted before this migration hold neither; the next visitor counts a new one.
    apps.get_model("interventions", "FacetSnapshot").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("interventions", "0018_snapshot_theme_counts"),
    ]

    operations = [
        migrations.AddField(
            model_name="facetsnapshot",
            name="year_counts",
            field=models.JSONField(default=list, verbose_name="counts per year"),
        ),
        migrations.AddField(
            model_name="facetsnapshot",
            name="type_counts",
            field=models.JSONField(default=list, verbose_name="counts per type of organisation"),
        ),
        migrations.RunPython(forget_snapshots, migrations.RunPython.noop),
    ]
