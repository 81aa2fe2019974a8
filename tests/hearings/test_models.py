import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from hearings.models import Hearing, PublicationStatus, Recording
from tests.factories import HearingFactory, RecordingFactory, SessionFactory

pytestmark = pytest.mark.django_db


def test_hearing_slugs_are_unique():
    HearingFactory(slug="hearing-2021")
    with pytest.raises(IntegrityError), transaction.atomic():
        HearingFactory(slug="hearing-2021")


def test_hearing_cannot_end_before_it_starts_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        HearingFactory(start_date=datetime.date(2021, 11, 23), end_date=datetime.date(2021, 11, 22))


def test_hearing_ending_before_it_starts_fails_validation():
    hearing = HearingFactory.build(start_date=datetime.date(2021, 11, 23), end_date=datetime.date(2021, 11, 22))
    with pytest.raises(ValidationError):
        hearing.full_clean()


def test_one_day_hearing_needs_no_end_date():
    hearing = HearingFactory(end_date=None)
    assert hearing.last_date == hearing.start_date


def test_published_hearings_exclude_drafts():
    published = HearingFactory()
    HearingFactory(status=PublicationStatus.DRAFT)
    assert list(Hearing.objects.published()) == [published]


def test_draft_hearing_has_no_publication_date():
    assert HearingFactory(status=PublicationStatus.DRAFT).published_at is None


def test_hearing_publication_date_is_set_once_and_kept():
    hearing = HearingFactory(status=PublicationStatus.DRAFT)
    hearing.status = PublicationStatus.PUBLISHED
    hearing.save()
    first = hearing.published_at
    assert first is not None

    hearing.status = PublicationStatus.DRAFT
    hearing.save()
    hearing.status = PublicationStatus.PUBLISHED
    hearing.save()
    hearing.refresh_from_db()
    assert hearing.published_at == first


def test_hearing_str_is_its_title():
    assert str(HearingFactory(title="Multi-stakeholder hearing")) == "Multi-stakeholder hearing"


def test_hearing_url_uses_its_slug():
    assert HearingFactory(slug="hearing-2021").get_absolute_url() == "/hearings/hearing-2021/"


def test_session_order_is_unique_within_a_hearing():
    session = SessionFactory(order=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionFactory(hearing=session.hearing, order=1)


def test_two_hearings_can_each_have_a_first_session():
    first, second = SessionFactory(order=1), SessionFactory(order=1)
    assert first.hearing != second.hearing


def test_session_cannot_end_before_it_starts_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionFactory(start_time=datetime.time(13, 0), end_time=datetime.time(10, 0))


def test_session_ending_before_it_starts_fails_validation():
    session = SessionFactory.build(
        hearing=HearingFactory(), start_time=datetime.time(13, 0), end_time=datetime.time(10, 0)
    )
    with pytest.raises(ValidationError):
        session.full_clean()


def test_session_date_defaults_to_the_hearing_start_date():
    hearing = HearingFactory(start_date=datetime.date(2021, 7, 13))
    assert SessionFactory(hearing=hearing).date == datetime.date(2021, 7, 13)


def test_session_date_outside_the_hearing_fails_validation():
    session = SessionFactory.build(hearing=HearingFactory(), date=datetime.date(2021, 8, 1))
    with pytest.raises(ValidationError) as error:
        session.full_clean()
    assert "date" in error.value.message_dict


def test_panel_can_be_nested_in_a_session():
    session = SessionFactory()
    panel = SessionFactory.build(hearing=session.hearing, parent=session, order=2)
    panel.full_clean()


def test_sessions_nest_one_level_only():
    session = SessionFactory()
    panel = SessionFactory(hearing=session.hearing, parent=session)
    sub_panel = SessionFactory.build(hearing=session.hearing, parent=panel, order=99)
    with pytest.raises(ValidationError) as error:
        sub_panel.full_clean()
    assert "parent" in error.value.message_dict


def test_session_with_panels_cannot_be_nested():
    session = SessionFactory()
    SessionFactory(hearing=session.hearing, parent=session)
    other = SessionFactory(hearing=session.hearing)
    session.parent = other
    with pytest.raises(ValidationError):
        session.full_clean()


def test_parent_session_must_belong_to_the_same_hearing():
    session = SessionFactory()
    panel = SessionFactory.build(hearing=HearingFactory(), parent=session, order=2)
    with pytest.raises(ValidationError) as error:
        panel.full_clean()
    assert "parent" in error.value.message_dict


def test_session_str_names_hearing_and_session():
    session = SessionFactory(hearing=HearingFactory(title="Hearing"), title="Morning session")
    assert str(session) == "Hearing – Morning session"


def test_session_url_is_an_anchor_on_the_hearing_page():
    session = SessionFactory(hearing=HearingFactory(slug="hearing-2021"), order=2)
    assert session.get_absolute_url() == "/hearings/hearing-2021/#session-2"


def test_recording_order_is_unique_within_a_session():
    recording = RecordingFactory(order=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        RecordingFactory(session=recording.session, order=1)


def test_primary_recording_is_the_first_in_order():
    session = SessionFactory()
    RecordingFactory(session=session, order=2)
    first = RecordingFactory(session=session, order=1)
    assert session.primary_recording == first


def test_session_without_recordings_has_no_primary_recording():
    assert SessionFactory().primary_recording is None


def test_recording_str_is_its_title():
    assert str(RecordingFactory(title="UN Web TV – morning session")) == "UN Web TV – morning session"


def test_untitled_recording_str_names_provider_and_session():
    recording = RecordingFactory(title="", provider=Recording.Provider.UN_WEB_TV, session__title="Morning session")
    assert str(recording) == "UN Web TV – Morning session"


@pytest.mark.parametrize(
    ("provider", "url", "expected"),
    [
        (
            Recording.Provider.YOUTUBE,
            "https://www.youtube.com/watch?v=abc",
            "https://www.youtube.com/watch?v=abc&t=90s",
        ),
        (Recording.Provider.YOUTUBE, "https://youtu.be/abc", "https://youtu.be/abc?t=90s"),
        (Recording.Provider.VIMEO, "https://vimeo.com/123", "https://vimeo.com/123#t=90s"),
        (Recording.Provider.MEDIA_FILE, "https://example.org/a.mp4", "https://example.org/a.mp4#t=90"),
        (Recording.Provider.UN_WEB_TV, "https://webtv.un.org/", "https://webtv.un.org/"),
        (Recording.Provider.OTHER, "https://example.org/watch", "https://example.org/watch"),
    ],
)
def test_recording_url_at_an_offset_follows_the_provider(provider, url, expected):
    assert Recording(provider=provider, url=url).url_at(90) == expected


def test_recording_url_without_an_offset_is_the_plain_address():
    recording = Recording(provider=Recording.Provider.YOUTUBE, url="https://youtu.be/abc")
    assert recording.url_at(None) == "https://youtu.be/abc"
    assert recording.url_at(0) == "https://youtu.be/abc"


def test_only_some_providers_support_offsets():
    assert Recording(provider=Recording.Provider.YOUTUBE).supports_offset()
    assert not Recording(provider=Recording.Provider.UN_WEB_TV).supports_offset()
