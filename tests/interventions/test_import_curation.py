"""The import obeys the curation rules: no lost edits, roles, likely duplicates, history with its author."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from hearings.models import Hearing, PublicationStatus, Session
from interventions.importing import read_dataset, run_import
from interventions.models import ImportMapping, Intervention, Organisation
from interventions.resources import HearingResource, InterventionResource
from tests.admin_forms import change_form_data
from tests.factories import HearingFactory, InterventionFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

IMPORT = "admin:interventions_intervention_import"
PROCESS = "admin:interventions_intervention_process_import"
EXPORT = "admin:interventions_intervention_export"
CSV_FORMAT = "0"
UNGDC_FILE = Path(settings.BASE_DIR).parent / "shared/data/ungdc/ungdc_sessions_01_76_79.csv"
UNGDC_MAPPING = Path(settings.BASE_DIR) / "docs/examples/ungdc-mapping.json"
HEADER = ["source_id", "hearing", "organisation", "speaker", "title", "status"]


@pytest.fixture
def archive():
    return HearingFactory(title="Hearing on trafficking"), OrganisationFactory(name="GAATW")


def upload(*rows):
    text = "\r\n".join(",".join(row) for row in [HEADER, *rows]) + "\r\n"
    return SimpleUploadedFile("speakers.csv", text.encode("utf-8"), content_type="text/csv")


def row(source_id, title, speaker="Ana Example", status=""):
    return [source_id, "Hearing on trafficking", "GAATW", speaker, title, status]


def preview(client, *rows):
    return client.post(reverse(IMPORT), {"import_file": upload(*rows), "format": CSV_FORMAT})


def confirm(client, response):
    form = response.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    data["mapping"] = ""
    data["create_missing"] = ""
    return client.post(reverse(PROCESS), data)


def existing(archive, source_id, title, status=PublicationStatus.DRAFT):
    hearing, organisation = archive
    return InterventionFactory(
        source_id=source_id,
        title=title,
        hearing=hearing,
        organisation=organisation,
        speaker_name="Ana Example",
        status=status,
    )


def change_url(obj):
    return reverse("admin:interventions_intervention_change", args=[obj.pk])


def import_file(path, *args):
    call_command("import_interventions", str(path), *args, verbosity=0)


def write_csv(tmp_path, *rows):
    path = tmp_path / "speakers.csv"
    path.write_text("\n".join(",".join(r) for r in [HEADER, *rows]) + "\n", encoding="utf-8")
    return path


# No lost edits.


def test_a_record_edited_after_the_preview_is_refused_at_confirmation_with_their_change_shown(
    editor_client, contributor_client, archive
):
    intervention = existing(archive, "S1", "Listen to survivors")
    response = preview(contributor_client, row("S1", "Listen to survivors now"), row("S2", "A new one"))
    assert [r.import_type for r in response.context["result"].valid_rows()] == ["update", "new"]

    # An editor saves the record in the admin between the preview and the confirmation.
    page = editor_client.get(change_url(intervention))
    editor_client.post(change_url(intervention), change_form_data(page, title="Listen to the survivors"))
    refused = confirm(contributor_client, response)

    page = refused.content.decode()
    assert refused.status_code == 200
    assert "Row 2: someone else saved intervention “Listen to the survivors” after your preview (editor-member" in page
    assert "title: “Listen to survivors” → “Listen to the survivors”" in page
    intervention.refresh_from_db()
    assert intervention.title == "Listen to the survivors"
    assert not Intervention.objects.filter(source_id="S2").exists()  # one transaction: nothing was written


def test_a_record_nobody_touched_since_the_preview_is_updated_on_confirmation(contributor_client, archive):
    intervention = existing(archive, "S1", "Listen to survivors")
    response = preview(contributor_client, row("S1", "Listen to survivors now"))

    assert confirm(contributor_client, response).status_code == 302

    intervention.refresh_from_db()
    assert intervention.title == "Listen to survivors now"


@pytest.mark.parametrize("hearing_exists", [True, False])
def test_a_hearing_on_several_rows_is_not_taken_for_someone_elses_edit(editor_client, hearing_exists):
    if hearing_exists:
        HearingFactory(title="Hearing on trafficking", slug="trafficking")
    text = (
        "slug,title,start_date,session_order,session_title\r\n"
        "trafficking,Hearing on trafficking,2021-07-13,1,Morning\r\n"
        "trafficking,Hearing on trafficking,2021-07-13,2,Afternoon\r\n"
    )
    file = SimpleUploadedFile("hearings.csv", text.encode(), content_type="text/csv")
    response = editor_client.post(reverse("admin:hearings_hearing_import"), {"import_file": file, "format": CSV_FORMAT})
    form = response.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields} | {"mapping": "", "create_missing": ""}

    assert editor_client.post(reverse("admin:hearings_hearing_process_import"), data).status_code == 302
    assert list(Session.objects.order_by("order").values_list("title", flat=True)) == ["Morning", "Afternoon"]


def test_a_record_added_by_someone_else_after_the_preview_is_not_overwritten(contributor_client, archive):
    response = preview(contributor_client, row("S1", "My title"))
    theirs = existing(archive, "S1", "Their title")

    refused = confirm(contributor_client, response)

    assert "was added by someone else after your preview" in refused.content.decode()
    theirs.refresh_from_db()
    assert theirs.title == "Their title"


def test_a_damaged_confirmation_is_refused_without_writing(contributor_client, archive):
    intervention = existing(archive, "S1", "Listen to survivors")
    response = preview(contributor_client, row("S1", "Changed"))
    form = response.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields} | {"mapping": "", "create_missing": ""}

    refused = contributor_client.post(reverse(PROCESS), data | {"versions": "not json"})

    assert refused.status_code == 200
    intervention.refresh_from_db()
    assert intervention.title == "Listen to survivors"


def test_the_command_refuses_a_row_saved_by_an_admin_while_it_runs(archive):
    first, second = existing(archive, "S1", "First"), existing(archive, "S2", "Second")
    text = "\n".join(",".join(r) for r in [HEADER, row("S1", "First edited"), row("S2", "Second edited")])
    resource = InterventionResource()

    def curator_saves_second_row(done, total):
        if done == 1:
            theirs = Intervention.objects.get(pk=second.pk)
            theirs.title = "Second by a curator"
            theirs.save()

    resource.progress = curator_saves_second_row
    result = run_import(resource, read_dataset(text.encode(), "speakers.csv"))

    # In a test the curator's save shares the import's transaction, so it is rolled back with it.
    assert result.report.problems == [
        "Row 3: someone else saved intervention “Second by a curator” while the import ran, so this row was not "
        "imported. They changed: title: “Second” → “Second by a curator”. Upload the file again to import it over "
        "their version."
    ]
    first.refresh_from_db()
    assert first.title == "First"


# Roles, on the server, through upload, preview, confirmation and export.


def test_a_viewer_is_offered_no_import_and_is_refused_every_import_step(viewer_client, archive):
    changelist = viewer_client.get(reverse("admin:interventions_intervention_changelist")).content.decode()

    assert reverse(IMPORT) not in changelist
    assert viewer_client.get(reverse(IMPORT)).status_code == 403
    assert preview(viewer_client, row("S1", "Title")).status_code == 403
    assert viewer_client.post(reverse(PROCESS), {}).status_code == 403
    assert not Intervention.objects.exists()


@pytest.mark.parametrize("role_client", ["viewer_client", "contributor_client", "editor_client"])
def test_every_role_may_export(request, role_client, archive):
    existing(archive, "S1", "Exported title")
    client = request.getfixturevalue(role_client)

    response = client.post(reverse(EXPORT), {"format": CSV_FORMAT, "interventionresource_title": "on"})

    assert response.status_code == 200
    assert "Exported title" in response.content.decode()


def test_a_contributor_imports_new_rows_as_drafts_whatever_the_status_column_says(contributor_client, archive):
    response = preview(contributor_client, row("S1", "New one", status="published"))
    confirm(contributor_client, response)

    assert Intervention.objects.get(source_id="S1").status == PublicationStatus.DRAFT


def test_a_contributor_updates_a_draft_through_the_import(contributor_client, archive):
    draft = existing(archive, "S1", "Draft title")

    confirm(contributor_client, preview(contributor_client, row("S1", "Better draft title")))

    draft.refresh_from_db()
    assert draft.title == "Better draft title"


@pytest.mark.parametrize("status", [PublicationStatus.PUBLISHED, PublicationStatus.WITHDRAWN])
def test_a_contributor_cannot_update_what_the_public_has_seen_through_the_import(contributor_client, archive, status):
    public = existing(archive, "S1", "Public title", status=status)

    response = preview(contributor_client, row("S1", "Changed title"), row("S2", "New one"))

    assert "Row 2: “Public title”: Only editors can change or delete what the public has seen" in (
        response.content.decode()
    )
    assert "confirm_form" not in response.context
    public.refresh_from_db()
    assert public.title == "Public title"
    assert not Intervention.objects.filter(source_id="S2").exists()


def test_a_contributor_may_import_a_file_naming_a_published_record_unchanged(contributor_client, archive):
    existing(archive, "S1", "Public title", status=PublicationStatus.PUBLISHED)

    response = preview(contributor_client, row("S1", "Public title"), row("S2", "New one"))
    confirm(contributor_client, response)

    assert Intervention.objects.get(source_id="S2").title == "New one"


def test_a_record_published_between_preview_and_confirmation_is_refused_to_a_contributor(contributor_client, archive):
    draft = existing(archive, "S1", "Draft title")
    response = preview(contributor_client, row("S1", "Contributor's title"))
    draft.status = PublicationStatus.PUBLISHED
    draft.save()

    refused = confirm(contributor_client, response)

    assert "Only editors can change or delete what the public has seen" in refused.content.decode()
    draft.refresh_from_db()
    assert draft.title == "Draft title"


def test_an_editor_updates_a_published_record_through_the_import_and_it_stays_published(editor_client, archive):
    public = existing(archive, "S1", "Public title", status=PublicationStatus.PUBLISHED)

    confirm(editor_client, preview(editor_client, row("S1", "Corrected title")))

    public.refresh_from_db()
    assert (public.title, public.status) == ("Corrected title", PublicationStatus.PUBLISHED)


def test_a_contributor_cannot_add_a_session_to_a_published_hearing_through_the_import(contributor):
    HearingFactory(title="Public hearing", slug="public-hearing", status=PublicationStatus.PUBLISHED)
    text = "slug,title,start_date,session_order,session_title\npublic-hearing,Public hearing,2024-03-01,1,Opening\n"

    result = run_import(HearingResource(user=contributor), read_dataset(text.encode(), "hearings.csv"))

    assert result.report.problems == [
        "Row 2: “Public hearing”: Only editors can change or delete what the public has seen (a published or "
        "withdrawn record)."
    ]
    assert not Session.objects.exists()


def test_a_contributor_adds_a_session_to_a_draft_hearing_through_the_import(contributor):
    HearingFactory(title="Draft hearing", slug="draft-hearing", status=PublicationStatus.DRAFT)
    text = "slug,title,start_date,session_order,session_title\ndraft-hearing,Draft hearing,2024-03-01,1,Opening\n"

    result = run_import(HearingResource(user=contributor), read_dataset(text.encode(), "hearings.csv"))

    assert result.report.problems == []
    assert Session.objects.get().title == "Opening"


# Likely duplicates, seen before confirming.


def test_a_new_row_with_the_organisation_hearing_and_title_of_a_record_is_flagged_in_the_preview(
    editor_client, archive
):
    twin = existing(archive, "OLD-1", "Listen to Survivors")

    response = preview(editor_client, row("NEW-1", "listen to survivors"), row("NEW-2", "Something else"))

    page = response.content.decode()
    assert "Likely duplicates" in page
    assert f"Row 2: likely duplicate of intervention {twin.pk} “Listen to Survivors”, source id OLD-1" in page
    assert "Row 3: likely duplicate" not in page
    assert "confirm_form" in response.context  # flagged, not refused: the curator decides


def test_a_row_matching_its_record_by_source_id_is_not_a_duplicate(editor_client, archive):
    existing(archive, "S1", "Listen to survivors")

    response = preview(editor_client, row("S1", "Listen to survivors"))

    assert "Likely duplicates" not in response.content.decode()


# History: the importing curator is the author, and a version from before the import comes back.


def test_an_admin_import_names_the_importing_curator_in_the_history(contributor, contributor_client, archive):
    draft = existing(archive, "S1", "Draft title")

    confirm(contributor_client, preview(contributor_client, row("S1", "Imported title"), row("S2", "New one")))

    assert draft.history.latest().history_user == contributor
    assert Intervention.objects.get(source_id="S2").history.latest().history_user == contributor


def test_the_command_names_the_user_given_in_the_history(tmp_path, archive):
    importer = UserFactory(username="importer")

    import_file(write_csv(tmp_path, row("S1", "From the command line")), "--user", "importer")

    assert Intervention.objects.get(source_id="S1").history.latest().history_user == importer


def test_the_command_records_no_author_without_a_user(tmp_path, archive):
    import_file(write_csv(tmp_path, row("S1", "From the command line")))

    assert Intervention.objects.get(source_id="S1").history.latest().history_user is None


def test_the_command_refuses_an_unknown_user_and_writes_nothing(tmp_path, archive):
    with pytest.raises(CommandError, match="No account is called “nobody”"):
        import_file(write_csv(tmp_path, row("S1", "Title")), "--user", "nobody")

    assert not Intervention.objects.exists()


def test_a_version_from_before_an_import_is_restored_from_the_history(editor_client, tmp_path, archive):
    intervention = existing(archive, "S1", "Before the import")
    import_file(write_csv(tmp_path, row("S1", "After the import")))
    before = intervention.history.filter(title="Before the import").latest()
    revert_url = reverse("admin:interventions_intervention_simple_history", args=[intervention.pk, before.history_id])

    page = editor_client.get(revert_url)
    assert editor_client.post(revert_url, change_form_data(page)).status_code == 302

    intervention.refresh_from_db()
    assert intervention.title == "Before the import"


def test_the_ungdc_file_lands_from_the_command_with_a_mapping_saved_in_the_admin_and_its_author(editor):
    if not UNGDC_FILE.exists():
        pytest.skip(f"The UNGDC sample is not beside the repository ({UNGDC_FILE} is missing).")
    rules = json.loads(UNGDC_MAPPING.read_text(encoding="utf-8"))
    name, target, columns = rules.pop("name"), rules.pop("target"), rules.pop("columns")
    ImportMapping.objects.create(name=name, target=target, columns=columns, rules=rules)

    import_file(UNGDC_FILE, "--mapping", name, "--create-missing", "--user", editor.username)
    import_file(UNGDC_FILE, "--mapping", name, "--create-missing", "--user", editor.username)

    assert Intervention.objects.count() == 425
    assert Organisation.objects.get(acronym="EU").type == Organisation.Type.IGO
    assert sorted(Hearing.objects.values_list("start_date__year", flat=True)) == [1946, 2021, 2024]
    # Imported once: the second run changed nothing, so each record has one version, by the importing editor.
    assert set(Intervention.history.values_list("history_user", flat=True)) == {editor.pk}
    assert Intervention.history.count() == 425
