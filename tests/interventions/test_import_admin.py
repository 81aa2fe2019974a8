"""Import and export in the admin: upload, preview, confirm; export CSV and XLSX and import them back."""

import io

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from interventions.models import ImportMapping, Intervention, Organisation
from tests.factories import HearingFactory, InterventionFactory, OrganisationFactory, ThemeFactory

pytestmark = pytest.mark.django_db

CSV_FORMAT, XLSX_FORMAT = "0", "1"
ROWS = [
    ["source_id", "hearing", "organisation", "speaker", "title", "themes", "start_offset"],
    ["AD1", "Hearing on trafficking", "GAATW", "Ana\xa0Example ", "Listen to survivors", "Demand", "1:02:03"],
    ["AD2", "Hearing on trafficking", "GAATW", "Ben Example", "Decent work", "", "83:45"],
]


@pytest.fixture
def archive():
    HearingFactory(title="Hearing on trafficking")
    OrganisationFactory(name="GAATW")
    ThemeFactory(name="Demand")


def csv_upload(rows=ROWS):
    text = "\r\n".join(",".join(row) for row in rows) + "\r\n"
    return SimpleUploadedFile("speakers.csv", ("\ufeff" + text).encode("utf-8"), content_type="text/csv")


def xlsx_upload(rows=ROWS):
    dataset = tablib.Dataset(*rows[1:], headers=rows[0])
    return SimpleUploadedFile("speakers.xlsx", dataset.export("xlsx"))


def preview(client, upload, file_format, **extra):
    url = reverse("admin:interventions_intervention_import")
    return client.post(url, {"import_file": upload, "format": file_format, **extra})


def confirm(client, response):
    form = response.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    data["mapping"] = data["mapping"].pk if data["mapping"] else ""
    data["create_missing"] = "on" if data["create_missing"] else ""
    return client.post(reverse("admin:interventions_intervention_process_import"), data)


@pytest.mark.parametrize(("upload", "file_format"), [(csv_upload, CSV_FORMAT), (xlsx_upload, XLSX_FORMAT)])
def test_an_uploaded_file_is_previewed_then_imported_on_confirmation(curator_client, archive, upload, file_format):
    response = preview(curator_client, upload(), file_format)

    assert response.status_code == 200
    assert "Listen to survivors" in response.content.decode()
    assert [row.import_type for row in response.context["result"].valid_rows()] == ["new", "new"]
    assert not Intervention.objects.exists()

    response = confirm(curator_client, response)

    assert response.status_code == 302
    created = Intervention.objects.get(source_id="AD1")
    assert (created.speaker_name, created.start_offset) == ("Ana Example", 3723)
    assert [theme.name for theme in created.themes.all()] == ["Demand"]


def test_the_preview_lists_unknown_organisations_and_offers_no_confirmation(curator_client, archive):
    rows = [ROWS[0], ["AD3", "Hearing on trafficking", "New Network", "Ana", "Words", "", ""]]

    response = preview(curator_client, csv_upload(rows), CSV_FORMAT)

    page = response.content.decode()
    assert "Organisations not in the archive:" in page
    assert "New Network" in page
    assert "Row 2, column “organisation”: no organisation in the archive is called “New Network”" in page
    assert "confirm_form" not in response.context


def test_the_curator_chooses_to_create_unknown_organisations(curator_client, archive):
    rows = [ROWS[0], ["AD3", "Hearing on trafficking", "New Network", "Ana", "Words", "", ""]]

    response = preview(curator_client, csv_upload(rows), CSV_FORMAT, create_missing="on")
    assert "New organisations, created by this import:" in response.content.decode()
    confirm(curator_client, response)

    assert Intervention.objects.get(source_id="AD3").organisation.name == "New Network"


def test_a_saved_mapping_is_chosen_on_the_import_form(curator_client, archive):
    mapping = ImportMapping.objects.create(name="French sheet", columns={"Orateur": "speaker_name", "Sujet": "title"})
    rows = [["hearing", "organisation", "Orateur", "Sujet"], ["Hearing on trafficking", "GAATW", "Ana", "Mots"]]

    response = preview(curator_client, csv_upload(rows), CSV_FORMAT, mapping=mapping.pk)
    confirm(curator_client, response)

    assert Intervention.objects.get().speaker_name == "Ana"


