"""CSV and JSON exports: exactly the list page's results, in its order, safe to open in a spreadsheet."""

import csv
import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    HearingFactory,
    InterventionFactory,
    OrganisationFactory,
    RecordingFactory,
    SessionFactory,
    ThemeFactory,
)
from tests.interventions.conftest import QUERIES, html_list_ids

pytestmark = pytest.mark.django_db

CSV_URL = reverse("interventions:export-csv")
JSON_URL = reverse("interventions:export-json")
# Written out rather than imported from exports.py: the columns are a published contract, and a test that read
# them from the code would follow any change instead of catching it.
COLUMNS = [
    "id",
    "permalink",
    "hearing",
    "session",
    "date",
    "organisation",
    "on_behalf_of",
    "organisation_type",
    "speaker",
    "role",
    "title",
    "summary",
    "language",
    "themes",
    "recording_url",
    "start_offset",
    "end_offset",
    "source_url",
    "published_at",
]


TEXT_COLUMNS = ["text_delivered", "text_is_excerpt", "text_submitted"]


def body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def csv_rows(client, query="") -> list[dict]:
    response = client.get(f"{CSV_URL}?{query}")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(body(response).removeprefix("\ufeff"))))


def json_rows(client, query="") -> list[dict]:
    response = client.get(f"{JSON_URL}?{query}")
    assert response.status_code == 200
    return json.loads(body(response))["results"]


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_csv_holds_the_ids_of_the_list_page_in_its_order(client, varied_archive, query):
    expected = html_list_ids(client, query)
    assert [int(row["id"]) for row in csv_rows(client, query)] == expected


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_json_holds_the_ids_of_the_list_page_in_its_order(client, varied_archive, query):
    expected = html_list_ids(client, query)
    assert [row["id"] for row in json_rows(client, query)] == expected


def test_a_filter_leaves_out_non_matches(client, varied_archive):
    rows = csv_rows(client, "organisation=la-strada")
    assert rows
    assert all("La Strada International" in (row["organisation"] + row["on_behalf_of"]) for row in rows)
    assert len(rows) < len(varied_archive.interventions)


@pytest.mark.parametrize("url", [CSV_URL, JSON_URL])
def test_drafts_are_never_exported(client, varied_archive, url):
    response = client.get(f"{url}?q=root")
    text = body(response)
    assert "DRAFT" not in text
    assert "HIDDEN" not in text
    assert "Gamma of root causes" in text


def test_csv_starts_with_a_byte_order_mark_and_the_documented_columns(client, varied_archive):
    response = client.get(CSV_URL)
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert header == COLUMNS


def test_exports_are_downloads_with_dated_filenames(client, varied_archive):
    csv_response = client.get(CSV_URL)
    json_response = client.get(JSON_URL)
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_response["Content-Disposition"].startswith('attachment; filename="interventions-')
    assert csv_response["Content-Disposition"].endswith('.csv"')
    assert json_response["Content-Disposition"].endswith('.json"')


def test_json_export_is_an_object_with_metadata_and_results(client, varied_archive):
    data = json.loads(body(client.get(f"{JSON_URL}?language=fr")))
    assert data["columns"] == COLUMNS
    assert data["source"] == "http://testserver/interventions/export.json?language=fr"
    assert {row["language"] for row in data["results"]} == {"fr"}
    assert set(data["results"][0]) == set(COLUMNS)


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_neutralises_cells_that_a_spreadsheet_would_run_as_formulas(client, prefix):
    InterventionFactory(title=f'{prefix}HYPERLINK("https://evil.example")', summary=f"{prefix}1+1")
    row = csv_rows(client)[0]
    assert row["title"] == f'\'{prefix}HYPERLINK("https://evil.example")'
    assert row["summary"] == f"'{prefix}1+1"


def test_json_keeps_text_as_written(client):
    InterventionFactory(title="=1+1")
    assert json_rows(client)[0]["title"] == "=1+1"


def test_withheld_speaker_names_are_never_exported(client):
    InterventionFactory(speaker_name="Secret Person", withhold_speaker_name=True)
    InterventionFactory(speaker_name="Public Person")
    csv_text = body(client.get(CSV_URL))
    json_text = body(client.get(JSON_URL))
    for text in (csv_text, json_text):
        assert "Secret Person" not in text
        assert "Public Person" in text


