"""Every change is recorded with who, when and what; old versions and deleted records come back."""

import pytest
from django.urls import reverse

from hearings.models import PublicationStatus
from interventions.models import Intervention
from tests.admin_forms import change_form_data
from tests.factories import (
    HearingFactory,
    InterventionFactory,
    OrganisationFactory,
    RecordingFactory,
    SessionFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def history_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_history", args=[obj.pk])


@pytest.mark.parametrize(
    ("factory", "field"),
    [
        (HearingFactory, "title"),
        (SessionFactory, "title"),
        (RecordingFactory, "title"),
        (OrganisationFactory, "description"),
        (ThemeFactory, "description"),
        (InterventionFactory, "title"),
    ],
)
def test_each_curated_model_records_an_admin_change_with_who_and_what(editor, editor_client, factory, field):
    obj = factory()
    response = editor_client.post(change_url(obj), change_form_data(editor_client.get(change_url(obj)), **{field: "X"}))
    assert response.status_code == 302
    latest, previous = obj.history.order_by("-history_date")[:2]
    assert latest.history_user == editor
    assert latest.diff_against(previous).changed_fields == [field]


def test_history_page_lists_field_old_and_new_values(editor_client):
    intervention = InterventionFactory(title="Old title")
    editor_client.post(
        change_url(intervention),
        change_form_data(editor_client.get(change_url(intervention)), title="New title"),
    )
    page = editor_client.get(history_url(intervention)).content.decode()
    assert "Old title" in page
    assert "New title" in page
    assert "&rarr;" in page
    assert "editor-member" in page


def test_history_records_theme_changes(editor_client):
    intervention = InterventionFactory(status=PublicationStatus.DRAFT)
    theme = ThemeFactory(name="Demand")
    editor_client.post(
        change_url(intervention),
        change_form_data(editor_client.get(change_url(intervention)), themes=[str(theme.pk)]),
    )
    latest = intervention.history.latest()
    assert [row.theme for row in latest.themes.all()] == [theme]


def test_restore_an_old_version_through_the_admin(editor_client):
    first_theme, second_theme = ThemeFactory(name="First theme"), ThemeFactory(name="Second theme")
    intervention = InterventionFactory(title="First title", summary="First summary", themes=[first_theme])
    data = change_form_data(
        editor_client.get(change_url(intervention)),
        title="Second title",
        summary="Second summary",
        themes=[str(second_theme.pk)],
    )
    assert editor_client.post(change_url(intervention), data).status_code == 302
    first = intervention.history.filter(title="First title").latest()  # with its themes set
    revert_url = reverse("admin:interventions_intervention_simple_history", args=[intervention.pk, first.history_id])

    page = editor_client.get(revert_url)
    assert page.status_code == 200
    assert editor_client.post(revert_url, change_form_data(page)).status_code == 302

    intervention.refresh_from_db()
    assert (intervention.title, intervention.summary) == ("First title", "First summary")
    assert list(intervention.themes.all()) == [first_theme]
    assert intervention.history.latest().history_user.username == "editor-member"  # the revert is itself recorded


def test_deleted_intervention_is_listed_and_restored_with_its_themes(editor_client):
    theme = ThemeFactory(name="Demand")
    partner = OrganisationFactory(name="Partner")
    intervention = InterventionFactory(title="Deleted by mistake", themes=[theme], on_behalf_of=[partner])
    pk = intervention.pk
    delete_url = reverse("admin:interventions_intervention_delete", args=[pk])
    assert editor_client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Intervention.objects.exists()

    deleted_url = reverse("admin:interventions_intervention_deleted")
    listing = editor_client.get(deleted_url)
    assert "Deleted by mistake" in listing.content.decode()
    [(record, label, can_restore)] = listing.context["records"]
    assert label == "Deleted by mistake"
    assert can_restore

    response = editor_client.post(deleted_url, {"history_id": record.history_id})
    assert response.status_code == 302
    restored = Intervention.objects.get(pk=pk)
    assert restored.title == "Deleted by mistake"
    assert list(restored.themes.all()) == [theme]
    assert list(restored.on_behalf_of.all()) == [partner]
    assert editor_client.get(deleted_url).context["records"] == []


def test_changelist_links_to_the_deleted_records(editor_client):
    page = editor_client.get(reverse("admin:interventions_intervention_changelist")).content.decode()
    assert reverse("admin:interventions_intervention_deleted") in page


def test_restoring_an_intervention_whose_hearing_is_gone_explains_why(editor_client):
    intervention = InterventionFactory(title="Orphan")
    hearing = intervention.hearing
    intervention.delete()
    hearing.delete()
    record_id = Intervention.history.filter(history_type="-").get().history_id
    response = editor_client.post(
        reverse("admin:interventions_intervention_deleted"), {"history_id": record_id}, follow=True
    )
    assert "cannot be restored" in response.content.decode()
    assert not Intervention.objects.exists()


def test_contributor_cannot_restore_a_deleted_published_intervention(contributor_client):
    intervention = InterventionFactory()
    intervention.delete()
    record = Intervention.history.filter(history_type="-").get()
    listing = contributor_client.get(reverse("admin:interventions_intervention_deleted"))
    assert listing.context["records"] == [(record, record.title, False)]
    response = contributor_client.post(
        reverse("admin:interventions_intervention_deleted"), {"history_id": record.history_id}
    )
    assert response.status_code == 403
    assert not Intervention.objects.exists()


def test_restore_with_a_bad_history_id_answers_clearly(editor_client):
    url = reverse("admin:interventions_intervention_deleted")
    response = editor_client.post(url, {"history_id": "not-a-number"}, follow=True)
    assert "Choose a deleted record to restore." in response.content.decode()
    assert editor_client.post(url, {"history_id": "999999"}).status_code == 404


def test_deleted_session_of_a_deleted_hearing_is_listed_by_number(editor_client):
    session = SessionFactory()
    session.hearing.delete()
    [(record, label, _)] = editor_client.get(reverse("admin:hearings_session_deleted")).context["records"]
    assert label == f"session {session.pk}"


def test_a_withdrawn_intervention_is_restored_withdrawn(editor_client):
    intervention = InterventionFactory(status=PublicationStatus.WITHDRAWN)
    pk = intervention.pk
    intervention.delete()
    record = Intervention.history.filter(history_type="-").get()
    editor_client.post(reverse("admin:interventions_intervention_deleted"), {"history_id": record.history_id})
    assert Intervention.objects.get(pk=pk).status == PublicationStatus.WITHDRAWN


def test_deleted_hearings_can_be_restored_too(editor_client):
    hearing = HearingFactory(title="Deleted hearing")
    pk = hearing.pk
    hearing.delete()
    record = hearing.history.model.objects.filter(history_type="-").get()
    editor_client.post(reverse("admin:hearings_hearing_deleted"), {"history_id": record.history_id})
    assert type(hearing).objects.get(pk=pk).title == "Deleted hearing"


def test_restore_an_old_version_of_a_hearing_brings_back_its_related_hearings(editor_client):
    follow_up = HearingFactory(title="High-level meeting")
    hearing = HearingFactory(title="Hearing")
    hearing.related_hearings.add(follow_up)
    with_follow_up = hearing.history.latest()
    hearing.related_hearings.clear()
    url = reverse("admin:hearings_hearing_simple_history", args=[hearing.pk, with_follow_up.history_id])
    page = editor_client.get(url)
    assert editor_client.post(url, change_form_data(page)).status_code == 302
    assert list(hearing.related_hearings.all()) == [follow_up]