def test_a_file_with_errors_is_not_imported_and_names_the_row_and_column(curator_client, archive):
    rows = [ROWS[0], ["AD4", "Hearing on trafficking", "GAATW", "Ana", "Words", "", "1:75:00"]]

    response = preview(curator_client, csv_upload(rows), CSV_FORMAT)

    assert "Row 2, column “start_offset”: “1:75:00” is not a time offset" in response.content.decode()
    assert "confirm_form" not in response.context
    assert not Intervention.objects.exists()


@pytest.mark.parametrize(("file_format", "name"), [(CSV_FORMAT, "csv"), (XLSX_FORMAT, "xlsx")])
def test_an_exported_file_imports_again_with_no_changes(curator_client, file_format, name):
    InterventionFactory(source_id="E1", themes=[ThemeFactory(name="Demand")], start_offset=5025, end_offset=5100)
    InterventionFactory(source_id="E2", summary="Two paragraphs.\n\nThe second one.")
    before = list(Intervention.objects.order_by("pk").values_list("pk", "updated_at"))

    response = curator_client.post(
        reverse("admin:interventions_intervention_export"),
        {"format": file_format, "interventionresource_source_id": "on", "interventionresource_title": "on"}
        | {f"interventionresource_{field}": "on" for field in ["hearing", "organisation", "themes", "summary"]}
        | {f"interventionresource_{field}": "on" for field in ["start_offset", "end_offset", "date", "id"]},
    )
    assert response.status_code == 200
    exported = response.content if name == "xlsx" else response.content
    upload = SimpleUploadedFile(f"export.{name}", exported)

    response = preview(curator_client, upload, file_format)
    assert [row.import_type for row in response.context["result"].valid_rows()] == ["skip", "skip"]
    confirm(curator_client, response)

    assert list(Intervention.objects.order_by("pk").values_list("pk", "updated_at")) == before


def test_hearings_with_sessions_are_imported_and_exported_back(curator_client):
    rows = [
        ["title", "start_date", "format", "session_order", "session_title"],
        ["Hearing on trafficking", "2021-07-13", "online", "1", "Morning session"],
        ["Hearing on trafficking", "2021-07-13", "online", "2", "Afternoon session"],
    ]
    url = reverse("admin:hearings_hearing_import")
    response = curator_client.post(url, {"import_file": csv_upload(rows), "format": CSV_FORMAT})
    form = response.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields} | {"mapping": "", "create_missing": ""}
    curator_client.post(reverse("admin:hearings_hearing_process_import"), data)

    from hearings.models import Hearing

    hearing = Hearing.objects.get()
    assert [s.title for s in hearing.sessions.order_by("order")] == ["Morning session", "Afternoon session"]

    exported = curator_client.post(reverse("admin:hearings_hearing_export"), {"format": CSV_FORMAT})
    assert exported.status_code == 200
    dataset = tablib.Dataset().load(io.StringIO(exported.content.decode("utf-8-sig")).read(), format="csv")
    assert [row["session_title"] for row in dataset.dict] == ["Morning session", "Afternoon session"]


def test_a_mapping_is_saved_in_the_admin(curator_client):
    response = curator_client.post(
        reverse("admin:interventions_importmapping_add"),
        {
            "name": "French sheet",
            "target": "interventions",
            "columns": '{"Orateur": "speaker_name"}',
            "rules": '{"constants": {"language": "fr"}}',
        },
    )

    assert response.status_code == 302
    assert ImportMapping.objects.get().as_dict()["constants"] == {"language": "fr"}


def test_a_mapping_with_a_misspelt_rule_is_refused_in_plain_words(curator_client):
    response = curator_client.post(
        reverse("admin:interventions_importmapping_add"),
        {"name": "Typo", "target": "interventions", "columns": "{}", "rules": '{"constant": {"language": "fr"}}'},
    )

    assert response.status_code == 200
    assert "Unknown key(s) in the mapping: constant" in response.content.decode()
    assert not ImportMapping.objects.exists()


