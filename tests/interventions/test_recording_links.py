"""Each intervention keeps the CSV export's recording cell (where its moment plays), and the cell follows every
change to the intervention, its sessions and its hearing's recordings."""

import importlib
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection

from hearings.models import Recording
from interventions.models import Intervention
from interventions.name_lists import LIST_SEPARATOR
from interventions.recording_links import RecordingLookup
from tests.factories import HearingFactory, InterventionFactory, RecordingFactory, SessionFactory

pytestmark = pytest.mark.django_db


def kept(intervention) -> str:
    return Intervention.objects.filter(pk=intervention.pk).values_list("recording_urls", flat=True)[0]


def live(intervention) -> str:
    """The cell as the export's row builder works it out from the recordings as they are."""
    hearing, session, parent, start = Intervention.objects.filter(pk=intervention.pk).values_list(
        "hearing_id", "session_id", "session__parent_id", "start_offset"
    )[0]
    return LIST_SEPARATOR.join(RecordingLookup([(hearing, session, parent)]).urls(hearing, session, parent, start))


@pytest.fixture
def session():
    return SessionFactory(hearing=HearingFactory(), order=1)


@pytest.mark.parametrize(
    ("provider", "url", "expected"),
    [
        (
            Recording.Provider.YOUTUBE,
            "https://www.youtube.com/watch?v=abc",
            "https://www.youtube.com/watch?v=abc&t=95s",
        ),
        (Recording.Provider.YOUTUBE, "https://youtu.be/abc", "https://youtu.be/abc?t=95s"),
        (Recording.Provider.VIMEO, "https://vimeo.com/1#old", "https://vimeo.com/1#t=95s"),
        (Recording.Provider.MEDIA_FILE, "https://example.org/hearing.mp4", "https://example.org/hearing.mp4#t=95"),
        (Recording.Provider.UN_WEB_TV, "https://webtv.un.org/en/asset/k1x", "https://webtv.un.org/en/asset/k1x"),
    ],
)
def test_an_intervention_keeps_its_sessions_recording_at_its_start(session, provider, url, expected):
    RecordingFactory(session=session, provider=provider, url=url, order=1)
    intervention = InterventionFactory(hearing=session.hearing, session=session, start_offset=95)
    assert kept(intervention) == expected == live(intervention)


def test_an_intervention_without_a_start_keeps_the_recordings_plain_address(session):
    RecordingFactory(session=session, url="https://www.youtube.com/watch?v=abc", order=1)
    intervention = InterventionFactory(hearing=session.hearing, session=session, start_offset=None)
    assert kept(intervention) == "https://www.youtube.com/watch?v=abc"


def test_only_the_sessions_first_recording_is_kept(session):
    RecordingFactory(session=session, url="https://www.youtube.com/watch?v=second", order=2)
    RecordingFactory(session=session, url="https://www.youtube.com/watch?v=first", order=1)
    intervention = InterventionFactory(hearing=session.hearing, session=session)
    assert kept(intervention) == "https://www.youtube.com/watch?v=first"


def test_a_panel_without_a_recording_keeps_its_parent_sessions_recording(session):
    RecordingFactory(session=session, url="https://www.youtube.com/watch?v=whole", order=1)
    panel = SessionFactory(hearing=session.hearing, parent=session, order=2)
    intervention = InterventionFactory(hearing=session.hearing, session=panel, start_offset=60)
    assert kept(intervention) == "https://www.youtube.com/watch?v=whole&t=60s" == live(intervention)


def test_an_intervention_without_a_session_keeps_every_recording_of_its_hearing_once_in_order():
    hearing = HearingFactory()
    afternoon = SessionFactory(hearing=hearing, order=2)
    morning = SessionFactory(hearing=hearing, order=1)
    RecordingFactory(session=afternoon, url="https://example.org/afternoon", order=1)
    RecordingFactory(session=morning, url="https://example.org/floor", order=2)
    RecordingFactory(session=morning, url="https://example.org/morning", order=1)
    RecordingFactory(session=afternoon, url="https://example.org/floor", order=2)
    intervention = InterventionFactory(hearing=hearing, session=None, start_offset=30)
    expected = "https://example.org/morning; https://example.org/floor; https://example.org/afternoon"
    assert kept(intervention) == expected == live(intervention)


def test_an_intervention_with_no_recording_keeps_an_empty_cell(session):
    assert kept(InterventionFactory(hearing=session.hearing, session=session, start_offset=10)) == ""
    assert kept(InterventionFactory(hearing=session.hearing, session=None)) == ""


def test_the_cell_follows_the_interventions_start_and_session(session):
    RecordingFactory(session=session, url="https://www.youtube.com/watch?v=one", order=1)
    other = SessionFactory(hearing=session.hearing, order=2)
    RecordingFactory(session=other, url="https://www.youtube.com/watch?v=two", order=1)
    intervention = InterventionFactory(hearing=session.hearing, session=session, start_offset=10)
    intervention.start_offset = 20
    intervention.save()
    assert kept(intervention) == "https://www.youtube.com/watch?v=one&t=20s"
    intervention.session = other
    intervention.save()
    assert kept(intervention) == "https://www.youtube.com/watch?v=two&t=20s"


