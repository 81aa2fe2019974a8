"""The read-only API: the list page's results, public records only, a valid schema, a clear 429."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from interventions.models import FacetSnapshot, Organisation
from tests.factories import InterventionFactory, OrganisationFactory
from tests.interventions.conftest import QUERIES, html_list_ids

pytestmark = pytest.mark.django_db

LIST_URL = reverse("api:intervention-list")


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    # The throttle counts requests in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


def all_api_ids(client, query: str) -> list[int]:
    response = client.get(f"{LIST_URL}?{query}&page_size=100")
    assert response.status_code == 200
    data = response.json()
    assert data["next"] is None
    return [row["id"] for row in data["results"]]


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_intervention_list_holds_the_ids_of_the_list_page_in_its_order(client, varied_archive, query):
    assert all_api_ids(client, query) == html_list_ids(client, query)


def test_drafts_are_not_listed(client, varied_archive):
    ids = all_api_ids(client, "q=root")
    assert ids
    assert not set(ids) & varied_archive.unpublished_ids


@pytest.mark.parametrize("name", ["draft", "in_draft_hearing"])
def test_unpublished_interventions_are_404(client, varied_archive, name):
    pk = getattr(varied_archive, name).pk
    assert client.get(reverse("api:intervention-detail", kwargs={"pk": pk})).status_code == 404


def test_draft_hearings_are_neither_listed_nor_shown(client, varied_archive):
    hearings = client.get(reverse("api:hearing-list")).json()["results"]
    assert {hearing["slug"] for hearing in hearings} == {"vienna-2021", "geneva-2022"}
    hidden = varied_archive.in_draft_hearing.hearing
    assert client.get(reverse("api:hearing-detail", kwargs={"pk": hidden.pk})).status_code == 404


def test_organisations_known_only_from_drafts_are_not_listed(client, varied_archive):
    OrganisationFactory(name="Only Drafts Org")
    InterventionFactory(organisation=OrganisationFactory(name="Draft Speaker Org"), status="draft")
    names = {row["name"] for row in client.get(reverse("api:organisation-list")).json()["results"]}
    assert "La Strada International" in names
    assert "Only Drafts Org" not in names
    assert "Draft Speaker Org" not in names


def test_sessions_of_draft_hearings_are_not_listed(client, varied_archive):
    sessions = client.get(reverse("api:session-list")).json()["results"]
    assert [session["title"] for session in sessions] == ["Morning session"]
    assert sessions[0]["recordings"][0]["url"] == "https://www.youtube.com/watch?v=morning"


def test_themes_are_listed_with_their_broader_theme(client, varied_archive):
    themes = {row["slug"]: row for row in client.get(reverse("api:theme-list")).json()["results"]}
    assert themes["labour"]["broader"] == "prevention"
    assert themes["labour"]["permalink"] == "http://testserver/themes/labour/"


def test_an_intervention_has_a_stable_id_and_an_absolute_permalink(client, varied_archive):
    intervention = varied_archive.interventions[1]
    data = client.get(reverse("api:intervention-detail", kwargs={"pk": intervention.pk})).json()
    assert data["id"] == intervention.pk
    assert data["permalink"] == f"http://testserver/interventions/{intervention.pk}/"
    assert data["organisation"]["permalink"] == "http://testserver/organisations/freedom-fund/"
    assert [partner["slug"] for partner in data["on_behalf_of"]] == ["la-strada"]
    assert data["recording_url"] == "https://www.youtube.com/watch?v=morning&t=90s"
    assert "text_delivered" in data


def test_withheld_speaker_names_are_not_shown(client):
    withheld = InterventionFactory(speaker_name="Secret Person", withhold_speaker_name=True)
    InterventionFactory(speaker_name="Public Person")
    listed = client.get(LIST_URL).content.decode()
    detail = client.get(reverse("api:intervention-detail", kwargs={"pk": withheld.pk})).content.decode()
    assert "Secret Person" not in listed + detail
    assert "Public Person" in listed


def test_pages_hold_page_size_results_at_most_100(client):
    InterventionFactory.create_batch(3)
    data = client.get(LIST_URL, {"page_size": 2, "page": 2}).json()
    assert data["count"] == 3
    assert len(data["results"]) == 1
    assert data["previous"]
    assert client.get(LIST_URL, {"page_size": 1000}).status_code == 200


def test_invalid_filters_get_a_400_naming_the_problem(client, varied_archive):
    response = client.get(LIST_URL, {"organisation": "nobody"})
    assert response.status_code == 400
    assert response.json() == {"organisation": ["No organisation called “nobody”."]}


def test_the_api_is_read_only(client, varied_archive):
    assert client.post(LIST_URL, {}, content_type="application/json").status_code == 405


def test_openapi_schema_is_served_and_validates(client):
    response = client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    assert "/api/v1/interventions/" in schema["paths"]
    parameters = {p["name"] for p in schema["paths"]["/api/v1/interventions/"]["get"]["parameters"]}
    assert {"organisation", "theme", "hearing", "type", "language", "q", "sort", "page", "page_size"} <= parameters


def test_generated_schema_validates_without_a_request():
    validate_schema(SchemaGenerator().get_schema(request=None, public=True))


def test_docs_are_served_from_vendored_files(client):
    page = client.get(reverse("api:docs")).content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "https://" not in page


def test_anonymous_clients_past_the_rate_get_a_429_with_a_clear_message(client, settings):
    settings.API_ANON_RATE = "2/minute"
    assert client.get(reverse("api:theme-list")).status_code == 200
    assert client.get(reverse("api:theme-list")).status_code == 200
    response = client.get(reverse("api:theme-list"))
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Too many requests: anonymous clients may make 2/minute requests.")
    assert "Retry-After" in response


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


@pytest.mark.parametrize(
    "url",
    [
        LIST_URL,
        f"{LIST_URL}?organisation=la-strada&theme=prevention&sort=title",
        reverse("api:session-list"),
        reverse("api:organisation-list"),
    ],
)
def test_list_query_count_does_not_grow_with_the_archive(client, varied_archive, url, django_assert_max_num_queries):
    measured = count_queries(client, url)
    for _ in range(15):
        InterventionFactory(
            hearing=varied_archive.morning.hearing,
            session=varied_archive.morning,
            organisation=OrganisationFactory(),
            on_behalf_of=[varied_archive.lsi],
            themes=[varied_archive.interventions[0].themes.first()],
        )
    with django_assert_max_num_queries(measured):
        client.get(url)


def test_the_organisations_count_is_read_from_the_lists_snapshot(client, varied_archive):
    from interventions import snapshot

    url = reverse("api:organisation-list")
    snapshot.unfiltered_snapshot()  # as the first view of the list page after a change counts it
    with CaptureQueriesContext(connection) as queries:
        first = client.get(url).json()["count"]
    assert first == Organisation.objects.public().count()
    assert not [query["sql"] for query in queries.captured_queries if "COUNT(" in query["sql"]]
    InterventionFactory(organisation=OrganisationFactory(name="Newly Public Org"))
    snapshot.unfiltered_snapshot()
    assert client.get(url).json()["count"] == first + 1


def test_the_organisations_count_is_counted_while_no_snapshot_is_kept(client, varied_archive):
    public = Organisation.objects.public().count()
    assert client.get(reverse("api:organisation-list")).json()["count"] == public
    assert not FacetSnapshot.objects.exists()


@pytest.mark.parametrize("query", ["", "language=fr", "q=trafficking"])
def test_the_interventions_count_is_kept_until_the_archive_changes(client, varied_archive, query):
    from interventions import snapshot

    url = f"{LIST_URL}?{query}"
    snapshot.unfiltered_snapshot()  # as the first view of the list page after a change counts it
    first = client.get(url).json()["count"]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).json()["count"] == first
    assert not [query["sql"] for query in queries.captured_queries if "COUNT(" in query["sql"]]
    InterventionFactory(language="fr", summary="On trafficking.")
    snapshot.unfiltered_snapshot()
    assert client.get(url).json()["count"] == first + 1


def test_the_interventions_rows_are_read_by_id_once_the_filters_found_them(client, varied_archive):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{LIST_URL}?language=fr")
    assert response.json()["results"]
    row_queries = [query["sql"] for query in queries if '"interventions_intervention"."summary"' in query["sql"]]
    assert len(row_queries) == 1
    assert "'fr'" not in row_queries[0]


def test_a_page_past_the_end_is_a_json_404(client, varied_archive):
    response = client.get(f"{LIST_URL}?page=999999")
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.parametrize("query", ["", "q=trafficking", "language=en"])
def test_small_pages_of_the_api_add_up_to_the_list_page(client, varied_archive, query):
    from interventions import snapshot

    snapshot.unfiltered_snapshot()  # deep pages of the unfiltered list then start from its anchors
    ids, url = [], f"{LIST_URL}?{query}&page_size=2"
    while url:
        data = client.get(url).json()
        ids += [row["id"] for row in data["results"]]
        url = data["next"]
    assert ids == html_list_ids(client, query)
