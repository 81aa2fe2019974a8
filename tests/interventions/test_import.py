"""Importing interventions from spreadsheets: mapping, relations, re-imports, errors, the command."""

import datetime
import time
from pathlib import Path

import pytest
import tablib
from django.conf import settings
from django.core.management import CommandError, call_command

from hearings.models import DatePrecision, Hearing, Session
from interventions.importing import Mapping, read_dataset, run_import, summary
from interventions.models import Intervention, Organisation, Theme
from interventions.resources import HearingResource, InterventionResource, OrganisationResource
from tests.factories import HearingFactory, InterventionFactory, OrganisationFactory, ThemeFactory

REPOSITORY = Path(settings.BASE_DIR)
UNGDC_FILE = REPOSITORY.parent / "shared/data/ungdc/ungdc_sessions_01_76_79.csv"
UNGDC_MAPPING = REPOSITORY / "docs/examples/ungdc-mapping.json"
EXAMPLE_FILE = REPOSITORY / "docs/examples/interventions-example.csv"

pytestmark = pytest.mark.django_db


def csv_dataset(text: str) -> tablib.Dataset:
    return read_dataset(text.encode("utf-8"), "file.csv")


def import_csv(text, mapping=None, create_missing=False, dry_run=False):
    resource = InterventionResource(mapping=mapping, create_missing=create_missing)
    return run_import(resource, csv_dataset(text), dry_run=dry_run)


def record_counts():
    return (Intervention.objects.count(), Organisation.objects.count(), Theme.objects.count(), Hearing.objects.count())


@pytest.fixture
def ungdc_import():
    if not UNGDC_FILE.exists():
        pytest.skip(f"The UNGDC sample is not beside the repository ({UNGDC_FILE} is missing).")

    def run():
        dataset = read_dataset(UNGDC_FILE.read_bytes(), UNGDC_FILE.name)
        resource = InterventionResource(mapping=Mapping.from_file(UNGDC_MAPPING), create_missing=True)
        started = time.monotonic()
        result = run_import(resource, dataset)
        print(f"UNGDC import of {len(dataset)} rows: {time.monotonic() - started:.1f} s")
        return result

    return run


def test_the_ungdc_file_lands_whole_with_the_saved_mapping(ungdc_import):
    result = ungdc_import()

    assert result.report.problems == []
    assert summary(result) == {"created": 425, "updated": 0, "unchanged": 0, "failed": 0}
    assert Intervention.objects.get(source_id="ARG_01_1946").organisation.name == "Argentina"
    # Speakers and posts: non-breaking and trailing spaces folded.
    eu_speeches = Intervention.objects.filter(organisation__acronym="EU")
    assert {(i.speaker_name, i.speaker_title) for i in eu_speeches} == {("Charles Michel", "President")}
    assert not Intervention.objects.filter(speaker_title__endswith=" ").exists()
    assert not Intervention.objects.filter(speaker_name__contains="\xa0").exists()
    assert not Intervention.objects.filter(speaker_title__contains="\xa0").exists()
    # The European Union is intergovernmental; every other speaker is a Member State.
    assert Organisation.objects.get(acronym="EU").type == Organisation.Type.IGO
    assert Organisation.objects.get(name="Argentina").type == Organisation.Type.MEMBER_STATE
    assert Organisation.objects.exclude(acronym="EU").exclude(type=Organisation.Type.MEMBER_STATE).count() == 0
    # The mapping's corrections merge the source's variant spellings; historic states stay apart.
    assert Organisation.objects.count() == 200
    assert Intervention.objects.filter(organisation__name="Philippines").count() == 2
    assert not Organisation.objects.filter(name="Phlippines").exists()
    assert set(Organisation.objects.filter(acronym="RUS").values_list("name", flat=True)) == {
        "Russia",
        "Union of Soviet Socialist Republics",
    }
    # Three General Debates, dated by their year only.
    hearings = Hearing.objects.order_by("start_date")
    assert [(h.start_date.year, h.date_precision, h.interventions.count()) for h in hearings] == [
        (1946, DatePrecision.YEAR, 39),
        (2021, DatePrecision.YEAR, 194),
        (2024, DatePrecision.YEAR, 192),
    ]
    # Texts are kept whole: the longest speech, some 44 KB, with all its paragraphs.
    longest = max(Intervention.objects.values_list("text_delivered", flat=True), key=len)
    assert len(longest) > 40000
    assert longest.count("\n") > 90