def test_the_cell_follows_a_recording_added_changed_and_deleted(session):
    intervention = InterventionFactory(hearing=session.hearing, session=session, start_offset=5)
    recording = RecordingFactory(session=session, url="https://www.youtube.com/watch?v=old", order=1)
    assert kept(intervention) == "https://www.youtube.com/watch?v=old&t=5s"
    recording.url = "https://vimeo.com/42"
    recording.provider = Recording.Provider.VIMEO
    recording.save()
    assert kept(intervention) == "https://vimeo.com/42#t=5s"
    recording.delete()
    assert kept(intervention) == ""


def test_the_cell_follows_recordings_reordered(session):
    first = RecordingFactory(session=session, url="https://example.org/a", order=1)
    second = RecordingFactory(session=session, url="https://example.org/b", order=2)
    intervention = InterventionFactory(hearing=session.hearing, session=session)
    first.order = 3
    first.save()
    assert kept(intervention) == second.url


def test_the_cell_follows_a_recording_moved_to_another_hearings_session(session):
    recording = RecordingFactory(session=session, url="https://example.org/moving", order=1)
    left_behind = InterventionFactory(hearing=session.hearing, session=session)
    elsewhere = SessionFactory(hearing=HearingFactory(), order=1)
    arriving = InterventionFactory(hearing=elsewhere.hearing, session=None)
    recording.session = elsewhere
    recording.save()
    assert kept(left_behind) == ""
    assert kept(arriving) == "https://example.org/moving"


def test_the_cell_follows_sessions_reordered_for_interventions_without_a_session():
    hearing = HearingFactory()
    first, second = SessionFactory(hearing=hearing, order=1), SessionFactory(hearing=hearing, order=2)
    RecordingFactory(session=first, url="https://example.org/a", order=1)
    RecordingFactory(session=second, url="https://example.org/b", order=1)
    intervention = InterventionFactory(hearing=hearing, session=None)
    first.order = 3
    first.save()
    assert kept(intervention) == "https://example.org/b; https://example.org/a"


def test_the_cell_follows_a_panel_taken_out_of_its_parent_session(session):
    RecordingFactory(session=session, url="https://example.org/whole", order=1)
    panel = SessionFactory(hearing=session.hearing, parent=session, order=2)
    intervention = InterventionFactory(hearing=session.hearing, session=panel)
    panel.parent = None
    panel.save()
    assert kept(intervention) == ""


def test_the_cell_follows_a_session_deleted_with_its_recordings():
    hearing = HearingFactory()
    kept_session, gone = SessionFactory(hearing=hearing, order=1), SessionFactory(hearing=hearing, order=2)
    RecordingFactory(session=kept_session, url="https://example.org/stays", order=1)
    RecordingFactory(session=gone, url="https://example.org/gone", order=1)
    intervention = InterventionFactory(hearing=hearing, session=None)
    gone.delete()
    assert kept(intervention) == "https://example.org/stays"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="xmin, a row version, is PostgreSQL's")
def test_a_change_that_moves_no_cell_rewrites_no_row(session):
    recording = RecordingFactory(session=session, url="https://example.org/a", order=1)
    intervention = InterventionFactory(hearing=session.hearing, session=session)

    def row_version():
        with connection.cursor() as cursor:
            cursor.execute("SELECT xmin::text FROM interventions_intervention WHERE id = %s", [intervention.pk])
            return cursor.fetchone()[0]

    before = row_version()
    recording.title = "Floor, morning"
    recording.save()
    assert row_version() == before


def test_rebuilding_the_search_index_repairs_cells_changed_behind_its_back(session):
    RecordingFactory(session=session, url="https://example.org/a", order=1)
    intervention = InterventionFactory(hearing=session.hearing, session=session, start_offset=None)
    Intervention.objects.update(recording_urls="stale")
    call_command("rebuild_search_index", stdout=StringIO())
    assert kept(intervention) == "https://example.org/a"


def test_the_migration_fills_the_cells_of_an_existing_archive(session):
    RecordingFactory(session=session, provider=Recording.Provider.MEDIA_FILE, url="https://example.org/a.mp4")
    interventions = [
        InterventionFactory(hearing=session.hearing, session=session, start_offset=12),
        InterventionFactory(hearing=session.hearing, session=None),
        InterventionFactory(),
    ]
    Intervention.objects.update(recording_urls="")
    migration = importlib.import_module("interventions.migrations.0020_kept_recording_urls")
    migration.fill_recording_urls(django_apps, SimpleNamespace(connection=connection))
    assert [kept(intervention) for intervention in interventions] == [
        "https://example.org/a.mp4#t=12",
        "https://example.org/a.mp4",
        "",
    ]
