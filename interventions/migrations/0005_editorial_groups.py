"""Editor, Contributor and Viewer groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATED = [
    ("hearings", "hearing"),
    ("hearings", "session"),
    ("hearings", "recording"),
    ("interventions", "organisation"),
    ("interventions", "theme"),
    ("interventions", "intervention"),
]
# Contributors may delete drafts; organisations and themes are shared by published records, so only editors delete them.
CONTRIBUTOR_DELETES = {"hearing", "session", "recording", "intervention"}
PUBLISH = [("hearings", "publish_hearing"), ("interventions", "publish_intervention")]


def group_permissions():
    editor, contributor, viewer = [], [], []
    for app_label, model in CURATED:
        for model_name in (model, f"historical{model}"):
            for action in ("add", "change", "delete", "view"):
                editor.append((app_label, f"{action}_{model_name}"))
        viewer.append((app_label, f"view_{model}"))
        contributor += [(app_label, f"{action}_{model}") for action in ("add", "change", "view")]
        if model in CONTRIBUTOR_DELETES:
            contributor.append((app_label, f"delete_{model}"))
    return {"Editor": editor + PUBLISH, "Contributor": contributor, "Viewer": viewer}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in group_permissions().items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in codes:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editor", "Contributor", "Viewer"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("hearings", "0004_history"),
        ("interventions", "0004_history"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