def test_importing_the_ungdc_file_again_changes_nothing(ungdc_import):
    ungdc_import()
    counts = record_counts()
    last_update = sorted(Intervention.objects.values_list("updated_at", flat=True))

    result = ungdc_import()

    assert summary(result) == {"created": 0, "updated": 0, "unchanged": 425, "failed": 0}
    assert record_counts() == counts
    assert sorted(Intervention.objects.values_list("updated_at", flat=True)) == last_update


# Headers, aliases and mappings.


def test_common_header_aliases_are_understood():
    HearingFactory(title="Hearing on trafficking", slug="hearing-on-trafficking")
    OrganisationFactory(name="La Strada International", acronym="LSI")

    result = import_csv(
        "Source ID,Hearing,Organization,Name of Person Speaking,Post,Title\n"
        "A1,hearing-on-trafficking,LSI,Suzanne Hoff,International Coordinator,Opening\n"
    )

    assert result.report.problems == []
    intervention = Intervention.objects.get(source_id="A1")
    assert (intervention.organisation.name, intervention.speaker_name, intervention.speaker_title) == (
        "La Strada International",
        "Suzanne Hoff",
        "International Coordinator",
    )


def test_a_mapping_sends_any_column_to_a_field_and_unmapped_columns_are_listed():
    HearingFactory(title="Hearing on trafficking")
    OrganisationFactory(name="GAATW")
    mapping = Mapping.from_dict({"columns": {"Orateur": "speaker_name", "Sujet": "title"}})

    result = import_csv(
        "hearing,organisation,Orateur,Sujet,Remarks\nHearing on trafficking,GAATW,Bandana Pattanaik,Migration,ok\n",
        mapping=mapping,
    )

    intervention = Intervention.objects.get()
    assert (intervention.speaker_name, intervention.title) == ("Bandana Pattanaik", "Migration")
    assert result.report.ignored_columns == ["Remarks"]


def test_a_mapping_file_that_is_not_json_is_refused_in_plain_words(tmp_path):
    path = tmp_path / "mapping.json"
    path.write_text("{columns: nope")

    with pytest.raises(ValueError, match="not valid JSON"):
        Mapping.from_file(path)


# Relations by natural key.


def test_relations_are_found_by_slug_name_or_acronym_and_themes_by_name_or_slug():
    hearing = HearingFactory(title="Hearing on trafficking")
    organisation = OrganisationFactory(name="Global Alliance Against Traffic in Women", acronym="GAATW")
    demand, migration = ThemeFactory(name="Demand"), ThemeFactory(name="Migration policy", slug="migration-policy")

    import_csv(
        "source_id,hearing,organisation,title,themes\n"
        f"B1,{hearing.title},GAATW,One,Demand; migration-policy\n"
        f"B2,{hearing.slug},global alliance against traffic in women,Two,\n"
    )

    first, second = Intervention.objects.get(source_id="B1"), Intervention.objects.get(source_id="B2")
    assert (first.organisation, second.organisation) == (organisation, organisation)
    assert set(first.themes.all()) == {demand, migration}
    assert list(second.themes.all()) == []


def test_unknown_organisations_and_themes_are_listed_and_stop_the_import():
    HearingFactory(title="Hearing on trafficking")

    result = import_csv(
        "source_id,hearing,organisation,title,themes\nC1,Hearing on trafficking,New NGO,One,New theme\n"
    )

    assert result.report.unknown == {"organisations": ["New NGO"], "themes": ["New theme"]}
    assert "Row 2, column “organisation”: no organisation in the archive is called “New NGO”" in " ".join(
        result.report.problems
    )
    assert not Intervention.objects.exists()
    assert not Organisation.objects.filter(name="New NGO").exists()


def test_unknown_organisations_and_themes_are_created_when_the_curator_chooses_to():
    HearingFactory(title="Hearing on trafficking")

    result = import_csv(
        "source_id,hearing,organisation,title,themes\nC1,Hearing on trafficking,New NGO,One,New theme\n",
        create_missing=True,
    )

    assert result.report.created == {"organisations": ["New NGO"], "themes": ["New theme"]}
    intervention = Intervention.objects.get(source_id="C1")
    assert intervention.organisation.name == "New NGO"
    assert [theme.name for theme in intervention.themes.all()] == ["New theme"]


