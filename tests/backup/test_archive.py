"""export_archive and import_archive: a backup restores every row exactly, or refuses clearly."""

import datetime
import io
import json

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backup import archive
from hearings.models import Hearing, PublicationStatus, Session
from interventions.models import Intervention, Organisation, Theme
from tests.factories import (
    HearingFactory,
    InterventionFactory,
    OrganisationFactory,
    RecordingFactory,
    SessionFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.datetime(2019, 3, 4, 5, 6, 7, 891011, tzinfo=datetime.UTC)


@pytest.fixture
def full_archive():
    """At least one row of every model, drafts, nesting and many-to-many links included."""
    hearing = HearingFactory(title="Hearing “one” – ünïcode", end_date=datetime.date(2021, 7, 14))
    draft_hearing = HearingFactory(status=PublicationStatus.DRAFT)
    hearing.related_hearings.add(draft_hearing)
    session = SessionFactory(hearing=hearing, start_time=datetime.time(10), end_time=datetime.time(13))
    panel = SessionFactory(hearing=hearing, parent=session, kind=Session.Kind.PANEL)
    RecordingFactory(session=session, duration=datetime.timedelta(hours=2, minutes=3, seconds=4))
    network = OrganisationFactory(type=Organisation.Type.NETWORK)
    member = OrganisationFactory(parent=network, acronym="MO")
    broad = ThemeFactory()
    narrow = ThemeFactory(parent=broad)
    InterventionFactory(
        hearing=hearing,
        session=panel,
        order=1,
        organisation=member,
        on_behalf_of=[network],
        themes=[broad, narrow],
        start_offset=30,
        end_offset=95,
        text_delivered="Line one\nLine two",
    )
    InterventionFactory(hearing=draft_hearing, organisation=network, status=PublicationStatus.DRAFT)
    # Timestamps from the past prove the import keeps them rather than stamping the time of the import.
    for model in (Hearing, Organisation, Intervention):
        model.objects.update(created_at=LONG_AGO, updated_at=LONG_AGO)
    editors = Group.objects.create(name="Editors")
    editors.permissions.add(Permission.objects.get(codename="change_intervention"))
    editor = UserFactory(username="editor", is_staff=True)
    editor.groups.add(editors)
    editor.user_permissions.add(Permission.objects.get(codename="view_hearing"))
    LogEntry.objects.create(
        user=editor,
        content_type=ContentType.objects.get_for_model(Hearing),
        object_id=str(hearing.pk),
        object_repr=str(hearing),
        action_flag=ADDITION,
    )


def every_row(models):
    return {archive.label(model): list(model._base_manager.order_by("pk").values()) for model in models}


def wipe(models):
    for model in reversed(models):
        model._base_manager.all()._raw_delete(connection.alias)


def export(**options) -> str:
    stream = io.StringIO()
    archive.export_archive(stream, **options)
    return stream.getvalue()


def restore(text: str):
    return archive.import_archive(archive.read_document(io.StringIO(text)))


def test_round_trip_restores_every_row_of_every_model(full_archive):
    models = archive.archived_models(include_users=True, include_history=True)
    before = every_row(models)
    text = export(include_users=True, include_history=True)
    wipe(models)
    assert not any(every_row(models).values())
    restore(text)
    assert every_row(models) == before


def test_round_trip_covers_every_model_of_the_project_apps(full_archive):
    labels = {archive.label(model) for model in archive.archived_models(include_users=True, include_history=True)}
    assert {
        "hearings.hearing",
        "hearings.hearing_related_hearings",
        "hearings.session",
        "hearings.recording",
        "interventions.organisation",
        "interventions.theme",
        "interventions.intervention",
        "interventions.intervention_themes",
        "interventions.intervention_on_behalf_of",
        "auth.user",
        "auth.group",
        "auth.user_groups",
        "admin.logentry",
    } <= labels
    assert not labels & {"auth.permission", "contenttypes.contenttype", "sessions.session", "axes.accessattempt"}


def test_an_archive_written_before_the_kept_name_lists_gets_them_on_restore(full_archive):
    models = archive.archived_models()
    before = list(Intervention.objects.order_by("pk").values_list("theme_names", "on_behalf_of_names"))
    document = json.loads(export())
    for row in document["models"]["interventions.intervention"]:
        del row["theme_names"], row["on_behalf_of_names"]
    wipe(models)
    restore(json.dumps(document))
    assert list(Intervention.objects.order_by("pk").values_list("theme_names", "on_behalf_of_names")) == before
    assert any(themes and partners for themes, partners in before)


def test_an_archive_written_before_the_kept_recording_cells_gets_them_on_restore(full_archive):
    models = archive.archived_models()
    before = list(Intervention.objects.order_by("pk").values_list("recording_urls", flat=True))
    document = json.loads(export())
    for row in document["models"]["interventions.intervention"]:
        del row["recording_urls"]
    wipe(models)
    restore(json.dumps(document))
    assert list(Intervention.objects.order_by("pk").values_list("recording_urls", flat=True)) == before
    assert any(cell.endswith("t=30s") for cell in before)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL writes the kept cells in one statement")
def test_a_restore_rewrites_each_intervention_once_for_its_kept_cells(full_archive):
    text = export()
    wipe(archive.archived_models())
    with CaptureQueriesContext(connection) as queries:
        restore(text)
    rewrites = [query["sql"] for query in queries if query["sql"].startswith("UPDATE interventions_intervention SET")]
    assert len(rewrites) == 1
    assert all(f"{column} =" in rewrites[0] for column in ["theme_names", "on_behalf_of_names", "recording_urls"])


def test_restored_timestamps_are_the_original_ones(full_archive):
    models = archive.archived_models()
    text = export()
    wipe(models)
    restore(text)
    assert set(Intervention.objects.values_list("created_at", flat=True)) == {LONG_AGO}
    assert set(Hearing.objects.values_list("updated_at", flat=True)) == {LONG_AGO}


def test_records_added_after_a_restore_get_new_ids(full_archive):
    highest = Intervention.objects.order_by("-pk").first().pk
    models = archive.archived_models()
    text = export()
    wipe(models)
    restore(text)
    assert InterventionFactory().pk > highest


def test_export_includes_drafts(full_archive):
    document = json.loads(export())
    statuses = {row["status"] for row in document["models"]["interventions.intervention"]}
    assert statuses == {"draft", "published"}


def test_export_is_a_versioned_document():
    document = json.loads(export())
    assert document["format"] == "interventions-archive"
    assert document["version"] == 1
    assert datetime.datetime.fromisoformat(document["exported_at"])


def test_users_and_history_are_left_out_unless_asked_for(full_archive):
    labels = set(json.loads(export())["models"])
    assert "interventions.intervention" in labels
    assert not any(label.startswith(("auth.", "admin.")) for label in labels)


def test_permissions_are_written_by_name_not_by_id(full_archive):
    document = json.loads(export(include_users=True))
    permissions = [row["permission"] for row in document["models"]["auth.group_permissions"]]
    assert all(isinstance(permission, list) and len(permission) == 3 for permission in permissions)
    assert ["change_intervention", "interventions", "intervention"] in permissions


def test_import_refuses_a_database_that_is_not_empty(full_archive):
    with pytest.raises(archive.ArchiveError, match="The database is not empty"):
        restore(export())


def test_a_failed_import_leaves_the_database_as_it_was(full_archive):
    models = archive.archived_models()
    document = json.loads(export())
    document["models"]["interventions.intervention"][0]["organisation"] = 999999
    wipe(models)
    with pytest.raises(archive.ArchiveError, match="nothing was changed"):
        restore(json.dumps(document))
    assert not any(every_row(models).values())


def test_a_field_the_program_does_not_know_is_refused_not_dropped(full_archive):
    models = archive.archived_models()
    document = json.loads(export())
    document["models"]["interventions.theme"][0]["colour"] = "blue"
    wipe(models)
    with pytest.raises(archive.ArchiveError, match="interventions.theme has fields this program does not know: colour"):
        restore(json.dumps(document))
    assert not Theme.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json at all", "not valid JSON"),
        ('{"format": "something-else", "version": 1, "models": {}}', "its format is not"),
        ('{"format": "interventions-archive", "version": 99, "models": {}}', "newer than this program"),
        ('{"format": "interventions-archive", "version": 0, "models": {}}', "Unknown archive version 0"),
        ('{"format": "interventions-archive", "version": "1", "models": {}}', "Unknown archive version '1'"),
        ('{"format": "interventions-archive", "version": 1, "models": {"shop.basket": []}}', "shop.basket"),
    ],
)
def test_files_that_are_not_a_readable_archive_are_refused(text, message):
    with pytest.raises(archive.ArchiveError, match=message):
        restore(text)