def test_a_row_holds_permalink_recording_at_the_offset_and_lists(client, varied_archive):
    row = next(row for row in json_rows(client) if row["title"] == "Alpha: root causes of exploitation")
    intervention = varied_archive.interventions[1]
    assert row["permalink"] == f"http://testserver/interventions/{intervention.pk}/"
    assert row["hearing"] == "Vienna hearing"
    assert row["session"] == "Morning session"
    assert row["date"] == "2021-07-13"
    assert row["organisation"] == "Freedom Fund"
    assert row["on_behalf_of"] == ["La Strada International"]
    assert row["organisation_type"] == "ngo"
    assert row["themes"] == ["Labour exploitation"]
    assert row["recording_url"] == ["https://www.youtube.com/watch?v=morning&t=90s"]
    assert row["start_offset"] == 90


def test_csv_joins_lists_with_semicolons(client, varied_archive):
    row = next(row for row in csv_rows(client) if row["title"] == "Beta survivors speak")
    assert row["themes"] == "Prevention; Protection"


def test_without_a_session_the_recordings_of_the_hearing_are_given(client):
    session = SessionFactory()
    RecordingFactory(session=session, url="https://www.youtube.com/watch?v=whole")
    InterventionFactory(hearing=session.hearing, session=None)
    assert csv_rows(client)[0]["recording_url"] == "https://www.youtube.com/watch?v=whole"


