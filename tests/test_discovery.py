"""sitemap.xml, robots.txt, canonical links and OpenGraph tags: search engines find every public page, and no other."""

import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hearings.models import PublicationStatus
from interventions import sitemaps
from interventions.models import FacetSnapshot
from tests.factories import HearingFactory, InterventionFactory, OrganisationFactory, ThemeFactory

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def archive():
    hearing = HearingFactory(slug="public-hearing")
    theme = ThemeFactory(slug="public-theme")
    public = InterventionFactory(
        hearing=hearing, organisation=OrganisationFactory(slug="public-org"), themes=[theme], title="Public words"
    )
    draft = InterventionFactory(
        hearing=hearing, organisation=OrganisationFactory(slug="draft-org"), status=PublicationStatus.DRAFT
    )
    draft_hearing = HearingFactory(slug="draft-hearing", status=PublicationStatus.DRAFT)
    in_draft_hearing = InterventionFactory(hearing=draft_hearing, organisation=OrganisationFactory(slug="hidden-org"))
    return {"public": public, "draft": draft, "in_draft_hearing": in_draft_hearing}


def locations_in(client, address: str) -> list[str]:
    response = client.get(address.removeprefix("http://testserver"))
    assert response.status_code == 200, address
    return [loc.text for loc in ET.fromstring(response.content).iter(f"{SITEMAP}loc")]


def sitemap_locations(client) -> set[str]:
    """Every page address of every sitemap that sitemap.xml, an index, lists."""
    return {page for sitemap in locations_in(client, reverse("sitemap")) for page in locations_in(client, sitemap)}


def test_sitemap_lists_public_hearings_organisations_themes_and_interventions(client, archive):
    locations = sitemap_locations(client)
    assert "http://testserver/hearings/public-hearing/" in locations
    assert "http://testserver/organisations/public-org/" in locations
    assert "http://testserver/themes/public-theme/" in locations
    assert f"http://testserver/interventions/{archive['public'].pk}/" in locations
    assert "http://testserver/interventions/" in locations


def test_sitemap_leaves_out_everything_unpublished(client, archive):
    locations = sitemap_locations(client)
    assert "http://testserver/hearings/draft-hearing/" not in locations
    assert "http://testserver/organisations/draft-org/" not in locations
    assert "http://testserver/organisations/hidden-org/" not in locations
    assert f"http://testserver/interventions/{archive['draft'].pk}/" not in locations
    assert f"http://testserver/interventions/{archive['in_draft_hearing'].pk}/" not in locations


def test_every_sitemap_address_is_a_public_page(client, archive):
    for location in sitemap_locations(client):
        assert client.get(location.removeprefix("http://testserver")).status_code == 200, location


def test_robots_txt_allows_all_points_to_the_sitemap_and_keeps_crawlers_off_admin_and_exports(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[:2] == ["User-agent: *", "Allow: /"]
    assert "Disallow: /admin/" in lines
    assert f"Disallow: {reverse('interventions:export-csv')}" in lines
    assert f"Disallow: {reverse('interventions:export-json')}" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/interventions/",
        "/hearings/public-hearing/",
        "/organisations/public-org/",
        "/themes/public-theme/",
    ],
)
def test_public_pages_carry_a_canonical_link_without_the_query_string(client, archive, path):
    html = client.get(path, {"page": "1"}).content.decode()
    assert f'<link rel="canonical" href="http://testserver{path}">' in html
    assert f'<meta property="og:url" content="http://testserver{path}">' in html


def test_intervention_page_carries_opengraph_tags(client, archive):
    intervention = archive["public"]
    html = client.get(intervention.get_absolute_url()).content.decode()
    assert f'<meta property="og:title" content="{intervention.organisation.name}: Public words">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:description" content="Calls on States to address the root causes' in html
    assert f'<link rel="canonical" href="http://testserver/interventions/{intervention.pk}/">' in html


