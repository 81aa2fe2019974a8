import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hearings.models import PublicationStatus
from interventions.models import Intervention
from tests.factories import (
    HearingFactory,
    InterventionFactory,
    OrganisationFactory,
    RecordingFactory,
    SessionFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

DRAFT = PublicationStatus.DRAFT
PUBLISHED = PublicationStatus.PUBLISHED


def intervention_form(hearing, organisation, **overrides):
    data = {
        "hearing": hearing.pk,
        "session": "",
        "order": "",
        "date": "",
        "start_offset": "",
        "end_offset": "",
        "organisation": organisation.pk,
        "speaker_name": "Suzanne Hoff",
        "speaker_title": "International Coordinator",
        "hearing_role": "floor",
        "modality": "",
        "title": "Remaining gaps in anti-trafficking action",
        "summary": "Serious gaps in prevention and prosecution.",
        "text_delivered": "",
        "text_submitted": "",
        "language": "en",
        "source_url": "",
        "status": "draft",
        "source_id": "",
    }
    data.update(overrides)
    return data


def test_curator_adds_an_intervention(curator_client):
    hearing = HearingFactory()
    session = SessionFactory(hearing=hearing)
    organisation = OrganisationFactory()
    themes = ThemeFactory.create_batch(2)
    data = intervention_form(
        hearing, organisation, session=session.pk, start_offset="60", end_offset="180", themes=[t.pk for t in themes]
    )
    response = curator_client.post(reverse("admin:interventions_intervention_add"), data)
    assert response.status_code == 302
    intervention = Intervention.objects.get()
    assert intervention.session == session
    assert intervention.date == session.date
    assert set(intervention.themes.all()) == set(themes)
    assert intervention.status == DRAFT


def test_session_from_another_hearing_is_rejected(curator_client):
    hearing = HearingFactory()
    data = intervention_form(hearing, OrganisationFactory(), session=SessionFactory().pk)
    response = curator_client.post(reverse("admin:interventions_intervention_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["session"] == ["This session belongs to another hearing."]
    assert not Intervention.objects.exists()


def test_end_before_start_is_rejected_in_the_form(curator_client):
    data = intervention_form(HearingFactory(), OrganisationFactory(), start_offset="180", end_offset="60")
    response = curator_client.post(reverse("admin:interventions_intervention_add"), data)
    assert "end_offset" in response.context["adminform"].form.errors
    assert not Intervention.objects.exists()


def test_publish_action_publishes_selected_drafts(curator_client):
    drafts = InterventionFactory.create_batch(2, status=DRAFT)
    untouched = InterventionFactory(status=DRAFT)
    response = curator_client.post(
        reverse("admin:interventions_intervention_changelist"),
        {"action": "publish", "_selected_action": [d.pk for d in drafts]},
    )
    assert response.status_code == 302
    for draft in drafts:
        draft.refresh_from_db()
        assert draft.status == PUBLISHED
        assert draft.published_at is not None
    untouched.refresh_from_db()
    assert untouched.status == DRAFT
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["2 interventions were published."]


def test_publish_action_keeps_the_first_publication_date(curator_client):
    intervention = InterventionFactory()
    first = intervention.published_at
    Intervention.objects.filter(pk=intervention.pk).update(status=DRAFT)
    curator_client.post(
        reverse("admin:interventions_intervention_changelist"),
        {"action": "publish", "_selected_action": [intervention.pk]},
    )
    intervention.refresh_from_db()
    assert intervention.status == PUBLISHED
    assert intervention.published_at == first


def test_publish_action_counts_only_drafts(curator_client):
    published = InterventionFactory()
    draft = InterventionFactory(status=DRAFT)
    response = curator_client.post(
        reverse("admin:interventions_intervention_changelist"),
        {"action": "publish", "_selected_action": [published.pk, draft.pk]},
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["1 intervention was published."]


def test_unpublish_action_returns_interventions_to_draft(curator_client):
    intervention = InterventionFactory()
    response = curator_client.post(
        reverse("admin:interventions_intervention_changelist"),
        {"action": "unpublish", "_selected_action": [intervention.pk]},
    )
    intervention.refresh_from_db()
    assert intervention.status == DRAFT
    assert not Intervention.objects.published().exists()
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["1 intervention was unpublished."]


@pytest.mark.parametrize(
    ("name", "query"),
    [
        (
            "interventions_intervention_changelist",
            "?q=strada&status__exact=published&organisation__type__exact=network&language__exact=en",
        ),
        ("interventions_intervention_changelist", "?date__year=2021&date__month=7"),
        ("interventions_organisation_changelist", "?q=LSI&type__exact=network&ecosoc_status__exact=none"),
        ("interventions_theme_changelist", "?q=demand"),
    ],
)
def test_changelists_load_with_search_and_filters(curator_client, name, query):
    InterventionFactory(organisation__name="La Strada International", themes=[ThemeFactory(name="Demand")])
    assert curator_client.get(reverse(f"admin:{name}") + query).status_code == 200


def test_intervention_filters_by_hearing_and_theme(curator_client):
    theme = ThemeFactory()
    match = InterventionFactory(themes=[theme])
    InterventionFactory(hearing=match.hearing)
    InterventionFactory(themes=[theme])
    response = curator_client.get(
        reverse("admin:interventions_intervention_changelist"),
        {"hearing__id__exact": match.hearing.pk, "themes__id__exact": theme.pk},
    )
    assert list(response.context["cl"].result_list) == [match]


def test_intervention_search_finds_by_organisation_acronym(curator_client):
    match = InterventionFactory(organisation__acronym="GAATW")
    InterventionFactory(organisation__acronym="LSI")
    response = curator_client.get(reverse("admin:interventions_intervention_changelist"), {"q": "GAATW"})
    assert list(response.context["cl"].result_list) == [match]


def test_organisation_changelist_counts_interventions(curator_client):
    organisation = OrganisationFactory()
    InterventionFactory.create_batch(2, organisation=organisation)
    InterventionFactory(organisation=organisation, status=DRAFT)
    response = curator_client.get(reverse("admin:interventions_organisation_changelist"))
    [row] = response.context["cl"].result_list
    assert row.intervention_count == 3


def test_change_pages_load(curator_client):
    intervention = InterventionFactory(themes=[ThemeFactory()], on_behalf_of=[OrganisationFactory()])
    for url in [
        reverse("admin:interventions_intervention_change", args=[intervention.pk]),
        reverse("admin:interventions_organisation_change", args=[intervention.organisation.pk]),
        reverse("admin:interventions_theme_change", args=[intervention.themes.get().pk]),
    ]:
        assert curator_client.get(url).status_code == 200


def test_view_on_site_redirects_to_the_public_page(curator_client):
    intervention = InterventionFactory()
    response = curator_client.get(reverse("admin:interventions_intervention_change", args=[intervention.pk]))
    assert response.context["has_absolute_url"]
    assert intervention.get_absolute_url() == reverse("interventions:detail", args=[intervention.pk])


def test_organisation_autocomplete_returns_matches(curator_client):
    match = OrganisationFactory(name="La Strada International", acronym="LSI")
    OrganisationFactory(name="Global Alliance against Traffic in Women", acronym="GAATW")
    response = curator_client.get(
        "/admin/autocomplete/",
        {"app_label": "interventions", "model_name": "intervention", "field_name": "organisation", "term": "strada"},
    )
    assert response.status_code == 200
    assert response.json()["results"] == [{"id": str(match.pk), "text": "La Strada International (LSI)"}]


def test_organisation_autocomplete_searches_acronyms(curator_client):
    match = OrganisationFactory(name="Global Alliance against Traffic in Women", acronym="GAATW")
    response = curator_client.get(
        "/admin/autocomplete/",
        {"app_label": "interventions", "model_name": "intervention", "field_name": "organisation", "term": "gaatw"},
    )
    assert [result["id"] for result in response.json()["results"]] == [str(match.pk)]


def test_autocomplete_needs_a_staff_login(client):
    OrganisationFactory(name="La Strada International")
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "interventions", "model_name": "intervention", "field_name": "organisation", "term": "strada"},
    )
    assert response.status_code == 302


@pytest.mark.parametrize("rows", [3, 30])
def test_intervention_changelist_queries_do_not_grow_with_rows(curator_client, django_assert_max_num_queries, rows):
    hearing = HearingFactory()
    session = SessionFactory(hearing=hearing)
    RecordingFactory(session=session)
    themes = ThemeFactory.create_batch(2)
    for _ in range(rows):
        InterventionFactory(hearing=hearing, session=session, themes=themes, on_behalf_of=[OrganisationFactory()])
    with django_assert_max_num_queries(10):
        response = curator_client.get(reverse("admin:interventions_intervention_changelist"))
    assert len(response.context["cl"].result_list) == rows


@pytest.mark.parametrize("rows", [3, 30])
def test_organisation_and_theme_changelists_do_not_grow_with_rows(curator_client, django_assert_max_num_queries, rows):
    network = OrganisationFactory()
    theme = ThemeFactory()
    for _ in range(rows):
        InterventionFactory(organisation__parent=network, themes=[ThemeFactory(parent=theme)])
    for name in ["interventions_organisation_changelist", "interventions_theme_changelist"]:
        with django_assert_max_num_queries(8):
            assert curator_client.get(reverse(f"admin:{name}")).status_code == 200


def hearing_choices(response) -> list[str]:
    hearing_filter = next(spec for spec in response.context["cl"].filter_specs if spec.title == "hearing")
    return [choice["display"] for choice in hearing_filter.choices(response.context["cl"])]


def test_the_hearing_filter_offers_the_latest_hearings_not_every_one(curator_client):
    # A large archive has tens of thousands of hearings: a link for each made the list page megabytes long.
    hearings = [HearingFactory(title=f"Hearing {day:02}", start_date=f"2021-07-{day:02}") for day in range(1, 21)]
    response = curator_client.get(reverse("admin:interventions_intervention_changelist"))
    offered = hearing_choices(response)
    assert offered[0] == "All"
    assert offered[1:] == [str(hearing) for hearing in reversed(hearings)][:15]


def test_the_hearing_filter_keeps_an_older_chosen_hearing_among_its_choices(curator_client):
    old = HearingFactory(title="An old hearing", start_date="1999-01-01")
    for day in range(1, 21):
        HearingFactory(start_date=f"2021-07-{day:02}")
    match = InterventionFactory(hearing=old)
    InterventionFactory()
    response = curator_client.get(
        reverse("admin:interventions_intervention_changelist"), {"hearing__id__exact": old.pk}
    )
    assert list(response.context["cl"].result_list) == [match]
    assert str(old) in hearing_choices(response)


@pytest.mark.parametrize("value", ["abc", "999999", "1 OR 1=1", "²", "99999999999999999999999", "-1"])
def test_a_hearing_filter_value_that_names_no_hearing_lists_nothing_rather_than_failing(curator_client, value):
    InterventionFactory()
    response = curator_client.get(reverse("admin:interventions_intervention_changelist"), {"hearing__id__exact": value})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


def test_the_intervention_changelist_shows_the_newest_records_first(curator_client):
    first, second, third = (InterventionFactory(date=f"202{year}-01-01") for year in (3, 1, 2))
    response = curator_client.get(reverse("admin:interventions_intervention_changelist"))
    assert list(response.context["cl"].result_list) == [third, second, first]


def test_the_intervention_changelist_reads_no_long_texts(curator_client):
    InterventionFactory(text_delivered="A long statement. " * 200)
    with CaptureQueriesContext(connection) as queries:
        response = curator_client.get(reverse("admin:interventions_intervention_changelist"))
    assert response.status_code == 200
    listed = [
        query["sql"] for query in queries.captured_queries if 'interventions_intervention"."title' in query["sql"]
    ]
    assert listed
    assert not any("text_delivered" in sql or "search_vector" in sql for sql in listed)
