"""`manage.py export_open_data DIR`: the whole public archive as CSV files and Popolo JSON."""

import csv
import io
import json

import pytest
from django.core.management import call_command

from interventions.exports import COLUMNS
from tests.factories import InterventionFactory

pytestmark = pytest.mark.django_db

FILES = ["hearings.csv", "sessions.csv", "recordings.csv", "organisations.csv", "themes.csv", "interventions.csv"]


@pytest.fixture
def dump(tmp_path, varied_archive, settings):
    settings.SITE_URL = "https://archive.example.org"
    stderr = io.StringIO()
    call_command("export_open_data", str(tmp_path / "open-data"), stdout=io.StringIO(), stderr=stderr)
    return tmp_path / "open-data", stderr.getvalue()


def read_csv(path):
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


def test_writes_one_csv_per_model_and_a_popolo_file(dump):
    directory, _ = dump
    assert sorted(path.name for path in directory.iterdir()) == sorted([*FILES, "popolo.json"])


def test_interventions_csv_has_the_export_columns_and_only_published_rows(dump, varied_archive):
    directory, _ = dump
    rows = read_csv(directory / "interventions.csv")
    assert list(rows[0]) == COLUMNS
    assert sorted(int(row["id"]) for row in rows) == sorted(i.pk for i in varied_archive.interventions)
    assert rows[0]["permalink"] == f"https://archive.example.org/interventions/{rows[0]['id']}/"


def test_unpublished_hearings_and_their_organisations_are_left_out(dump):
    directory, _ = dump
    text = "".join(path.read_text(encoding="utf-8") for path in directory.iterdir())
    assert "Hidden hearing" not in text
    assert "DRAFT" not in text
    assert "HIDDEN" not in text
    assert {row["slug"] for row in read_csv(directory / "hearings.csv")} == {"vienna-2021", "geneva-2022"}


def test_popolo_has_organizations_events_and_speeches_with_our_extensions(dump, varied_archive):
    directory, _ = dump
    popolo = json.loads((directory / "popolo.json").read_text(encoding="utf-8"))
    assert {item["name"] for item in popolo["organizations"]} == {
        "La Strada International",
        "Freedom Fund",
        "Survivors Alliance",
    }
    events = {event["id"]: event for event in popolo["events"]}
    session = varied_archive.morning
    assert events[f"session-{session.pk}"]["parent_id"] == f"hearing-{session.hearing_id}"
    speech = next(s for s in popolo["speeches"] if s["title"] == "Alpha: root causes of exploitation")
    assert speech["event_id"] == f"session-{session.pk}"
    assert speech["organization_id"] == f"organisation-{varied_archive.interventions[1].organisation_id}"
    assert speech["on_behalf_of_ids"] == [f"organisation-{varied_archive.lsi.pk}"]
    assert speech["language"] == "fr"
    assert speech["themes"] == ["Labour exploitation"]
    assert speech["recording"] == {
        "urls": ["https://www.youtube.com/watch?v=morning&t=90s"],
        "start_offset": 90,
        "end_offset": None,
    }
    assert len(popolo["speeches"]) == len(varied_archive.interventions)


def test_withheld_speaker_names_are_left_out(tmp_path):
    InterventionFactory(speaker_name="Secret Person", withhold_speaker_name=True)
    call_command("export_open_data", str(tmp_path), stdout=io.StringIO(), stderr=io.StringIO())
    assert "Secret Person" not in (tmp_path / "interventions.csv").read_text(encoding="utf-8")
    assert "Secret Person" not in (tmp_path / "popolo.json").read_text(encoding="utf-8")


def test_shows_progress_for_each_file(dump):
    _, progress = dump
    assert "interventions.csv" in progress
    assert "8/8" in progress
