"""Atom and RSS feeds of newly published interventions, for everything or a filtered list."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import InterventionFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
ATOM_URL = reverse("interventions:feed")
RSS_URL = reverse("interventions:feed-rss")


def atom_entries(client, query=""):
    response = client.get(f"{ATOM_URL}?{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content).findall(f"{ATOM}entry")


def rss_items(client, query=""):
    response = client.get(f"{RSS_URL}?{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    return ET.fromstring(response.content).findall("channel/item")


def test_atom_feed_lists_newest_published_first_with_summary_and_permalink(client):
    now = timezone.now()
    older = InterventionFactory(title="Older", summary="First summary")
    newer = InterventionFactory(title="Newer", summary="Second summary")
    type(older).objects.filter(pk=older.pk).update(published_at=now - datetime.timedelta(days=2))
    type(newer).objects.filter(pk=newer.pk).update(published_at=now - datetime.timedelta(days=1))
    entries = atom_entries(client)
    assert [entry.find(f"{ATOM}title").text.split(": ", 1)[1] for entry in entries] == ["Newer", "Older"]
    assert entries[0].find(f"{ATOM}summary").text == "Second summary"
    assert entries[0].find(f"{ATOM}link").get("href") == f"http://testserver/interventions/{newer.pk}/"


def test_rss_feed_has_the_same_items(client):
    intervention = InterventionFactory(title="Only one", summary="What was said")
    items = rss_items(client)
    assert len(items) == 1
    assert items[0].find("link").text == f"http://testserver/interventions/{intervention.pk}/"
    assert items[0].find("description").text == "What was said"


@pytest.mark.parametrize("query", ["organisation=la-strada&theme=prevention", "language=fr", "q=root"])
def test_filtered_feeds_hold_only_matches(client, varied_archive, query):
    expected = {
        f"http://testserver/interventions/{pk}/"
        for pk in client.get(f"{reverse('interventions:list')}?{query}")
        .context["paginator"]
        .object_list.values_list("pk", flat=True)
    }
    atom_links = {entry.find(f"{ATOM}link").get("href") for entry in atom_entries(client, query)}
    rss_links = {item.find("link").text for item in rss_items(client, query)}
    assert expected
    assert atom_links == expected
    assert rss_links == expected
    assert len(expected) < len(varied_archive.interventions)


def test_drafts_are_absent_from_the_feeds(client, varied_archive):
    atom = client.get(ATOM_URL).content.decode()
    rss = client.get(RSS_URL).content.decode()
    for text in (atom, rss):
        assert "DRAFT" not in text
        assert "HIDDEN" not in text
        assert "Gamma of root causes" in text


def test_withheld_speaker_names_are_absent_from_the_feeds(client):
    InterventionFactory(speaker_name="Secret Person", withhold_speaker_name=True)
    assert "Secret Person" not in client.get(ATOM_URL).content.decode()


def test_invalid_filters_get_a_400(client, varied_archive):
    response = client.get(ATOM_URL, {"theme": "nothing"})
    assert response.status_code == 400
    assert "No theme called “nothing”." in response.content.decode()


def test_list_page_advertises_the_feeds_of_its_filters(client, varied_archive):
    html = client.get(reverse("interventions:list"), {"language": "fr", "page": "2"}).content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert f'href="{ATOM_URL}?language=fr"' in html
    assert f'href="{RSS_URL}?language=fr"' in html
