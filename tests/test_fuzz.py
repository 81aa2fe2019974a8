"""Property-based: whatever query string, path or headers arrive, every public URL answers without a server error."""

from urllib.parse import quote, urlencode

import pytest
from django.core.cache import cache
from django.urls import reverse
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
    max_examples=10, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
PARAMETERS = ["q", "organisation", "theme", "hearing", "type", "language", "date_from", "date_to", "sort", "page"]
PARAMETERS += ["page_size", "letter", "format"]
# What a WSGI server hands Django: any bytes, decoded as Latin-1.
WIRE_TEXT = st.binary(max_size=80).map(lambda raw: raw.decode("latin-1"))
HEADERS = ["HTTP_ACCEPT_LANGUAGE", "HTTP_COOKIE", "HTTP_USER_AGENT", "HTTP_REFERER", "HTTP_ACCEPT", "HTTP_HOST"]
HEADERS += ["HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_IF_MODIFIED_SINCE", "HTTP_RANGE"]


PAGES = ["home", "list", "detail", "hearings", "hearing", "organisations", "organisation", "themes", "theme"]
PAGES += ["healthz", "search", "sitemap", "robots"]
DOWNLOADS = ["export-csv", "export-json", "feed", "feed-rss", "cite-bibtex", "cite-ris", "cite-csl-json"]
API = ["api-root", "api-schema", "api-docs", "api-hearings", "api-hearing", "api-sessions", "api-session"]
API += ["api-organisations", "api-organisation", "api-themes", "api-theme", "api-interventions", "api-intervention"]
URLS = PAGES + DOWNLOADS + API


@pytest.fixture
def archive(settings):
    # Hundreds of requests from one address: the API's rate limit would answer 429 before the fuzzing is done.
    settings.API_ANON_RATE = "100000/minute"
    hearing = HearingFactory(slug="hearing")
    session = SessionFactory(hearing=hearing)
    RecordingFactory(session=session)
    theme = ThemeFactory(slug="theme")
    organisation = OrganisationFactory(slug="organisation")
    intervention = InterventionFactory(
        hearing=hearing, session=session, order=1, organisation=organisation, themes=[theme]
    )
    urls = {
        "detail": intervention.get_absolute_url(),
        "hearing": hearing.get_absolute_url(),
        "organisation": organisation.get_absolute_url(),
        "theme": theme.get_absolute_url(),
        "hearings": reverse("hearings:list"),
        "organisations": reverse("interventions:organisation-list"),
        "themes": reverse("interventions:theme-list"),
        "healthz": reverse("healthz"),
        "sitemap": reverse("sitemap"),
        "robots": reverse("robots"),
        "api-root": reverse("api:api-root"),
        "api-schema": reverse("api:schema"),
        "api-docs": reverse("api:docs"),
        "api-session": reverse("api:session-detail", args=[session.pk]),
    }
    for name in ["home", "list", "search", "export-csv", "export-json", "feed", "feed-rss"]:
        urls[name] = reverse(f"interventions:{name}")
    for name in ["cite-bibtex", "cite-ris", "cite-csl-json"]:
        urls[name] = reverse(f"interventions:{name}", args=[intervention.pk])
    for record in [hearing, organisation, theme, intervention]:
        basename = record._meta.model_name
        urls[f"api-{basename}s"] = reverse(f"api:{basename}-list")
        urls[f"api-{basename}"] = reverse(f"api:{basename}-detail", args=[record.pk])
    urls["api-sessions"] = reverse("api:session-list")
    assert set(urls) == set(URLS)
    return urls


def assert_clear_answer(response):
    # Exports are written as they are sent: a failure halfway would only show while reading them.
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code < 500, body[:500]
    assert b"Traceback" not in body


def fetch(client, url, **extra):
    response = client.get(url, **extra)
    assert_clear_answer(response)
    return response


@pytest.mark.parametrize("name", URLS)
@FUZZ
@given(params=st.lists(st.tuples(st.sampled_from(PARAMETERS) | st.text(max_size=10), st.text(max_size=40)), max_size=6))
def test_any_query_parameters_get_a_clear_answer(client, archive, name, params):
    fetch(client, f"{archive[name]}?{urlencode(params)}")


@pytest.mark.parametrize("name", URLS)
@FUZZ
@given(query_string=WIRE_TEXT)
def test_any_raw_query_string_gets_a_clear_answer(client, archive, name, query_string):
    fetch(client, archive[name], QUERY_STRING=query_string)


@pytest.mark.parametrize("name", URLS)
@FUZZ
@given(headers=st.dictionaries(st.sampled_from(HEADERS), WIRE_TEXT, max_size=4))
def test_any_headers_get_a_clear_answer(client, archive, name, headers):
    fetch(client, archive[name], **headers)


@pytest.mark.parametrize(
    "prefix",
    ["/interventions/", "/hearings/", "/organisations/", "/themes/", "/", "/api/v1/", "/api/v1/interventions/"],
)
@settings(max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(segment=st.text(min_size=1, max_size=60))
def test_any_path_segment_gets_a_clear_answer(client, archive, prefix, segment):
    response = fetch(client, f"{prefix}{quote(segment, safe='')}/")
    assert response.status_code in {200, 301, 302, 400, 404}


@pytest.mark.parametrize(
    "address",
    ["/interventions/{}/", "/interventions/{}/cite.bib", "/interventions/{}/cite.ris", "/interventions/{}/cite.json"]
    + ["/api/v1/interventions/{}/", "/api/v1/hearings/{}/", "/api/v1/sessions/{}/", "/api/v1/themes/{}/"],
)
@FUZZ
@given(number=st.integers())
def test_any_record_number_gets_a_clear_answer(client, archive, address, number):
    response = fetch(client, address.format(number))
    assert response.status_code in {200, 404}


def test_invented_forwarded_for_addresses_do_not_dodge_the_api_rate_limit(client, settings):
    settings.API_ANON_RATE = "2/minute"
    # The throttle's history lives in the cache: earlier tests' requests from the same address would count.
    cache.clear()
    answers = [client.get(reverse("api:theme-list"), HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code for n in range(3)]
    assert answers == [200, 200, 429]
