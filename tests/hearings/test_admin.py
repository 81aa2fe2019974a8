import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from hearings.models import Hearing, PublicationStatus
from tests.factories import HearingFactory, InterventionFactory, RecordingFactory, SessionFactory

pytestmark = pytest.mark.django_db


def hearing_form(**overrides):
    data = {
        "title": "Multi-stakeholder hearing on trafficking",
        "slug": "multi-stakeholder-hearing-2021",
        "convened_by": "President of the General Assembly",
        "organised_by": "UNODC",
        "start_date": "2021-07-13",
        "date_precision": "day",
        "end_date": "",
        "format": "online",
        "location": "Online",
        "description": "",
        "official_url": "",
        "concept_note_url": "",
        "agenda_url": "",
        "status": "draft",
        "sessions-TOTAL_FORMS": "0",
        "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def session_rows(*titles):
    data = {"sessions-TOTAL_FORMS": str(len(titles))}
    for index, title in enumerate(titles):
        prefix = f"sessions-{index}-"
        data.update(
            {
                f"{prefix}order": str(index + 1),
                f"{prefix}title": title,
                f"{prefix}kind": "session",
                f"{prefix}date": "",
                f"{prefix}start_time": "",
                f"{prefix}end_time": "",
                f"{prefix}chair": "",
                f"{prefix}parent": "",
            }
        )
    return data


def test_curator_adds_a_hearing_with_two_sessions(curator_client):
    response = curator_client.post(
        reverse("admin:hearings_hearing_add"), hearing_form(**session_rows("Morning session", "Afternoon session"))
    )
    assert response.status_code == 302
    hearing = Hearing.objects.get(slug="multi-stakeholder-hearing-2021")
    assert [(s.order, s.title, s.date) for s in hearing.sessions.order_by("order")] == [
        (1, "Morning session", datetime.date(2021, 7, 13)),
        (2, "Afternoon session", datetime.date(2021, 7, 13)),
    ]


def test_two_sessions_with_the_same_order_are_rejected(curator_client):
    data = hearing_form(**session_rows("Morning session", "Afternoon session"))
    data["sessions-1-order"] = "1"
    response = curator_client.post(reverse("admin:hearings_hearing_add"), data)
    assert response.status_code == 200
    assert not Hearing.objects.exists()


def test_hearing_ending_before_it_starts_is_rejected_in_the_form(curator_client):
    response = curator_client.post(reverse("admin:hearings_hearing_add"), hearing_form(end_date="2021-07-12"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Hearing.objects.exists()


def test_publish_action_publishes_selected_hearings(curator_client):
    draft = HearingFactory(status=PublicationStatus.DRAFT)
    other = HearingFactory(status=PublicationStatus.DRAFT)
    response = curator_client.post(
        reverse("admin:hearings_hearing_changelist"), {"action": "publish", "_selected_action": [draft.pk]}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    other.refresh_from_db()
    assert draft.status == PublicationStatus.PUBLISHED
    assert draft.published_at is not None
    assert other.status == PublicationStatus.DRAFT
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["1 hearing was published."]


def test_unpublish_action_returns_hearings_to_draft(curator_client):
    hearing = HearingFactory()
    first_published = hearing.published_at
    curator_client.post(
        reverse("admin:hearings_hearing_changelist"), {"action": "unpublish", "_selected_action": [hearing.pk]}
    )
    hearing.refresh_from_db()
    assert hearing.status == PublicationStatus.DRAFT
    assert hearing.published_at == first_published


def test_hearing_changelist_counts_sessions_and_interventions(curator_client):
    hearing = HearingFactory()
    SessionFactory.create_batch(2, hearing=hearing)
    InterventionFactory.create_batch(3, hearing=hearing)
    response = curator_client.get(reverse("admin:hearings_hearing_changelist"))
    [row] = response.context["cl"].result_list
    assert (row.session_count, row.intervention_count) == (2, 3)


def test_a_hearings_count_of_interventions_opens_the_interventions_list_filtered_to_it(curator_client):
    # Any hearing, however old: the interventions list's own filter offers only the latest.
    old = HearingFactory(start_date="1999-05-01")
    mine = InterventionFactory.create_batch(2, hearing=old)
    InterventionFactory()
    listing = curator_client.get(reverse("admin:hearings_hearing_changelist")).content.decode()
    address = f"{reverse('admin:interventions_intervention_changelist')}?hearing__id__exact={old.pk}"
    assert f'<a href="{address}">2</a>' in listing
    response = curator_client.get(address)
    assert sorted(response.context["cl"].result_list, key=lambda row: row.pk) == mine


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("hearings_hearing_changelist", "?q=trafficking&status__exact=published&format__exact=online&year=2021"),
        ("hearings_hearing_changelist", "?start_date__year=2021"),
        ("hearings_session_changelist", "?q=morning&kind__exact=session"),
        ("hearings_recording_changelist", "?q=web&provider__exact=youtube"),
    ],
)
def test_changelists_load_with_search_and_filters(curator_client, name, query):
    RecordingFactory(session__hearing__title="Hearing on trafficking", session__title="Morning session")
    response = curator_client.get(reverse(f"admin:{name}") + query)
    assert response.status_code == 200


def test_hearing_search_finds_by_organiser(curator_client):
    match = HearingFactory(organised_by="UNODC")
    HearingFactory(organised_by="OHCHR")
    response = curator_client.get(reverse("admin:hearings_hearing_changelist"), {"q": "UNODC"})
    assert list(response.context["cl"].result_list) == [match]


def test_hearing_year_filter_keeps_only_that_year(curator_client):
    match = HearingFactory(start_date=datetime.date(2021, 7, 13))
    HearingFactory(start_date=datetime.date(2025, 6, 30))
    response = curator_client.get(reverse("admin:hearings_hearing_changelist"), {"year": "2021"})
    assert list(response.context["cl"].result_list) == [match]


def test_change_pages_load(curator_client):
    recording = RecordingFactory()
    InterventionFactory(hearing=recording.session.hearing, session=recording.session)
    for url in [
        reverse("admin:hearings_hearing_change", args=[recording.session.hearing.pk]),
        reverse("admin:hearings_session_change", args=[recording.session.pk]),
        reverse("admin:hearings_recording_change", args=[recording.pk]),
    ]:
        assert curator_client.get(url).status_code == 200


def test_intervention_added_under_a_session_joins_its_hearing(curator_client):
    session = SessionFactory()
    organisation = InterventionFactory().organisation
    data = {
        "hearing": session.hearing.pk,
        "parent": "",
        "title": session.title,
        "kind": "session",
        "date": "",
        "start_time": "",
        "end_time": "",
        "order": session.order,
        "chair": "",
        "description": "",
        "recordings-TOTAL_FORMS": "0",
        "recordings-INITIAL_FORMS": "0",
        "interventions-TOTAL_FORMS": "1",
        "interventions-INITIAL_FORMS": "0",
        "interventions-0-order": "1",
        "interventions-0-title": "Statement",
        "interventions-0-organisation": organisation.pk,
        "interventions-0-status": "draft",
        "interventions-0-start_offset": "60",
        "interventions-0-end_offset": "120",
    }
    response = curator_client.post(reverse("admin:hearings_session_change", args=[session.pk]), data)
    assert response.status_code == 302
    [intervention] = session.interventions.all()
    assert intervention.hearing == session.hearing
    assert intervention.date == session.date


def test_hearing_change_page_offers_view_on_site(curator_client):
    hearing = HearingFactory(slug="hearing-2021")
    response = curator_client.get(reverse("admin:hearings_hearing_change", args=[hearing.pk]))
    assert response.context["original"].get_absolute_url() == "/hearings/hearing-2021/"
    assert response.context["has_absolute_url"]


def test_session_autocomplete_finds_sessions_by_title(curator_client):
    session = SessionFactory(title="Morning session")
    SessionFactory(title="Afternoon session")
    response = curator_client.get(
        "/admin/autocomplete/",
        {"app_label": "interventions", "model_name": "intervention", "field_name": "session", "term": "morn"},
    )
    assert [result["id"] for result in response.json()["results"]] == [str(session.pk)]


@pytest.mark.parametrize("rows", [2, 20])
def test_hearing_changelist_queries_do_not_grow_with_rows(curator_client, django_assert_max_num_queries, rows):
    for hearing in HearingFactory.create_batch(rows):
        SessionFactory(hearing=hearing)
        InterventionFactory(hearing=hearing)
    with django_assert_max_num_queries(8):
        assert curator_client.get(reverse("admin:hearings_hearing_changelist")).status_code == 200


@pytest.mark.parametrize("rows", [2, 20])
def test_session_and_recording_changelists_do_not_grow_with_rows(curator_client, django_assert_max_num_queries, rows):
    RecordingFactory.create_batch(rows)
    for name in ["hearings_session_changelist", "hearings_recording_changelist"]:
        with django_assert_max_num_queries(8):
            assert curator_client.get(reverse(f"admin:{name}")).status_code == 200


def test_sessions_inline_lists_sessions_in_order(curator_client):
    hearing = HearingFactory()
    SessionFactory(hearing=hearing, order=2, title="Afternoon session")
    SessionFactory(hearing=hearing, order=1, title="Morning session")
    response = curator_client.get(reverse("admin:hearings_hearing_change", args=[hearing.pk]))
    [inline] = response.context["inline_admin_formsets"]
    assert [form.instance.title for form in inline.formset.forms] == ["Morning session", "Afternoon session"]
