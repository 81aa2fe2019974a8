"""/search/: the best few hearings, organisations and interventions for a query."""

import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from hearings.models import PublicationStatus
from interventions.search import MESSAGES
from tests.factories import HearingFactory, InterventionFactory, OrganisationFactory, SessionFactory, ThemeFactory

pytestmark = pytest.mark.django_db

SEARCH_URL = reverse("interventions:search")


def search_page(client, query):
    response = client.get(SEARCH_URL, {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def section(page, name):
    """The HTML of one section of the results."""
    match = re.search(rf'<section class="search-section" aria-labelledby="{name}-heading">(.*?)</section>', page, re.S)
    return match.group(1) if match else ""


def test_matching_hearings_organisations_and_interventions_each_have_a_section(client):
    hearing = HearingFactory(title="Hearing on forced labour")
    HearingFactory(title="Hearing on climate")
    organisation = OrganisationFactory(name="Forced Labour Observatory")
    InterventionFactory(organisation=organisation, hearing=hearing, title="Statement on labour", summary="")
    InterventionFactory(organisation=OrganisationFactory(name="Climate Network"), title="On climate", summary="")
    page = search_page(client, "labour")
    assert "Hearing on forced labour" in section(page, "hearings")
    assert "Hearing on climate" not in section(page, "hearings")
    assert "Forced Labour Observatory" in section(page, "organisations")
    assert "Climate Network" not in section(page, "organisations")
    assert "Statement on labour" in section(page, "interventions")
    assert "On climate" not in section(page, "interventions")


def test_see_all_links_to_the_filtered_intervention_list(client):
    InterventionFactory.create_batch(2, title="Statement on labour")
    page = search_page(client, "labour")
    list_url = f"{reverse('interventions:list')}?{urlencode({'q': 'labour'})}"
    assert f'<a href="{escape(list_url)}">See all 2 matching interventions</a>' in page


def test_intervention_results_show_a_highlighted_snippet(client):
    InterventionFactory(title="Statement", summary="Address the root causes of trafficking.")
    page = search_page(client, "root causes")
    assert "<mark>root</mark> <mark>causes</mark>" in section(page, "interventions")


def test_interventions_are_ranked_by_relevance(client):
    InterventionFactory(title="Mentions bondage in passing", summary="")
    InterventionFactory(title="Statement", summary="", text_delivered="A long text. " * 50 + "Bondage.")
    interventions = section(search_page(client, "bondage"), "interventions")
    assert interventions.index("Mentions bondage in passing") < interventions.index("Statement")


def test_drafts_are_never_found(client):
    draft_hearing = HearingFactory(title="Draft hearing on labour", status=PublicationStatus.DRAFT)
    InterventionFactory(hearing=draft_hearing, title="In a draft hearing, labour")
    InterventionFactory(
        title="Draft statement on labour",
        organisation=OrganisationFactory(name="Labour Group Known Only From Drafts"),
        status=PublicationStatus.DRAFT,
    )
    InterventionFactory(title="Published statement on labour")
    page = search_page(client, "labour")
    assert "Published statement on labour" in page
    assert "Draft" not in page
    assert "Known Only From Drafts" not in page
    assert "In a draft hearing" not in page


def test_withheld_speaker_names_are_not_found(client):
    InterventionFactory(title="Statement", speaker_name="Maria Secret", withhold_speaker_name=True)
    page = search_page(client, "secret")
    assert "Maria" not in page
    assert "Nothing found." in section(page, "interventions")


def test_a_renamed_organisation_is_found_under_its_new_name(client):
    organisation = OrganisationFactory(name="Old Alliance")
    InterventionFactory(organisation=organisation, title="Statement")
    organisation.name = "New Coalition"
    organisation.save()
    page = search_page(client, "coalition")
    assert "New Coalition" in section(page, "organisations")
    assert "Statement" in section(page, "interventions")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", MESSAGES["empty"]),
        ("   ", MESSAGES["empty"]),
        ("the and of", MESSAGES["stop_words"]),
        ('"unbalanced', MESSAGES["unclosed"]),
        ("-", MESSAGES["lone_minus"]),
        ("OR OR", MESSAGES["or"]),
        ("?!.,;", MESSAGES["no_words"]),
    ],
)
def test_a_query_that_cannot_be_searched_gets_a_helpful_message(client, query, message):
    InterventionFactory(title="Statement on labour")
    page = search_page(client, query)
    assert escape(str(message)) in page
    assert 'class="search-section"' not in page


def test_without_a_query_the_page_offers_the_search_form_only(client):
    page = client.get(SEARCH_URL).content.decode()
    assert 'name="q"' in page
    assert 'role="alert"' not in page
    assert 'class="search-section"' not in page


def test_a_5000_character_query_is_answered(client):
    page = search_page(client, "x" * 5000)
    assert "Nothing found." in page


def test_the_query_is_escaped_on_the_page(client):
    page = search_page(client, '<script>alert("x")</script>')
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page


def test_nul_characters_are_rejected_with_400(client):
    assert client.get(f"{SEARCH_URL}?q=a%00b").status_code == 400


def add_matches(start, count, hearing, session, theme):
    for index in range(start, start + count):
        InterventionFactory(
            title=f"Statement {index} on labour",
            hearing=hearing if index % 2 else HearingFactory(title=f"Hearing {index} on labour"),
            session=session if index % 2 else None,
            organisation=OrganisationFactory(name=f"Labour Group {index}"),
            on_behalf_of=[OrganisationFactory()],
            themes=[theme],
            withhold_speaker_name=index % 3 == 0,
        )


def test_query_count_does_not_grow_with_the_archive(client, django_assert_max_num_queries):
    hearing = HearingFactory(title="Hearing on labour")
    session = SessionFactory(hearing=hearing)
    theme = ThemeFactory(name="Labour")
    add_matches(0, 3, hearing, session, theme)
    with CaptureQueriesContext(connection) as small:
        search_page(client, "labour")
    add_matches(3, 30, hearing, session, theme)
    with django_assert_max_num_queries(len(small)):
        page = search_page(client, "labour")
    assert "See all 33 matching interventions" in page
