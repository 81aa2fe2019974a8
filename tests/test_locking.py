"""No lost edits: a save based on an outdated version is refused, and likely duplicates are flagged."""

import pytest
from django.urls import reverse

from hearings.curation import EditConflict
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

ADD = "admin:interventions_intervention_add"


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


# The model-level check the import uses too


def test_every_save_raises_the_version():
    intervention = InterventionFactory()
    start = intervention.version
    intervention.save()
    assert intervention.version == start + 1
    assert Intervention.objects.get().version == start + 1


def test_save_from_a_stale_instance_still_raises_the_stored_version():
    intervention = InterventionFactory()
    stale = Intervention.objects.get()
    intervention.save()
    intervention.save()
    stale.save()
    assert Intervention.objects.get().version == intervention.version + 1


def test_save_if_version_saves_when_nobody_else_did():
    intervention = InterventionFactory(title="Before")
    intervention.title = "After"
    intervention.save_if_version(intervention.version)
    assert Intervention.objects.get().title == "After"


def test_save_if_version_refuses_an_outdated_version():
    mine = InterventionFactory(title="Original")
    theirs = Intervention.objects.get()
    theirs.title = "Theirs"
    theirs.save_if_version(theirs.version)
    mine.title = "Mine"
    with pytest.raises(EditConflict):
        mine.save_if_version(mine.version)
    assert Intervention.objects.get().title == "Theirs"


# In the admin


def test_concurrent_admin_edit_is_refused_showing_the_other_persons_changes(editor_client, curator_client):
    intervention = InterventionFactory(title="Original title", summary="Original summary")
    mine = change_form_data(editor_client.get(change_url(intervention)), title="My title", summary="My summary")
    theirs = change_form_data(curator_client.get(change_url(intervention)), title="Their title")
    assert curator_client.post(change_url(intervention), theirs).status_code == 302

    response = editor_client.post(change_url(intervention), mine)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else saved this record while you were editing it" in page
    assert "Title: Their title <em>(theirs)</em> vs. My title <em>(yours)</em>" in page
    assert "Summary:" not in page.split("Someone else saved")[1].split("</ul>")[0]  # they left it alone
    intervention.refresh_from_db()
    assert (intervention.title, intervention.summary) == ("Their title", "Original summary")


def test_concurrent_edit_of_themes_is_shown_too(editor_client, curator_client):
    theme = ThemeFactory(name="Demand")
    intervention = InterventionFactory(status=PublicationStatus.DRAFT)
    mine = change_form_data(editor_client.get(change_url(intervention)), title="My title")
    theirs = change_form_data(curator_client.get(change_url(intervention)), themes=[str(theme.pk)])
    curator_client.post(change_url(intervention), theirs)
    page = editor_client.post(change_url(intervention), mine).content.decode()
    assert "Themes: Demand <em>(theirs)</em> vs. — <em>(yours)</em>" in page
    assert Intervention.objects.get().title != "My title"


def test_an_up_to_date_admin_edit_saves(editor_client):
    intervention = InterventionFactory(title="Original title")
    first = change_form_data(editor_client.get(change_url(intervention)), title="First edit")
    assert editor_client.post(change_url(intervention), first).status_code == 302
    second = change_form_data(editor_client.get(change_url(intervention)), title="Second edit")
    assert editor_client.post(change_url(intervention), second).status_code == 302
    assert Intervention.objects.get().title == "Second edit"


def test_concurrent_edit_of_an_organisation_is_refused(editor_client, curator_client):
    organisation = OrganisationFactory(description="Original")
    mine = change_form_data(editor_client.get(change_url(organisation)), description="Mine")
    curator_client.post(
        change_url(organisation), change_form_data(curator_client.get(change_url(organisation)), description="Theirs")
    )
    response = editor_client.post(change_url(organisation), mine)
    assert "Description: Theirs <em>(theirs)</em> vs. Mine <em>(yours)</em>" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.description == "Theirs"


def test_concurrent_edit_of_a_hearing_is_refused(editor_client, curator_client):
    hearing = HearingFactory(location="Geneva")
    mine = change_form_data(editor_client.get(change_url(hearing)), location="New York")
    curator_client.post(
        change_url(hearing), change_form_data(curator_client.get(change_url(hearing)), location="Vienna")
    )
    response = editor_client.post(change_url(hearing), mine)
    assert "Location: Vienna <em>(theirs)</em> vs. New York <em>(yours)</em>" in response.content.decode()
    hearing.refresh_from_db()
    assert hearing.location == "Vienna"


# Likely duplicates


def add_form(hearing, organisation, **overrides):
    data = {
        "hearing": hearing.pk,
        "organisation": organisation.pk,
        "title": "Remaining gaps in anti-trafficking action",
        "language": "en",
        "status": "draft",
        "source_id": "",
    }
    data.update(overrides)
    return data


def test_same_organisation_hearing_and_title_is_flagged_before_saving(editor_client):
    existing = InterventionFactory(title="Remaining gaps in anti-trafficking action")
    response = editor_client.post(
        reverse(ADD),
        add_form(existing.hearing, existing.organisation, title="REMAINING GAPS in anti-trafficking action"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Likely duplicate" in page
    assert change_url(existing) in page
    assert Intervention.objects.count() == 1


def test_save_anyway_saves_the_flagged_intervention(editor_client):
    existing = InterventionFactory(title="Remaining gaps in anti-trafficking action")
    response = editor_client.post(reverse(ADD), add_form(existing.hearing, existing.organisation, save_anyway="on"))
    assert response.status_code == 302
    assert Intervention.objects.count() == 2


@pytest.mark.parametrize(
    "difference", ["title", "organisation", "hearing"], ids=["other-title", "other-organisation", "other-hearing"]
)
def test_a_different_intervention_is_not_flagged(editor_client, difference):
    existing = InterventionFactory(title="Remaining gaps in anti-trafficking action")
    hearing = HearingFactory() if difference == "hearing" else existing.hearing
    organisation = OrganisationFactory() if difference == "organisation" else existing.organisation
    title = "Another statement" if difference == "title" else existing.title
    response = editor_client.post(reverse(ADD), add_form(hearing, organisation, title=title))
    assert response.status_code == 302
    assert Intervention.objects.count() == 2


def test_same_external_id_is_refused_even_when_saving_anyway(editor_client):
    existing = InterventionFactory(source_id="UNGDC-76-042")
    response = editor_client.post(
        reverse(ADD),
        add_form(HearingFactory(), OrganisationFactory(), title="Other", source_id="UNGDC-76-042", save_anyway="on"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Another intervention has this external id" in page
    assert change_url(existing) in page
    assert Intervention.objects.count() == 1


def test_editing_an_intervention_does_not_flag_itself(editor_client):
    intervention = InterventionFactory(source_id="UNGDC-76-042")
    data = change_form_data(editor_client.get(change_url(intervention)), summary="Edited")
    assert editor_client.post(change_url(intervention), data).status_code == 302


@pytest.mark.parametrize(
    "factory",
    [HearingFactory, SessionFactory, RecordingFactory, OrganisationFactory, ThemeFactory, InterventionFactory],
)
def test_every_change_page_carries_the_version_it_was_opened_at(editor_client, factory):
    obj = factory()
    obj.save()
    page = editor_client.get(change_url(obj)).content.decode()
    assert f'<input type="hidden" name="expected_version" value="{obj.version}"' in page
