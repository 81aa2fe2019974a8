from django.db import migrations, models


def forget_snapshots(apps, schema_editor):
    # Snapshots counted before this migration hold neither; the next visitor counts a new one.
    apps.get_model("interventions", "FacetSnapshot").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("interventions", "0017_kept_name_lists"),
    ]

    operations = [
        migrations.AddField(
            model_name="facetsnapshot",
            name="theme_counts",
            field=models.JSONField(default=dict, verbose_name="theme counts"),
        ),
        migrations.AddField(
            model_name="facetsnapshot",
            name="public_organisations",
            field=models.PositiveIntegerField(default=0, verbose_name="public organisations"),
        ),
        migrations.RunPython(forget_snapshots, migrations.RunPython.noop),
    ]
