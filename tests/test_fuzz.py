"""Property-based: whatever query string, path or headers arrive, every public URL answers without a server error."""

from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import (
    HearingFactory,
    InterventionFactory,
    OrganisationFactory,
    RecordingFactory,
    SessionFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

# Bounded so the whole file stays well under a minute; the database fixture is read-only, hence shared.
FUZZ = settings(
    max_examples=15, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
PARAMETERS = ["q", "organisation", "theme", "hearing", "type", "language", "date_from", "date_to", "sort", "page"]
PARAMETERS += ["page_size", "letter", "format"]
# What a WSGI server hands Django: any bytes, decoded as Latin-1.
WIRE_TEXT = st.binary(max_size=80).map(lambda raw: raw.decode("latin-1"))
HEADERS = ["HTTP_ACCEPT_LANGUAGE", "HTTP_COOKIE", "HTTP_USER_AGENT", "HTTP_REFERER", "HTTP_ACCEPT", "HTTP_HOST"]
HEADERS += ["HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_IF_MODIFIED_SINCE", "HTTP_RANGE"]


@pytest.fixture
def archive():
    hearing = HearingFactory(slug="hearing")
    session = SessionFactory(hearing=hearing)
    RecordingFactory(session=session)
    theme = ThemeFactory(slug="theme")
    organisation = OrganisationFactory(slug="organisation")
    intervention = InterventionFactory(
        hearing=hearing, session=session, order=1, organisation=organisation, themes=[theme]
    )
    return [
        "/",
        "/interventions/",
        intervention.get_absolute_url(),
        "/hearings/",
        hearing.get_absolute_url(),
        "/organisations/",
        organisation.get_absolute_url(),
        "/themes/",
        theme.get_absolute_url(),
        "/healthz",
    ]


def assert_clear_answer(response):
    assert response.status_code < 500, response.content[:500]
    assert b"Traceback" not in response.content


def fetch(client, url, **extra):
    response = client.get(url, **extra)
    assert_clear_answer(response)
    return response


@pytest.mark.parametrize("index", range(10))
@FUZZ
@given(params=st.lists(st.tuples(st.sampled_from(PARAMETERS) | st.text(max_size=10), st.text(max_size=40)), max_size=6))
def test_any_query_parameters_get_a_clear_answer(client, archive, index, params):
    fetch(client, f"{archive[index]}?{urlencode(params)}")


@pytest.mark.parametrize("index", range(10))
@FUZZ
@given(query_string=WIRE_TEXT)
def test_any_raw_query_string_gets_a_clear_answer(client, archive, index, query_string):
    fetch(client, archive[index], QUERY_STRING=query_string)


@pytest.mark.parametrize("index", range(10))
@FUZZ
@given(headers=st.dictionaries(st.sampled_from(HEADERS), WIRE_TEXT, max_size=4))
def test_any_headers_get_a_clear_answer(client, archive, index, headers):
    fetch(client, archive[index], **headers)


@pytest.mark.parametrize("prefix", ["/interventions/", "/hearings/", "/organisations/", "/themes/", "/"])
@settings(max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(segment=st.text(min_size=1, max_size=60))
def test_any_path_segment_gets_a_clear_answer(client, archive, prefix, segment):
    response = fetch(client, f"{prefix}{quote(segment, safe='')}/")
    assert response.status_code in {200, 301, 302, 400, 404}


@FUZZ
@given(number=st.integers())
def test_any_intervention_number_gets_a_clear_answer(client, archive, number):
    response = fetch(client, f"/interventions/{number}/")
    assert response.status_code in {200, 404}