# Re-imports.


def test_importing_the_example_file_twice_creates_once_then_changes_nothing():
    text = EXAMPLE_FILE.read_text(encoding="utf-8")

    first = import_csv(text, create_missing=True)
    second = import_csv(text, create_missing=True)

    assert first.report.problems == []
    assert summary(first)["created"] == 2
    assert summary(second) == {"created": 0, "updated": 0, "unchanged": 2, "failed": 0}
    example = Intervention.objects.get(source_id="EX-0002")
    assert (example.start_offset, example.end_offset) == (3945, 4200)
    assert [o.name for o in example.on_behalf_of.all()] == ["Example Anti-Trafficking Network"]


def test_an_edited_file_updates_the_rows_it_matches_by_source_id():
    text = EXAMPLE_FILE.read_text(encoding="utf-8")
    import_csv(text, create_missing=True)
    created_ids = set(Intervention.objects.values_list("pk", flat=True))

    result = import_csv(text.replace("Listen to survivors", "Listen to survivors first"), create_missing=True)

    assert summary(result) == {"created": 0, "updated": 1, "unchanged": 1, "failed": 0}
    assert set(Intervention.objects.values_list("pk", flat=True)) == created_ids
    assert Intervention.objects.get(source_id="EX-0001").title == "Listen to survivors first"


def test_an_exported_file_imports_again_with_no_changes():
    themes = [ThemeFactory(name="Demand")]
    InterventionFactory(source_id="R1", themes=themes, start_offset=5025, end_offset=5100, speaker_title="Chair")
    InterventionFactory(source_id="", on_behalf_of=[OrganisationFactory()])
    counts = record_counts()

    exported = InterventionResource().export()
    result = run_import(InterventionResource(), read_dataset(exported.csv.encode("utf-8"), "export.csv"))

    assert result.report.problems == []
    assert summary(result) == {"created": 0, "updated": 0, "unchanged": 2, "failed": 0}
    assert record_counts() == counts


def test_the_status_column_of_a_file_cannot_publish_a_draft():
    draft = InterventionFactory(source_id="D1", status="draft")
    exported = InterventionResource().export()
    text = exported.csv.replace(",draft", ",published")

    import_csv(text)

    draft.refresh_from_db()
    assert draft.status == "draft"


# A messy file.

MESSY = (
    "\ufeffsource_id,hearing,organisation,title ,themes,start_offset\r\n"
    "M1,Hearing on trafficking,GAATW  ,Good row\xa0 ,Demand,1:02:03\r\n"
    "M2,Hearing on trafficking,GAATW,,Demand,\r\n"
    "M3,Hearing on trafficking,GAATW,Unknown theme,Nonexistent theme,\r\n"
    "M4,Hearing on trafficking,GAATW,Bad offset,Demand,1:75:00\r\n"
    "M1,Hearing on trafficking,GAATW,Good row,Demand,1:02:03\r\n"
)


@pytest.fixture
def messy_setup():
    HearingFactory(title="Hearing on trafficking")
    OrganisationFactory(name="GAATW")
    ThemeFactory(name="Demand")


def test_a_messy_file_reports_each_bad_row_and_column_in_plain_words(messy_setup):
    result = import_csv(MESSY)

    assert result.report.problems == [
        "Row 3, column “title”: This field cannot be blank.",
        "Row 4, column “themes”: no theme in the archive is called “Nonexistent theme”; "
        "tick “create unknown organisations, themes and hearings” (--create-missing on the command line) to add it, "
        "or correct the cell.",
        "Row 5, column “start_offset”: “1:75:00” is not a time offset; write 1:23:45, 83:45 or a whole number "
        "of seconds.",
        "Row 6, column “source_id”: repeats “M1” of row 2; each record may appear only once.",
    ]
    assert result.report.unknown == {"themes": ["Nonexistent theme"]}


def test_a_messy_file_writes_nothing(messy_setup):
    counts = record_counts()

    import_csv(MESSY)

    assert record_counts() == counts