@pytest.mark.parametrize("url", [CSV_URL, JSON_URL])
@pytest.mark.parametrize(
    ("query", "message"),
    [("organisation=nobody", "No organisation called “nobody”."), ("date_from=2021-13-45", "Enter a valid date.")],
)
def test_invalid_filters_get_a_400_with_a_clear_message(client, varied_archive, url, query, message):
    response = client.get(f"{url}?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_exports_answer_only_get(client):
    assert client.post(CSV_URL).status_code == 405


def test_list_page_links_the_downloads_with_its_filters_but_not_its_page(client, varied_archive):
    page = client.get(reverse("interventions:list"), {"theme": "prevention", "sort": "title", "page": "1"})
    html = page.content.decode()
    assert f'href="{CSV_URL}?theme=prevention&amp;sort=title"' in html
    assert f'href="{JSON_URL}?theme=prevention&amp;sort=title"' in html


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
        b"".join(response.streaming_content)
    return len(context)


@pytest.mark.parametrize("url", [CSV_URL, f"{JSON_URL}?theme=prevention&organisation=la-strada"])
def test_export_query_count_does_not_grow_with_the_result(client, varied_archive, url, django_assert_max_num_queries):
    measured = count_queries(client, url)
    for _ in range(30):
        InterventionFactory(
            hearing=varied_archive.morning.hearing,
            organisation=varied_archive.lsi,
            on_behalf_of=[varied_archive.lsi],
            themes=[varied_archive.interventions[0].themes.first()],
        )
    with django_assert_max_num_queries(measured):
        b"".join(client.get(url).streaming_content)


def test_exports_hold_every_result_not_one_page(client):
    InterventionFactory.create_batch(23)
    assert len(csv_rows(client, "page=2&page_size=5")) == 23
    assert len(json_rows(client, "page=2&page_size=5")) == 23


def test_a_new_user_finds_la_stradas_intervention_with_its_recording_in_the_demo_csv(client):
    call_command("load_demo", stdout=io.StringIO())
    rows = csv_rows(client, "q=root+causes")
    [row] = [row for row in rows if row["organisation"] == "La Strada International"]
    assert row["speaker"] == "Suzanne Hoff"
    assert row["date"] == "2021-07-13"
    assert row["recording_url"] == "https://webtv.un.org/"
    assert row["permalink"].startswith("http://testserver/interventions/")


def cells_of_the_row_builder(query="", texts=False) -> list[list[str]]:
    """The CSV the generic row builder writes (csv_lines(rows(...))), the reference every export path must match."""
    from django.test import RequestFactory

    from interventions.exports import csv_lines, filtered_interventions, rows

    request = RequestFactory().get(f"{CSV_URL}?{query}")
    filterset = filtered_interventions(request)
    assert filterset.is_valid()
    columns = COLUMNS + TEXT_COLUMNS if texts else COLUMNS
    text = "".join(csv_lines(rows(filterset.qs, request.build_absolute_uri, texts), columns))
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def csv_cells(client, query="") -> list[list[str]]:
    return list(csv.reader(io.StringIO(body(client.get(f"{CSV_URL}?{query}")).removeprefix("\ufeff"))))


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_csv_cells_are_those_of_the_row_builder_for_every_list_query(client, varied_archive, query):
    # On PostgreSQL the CSV is written by the database (COPY); elsewhere by the row builder itself.
    cells = csv_cells(client, query)
    assert len(cells) > 1
    assert cells == cells_of_the_row_builder(query)


def test_csv_cells_are_those_of_the_row_builder_for_awkward_values(client):
    hearing = HearingFactory()
    morning = SessionFactory(hearing=hearing, order=1)
    part = SessionFactory(hearing=hearing, parent=morning, order=2)
    RecordingFactory(session=morning, url="https://www.youtube.com/watch?v=a", order=2)
    RecordingFactory(session=morning, url="https://www.youtube.com/watch?v=first", order=1)
    vimeo = SessionFactory(hearing=hearing, order=3)
    RecordingFactory(session=vimeo, provider="vimeo", url="https://vimeo.com/1#x")
    media = SessionFactory(hearing=hearing, order=4)
    RecordingFactory(session=media, provider="media_file", url="https://example.org/a.mp4")
    InterventionFactory(
        hearing=hearing, session=part, start_offset=75, title="=1+1", summary='He said "no", then\nleft.'
    )
    InterventionFactory(hearing=hearing, session=vimeo, start_offset=30, title="-minus", speaker_name="Public Person")
    InterventionFactory(
        hearing=hearing,
        session=media,
        start_offset=0,
        title="@at",
        speaker_name="Secret Person",
        withhold_speaker_name=True,
    )
    InterventionFactory(hearing=hearing, session=None, title="\ttab", summary="", source_url="")
    cells = csv_cells(client)
    assert len(cells) == 5
    assert cells == cells_of_the_row_builder()
    assert "Secret Person" not in {cell for row in cells for cell in row}


def test_every_text_cell_that_a_spreadsheet_would_run_is_neutralised_as_the_row_builder_does(client):
    hearing = HearingFactory(title="=HEARING()")
    session = SessionFactory(hearing=hearing, title="+session", order=1)
    InterventionFactory(
        hearing=hearing,
        session=session,
        organisation=OrganisationFactory(name="-organisation"),
        on_behalf_of=[OrganisationFactory(name="@co-sponsor"), OrganisationFactory(name="plain co-sponsor")],
        themes=[ThemeFactory(name="=theme"), ThemeFactory(name="another theme")],
        speaker_name="\tspeaker",
        title="\rtitle",
        summary="=summary",
        source_url="=https://example.org/statement.pdf",
        text_delivered="+delivered",
        text_submitted="-submitted",
    )
    cells = csv_cells(client, "texts=1")
    assert cells == cells_of_the_row_builder("texts=1", texts=True)
    row = dict(zip(cells[0], cells[1], strict=True))
    assert row["hearing"] == "'=HEARING()"
    assert row["themes"] == "'=theme; another theme"
    assert row["text_submitted"] == "'-submitted"


def test_a_panel_with_its_own_recording_is_exported_with_it_rather_than_its_parent_sessions(client):
    hearing = HearingFactory()
    plenary = SessionFactory(hearing=hearing, order=1)
    RecordingFactory(session=plenary, url="https://www.youtube.com/watch?v=plenary")
    panel = SessionFactory(hearing=hearing, parent=plenary, order=2)
    RecordingFactory(session=panel, url="https://www.youtube.com/watch?v=panel-2", order=2)
    RecordingFactory(session=panel, url="https://www.youtube.com/watch?v=panel-1", order=1)
    InterventionFactory(hearing=hearing, session=panel, start_offset=12)
    cells = csv_cells(client)
    assert cells[1][cells[0].index("recording_url")] == "https://www.youtube.com/watch?v=panel-1&t=12s"
    assert cells == cells_of_the_row_builder()


def test_each_row_of_a_session_links_its_recording_at_its_own_moment(client):
    hearing = HearingFactory()
    session = SessionFactory(hearing=hearing, order=1)
    RecordingFactory(session=session, url="https://www.youtube.com/watch?v=session")
    silent = SessionFactory(hearing=hearing, order=2)  # no recording, no parent session
    for order, offset in enumerate([0, 95, 600, None], start=1):
        InterventionFactory(hearing=hearing, session=session, order=order, start_offset=offset)
    InterventionFactory(hearing=hearing, session=silent, order=1, start_offset=30)
    cells = csv_cells(client)
    column = cells[0].index("recording_url")
    assert sorted(row[column] for row in cells[1:]) == [
        "",
        "https://www.youtube.com/watch?v=session",
        "https://www.youtube.com/watch?v=session",
        "https://www.youtube.com/watch?v=session&t=600s",
        "https://www.youtube.com/watch?v=session&t=95s",
    ]
    assert cells == cells_of_the_row_builder()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY and its time limit are PostgreSQL's")
def test_the_csv_export_query_runs_under_the_exports_time_limit_not_the_pages(client, settings):
    # The whole archive at a million interventions takes 15-22 s: the pages' limit would end the file early.
    settings.EXPORT_STATEMENT_TIMEOUT_MS = 123_456
    InterventionFactory()
    limits = []

    def record_limit(execute, sql, params, many, context):
        if "statement_timeout" in sql:
            limits.append(params)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record_limit):
        cells = csv_cells(client)
    assert len(cells) == 2
    assert limits == [["123456"]]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY's plan is PostgreSQL's")
