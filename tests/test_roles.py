"""Editor, Contributor and Viewer can do exactly what they should, through every admin path."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from hearings.models import Hearing, PublicationStatus, Session
from interventions import permissions
from interventions.models import Intervention
from tests.admin_forms import change_form_data
from tests.factories import HearingFactory, InterventionFactory, OrganisationFactory, SessionFactory

pytestmark = pytest.mark.django_db

DRAFT = PublicationStatus.DRAFT
IN_REVIEW = PublicationStatus.IN_REVIEW
PUBLISHED = PublicationStatus.PUBLISHED
CHANGELIST = "admin:interventions_intervention_changelist"


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def delete_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_delete", args=[obj.pk])


def add_form(**overrides):
    data = {
        "hearing": HearingFactory().pk,
        "organisation": OrganisationFactory().pk,
        "title": "A new statement",
        "language": "en",
        "status": "draft",
        "expected_version": "",
    }
    data.update(overrides)
    return data


def post_change(client, obj, **overrides):
    return client.post(change_url(obj), change_form_data(client.get(change_url(obj)), **overrides))


def action_names(client):
    action_form = client.get(reverse(CHANGELIST)).context["action_form"]
    return [name for name, _ in action_form.fields["action"].choices if name] if action_form else []


# The groups


def test_groups_are_created_by_the_data_migration():
    assert set(Group.objects.values_list("name", flat=True)) >= {"Editor", "Contributor", "Viewer"}


def test_only_editors_hold_the_publish_permissions(editor, contributor, viewer):
    for model in (Hearing, Intervention):
        assert permissions.can_publish(editor, model)
        assert not permissions.can_publish(contributor, model)
        assert not permissions.can_publish(viewer, model)


def test_viewers_hold_only_view_permissions(viewer):
    assert viewer.get_all_permissions()
    assert all(codename.split(".")[1].startswith("view_") for codename in viewer.get_all_permissions())


# Contributor


def test_contributor_adds_a_draft(contributor_client):
    response = contributor_client.post(reverse("admin:interventions_intervention_add"), add_form())
    assert response.status_code == 302
    assert Intervention.objects.get().status == DRAFT


def test_contributor_cannot_add_a_published_intervention(contributor_client):
    response = contributor_client.post(reverse("admin:interventions_intervention_add"), add_form(status="published"))
    assert response.status_code == 200
    assert "Only editors can publish" in response.content.decode()
    assert not Intervention.objects.exists()


def test_contributor_edits_a_draft_and_sends_it_for_review(contributor_client):
    draft = InterventionFactory(status=DRAFT)
    response = post_change(contributor_client, draft, title="Edited by a contributor", status="in_review")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.status) == ("Edited by a contributor", IN_REVIEW)


def test_contributor_posting_status_published_is_refused_with_a_message(contributor_client):
    draft = InterventionFactory(status=IN_REVIEW)
    response = post_change(contributor_client, draft, status="published")
    assert response.status_code == 200
    assert "Only editors can publish, unpublish or withdraw" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == IN_REVIEW


def test_contributor_sees_a_published_intervention_read_only(contributor_client):
    published = InterventionFactory()
    response = contributor_client.get(change_url(published))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]


def test_contributor_cannot_change_a_published_intervention(contributor_client, editor_client):
    published = InterventionFactory(title="Published title")
    data = change_form_data(editor_client.get(change_url(published)), title="Changed by a contributor")
    assert contributor_client.post(change_url(published), data).status_code == 403
    published.refresh_from_db()
    assert published.title == "Published title"


def test_contributor_cannot_unpublish_through_the_form(contributor_client, editor_client):
    published = InterventionFactory()
    data = change_form_data(editor_client.get(change_url(published)), status="draft")
    assert contributor_client.post(change_url(published), data).status_code == 403
    published.refresh_from_db()
    assert published.status == PUBLISHED


def test_contributor_deletes_a_draft(contributor_client):
    draft = InterventionFactory(status=DRAFT)
    response = contributor_client.post(delete_url(draft), {"post": "yes"})
    assert response.status_code == 302
    assert not Intervention.objects.exists()


def test_contributor_cannot_delete_a_published_intervention(contributor_client):
    published = InterventionFactory()
    assert contributor_client.post(delete_url(published), {"post": "yes"}).status_code == 403
    assert Intervention.objects.filter(pk=published.pk).exists()


def test_contributor_bulk_delete_refuses_when_a_published_one_is_selected(contributor_client):
    draft = InterventionFactory(status=DRAFT)
    published = InterventionFactory()
    response = contributor_client.post(
        reverse(CHANGELIST), {"action": "delete_selected", "_selected_action": [draft.pk, published.pk], "post": "yes"}
    )
    assert response.status_code == 403
    assert Intervention.objects.count() == 2


def test_contributor_bulk_delete_of_drafts_works(contributor_client):
    drafts = InterventionFactory.create_batch(2, status=DRAFT)
    contributor_client.post(
        reverse(CHANGELIST), {"action": "delete_selected", "_selected_action": [d.pk for d in drafts], "post": "yes"}
    )
    assert not Intervention.objects.exists()


def test_contributor_is_not_offered_the_publishing_actions(contributor_client):
    InterventionFactory(status=DRAFT)
    names = action_names(contributor_client)
    assert "send_for_review" in names
    assert not {"publish", "unpublish", "withdraw"} & set(names)


@pytest.mark.parametrize(("action", "start"), [("publish", DRAFT), ("unpublish", PUBLISHED), ("withdraw", PUBLISHED)])
def test_contributor_posting_a_publishing_action_changes_nothing(contributor_client, action, start):
    intervention = InterventionFactory(status=start)
    contributor_client.post(reverse(CHANGELIST), {"action": action, "_selected_action": [intervention.pk]})
    intervention.refresh_from_db()
    assert intervention.status == start


def test_contributor_cannot_publish_a_hearing_through_the_form(contributor_client):
    hearing = HearingFactory(status=DRAFT)
    response = post_change(contributor_client, hearing, status="published")
    assert "Only editors can publish" in response.content.decode()
    hearing.refresh_from_db()
    assert hearing.status == DRAFT


def test_contributor_cannot_change_a_session_of_a_published_hearing(contributor_client, editor_client):
    session = SessionFactory(title="Morning")
    data = change_form_data(editor_client.get(change_url(session)), title="Renamed")
    assert contributor_client.post(change_url(session), data).status_code == 403
    session.refresh_from_db()
    assert session.title == "Morning"


def test_contributor_edits_a_session_of_a_draft_hearing(contributor_client):
    session = SessionFactory(title="Morning", hearing__status=DRAFT)
    assert post_change(contributor_client, session, title="Renamed").status_code == 302
    assert Session.objects.get().title == "Renamed"


def test_contributor_cannot_publish_through_the_session_inline(contributor_client):
    session = SessionFactory(hearing__status=DRAFT)
    draft = InterventionFactory(hearing=session.hearing, session=session, order=1, status=DRAFT)
    data = change_form_data(contributor_client.get(change_url(session)))
    prefix = "interventions"
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-INITIAL_FORMS": "1",
            f"{prefix}-0-id": str(draft.pk),
            f"{prefix}-0-session": str(session.pk),
            f"{prefix}-0-order": "1",
            f"{prefix}-0-title": draft.title,
            f"{prefix}-0-organisation": str(draft.organisation_id),
            f"{prefix}-0-status": "published",
        }
    )
    response = contributor_client.post(change_url(session), data)
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == DRAFT


# Editor


def test_editor_publishes_with_the_action(editor_client):
    draft = InterventionFactory(status=IN_REVIEW)
    editor_client.post(reverse(CHANGELIST), {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == PUBLISHED
    assert draft.published_at is not None


def test_editor_publishes_through_the_form(editor_client):
    draft = InterventionFactory(status=IN_REVIEW)
    assert post_change(editor_client, draft, status="published").status_code == 302
    draft.refresh_from_db()
    assert draft.status == PUBLISHED


def test_editor_changes_a_published_intervention(editor_client):
    published = InterventionFactory()
    assert post_change(editor_client, published, title="Corrected title").status_code == 302
    published.refresh_from_db()
    assert published.title == "Corrected title"


def test_editor_deletes_a_published_intervention(editor_client):
    published = InterventionFactory()
    assert editor_client.post(delete_url(published), {"post": "yes"}).status_code == 302
    assert not Intervention.objects.exists()


def test_editor_is_offered_every_workflow_action(editor_client):
    InterventionFactory()
    assert {"send_for_review", "publish", "unpublish", "withdraw", "delete_selected"} <= set(
        action_names(editor_client)
    )


# Viewer


def test_viewer_reads_the_changelist_and_change_pages(viewer_client):
    intervention = InterventionFactory()
    assert viewer_client.get(reverse(CHANGELIST)).status_code == 200
    response = viewer_client.get(change_url(intervention))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]


def test_viewer_cannot_add(viewer_client):
    assert viewer_client.get(reverse("admin:interventions_intervention_add")).status_code == 403
    assert viewer_client.post(reverse("admin:interventions_intervention_add"), add_form()).status_code == 403
    assert not Intervention.objects.exists()


def test_viewer_cannot_change(viewer_client, editor_client):
    draft = InterventionFactory(status=DRAFT, title="Original")
    data = change_form_data(editor_client.get(change_url(draft)), title="Changed by a viewer")
    assert viewer_client.post(change_url(draft), data).status_code == 403
    draft.refresh_from_db()
    assert draft.title == "Original"


def test_viewer_cannot_delete(viewer_client):
    draft = InterventionFactory(status=DRAFT)
    assert viewer_client.post(delete_url(draft), {"post": "yes"}).status_code == 403
    assert Intervention.objects.exists()


def test_viewer_is_offered_no_action_and_posting_one_changes_nothing(viewer_client):
    draft = InterventionFactory(status=DRAFT)
    assert action_names(viewer_client) == []
    viewer_client.post(reverse(CHANGELIST), {"action": "publish", "_selected_action": [draft.pk]})
    viewer_client.post(
        reverse(CHANGELIST), {"action": "delete_selected", "_selected_action": [draft.pk], "post": "yes"}
    )
    draft.refresh_from_db()
    assert draft.status == DRAFT


def test_viewer_reads_the_history_without_a_revert_button(viewer_client):
    intervention = InterventionFactory(title="First")
    history = reverse("admin:interventions_intervention_history", args=[intervention.pk])
    assert viewer_client.get(history).context["revert_disabled"]
    version = reverse(
        "admin:interventions_intervention_simple_history", args=[intervention.pk, intervention.history.get().history_id]
    )
    assert viewer_client.get(version).context["revert_disabled"]


def test_viewer_cannot_revert_from_history(viewer_client):
    intervention = InterventionFactory(status=DRAFT, title="First")
    intervention.title = "Second"
    intervention.save()
    first = intervention.history.earliest()
    url = reverse("admin:interventions_intervention_simple_history", args=[intervention.pk, first.history_id])
    assert viewer_client.post(url, {"title": "First"}).status_code == 403
    intervention.refresh_from_db()
    assert intervention.title == "Second"


# The checks the import will call


def test_check_save_refuses_a_contributor_publishing(contributor):
    intervention = InterventionFactory.build(status=PUBLISHED)
    with pytest.raises(PermissionDenied, match="Only editors can publish"):
        permissions.check_save(contributor, intervention)


def test_check_save_lets_a_contributor_save_a_draft(contributor):
    permissions.check_save(contributor, InterventionFactory.build(status=DRAFT))