def test_a_messy_file_writes_nothing_even_when_creating_unknown_themes(messy_setup):
    counts = record_counts()

    result = import_csv(MESSY, create_missing=True)

    assert result.report.problems
    assert record_counts() == counts


def test_a_row_repeated_exactly_without_an_id_is_reported(messy_setup):
    row = "Hearing on trafficking,GAATW,Same words\r\n"

    result = import_csv("hearing,organisation,title\r\n" + row + row)

    assert result.report.problems == ["Row 3: repeats row 2 exactly; delete one of them."]
    assert not Intervention.objects.exists()


def test_two_columns_for_one_field_are_refused(messy_setup):
    result = import_csv("organisation,Organization,title,hearing\r\nGAATW,GAATW,Words,Hearing on trafficking\r\n")

    assert result.report.problems == [
        "The file: Columns “organisation” and “Organization” both fill organisation; keep one, or map the other "
        "to a different field."
    ]
    assert not Intervention.objects.exists()


# The command line.


def test_the_command_imports_a_file_and_prints_a_summary(tmp_path, capsys):
    call_command("import_interventions", str(EXAMPLE_FILE), "--create-missing")

    output = capsys.readouterr().out
    assert "2 created, 0 updated, 0 unchanged, 0 failed" in output
    assert Intervention.objects.count() == 2


def test_the_command_dry_run_writes_nothing(capsys):
    call_command("import_interventions", str(EXAMPLE_FILE), "--create-missing", "--dry-run")

    assert "Dry run: nothing was written." in capsys.readouterr().out
    assert record_counts() == (0, 0, 0, 0)


def test_the_command_fails_with_row_and_column_errors(tmp_path, capsys, messy_setup):
    path = tmp_path / "messy.csv"
    path.write_bytes(MESSY.encode("utf-8"))

    with pytest.raises(CommandError, match="Nothing was written"):
        call_command("import_interventions", str(path))

    assert "Row 5, column “start_offset”" in capsys.readouterr().err
    assert not Intervention.objects.exists()


def test_the_command_uses_a_mapping_file(tmp_path, capsys, messy_setup):
    path = tmp_path / "speakers.csv"
    path.write_text("Orateur,Sujet,hearing,organisation\nAna,Words,Hearing on trafficking,GAATW\n", encoding="utf-8")
    mapping = tmp_path / "mapping.json"
    mapping.write_text('{"columns": {"Orateur": "speaker_name", "Sujet": "title"}}', encoding="utf-8")

    call_command("import_interventions", str(path), "--mapping", str(mapping))

    assert Intervention.objects.get().speaker_name == "Ana"


# Organisations and hearings with sessions.


def import_file(resource_class, text, **kwargs):
    return run_import(resource_class(**kwargs), csv_dataset(text))


def test_organisations_import_with_aliases_and_their_network_by_acronym():
    network = OrganisationFactory(name="La Strada International", acronym="LSI", type="network")

    result = import_file(
        OrganisationResource,
        "Organization,Abbreviation,Type,Member of,Website\n"
        "La Strada Ukraine,,NGO,LSI,https://la-strada.org.ua\n"
        "GAATW,GAATW,Network or platform,,\n",
    )

    assert result.report.problems == []
    member = Organisation.objects.get(name="La Strada Ukraine")
    assert (member.slug, member.type, member.parent) == ("la-strada-ukraine", "ngo", network)
    assert Organisation.objects.get(acronym="GAATW").type == "network"


def test_organisations_imported_again_are_unchanged_and_an_edit_updates_by_name():
    text = "name,type,country\nGAATW,network,Thailand\n"
    import_file(OrganisationResource, text)

    again = import_file(OrganisationResource, text)
    edited = import_file(OrganisationResource, text.replace("Thailand", '"Bangkok, Thailand"'))

    assert summary(again) == {"created": 0, "updated": 0, "unchanged": 1, "failed": 0}
    assert summary(edited) == {"created": 0, "updated": 1, "unchanged": 0, "failed": 0}
    assert Organisation.objects.get().country == "Bangkok, Thailand"


def test_an_organisation_of_an_unknown_type_is_refused_with_the_allowed_types():
    result = import_file(OrganisationResource, "name,type\nGAATW,charity\n")

    assert result.report.problems[0].startswith("Row 2, column “type”: “charity” is not one of the allowed values: ngo")
    assert not Organisation.objects.exists()


