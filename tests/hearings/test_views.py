import datetime

import pytest
from django.urls import reverse

from hearings.models import Hearing, PublicationStatus, Recording, Session
from tests.factories import HearingFactory, InterventionFactory, RecordingFactory, SessionFactory

pytestmark = pytest.mark.django_db


def html(client, url, params=None):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_hearing_list_shows_published_hearings_newest_first(client):
    HearingFactory(title="Older hearing", start_date=datetime.date(2019, 5, 1))
    HearingFactory(title="Newer hearing", start_date=datetime.date(2023, 5, 1))
    HearingFactory(title="Draft hearing", status=PublicationStatus.DRAFT)
    page = html(client, reverse("hearings:list"))
    assert page.index("Newer hearing") < page.index("Older hearing")
    assert "Draft hearing" not in page


def test_hearing_list_counts_published_interventions(client):
    hearing = HearingFactory()
    InterventionFactory.create_batch(2, hearing=hearing)
    InterventionFactory(hearing=hearing, status=PublicationStatus.DRAFT)
    assert "2 interventions" in html(client, reverse("hearings:list"))


def test_hearing_list_is_paginated(client):
    for day in range(1, 23):
        HearingFactory(start_date=datetime.date(2020, 1, day))
    page = html(client, reverse("hearings:list"))
    assert page.count('<li>\n    <a href="/hearings/') == 20
    assert 'href="?page=2"' in page


@pytest.fixture
def hearing():
    return HearingFactory(
        title="Hearing on trafficking",
        convened_by="President of the General Assembly",
        organised_by="UNODC",
        start_date=datetime.date(2021, 7, 13),
        end_date=datetime.date(2021, 7, 14),
        format=Hearing.Format.HYBRID,
        location="New York",
        description="Preparing the political declaration.",
        official_url="https://example.org/official",
        concept_note_url="https://example.org/concept-note.pdf",
        agenda_url="https://example.org/agenda.pdf",
    )


def test_hearing_detail_shows_its_facts_and_links(client, hearing):
    page = html(client, hearing.get_absolute_url())
    for text in (
        "President of the General Assembly",
        "UNODC",
        "13 July 2021",
        "14 July 2021",
        "Hybrid",
        "New York",
        "Preparing the political declaration.",
        "https://example.org/official",
        "https://example.org/concept-note.pdf",
        "https://example.org/agenda.pdf",
    ):
        assert text in page


def test_hearing_detail_lists_only_published_related_hearings(client, hearing):
    hearing.related_hearings.add(
        HearingFactory(title="High-level meeting"),
        HearingFactory(title="Secret meeting", status=PublicationStatus.DRAFT),
    )
    page = html(client, hearing.get_absolute_url())
    assert "High-level meeting" in page
    assert "Secret meeting" not in page


def test_hearing_detail_shows_sessions_in_order_with_panels_nested(client, hearing):
    afternoon = SessionFactory(hearing=hearing, title="Afternoon session", order=3)
    morning = SessionFactory(hearing=hearing, title="Morning session", order=1)
    SessionFactory(hearing=hearing, title="Panel on survivors", order=2, parent=morning)
    page = html(client, hearing.get_absolute_url())
    assert page.index("Morning session") < page.index("Panel on survivors") < page.index("Afternoon session")
    panel_start = page.index('class="session session--panel"')
    assert page.index("Morning session") < panel_start < page.index(f'id="session-{afternoon.order}"')


def test_hearing_detail_shows_recordings_with_their_details(client, hearing):
    session = SessionFactory(hearing=hearing)
    RecordingFactory(
        session=session,
        url="https://media.un.org/en/asset/k1x",
        provider=Recording.Provider.UN_WEB_TV,
        language_channel=Recording.Channel.FRENCH,
        duration=datetime.timedelta(hours=2, minutes=3),
        note="The exact address of this part is not known.",
    )
    page = html(client, hearing.get_absolute_url())
    for text in (
        "https://media.un.org/en/asset/k1x",
        "UN Web TV",
        "French",
        "2:03:00",
        "The exact address of this part",
    ):
        assert text in page


def test_hearing_detail_lists_published_interventions_in_order_with_watch_links(client, hearing):
    session = SessionFactory(hearing=hearing)
    RecordingFactory(session=session, url="https://www.youtube.com/watch?v=xyz")
    InterventionFactory(hearing=hearing, session=session, order=2, title="Second speaker")
    InterventionFactory(hearing=hearing, session=session, order=1, title="First speaker", start_offset=3723)
    InterventionFactory(
        hearing=hearing, session=session, order=3, title="Draft speaker", status=PublicationStatus.DRAFT
    )
    page = html(client, hearing.get_absolute_url())
    assert page.index("First speaker") < page.index("Second speaker")
    assert "Draft speaker" not in page
    assert 'href="https://www.youtube.com/watch?v=xyz&amp;t=3723s">Watch from 1:02:03</a>' in page


def test_hearing_detail_lists_interventions_without_session_under_session_not_recorded(client, hearing):
    SessionFactory(hearing=hearing, title="Only session")
    InterventionFactory(hearing=hearing, title="Unplaced statement")
    page = html(client, hearing.get_absolute_url())
    assert page.index("Session not recorded") < page.index("Unplaced statement")


def test_draft_hearing_is_404(client):
    hearing = HearingFactory(status=PublicationStatus.DRAFT)
    assert client.get(hearing.get_absolute_url()).status_code == 404


def test_unknown_hearing_is_404(client):
    assert client.get(reverse("hearings:detail", kwargs={"slug": "nothing"})).status_code == 404


def test_session_anchor_matches_session_get_absolute_url(client, hearing):
    session = SessionFactory(hearing=hearing, order=4)
    assert Session.objects.get().get_absolute_url().endswith("#session-4")
    assert f'id="session-{session.order}"' in html(client, hearing.get_absolute_url())


def test_a_hearing_dated_by_year_shows_the_year_and_no_invented_day(client):
    HearingFactory(slug="general-debate-1946", start_date=datetime.date(1946, 1, 1), date_precision="year")

    page = client.get(reverse("hearings:detail", kwargs={"slug": "general-debate-1946"})).content.decode()

    assert '<time datetime="1946">1946</time>' in page
    assert "1 January 1946" not in page


def test_a_hearing_dated_by_day_shows_the_day(client):
    HearingFactory(slug="hearing-2021", start_date=datetime.date(2021, 1, 1))

    page = client.get(reverse("hearings:detail", kwargs={"slug": "hearing-2021"})).content.decode()

    assert "1 January 2021" in page
