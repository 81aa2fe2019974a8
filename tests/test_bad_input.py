"""Whatever a visitor or a crawler types into the address bar, the answer is never a server error."""

import pytest
from django.urls import reverse

from tests.factories import HearingFactory, InterventionFactory, OrganisationFactory, ThemeFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("interventions:list")


@pytest.fixture(autouse=True)
def interventions():
    org = OrganisationFactory(slug="gaatw")
    hearing = HearingFactory(slug="unodc-2021")
    theme = ThemeFactory(slug="labour")
    return InterventionFactory.create_batch(3, organisation=org, hearing=hearing, themes=[theme])


def get_page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("organisation=nobody", "No organisation called “nobody”."),
        ("theme=nothing", "No theme called “nothing”."),
        ("hearing=nowhere", "No hearing called “nowhere”."),
        ("type=robot", "No organisation type called “robot”."),
        ("language=xx", "No language with the code “xx”."),
        ("date_from=2021-13-45", "From: Enter a valid date."),
        ("date_to=yesterday", "To: Enter a valid date."),
    ],
)
def test_unknown_filter_values_show_an_error_and_no_results(client, query, message):
    page = get_page(client, f"{LIST_URL}?{query}")
    assert message in page
    assert "0 interventions" in page
    assert 'class="intervention-row"' not in page


def test_page_that_is_not_a_number_shows_the_first_page(client):
    page = get_page(client, f"{LIST_URL}?page=abc")
    assert page.count('class="intervention-row"') == 3


@pytest.mark.parametrize(
    "url",
    [
        f"{LIST_URL}?page=999999&page_size=2",
        f"{reverse('hearings:list')}?page=999999",
        f"{reverse('interventions:organisation-list')}?page=999999",
    ],
)
def test_page_past_the_end_shows_the_last_page_with_a_notice(client, url):
    page = get_page(client, url)
    assert "There is no page 999999; this is the last page." in page


def test_page_past_the_end_of_the_interventions_shows_its_last_rows(client):
    page = get_page(client, f"{LIST_URL}?page=999999&page_size=2")
    assert page.count('class="intervention-row"') == 1
    assert "Page 2 of 2" in page


def test_negative_page_shows_the_first_page(client):
    assert "Page 1 of 2" in get_page(client, f"{LIST_URL}?page=-3&page_size=2")


def test_huge_page_size_is_capped(client):
    page = get_page(client, f"{LIST_URL}?page_size=100000")
    assert page.count('class="intervention-row"') == 3
    assert 'name="page_size" value="100"' in page


@pytest.mark.parametrize(
    "url", [f"{LIST_URL}?q=a%00b", f"{LIST_URL}?organisation%00=x", f"{reverse('hearings:list')}?page=%00"]
)
def test_nul_characters_are_rejected_with_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response.content.decode() == "Request parameters may not contain NUL characters."


def test_a_5000_character_search_is_answered(client):
    page = get_page(client, f"{LIST_URL}?q={'x' * 5000}")
    assert "0 interventions" in page


def test_repeated_single_valued_parameters_use_the_last(client):
    other = InterventionFactory(title="At the other hearing", hearing=HearingFactory(slug="other"))
    page = get_page(client, f"{LIST_URL}?hearing=unodc-2021&hearing=other")
    assert other.title in page
    assert "1 intervention<" in page


def test_bracketed_parameters_are_ignored(client):
    page = get_page(client, f"{LIST_URL}?organisation[]=nobody&theme[]=x")
    assert "3 interventions" in page


@pytest.mark.parametrize(
    "url",
    [
        f"{reverse('interventions:organisation-list')}?type=robot&letter=toolong",
        f"{reverse('interventions:organisation-list')}?letter=%C3%89",
        f"{reverse('hearings:list')}?page=abc",
        f"{reverse('interventions:theme-detail', kwargs={'slug': 'labour'})}?page=abc",
        f"{reverse('interventions:organisation-detail', kwargs={'slug': 'gaatw'})}?page=999999",
        f"{LIST_URL}?sort=popularity&page_size=-5",
        f"{LIST_URL}?date_from=2021-01-01&date_to=2020-01-01",
        f"{LIST_URL}?q=%27%3B+DROP+TABLE+interventions%3B--",
    ],
)
def test_odd_parameters_never_fail(client, url):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/interventions/999999/",
        "/interventions/99999999999999999999999/",
        "/hearings/no-such-hearing/",
        "/organisations/no-such-organisation/",
        "/themes/no-such-theme/",
    ],
)
def test_unknown_objects_are_404(client, url):
    assert client.get(url).status_code == 404


def test_the_api_refuses_nul_characters_in_json(client):
    response = client.get("/api/v1/interventions/?q=a%00b")
    assert response.status_code == 400
    assert response.json() == {"query_string": ["Request parameters may not contain NUL characters."]}


@pytest.mark.parametrize("path", ["/%2F%5D/", "/%2F%5B/", "/interventions/%2F%2Fexample.org/"])
def test_a_path_that_looks_like_a_host_gets_the_not_found_page(client, path):
    # Found by tests/test_fuzz.py: "//]/" read as an address made the 404 page itself fail.
    response = client.get(path)
    assert response.status_code == 404
    assert b'<link rel="canonical" href="http://testserver/' in response.content