def test_an_older_version_is_upgraded_before_it_is_loaded(full_archive, monkeypatch):
    def rename_theme(document):
        for row in document["models"]["interventions.theme"]:
            row["name"] = row.pop("label")
        return document

    models = archive.archived_models()
    document = json.loads(export())
    for row in document["models"]["interventions.theme"]:
        row["label"] = row.pop("name")
    names = sorted(Theme.objects.values_list("name", flat=True))
    wipe(models)
    monkeypatch.setattr(archive, "VERSION", 2)
    monkeypatch.setattr(archive, "UPGRADES", {1: rename_theme})
    restore(json.dumps(document))
    assert sorted(Theme.objects.values_list("name", flat=True)) == names


def test_an_older_version_without_an_upgrade_is_refused(monkeypatch):
    monkeypatch.setattr(archive, "VERSION", 2)
    with pytest.raises(archive.ArchiveError, match="no upgrade to version 2"):
        restore('{"format": "interventions-archive", "version": 1, "models": {}}')


def test_commands_write_and_restore_a_file(full_archive, tmp_path, capsys):
    path = tmp_path / "archive.json"
    call_command("export_archive", str(path), "--include-users", verbosity=0)
    assert "Wrote" in capsys.readouterr().out
    titles = sorted(Intervention.objects.values_list("title", flat=True))
    wipe(archive.archived_models(include_users=True))
    call_command("import_archive", str(path), verbosity=0)
    assert sorted(Intervention.objects.values_list("title", flat=True)) == titles
    assert Group.objects.get(name="Editors").user_set.get().username == "editor"


