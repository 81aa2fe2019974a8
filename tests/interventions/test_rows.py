"""Each intervention's row in the lists, kept per archive version (interventions/rows.py): the row as rendered, read
again for no query, never stale, never a draft."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hearings.models import PublicationStatus
from interventions.rows import kept_rows
from interventions.views import public_rows_by_id
from tests.factories import (
    HearingFactory,
    InterventionFactory,
    OrganisationFactory,
    RecordingFactory,
    SessionFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

# Masked afresh for every response: the one part of a page that differs between two views.
CSRF_VALUE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
ROW = re.compile(r'<article class="intervention-row">.*?</article>', re.DOTALL)


@pytest.fixture(autouse=True)
def pages_rendered_each_time(settings):
    # Whole kept pages would hide the rows: every view here renders its page, as for a curator or a new address.
    settings.ARCHIVE_KEEP_PAGES = False


@pytest.fixture
def strada():
    hearing = HearingFactory(title="Vienna hearing")
    morning = SessionFactory(hearing=hearing, title="Morning session")
    RecordingFactory(session=morning, url="https://www.youtube.com/watch?v=morning")
    return InterventionFactory(
        hearing=hearing,
        session=morning,
        title="Root causes of trafficking",
        summary="Labour exploitation in supply chains.",
        organisation=OrganisationFactory(name="La Strada International", slug="la-strada-international"),
        on_behalf_of=[OrganisationFactory(name="GAATW")],
        themes=[ThemeFactory(name="Prevention", slug="prevention")],
    )


def view(client, url) -> tuple[str, list[str]]:
    """The page's HTML and the SQL it ran."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), [query["sql"] for query in captured.captured_queries]


def rows_of(html: str) -> str:
    """The page's rows alone: the facets beside them name organisations and themes too."""
    return "".join(ROW.findall(html))


def reads_rows(queries) -> bool:
    # A row's themes, co-sponsors and recordings are read beside it: present exactly when rows are read.
    return any("_prefetch_related_val_intervention_id" in sql for sql in queries)


def test_a_row_shown_on_one_list_is_not_read_again_for_another(client, strada):
    view(client, reverse("interventions:list"))
    html, queries = view(client, reverse("interventions:organisation-detail", args=["la-strada-international"]))
    assert "Root causes of trafficking" in rows_of(html)
    assert not reads_rows(queries)


def test_a_kept_row_is_the_row_as_rendered(client, strada, settings):
    url = f"{reverse('interventions:list')}?theme=prevention"
    view(client, url)
    kept, _ = view(client, url)
    settings.ARCHIVE_KEEP_ROWS = False
    rendered, queries = view(client, url)
    assert reads_rows(queries)
    assert CSRF_VALUE.sub("", kept) == CSRF_VALUE.sub("", rendered)


def test_an_edit_shows_in_the_row_at_once(client, strada):
    view(client, reverse("interventions:list"))
    strada.title = "Root causes of trafficking, corrected"
    strada.save()
    html, _ = view(client, reverse("interventions:list"))
    assert "Root causes of trafficking, corrected" in rows_of(html)


def test_a_renamed_co_sponsor_shows_in_the_row_at_once(client, strada):
    view(client, reverse("interventions:list"))
    partner = strada.on_behalf_of.get()
    partner.name = "Global Alliance Against Traffic in Women"
    partner.save()
    html, _ = view(client, reverse("interventions:list"))
    assert "Global Alliance Against Traffic in Women" in rows_of(html)


def test_a_new_recording_shows_in_the_row_at_once(client, strada):
    strada.session.recordings.all().delete()
    html, _ = view(client, reverse("interventions:list"))
    assert "Watch" not in rows_of(html)
    RecordingFactory(session=strada.session, url="https://www.youtube.com/watch?v=afternoon")
    html, _ = view(client, reverse("interventions:list"))
    assert "watch?v=afternoon" in rows_of(html)


def test_an_unpublished_intervention_leaves_every_list_at_once(client, strada):
    other = InterventionFactory(organisation=strada.organisation, title="Still public")
    view(client, reverse("interventions:organisation-detail", args=["la-strada-international"]))
    strada.status = PublicationStatus.DRAFT
    strada.save()
    html, _ = view(client, reverse("interventions:organisation-detail", args=["la-strada-international"]))
    assert "Root causes of trafficking" not in rows_of(html)
    assert other.title in rows_of(html)


def test_a_row_is_kept_in_each_language_apart(client, strada):
    view(client, reverse("interventions:list"))
    client.cookies["django_language"] = "fr"
    html, _ = view(client, reverse("interventions:list"))
    assert "Anglais" in rows_of(html)  # the intervention's language, named in French


def test_a_search_shows_where_each_row_matched_after_the_list_kept_it(client, strada):
    view(client, reverse("interventions:list"))
    html, _ = view(client, f"{reverse('interventions:list')}?q=exploitation")
    assert "<mark>exploitation</mark>" in rows_of(html)


def test_rows_are_read_again_when_not_kept(client, strada, settings):
    settings.ARCHIVE_KEEP_ROWS = False
    view(client, reverse("interventions:list"))
    _, queries = view(client, reverse("interventions:list"))
    assert reads_rows(queries)


def test_a_row_no_longer_public_when_read_is_left_out(strada):
    draft = InterventionFactory(status=PublicationStatus.DRAFT)
    rows = kept_rows([draft.pk, strada.pk], public_rows_by_id)
    assert [row.pk for row in rows] == [strada.pk]


def test_rows_come_in_the_order_asked_kept_or_not(strada):
    later = InterventionFactory(title="Later statement")
    kept_rows([later.pk], public_rows_by_id)
    rows = kept_rows([later.pk, strada.pk], public_rows_by_id)
    assert [row.pk for row in rows] == [later.pk, strada.pk]
    assert "Later statement" in str(rows[0])
