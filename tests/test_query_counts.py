"""Every public page makes as many queries with 60 interventions as with 5."""

import itertools
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

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

_order = itertools.count(1)


@pytest.fixture
def archive():
    hearing = HearingFactory()
    top = SessionFactory(hearing=hearing)
    RecordingFactory(session=top)
    panel = SessionFactory(hearing=hearing, parent=top)
    RecordingFactory(session=panel)
    network = OrganisationFactory()
    broader = ThemeFactory()
    return SimpleNamespace(
        hearing=hearing,
        sessions=[top, panel, None],
        network=network,
        member=OrganisationFactory(parent=network),
        broader=broader,
        narrower=ThemeFactory(parent=broader),
        interventions=[],
    )


def add_interventions(archive, count):
    """Interventions of every shape: in a session, a panel or none; co-sponsored; with a withheld name; drafts."""
    for index in range(len(archive.interventions), len(archive.interventions) + count):
        own_hearing = index % 4 == 3
        hearing = HearingFactory() if own_hearing else archive.hearing
        archive.interventions.append(
            InterventionFactory(
                hearing=hearing,
                session=None if own_hearing else archive.sessions[index % 3],
                order=next(_order),
                organisation=archive.network if index % 2 == 0 else OrganisationFactory(),
                on_behalf_of=[archive.member, OrganisationFactory()] if index % 3 == 0 else [],
                themes=[[archive.broader], [archive.narrower, ThemeFactory()], []][index % 3],
                withhold_speaker_name=index % 5 == 4,
                start_offset=60 * index,
                status=PublicationStatus.DRAFT if index % 7 == 6 else PublicationStatus.PUBLISHED,
            )
        )


PAGES = {
    "home": lambda a: reverse("interventions:home"),
    "hearing list": lambda a: reverse("hearings:list"),
    "hearing detail": lambda a: a.hearing.get_absolute_url(),
    "organisation list": lambda a: reverse("interventions:organisation-list"),
    "organisation detail": lambda a: a.network.get_absolute_url(),
    "theme list": lambda a: reverse("interventions:theme-list"),
    "theme detail": lambda a: a.broader.get_absolute_url(),
    "intervention list": lambda a: reverse("interventions:list"),
    "intervention list, filtered": lambda a: (
        f"{reverse('interventions:list')}?organisation={a.network.slug}&organisation={a.member.slug}"
        f"&theme={a.broader.slug}&q=intervention&language=en&type=ngo&date_from=2000-01-01&sort=title"
    ),
    "intervention detail": lambda a: a.interventions[0].get_absolute_url(),
    "intervention detail, no session": lambda a: a.interventions[3].get_absolute_url(),
}


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


@pytest.mark.parametrize("page", PAGES)
def test_query_count_does_not_grow_with_the_archive(client, archive, page, django_assert_max_num_queries):
    add_interventions(archive, 5)
    url = PAGES[page](archive)
    measured = count_queries(client, url)
    add_interventions(archive, 55)
    with django_assert_max_num_queries(measured):
        assert client.get(url).status_code == 200


def test_intervention_list_with_facets_stays_within_a_small_budget(
    client, archive, settings, django_assert_max_num_queries
):
    settings.ARCHIVE_KEEP_PAGES = False  # the page as rendered, not read back from the kept pages
    add_interventions(archive, 60)
    # The archive's snapshot, page ids, page rows, four prefetches, the counts (one query per set of results
    # and three for the names shown), the validation of the two organisation slugs, the ids co-sponsored by
    # them, and the snippets showing where the page's search results matched.
    with django_assert_max_num_queries(18):
        client.get(PAGES["intervention list, filtered"](archive))