def test_the_csv_with_texts_keeps_the_lists_order_whichever_join_postgresql_prefers(client):
    # At a million interventions PostgreSQL hashed a theme's rows against the whole table to read their texts,
    # and the rows came in the table's order. Forbidding nested loops makes it prefer such a join here too.
    hearing = HearingFactory()
    for day in range(1, 13):  # stored oldest first, listed newest first
        InterventionFactory(hearing=hearing, date=datetime.date(2021, 7, day), text_delivered=f"Said on day {day}.")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_nestloop = off")
    rows = csv_rows(client, "texts=1")
    assert [int(row["id"]) for row in rows] == html_list_ids(client, "")
    assert rows[0]["text_delivered"] == "Said on day 12."


def test_the_csv_leaves_the_full_texts_out_unless_asked(client):
    InterventionFactory(text_delivered="Thank you, Chair.")
    cells = csv_cells(client)
    assert cells[0] == COLUMNS
    assert "Thank you, Chair." not in {cell for row in cells for cell in row}


def test_with_texts_asked_the_csv_adds_the_full_texts_after_the_stable_columns(client):
    InterventionFactory(
        text_delivered="=Thank you, Chair.\nWe welcome the plan.", text_submitted="", text_is_excerpt=True
    )
    header, row = csv_cells(client, "texts=1")
    assert header == COLUMNS + TEXT_COLUMNS
    assert row[len(COLUMNS) :] == ["'=Thank you, Chair.\nWe welcome the plan.", "True", ""]


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_csv_cells_with_texts_are_those_of_the_row_builder_for_every_list_query(client, varied_archive, query):
    cells = csv_cells(client, f"{query}&texts=1")
    assert len(cells) > 1
    assert cells == cells_of_the_row_builder(query, texts=True)


def test_with_texts_asked_the_json_gives_each_row_its_texts(client):
    InterventionFactory(text_delivered="Thank you, Chair.", text_submitted="Written version.")
    response = client.get(JSON_URL, {"texts": "1"})
    data = json.loads(body(response))
    assert data["columns"] == COLUMNS + TEXT_COLUMNS
    row = data["results"][0]
    assert (row["text_delivered"], row["text_is_excerpt"], row["text_submitted"]) == (
        "Thank you, Chair.",
        False,
        "Written version.",
    )
    assert "with-texts" in response["Content-Disposition"]


def test_the_list_offers_its_results_as_a_csv_with_full_texts_keeping_its_filters(client):
    intervention = InterventionFactory()
    response = client.get(reverse("interventions:list"), {"language": "en", "page": "1"})
    assert f'href="{CSV_URL}?language=en&amp;texts=1"' in response.content.decode()
    assert intervention.title in response.content.decode()