def test_a_mapping_sending_a_column_to_an_unknown_field_stops_the_preview(curator_client, archive):
    mapping = ImportMapping.objects.create(name="Wrong", columns={"Orateur": "speaker"})
    rows = [["hearing", "organisation", "Orateur", "title"], ["Hearing on trafficking", "GAATW", "Ana", "Mots"]]

    response = preview(curator_client, csv_upload(rows), CSV_FORMAT, mapping=mapping.pk)

    assert "The mapping sends column “Orateur” to “speaker”, which is not a field of interventions" in (
        response.content.decode()
    )
    assert "confirm_form" not in response.context


@pytest.fixture
def viewer_client(client):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    user = UserFactory(username="viewer", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client.force_login(user)
    return client


@pytest.fixture
def contributor_client(client):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    user = UserFactory(username="contributor", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_intervention", "add_intervention", "change_intervention"])
    )
    client.force_login(user)
    return client


def test_a_read_only_user_cannot_import_but_can_export(viewer_client, archive):
    assert viewer_client.get(reverse("admin:interventions_intervention_import")).status_code == 403
    assert preview(viewer_client, csv_upload(), CSV_FORMAT).status_code == 403
    assert viewer_client.post(reverse("admin:interventions_intervention_process_import"), {}).status_code == 403
    exported = viewer_client.post(reverse("admin:interventions_intervention_export"), {"format": CSV_FORMAT})
    assert exported.status_code == 200
    assert not Intervention.objects.exists()


def test_only_a_user_who_may_add_organisations_themes_and_hearings_can_create_unknown_ones(contributor_client, archive):
    rows = [ROWS[0], ["AD3", "Hearing on trafficking", "New Network", "Ana", "Words", "", ""]]

    response = preview(contributor_client, csv_upload(rows), CSV_FORMAT, create_missing="on")

    assert "You may not add organisations, themes or hearings" in response.content.decode()
    assert "confirm_form" not in response.context


def test_a_user_who_may_add_interventions_imports_them_without_creating_anything_else(contributor_client, archive):
    response = preview(contributor_client, csv_upload(), CSV_FORMAT)
    confirm(contributor_client, response)

    assert Intervention.objects.count() == 2


def test_a_confirmation_cannot_create_unknown_records_for_a_user_who_may_not(curator_client, archive):
    from django.contrib.auth.models import Permission
    from django.test import Client

    from tests.factories import UserFactory

    rows = [ROWS[0], ["AD3", "Hearing on trafficking", "New Network", "Ana", "Words", "", ""]]
    response = preview(curator_client, csv_upload(rows), CSV_FORMAT, create_missing="on")
    form = response.context["confirm_form"]
    forged = {name: form.initial.get(name, "") for name in form.fields} | {"mapping": "", "create_missing": "on"}
    contributor = UserFactory(username="contributor", is_staff=True)
    contributor.user_permissions.set(
        Permission.objects.filter(codename__in=["view_intervention", "add_intervention", "change_intervention"])
    )
    contributor_client = Client()
    contributor_client.force_login(contributor)

    contributor_client.post(reverse("admin:interventions_intervention_process_import"), forged)

    assert not Organisation.objects.filter(name="New Network").exists()
    assert not Intervention.objects.exists()


@pytest.mark.parametrize("model", ["interventions_intervention", "interventions_organisation", "hearings_hearing"])
def test_each_list_offers_import_and_export(curator_client, model):
    page = curator_client.get(reverse(f"admin:{model}_changelist")).content.decode()

    assert reverse(f"admin:{model}_import") in page
    assert reverse(f"admin:{model}_export") in page


def test_the_import_form_offers_only_the_mappings_for_its_records(curator_client):
    ImportMapping.objects.create(name="Speakers' list", target="interventions")
    ImportMapping.objects.create(name="Partner directory", target="organisations")

    page = curator_client.get(reverse("admin:interventions_intervention_import")).content.decode()

    assert "Speakers&#x27; list" in page
    assert "Partner directory" not in page
    assert "Create unknown organisations, themes and hearings" in page