def test_import_command_explains_a_refusal(full_archive, tmp_path):
    path = tmp_path / "archive.json"
    call_command("export_archive", str(path), verbosity=0)
    with pytest.raises(CommandError, match="The database is not empty"):
        call_command("import_archive", str(path), verbosity=0)


def test_import_command_explains_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No file called"):
        call_command("import_archive", str(tmp_path / "missing.json"), verbosity=0)


def test_export_shows_progress_for_each_model(full_archive, tmp_path):
    err = io.StringIO()
    call_command("export_archive", str(tmp_path / "a.json"), stderr=err, stdout=io.StringIO())
    assert "interventions.intervention" in err.getvalue()
    assert "2/2" in err.getvalue()


def test_session_nesting_survives_the_round_trip(full_archive):
    models = archive.archived_models()
    text = export()
    wipe(models)
    restore(text)
    panel = Session.objects.get(kind=Session.Kind.PANEL)
    assert panel.parent.hearing == panel.hearing


def test_a_row_pointing_at_an_account_the_database_lacks_is_refused(full_archive):
    models = archive.archived_models(include_history=True)
    document = json.loads(export(include_history=True))
    assert document["models"]["admin.logentry"][0]["user"] == ["editor"]
    document["models"]["admin.logentry"][0]["user"] = ["nobody"]
    wipe(models)
    with pytest.raises(archive.ArchiveError, match=r"admin.logentry.user points at user \['nobody'\]"):
        restore(json.dumps(document))