def test_sitemap_xml_is_an_index_of_sitemaps_in_pages_of_at_most_the_protocols_limit(client, monkeypatch):
    # 10,000 addresses per sitemap (the protocol allows 50,000): a million interventions need a hundred pages, each
    # listed in the index.
    assert sitemaps.PAGE_SIZE <= 50_000
    monkeypatch.setattr(sitemaps.KeptCountSitemap, "limit", 2)
    interventions = InterventionFactory.create_batch(5)
    listed_sitemaps = locations_in(client, reverse("sitemap"))
    intervention_pages = [address for address in listed_sitemaps if "sitemap-interventions.xml" in address]
    assert len(intervention_pages) == 3
    listed = [address for page in intervention_pages for address in locations_in(client, page)]
    assert sorted(listed) == sorted(f"http://testserver{item.get_absolute_url()}" for item in interventions)


def test_the_sitemap_index_dates_each_sitemap_by_its_latest_public_change(client, archive):
    # The draft intervention was saved after the public one: its change is nobody's business.
    response = client.get(reverse("sitemap"))
    root = ET.fromstring(response.content)
    lastmods = {
        entry.findtext(f"{SITEMAP}loc"): entry.findtext(f"{SITEMAP}lastmod") for entry in root.iter(f"{SITEMAP}sitemap")
    }
    public, draft = archive["public"], archive["draft"]
    assert draft.updated_at > public.updated_at
    assert lastmods["http://testserver/sitemap-interventions.xml"] == public.updated_at.isoformat()


def counting(client, address) -> list[str]:
    """The queries that count or date records while a crawler with a session (so never served a kept page) reads
    the address."""
    client.cookies[settings.SESSION_COOKIE_NAME] = "a crawler's session"
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return [query["sql"] for query in queries if "COUNT(" in query["sql"] or "MAX(" in query["sql"]]


def test_the_sitemaps_count_and_date_the_archive_once_per_change(client, archive, settings):
    settings.ARCHIVE_KEEP_PAGES = False
    client.get(reverse("interventions:list"))  # the snapshot of this version of the archive
    assert counting(client, reverse("sitemap"))
    assert counting(client, reverse("sitemap")) == []
    assert counting(client, "/sitemap-interventions.xml") == []


def test_a_change_to_the_archive_is_in_the_sitemap_index_at_once(client, archive, monkeypatch):
    monkeypatch.setattr(sitemaps.KeptCountSitemap, "limit", 1)
    client.get(reverse("interventions:list"))

    def intervention_pages():
        return [address for address in locations_in(client, reverse("sitemap")) if "interventions" in address]

    assert len(intervention_pages()) == 1
    InterventionFactory()
    client.get(reverse("interventions:list"))
    assert len(intervention_pages()) == 2


def test_the_sitemap_index_reads_the_lists_counts_and_never_counts_the_list_itself(client, archive, settings):
    settings.ARCHIVE_KEEP_PAGES = False
    InterventionFactory(on_behalf_of=[OrganisationFactory(slug="co-sponsor")])
    assert counting(client, reverse("sitemap"))  # counted live
    assert not FacetSnapshot.objects.exists()  # a crawler does not wait for the list's counts

    InterventionFactory()
    client.get(reverse("interventions:list"))  # the list's snapshot of this version of the archive
    counts = [sql for sql in counting(client, reverse("sitemap")) if "COUNT(" in sql]
    assert [sql for sql in counts if "interventions_intervention" in sql or "interventions_organisation" in sql] == []
    organisations = locations_in(client, "/sitemap-organisations.xml")
    assert len(organisations) == FacetSnapshot.objects.get().public_organisations == 4


@pytest.mark.parametrize(
    "address", ["/sitemap-nothing.xml", "/sitemap-interventions.xml?p=999", "/sitemap-interventions.xml?p=abc"]
)
def test_a_sitemap_that_does_not_exist_is_not_found(client, archive, address):
    assert client.get(address).status_code == 404
