"""The intervention list answers htmx with its results alone, and a plain request with the whole page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hearings.models import PublicationStatus
from tests.factories import InterventionFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("interventions:list")
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_an_htmx_request_gets_only_the_results(client):
    InterventionFactory(title="Public statement")
    html = client.get(LIST_URL, **HTMX).content.decode()
    assert "Public statement" in html
    assert '<p class="result-count" role="status">1 intervention</p>' in html
    assert "<html" not in html
    assert 'class="filters"' not in html


def test_the_results_partial_applies_the_filters_and_shows_their_chips(client):
    org = OrganisationFactory(name="La Strada International", slug="lsi")
    InterventionFactory(organisation=org, title="Matching statement")
    InterventionFactory(title="Other statement")
    html = client.get(LIST_URL, {"organisation": "lsi"}, **HTMX).content.decode()
    assert "Matching statement" in html
    assert "Other statement" not in html
    assert "Organisation: La Strada International" in html


def test_the_results_partial_leaves_out_drafts(client):
    InterventionFactory(title="Pending statement", status=PublicationStatus.DRAFT)
    html = client.get(LIST_URL, **HTMX).content.decode()
    assert "Pending statement" not in html
    assert "0 interventions" in html


def test_the_results_partial_answers_bad_input_clearly(client):
    response = client.get(LIST_URL, {"theme": "no-such-theme"}, **HTMX)
    assert response.status_code == 200
    assert "No theme called “no-such-theme”." in response.content.decode()


def test_a_history_restore_gets_the_whole_page(client):
    html = client.get(LIST_URL, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true").content.decode()
    assert "<html" in html
    assert 'class="filters"' in html


def test_a_plain_request_gets_the_whole_page_with_the_filter_form_wired_for_htmx(client):
    html = client.get(LIST_URL).content.decode()
    assert "<html" in html
    assert f'hx-get="{LIST_URL}" hx-target="#results" hx-push-url="true"' in html
    assert "vendor/htmx/htmx.min.js" in html


def test_responses_vary_on_the_htmx_header_so_caches_keep_page_and_partial_apart(client):
    assert "HX-Request" in client.get(LIST_URL)["Vary"]


def test_pages_carry_no_inline_script(client):
    InterventionFactory()
    html = client.get(LIST_URL).content.decode()
    assert "<script>" not in html
    assert html.count("<script") == html.count("<script src=")


def test_the_results_partial_skips_the_facet_queries_and_does_not_grow_with_the_archive(
    client, django_assert_max_num_queries, settings
):
    settings.ARCHIVE_KEEP_ROWS = False  # both views read their rows: they differ by the facets alone
    org = OrganisationFactory(slug="lsi")
    for _ in range(3):
        InterventionFactory(organisation=org)
    with CaptureQueriesContext(connection) as small:
        client.get(LIST_URL, {"organisation": "lsi"}, **HTMX)
    with CaptureQueriesContext(connection) as page:
        client.get(LIST_URL, {"organisation": "lsi"})
    assert len(small) < len(page)
    for _ in range(30):
        InterventionFactory(organisation=org)
    with django_assert_max_num_queries(len(small)):
        client.get(LIST_URL, {"organisation": "lsi"}, **HTMX)
