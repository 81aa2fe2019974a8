"""Public pages kept per archive version (config.pagecache): read again for the cost of one query, never stale."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hearings.models import PublicationStatus
from interventions import snapshot
from interventions.models import Intervention
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

CSRF_VALUE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def archive():
    hearing = HearingFactory(title="Vienna hearing")
    morning = SessionFactory(hearing=hearing, title="Morning session")
    recording = RecordingFactory(session=morning, url="https://www.youtube.com/watch?v=morning")
    intervention = InterventionFactory(
        hearing=hearing,
        session=morning,
        title="Root causes of trafficking",
        organisation=OrganisationFactory(name="La Strada International"),
        themes=[ThemeFactory(name="Prevention")],
    )
    return intervention, recording


def page(client, url, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200
    return response.content.decode()


def without_csrf(html: str) -> str:
    return CSRF_VALUE.sub("", html)


def time_passes_to(moment, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_a_page_read_again_costs_one_query(client, archive, django_assert_num_queries):
    intervention, _ = archive
    first = page(client, intervention.get_absolute_url())
    with django_assert_num_queries(1):  # the archive's version
        again = page(client, intervention.get_absolute_url())
    assert without_csrf(again) == without_csrf(first)


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("interventions:home", {}),
        ("interventions:list", {}),
        ("interventions:organisation-list", {}),
        ("interventions:theme-list", {}),
        ("interventions:search", {}),
        ("hearings:list", {}),
    ],
)
def test_every_public_page_is_kept(client, archive, django_assert_num_queries, name, kwargs):
    page(client, reverse(name, kwargs=kwargs))
    with django_assert_num_queries(1):
        page(client, reverse(name, kwargs=kwargs))


def test_a_hearings_page_is_kept(client, archive, django_assert_num_queries):
    intervention, _ = archive
    page(client, intervention.hearing.get_absolute_url())
    with django_assert_num_queries(1):
        assert "Root causes of trafficking" in page(client, intervention.hearing.get_absolute_url())


def test_filtered_lists_are_kept_apart(client, archive):
    InterventionFactory(title="Labour exploitation in supply chains", language="fr")
    url = reverse("interventions:list")
    assert "Root causes of trafficking" in page(client, url)
    french = page(client, f"{url}?language=fr")
    assert "Labour exploitation in supply chains" in french
    assert "Root causes of trafficking" not in french


def test_each_visitor_gets_a_working_csrf_token_of_their_own(archive):
    intervention, _ = archive
    first = page(Client(), intervention.get_absolute_url())  # the first visitor's page is the one kept
    visitor = Client(enforce_csrf_checks=True)
    html = page(visitor, intervention.get_absolute_url())
    assert CSRF_VALUE.search(html)[1] != CSRF_VALUE.search(first)[1]
    response = visitor.post(
        reverse("set_language"),
        {"language": "fr", "next": intervention.get_absolute_url(), "csrfmiddlewaretoken": CSRF_VALUE.search(html)[1]},
    )
    assert response.status_code == 302
    assert 'lang="fr"' in page(visitor, intervention.get_absolute_url())


def test_languages_are_kept_apart(client, archive):
    intervention, _ = archive
    assert '<html lang="en"' in page(client, intervention.get_absolute_url())
    assert '<html lang="fr"' in page(client, intervention.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr")


def test_htmx_results_and_the_whole_page_are_kept_apart(client, archive):
    url = reverse("interventions:list")
    whole = page(client, url)
    results = page(client, url, HTTP_HX_REQUEST="true")
    assert "<html" in whole
    assert "<html" not in results
    assert "<html" in page(client, url)


# ---------------------------------------------------------------- every change shows at once


def test_an_edited_intervention_shows_at_once(client, archive):
    intervention, _ = archive
    page(client, intervention.get_absolute_url())
    intervention.title = "Prevention through decent work"
    intervention.save()
    assert "Prevention through decent work" in page(client, intervention.get_absolute_url())


def test_an_unpublished_intervention_is_gone_at_once(client, archive):
    intervention, _ = archive
    page(client, intervention.hearing.get_absolute_url())
    page(client, intervention.get_absolute_url())
    intervention.status = PublicationStatus.DRAFT
    intervention.save()
    assert client.get(intervention.get_absolute_url()).status_code == 404
    assert "Root causes of trafficking" not in page(client, intervention.hearing.get_absolute_url())


def test_a_changed_recording_shows_at_once(client, archive):
    intervention, recording = archive
    page(client, intervention.hearing.get_absolute_url())
    recording.url = "https://www.youtube.com/watch?v=afternoon"
    recording.save()
    assert "afternoon" in page(client, intervention.hearing.get_absolute_url())


def test_a_renamed_session_shows_at_once(client, archive):
    intervention, _ = archive
    page(client, intervention.get_absolute_url())
    session = intervention.session
    session.title = "Opening session"
    session.save()
    assert "Opening session" in page(client, intervention.get_absolute_url())


def test_a_newly_related_hearing_shows_at_once(client, archive):
    intervention, _ = archive
    follow_up = HearingFactory(title="Geneva follow-up hearing")
    page(client, intervention.hearing.get_absolute_url())
    intervention.hearing.related_hearings.add(follow_up)
    assert "Geneva follow-up hearing" in page(client, intervention.hearing.get_absolute_url())


def test_an_embargoed_intervention_appears_when_the_embargo_lifts(client, archive, settings, monkeypatch):
    settings.ARCHIVE_FACET_SNAPSHOT_SECONDS = 3600
    intervention, _ = archive
    lifts = timezone.now() + datetime.timedelta(minutes=5)
    embargoed = InterventionFactory(hearing=intervention.hearing, title="Statement under embargo", publish_at=lifts)
    assert "Statement under embargo" not in page(client, intervention.hearing.get_absolute_url())
    time_passes_to(embargoed.publish_at, monkeypatch)
    assert "Statement under embargo" in page(client, intervention.hearing.get_absolute_url())


def test_a_change_made_without_signals_shows_once_the_lifetime_ends(client, archive, settings, monkeypatch):
    settings.ARCHIVE_FACET_SNAPSHOT_SECONDS = 600
    intervention, _ = archive
    page(client, intervention.get_absolute_url())
    Intervention.objects.filter(pk=intervention.pk).update(title="Changed in an SQL console")
    assert "Changed in an SQL console" not in page(client, intervention.get_absolute_url())
    time_passes_to(timezone.now() + datetime.timedelta(seconds=601), monkeypatch)
    assert "Changed in an SQL console" in page(client, intervention.get_absolute_url())


def test_a_citation_kept_yesterday_says_it_was_accessed_today(client, archive, monkeypatch):
    intervention, _ = archive
    page(client, intervention.get_absolute_url())
    tomorrow = timezone.localdate(timezone.now() + datetime.timedelta(days=1))
    time_passes_to(timezone.now() + datetime.timedelta(days=1), monkeypatch)
    assert f"Accessed {tomorrow.day} {tomorrow:%B %Y}" in page(client, intervention.get_absolute_url())


def test_a_changed_recording_keeps_the_counts(client, archive):
    _, recording = archive
    client.get(reverse("interventions:list"))  # the whole archive counted once
    recording.url = "https://www.youtube.com/watch?v=afternoon"
    recording.save()
    assert snapshot.current_snapshot() is not None


def test_every_change_renames_the_archive_version():
    snapshot.bump_version()
    first = snapshot.archive_state()[0]
    snapshot.bump_version()
    assert snapshot.archive_state()[0] != first


# ---------------------------------------------------------------- who is never served a kept page


def test_a_curator_previewing_a_draft_is_never_kept_for_visitors(client, archive):
    intervention, _ = archive
    intervention.status = PublicationStatus.DRAFT
    intervention.save()
    curator = Client()
    curator.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert "Root causes of trafficking" in page(curator, intervention.get_absolute_url())
    assert client.get(intervention.get_absolute_url()).status_code == 404


def test_a_logged_in_curator_gets_a_page_rendered_for_them(archive):
    intervention, _ = archive
    Client().get(intervention.get_absolute_url())
    curator = Client()
    curator.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = curator.get(intervention.get_absolute_url())
    assert response.context is not None  # rendered, not read back


def test_nothing_is_kept_when_keeping_is_off(client, archive, settings):
    settings.ARCHIVE_FACET_SNAPSHOT_SECONDS = 0
    intervention, _ = archive
    client.get(intervention.get_absolute_url())
    assert client.get(intervention.get_absolute_url()).context is not None


def test_reading_many_pages_never_pushes_out_the_kept_counts(client, archive, settings, django_assert_max_num_queries):
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": "small-counts", "OPTIONS": {"MAX_ENTRIES": 5}},
        "pages": {**settings.CACHES["pages"], "LOCATION": "small-pages", "OPTIONS": {"MAX_ENTRIES": 5}},
        "rows": {**settings.CACHES["rows"], "LOCATION": "small-rows", "OPTIONS": {"MAX_ENTRIES": 5}},
    }
    settings.ARCHIVE_KEEP_PAGES = False
    home = reverse("interventions:home")
    client.get(home)
    with CaptureQueriesContext(connection) as counts_kept:
        client.get(home)
    queries_with_counts_kept = len(counts_kept)  # now: the next request empties the connection's query log
    settings.ARCHIVE_KEEP_PAGES = True
    for size in range(1, 12):  # a crawler: a dozen different pages, each kept once
        page(client, f"{reverse('interventions:list')}?page_size={size}")
    settings.ARCHIVE_KEEP_PAGES = False
    with django_assert_max_num_queries(queries_with_counts_kept):
        client.get(home)


def test_a_text_that_looks_like_the_token_marker_is_shown_as_written(client, archive):
    intervention, _ = archive
    intervention.summary = "Write <kept-csrf-token> and {{csrf-token}} in the template."
    intervention.save()
    page(client, intervention.get_absolute_url())
    html = page(client, intervention.get_absolute_url())
    assert "Write &lt;kept-csrf-token&gt; and {{csrf-token}} in the template." in html
