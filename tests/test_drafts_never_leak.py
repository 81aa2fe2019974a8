"""Walk every public page from the home page and prove nothing unpublished shows.

Everything that must stay hidden carries the marker "LEAK" in its text.
"""

import datetime
import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from hearings.models import PublicationStatus
from tests.factories import (
    HearingFactory,
    InterventionFactory,
    OrganisationFactory,
    RecordingFactory,
    SessionFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

MARKER = "LEAK"
MAX_PAGES = 400


@pytest.fixture
def archive():
    hearing = HearingFactory(title="Public hearing", slug="public-hearing")
    session = SessionFactory(hearing=hearing)
    RecordingFactory(session=session)
    theme = ThemeFactory(name="Public theme", slug="public-theme")
    public_org = OrganisationFactory(name="Public Org", slug="public-org")
    public = InterventionFactory(
        title="Public statement", hearing=hearing, session=session, order=1, organisation=public_org, themes=[theme]
    )
    withheld = InterventionFactory(
        title="Statement with a withheld speaker",
        hearing=hearing,
        session=session,
        order=3,
        organisation=public_org,
        speaker_name="LEAK Withheld Name",
        withhold_speaker_name=True,
    )
    draft = InterventionFactory(
        title="LEAK draft statement",
        hearing=hearing,
        session=session,
        order=2,
        organisation=OrganisationFactory(name="LEAK Draft Org", slug="leak-draft-org", parent=public_org),
        on_behalf_of=[OrganisationFactory(name="LEAK Draft Partner")],
        speaker_name="LEAK draft speaker",
        themes=[theme],
        status=PublicationStatus.DRAFT,
    )
    draft_hearing = HearingFactory(
        title="LEAK draft hearing", slug="leak-draft-hearing", status=PublicationStatus.DRAFT
    )
    hearing.related_hearings.add(draft_hearing)
    in_draft_hearing = InterventionFactory(
        title="LEAK published statement of a draft hearing",
        hearing=draft_hearing,
        organisation=OrganisationFactory(name="LEAK Hidden Hearing Org", slug="leak-hidden-hearing-org"),
        themes=[theme],
    )
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    hidden = {
        "in_review": {"status": PublicationStatus.IN_REVIEW},
        "embargoed": {"publish_at": tomorrow},
        "withdrawn": {"status": PublicationStatus.WITHDRAWN},
    }
    for name, state in hidden.items():
        hidden[name] = InterventionFactory(
            title=f"LEAK {name} statement",
            hearing=hearing,
            organisation=OrganisationFactory(name=f"LEAK {name} Org", slug=f"leak-{name}-org"),
            speaker_name=f"LEAK {name} speaker",
            themes=[theme],
            **state,
        )
    embargoed_hearing = HearingFactory(
        title="LEAK embargoed hearing", slug="leak-embargoed-hearing", publish_at=tomorrow
    )
    hearing.related_hearings.add(embargoed_hearing)
    InterventionFactory(title="LEAK statement of an embargoed hearing", hearing=embargoed_hearing, themes=[theme])
    return {
        **hidden,
        "embargoed_hearing": embargoed_hearing,
        "hearing": hearing,
        "theme": theme,
        "public": public,
        "withheld": withheld,
        "draft": draft,
        "draft_hearing": draft_hearing,
        "in_draft_hearing": in_draft_hearing,
    }


def internal_links(page: str, base: str) -> set[str]:
    links = set()
    for href in re.findall(r'href="([^"]+)"', page):
        url = urljoin(base, href.replace("&amp;", "&"))
        parts = urlsplit(url)
        if parts.netloc in ("", "testserver") and not parts.path.startswith(("/admin/", "/static/")):
            links.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


def test_walking_every_public_page_shows_nothing_unpublished(client, archive):
    start = reverse("interventions:home")
    seen, queue = {start}, deque([start])
    while queue:
        url = queue.popleft()
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        page = body.decode()
        assert MARKER not in page, f"{url} shows unpublished material"
        for link in internal_links(page, url) - seen:
            seen.add(link)
            queue.append(link)
        assert len(seen) < MAX_PAGES
    # The walk reached the public detail pages.
    assert archive["public"].get_absolute_url() in seen
    assert archive["hearing"].get_absolute_url() in seen
    assert reverse("interventions:organisation-detail", kwargs={"slug": "public-org"}) in seen


@pytest.mark.parametrize(
    "name", ["draft", "in_draft_hearing", "draft_hearing", "in_review", "embargoed", "embargoed_hearing"]
)
def test_unpublished_detail_pages_are_404(client, archive, name):
    assert client.get(archive[name].get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    "slug",
    ["leak-draft-org", "leak-hidden-hearing-org", "leak-in_review-org", "leak-embargoed-org", "leak-withdrawn-org"],
)
def test_organisations_known_only_from_unpublished_interventions_are_404(client, archive, slug):
    assert client.get(reverse("interventions:organisation-detail", kwargs={"slug": slug})).status_code == 404


def test_counts_leave_out_unpublished_interventions(client, archive):
    home = client.get(reverse("interventions:home")).content.decode()
    assert "<strong>2</strong> interventions" in home
    assert "<strong>1</strong> hearing" in home
    assert "<strong>1</strong> organisation" in home
    themes = client.get(reverse("interventions:theme-list")).content.decode()
    assert 'Public theme</a> <span class="count">1</span>' in themes
    hearings = client.get(reverse("hearings:list")).content.decode()
    assert "2 interventions" in hearings


def test_facets_leave_out_unpublished_interventions(client, archive):
    page = client.get(reverse("interventions:list")).content.decode()
    assert 'value="public-theme"> <span lang="en">Public theme</span> <span class="count">1</span>' in page
    assert 'value="public-org"> Public Org <span class="count">2</span>' in page
    assert MARKER not in page


def test_unpublished_values_cannot_be_filtered_on(client, archive):
    for query in ("hearing=leak-draft-hearing", "organisation=leak-draft-org", "q=draft"):
        page = client.get(f"{reverse('interventions:list')}?{query}").content.decode()
        assert "0 interventions" in page
        assert 'class="intervention-row"' not in page


def test_withheld_speaker_name_is_not_searchable(client, archive):
    page = client.get(reverse("interventions:list"), {"q": "Withheld Name"}).content.decode()
    assert "0 interventions" in page
    assert archive["withheld"].title not in page