HEARINGS = (
    "title,start_date,format,session_order,session_title,session_start_time\n"
    "Hearing on trafficking,2021-07-13,online,1,Morning session,10:00\n"
    "Hearing on trafficking,2021-07-13,online,2,Afternoon session,15:00\n"
)


def test_hearings_import_with_their_sessions():
    result = import_file(HearingResource, HEARINGS)

    assert result.report.problems == []
    hearing = Hearing.objects.get()
    assert (hearing.slug, hearing.format, hearing.date_precision) == ("hearing-on-trafficking", "online", "day")
    assert [(s.order, s.title, s.start_time.hour) for s in hearing.sessions.order_by("order")] == [
        (1, "Morning session", 10),
        (2, "Afternoon session", 15),
    ]


def test_hearings_imported_again_change_nothing_and_an_edited_session_is_updated():
    import_file(HearingResource, HEARINGS)

    again = import_file(HearingResource, HEARINGS)
    edited = import_file(HearingResource, HEARINGS.replace("Afternoon session", "Closing session"))

    assert summary(again) == {"created": 0, "updated": 0, "unchanged": 2, "failed": 0}
    assert summary(edited) == {"created": 0, "updated": 1, "unchanged": 1, "failed": 0}
    assert [s.title for s in Session.objects.order_by("order")] == ["Morning session", "Closing session"]


def test_a_hearing_given_a_year_alone_is_dated_by_year():
    import_file(HearingResource, "title,year\nGeneral Debate 1946,1946\n")

    hearing = Hearing.objects.get()
    assert (hearing.start_date, hearing.date_precision) == (datetime.date(1946, 1, 1), DatePrecision.YEAR)


def test_exported_hearings_import_again_with_no_changes():
    import_file(HearingResource, HEARINGS + "General Debate 1946,1946,,,,\n")
    counts = (Hearing.objects.count(), Session.objects.count())

    exported = HearingResource().export()
    result = import_file(HearingResource, exported.csv)

    assert result.report.problems == []
    assert summary(result) == {"created": 0, "updated": 0, "unchanged": 3, "failed": 0}
    assert (Hearing.objects.count(), Session.objects.count()) == counts


def test_a_mapping_naming_an_unknown_field_in_its_constants_is_refused(messy_setup):
    mapping = Mapping.from_dict({"constants": {"langauge": "fr"}})

    result = import_csv("hearing,organisation,title\nHearing on trafficking,GAATW,Words\n", mapping=mapping)

    assert result.report.problems[0].startswith(
        "The file: The mapping's constants name “langauge”, which is not a field of interventions"
    )
    assert not Intervention.objects.exists()


def test_a_column_mapped_to_nothing_is_left_out_silently(messy_setup):
    mapping = Mapping.from_dict({"columns": {"Remarks": ""}})

    result = import_csv("hearing,organisation,title,Remarks\nHearing on trafficking,GAATW,Words,ok\n", mapping=mapping)

    assert result.report.problems == []
    assert result.report.ignored_columns == []
    assert Intervention.objects.get().title == "Words"


def test_excel_cells_keep_their_meaning_dates_times_and_numbers(messy_setup):
    import io

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["source_id", "hearing", "organisation", "title", "order", "date", "start_offset", "end_offset"])
    sheet.append(
        [
            "X1",
            "Hearing on trafficking",
            "GAATW",
            "Words",
            3,
            datetime.datetime(2021, 7, 13),
            datetime.time(1, 2, 3),
            4000,
        ]
    )
    sheet.append(["X2", "Hearing on trafficking", "GAATW", "More words", 4, 44390, "1:10:00", None])
    content = io.BytesIO()
    workbook.save(content)

    result = run_import(InterventionResource(), read_dataset(content.getvalue(), "speakers.xlsx"))

    assert result.report.problems == []
    first, second = Intervention.objects.get(source_id="X1"), Intervention.objects.get(source_id="X2")
    assert (first.order, first.date, first.start_offset, first.end_offset) == (
        3,
        datetime.date(2021, 7, 13),
        3723,
        4000,
    )
    assert (second.date, second.start_offset, second.end_offset) == (datetime.date(2021, 7, 13), 4200, None)
