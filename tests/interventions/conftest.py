"""A small archive of every shape, for the tests that compare exports, the API and feeds with the list page."""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse

from hearings.models import PublicationStatus
from interventions.models import Organisation
from tests.factories import (
    HearingFactory,
    InterventionFactory,
    OrganisationFactory,
    RecordingFactory,
    SessionFactory,
    ThemeFactory,
)

# Filter and sort combinations whose results every export must reproduce, id for id and in order.
QUERIES = {
    "everything": "",
    "organisation": "organisation=la-strada",
    "theme": "theme=prevention",
    "hearing and type": "hearing=vienna-2021&type=ngo",
    "language and dates": "language=fr&date_from=2021-07-01&date_to=2021-12-31",
    "search": "q=root",
    "sort by title": "sort=title",
    "search sorted by title": "q=trafficking&sort=title",
}


@pytest.fixture
def varied_archive(db):
    vienna = HearingFactory(title="Vienna hearing", slug="vienna-2021", start_date=datetime.date(2021, 7, 13))
    geneva = HearingFactory(title="Geneva hearing", slug="geneva-2022", start_date=datetime.date(2022, 3, 2))
    morning = SessionFactory(hearing=vienna, title="Morning session", order=1)
    RecordingFactory(session=morning, url="https://www.youtube.com/watch?v=morning")
    lsi = OrganisationFactory(name="La Strada International", slug="la-strada", type=Organisation.Type.NETWORK)
    ngo = OrganisationFactory(name="Freedom Fund", slug="freedom-fund", type=Organisation.Type.NGO)
    other = OrganisationFactory(name="Survivors Alliance", slug="survivors", type=Organisation.Type.SURVIVOR_LED)
    prevention = ThemeFactory(name="Prevention", slug="prevention")
    labour = ThemeFactory(name="Labour exploitation", slug="labour", parent=prevention)
    protection = ThemeFactory(name="Protection", slug="protection")
    specs = [
        (vienna, morning, lsi, [], "en", "Zebra crossings of trafficking policy", 1, [prevention]),
        (vienna, morning, ngo, [lsi], "fr", "Alpha: root causes of exploitation", 2, [labour]),
        (vienna, None, ngo, [], "en", "Middle ground on trafficking", None, [protection]),
        (vienna, morning, other, [], "fr", "Beta survivors speak", 3, [prevention, protection]),
        (geneva, None, lsi, [], "en", "Gamma of root causes", None, []),
        (geneva, None, ngo, [other], "fr", "Delta trafficking report", None, [labour]),
        (geneva, None, other, [], "es", "Epsilon: same title", None, [protection]),
        (geneva, None, ngo, [], "en", "Epsilon: same title", None, [prevention]),
    ]
    interventions = [
        InterventionFactory(
            hearing=hearing,
            session=session,
            organisation=organisation,
            on_behalf_of=partners,
            language=language,
            title=title,
            summary=f"A statement: {title.lower()}.",
            order=order,
            themes=themes,
            start_offset=90 * index if session else None,
        )
        for index, (hearing, session, organisation, partners, language, title, order, themes) in enumerate(specs)
    ]
    draft = InterventionFactory(
        hearing=vienna,
        organisation=lsi,
        title="DRAFT root causes of trafficking",
        themes=[prevention],
        language="fr",
        status=PublicationStatus.DRAFT,
    )
    hidden_hearing = HearingFactory(title="Hidden hearing", slug="hidden", status=PublicationStatus.DRAFT)
    in_draft_hearing = InterventionFactory(
        hearing=hidden_hearing, organisation=lsi, title="HIDDEN root causes of trafficking", themes=[prevention]
    )
    return SimpleNamespace(
        interventions=interventions,
        draft=draft,
        in_draft_hearing=in_draft_hearing,
        lsi=lsi,
        morning=morning,
        unpublished_ids={draft.pk, in_draft_hearing.pk},
    )


def html_list_ids(client, query: str) -> list[int]:
    """The ids the /interventions/ page shows for a query, in its order (all on one page)."""
    response = client.get(f"{reverse('interventions:list')}?{query}&page_size=100")
    assert response.status_code == 200
    assert response.context["paginator"].num_pages == 1
    return [intervention.pk for intervention in response.context["page_obj"].object_list]
