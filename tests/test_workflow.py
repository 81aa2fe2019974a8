"""Draft -> in review -> published -> withdrawn, embargoes, and staff previews."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from hearings.models import Hearing, PublicationStatus
from interventions.models import Intervention
from tests.factories import HearingFactory, InterventionFactory, OrganisationFactory, ThemeFactory, UserFactory

pytestmark = pytest.mark.django_db

DRAFT = PublicationStatus.DRAFT
IN_REVIEW = PublicationStatus.IN_REVIEW
PUBLISHED = PublicationStatus.PUBLISHED
WITHDRAWN = PublicationStatus.WITHDRAWN
EMBARGO_ENDS = timezone.now().replace(microsecond=0) + datetime.timedelta(days=3)


def clock_at(moment):
    """Every `timezone.now()` in the code under test answers `moment`."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


# Transitions and published_at


def test_published_at_is_set_on_first_publication():
    intervention = InterventionFactory(status=DRAFT)
    assert intervention.published_at is None
    intervention.status = PUBLISHED
    intervention.save()
    assert intervention.published_at is not None


def test_published_at_is_kept_when_withdrawn_and_republished():
    intervention = InterventionFactory()
    first = intervention.published_at
    for status in (WITHDRAWN, PUBLISHED):
        intervention.status = status
        intervention.full_clean()
        intervention.save()
    intervention.refresh_from_db()
    assert intervention.published_at == first


def test_in_review_is_neither_public_nor_stamped():
    intervention = InterventionFactory(status=IN_REVIEW)
    assert intervention.published_at is None
    assert not Intervention.objects.published().exists()


@pytest.mark.parametrize("status", [DRAFT, IN_REVIEW])
def test_only_a_published_record_can_be_withdrawn(status):
    intervention = InterventionFactory(status=status)
    intervention.status = WITHDRAWN
    with pytest.raises(ValidationError) as refusal:
        intervention.full_clean()
    assert "only a published one can be withdrawn" in str(refusal.value)


@pytest.mark.parametrize(("start", "end"), [(DRAFT, IN_REVIEW), (IN_REVIEW, PUBLISHED), (PUBLISHED, WITHDRAWN)])
def test_the_workflow_moves_forward(start, end):
    intervention = InterventionFactory(status=start)
    intervention.status = end
    intervention.full_clean()


def test_send_for_review_action_moves_only_drafts(editor_client):
    draft = InterventionFactory(status=DRAFT)
    published = InterventionFactory()
    editor_client.post(
        reverse("admin:interventions_intervention_changelist"),
        {"action": "send_for_review", "_selected_action": [draft.pk, published.pk]},
    )
    draft.refresh_from_db()
    published.refresh_from_db()
    assert draft.status == IN_REVIEW
    assert published.status == PUBLISHED


def test_withdraw_action_withdraws_published_interventions(editor_client):
    published = InterventionFactory()
    draft = InterventionFactory(status=DRAFT)
    editor_client.post(
        reverse("admin:interventions_intervention_changelist"),
        {"action": "withdraw", "_selected_action": [published.pk, draft.pk]},
    )
    published.refresh_from_db()
    draft.refresh_from_db()
    assert published.status == WITHDRAWN
    assert draft.status == DRAFT


# Embargo


def test_embargo_is_one_rule_for_both_querysets():
    hearing = HearingFactory(publish_at=EMBARGO_ENDS)
    InterventionFactory(hearing=hearing)
    before, after = EMBARGO_ENDS - datetime.timedelta(minutes=1), EMBARGO_ENDS
    assert not Hearing.objects.published(now=before).exists()
    assert not Intervention.objects.published(now=before).exists()
    assert Hearing.objects.published(now=after).exists()
    assert Intervention.objects.published(now=after).exists()


@pytest.fixture
def embargoed():
    public = InterventionFactory(title="Public statement", organisation__name="Public Org")
    theme = ThemeFactory(name="Reprisals", slug="reprisals")
    hidden = InterventionFactory(
        title="Embargoed statement",
        hearing=public.hearing,
        organisation=OrganisationFactory(name="Embargoed Org", slug="embargoed-org"),
        themes=[theme],
        publish_at=EMBARGO_ENDS,
    )
    return public, hidden


def test_embargoed_intervention_is_hidden_everywhere_before_its_time(client, embargoed):
    public, hidden = embargoed
    listing = client.get(reverse("interventions:list")).content.decode()
    assert public.title in listing
    assert hidden.title not in listing
    assert "Embargoed Org" not in listing
    assert "Reprisals" not in listing  # no facet option for the only intervention on it
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert "<strong>1</strong> intervention</a>" in client.get(reverse("interventions:home")).content.decode()
    organisation_page = reverse("interventions:organisation-detail", kwargs={"slug": "embargoed-org"})
    assert client.get(organisation_page).status_code == 404


def test_embargoed_intervention_appears_everywhere_once_its_time_passes(client, embargoed):
    public, hidden = embargoed
    with clock_at(EMBARGO_ENDS + datetime.timedelta(hours=1)):
        listing_response = client.get(reverse("interventions:list"))
        listing = listing_response.content.decode()
        detail = client.get(hidden.get_absolute_url())
        home = client.get(reverse("interventions:home")).content.decode()
        organisation_page = client.get(reverse("interventions:organisation-detail", kwargs={"slug": "embargoed-org"}))
    assert hidden.title in listing
    theme_facet = next(facet for facet in listing_response.context["facets"] if facet.name == "theme")
    assert {option.value: option.count for option in theme_facet.options}["reprisals"] == 1
    assert detail.status_code == 200
    assert "<strong>2</strong> interventions" in home
    assert organisation_page.status_code == 200


def test_embargoed_hearing_hides_itself_and_its_interventions(client):
    hearing = HearingFactory(title="Embargoed hearing", publish_at=EMBARGO_ENDS)
    intervention = InterventionFactory(hearing=hearing, title="Statement at the embargoed hearing")
    assert client.get(hearing.get_absolute_url()).status_code == 404
    assert client.get(intervention.get_absolute_url()).status_code == 404
    assert hearing.title not in client.get(reverse("hearings:list")).content.decode()
    with clock_at(EMBARGO_ENDS):
        assert client.get(hearing.get_absolute_url()).status_code == 200
        assert client.get(intervention.get_absolute_url()).status_code == 200


# Withdrawn


def test_withdrawn_permalink_answers_410_with_a_notice_and_no_content(client):
    intervention = InterventionFactory(title="Retracted statement", summary="Words that must not stay online.")
    intervention.status = WITHDRAWN
    intervention.save()
    response = client.get(intervention.get_absolute_url())
    assert response.status_code == 410
    page = response.content.decode()
    assert "This intervention was withdrawn" in page
    assert "Retracted statement" in page
    assert "Words that must not stay online." not in page
    assert intervention.speaker_name not in page


def test_withdrawn_intervention_appears_nowhere_else(client):
    kept = InterventionFactory(title="Kept statement")
    withdrawn = InterventionFactory(
        title="Retracted statement", hearing=kept.hearing, organisation__name="Withdrawn Org", status=WITHDRAWN
    )
    listing = client.get(reverse("interventions:list")).content.decode()
    assert kept.title in listing
    assert withdrawn.title not in listing
    assert "Withdrawn Org" not in client.get(reverse("interventions:organisation-list")).content.decode()
    assert "<strong>1</strong> intervention</a>" in client.get(reverse("interventions:home")).content.decode()
    assert withdrawn.title not in client.get(kept.hearing.get_absolute_url()).content.decode()


def test_withdrawn_hearing_answers_410(client):
    hearing = HearingFactory(title="Retracted hearing", status=WITHDRAWN)
    response = client.get(hearing.get_absolute_url())
    assert response.status_code == 410
    assert "This hearing was withdrawn" in response.content.decode()


def test_a_draft_permalink_is_still_a_plain_404(client):
    assert client.get(InterventionFactory(status=DRAFT).get_absolute_url()).status_code == 404


# Staff preview


@pytest.mark.parametrize(
    "state",
    [{"status": DRAFT}, {"status": IN_REVIEW}, {"status": PUBLISHED, "publish_at": EMBARGO_ENDS}],
    ids=["draft", "in_review", "embargoed"],
)
def test_staff_preview_unpublished_interventions_with_a_banner(viewer_client, state):
    intervention = InterventionFactory(title="Not yet public", **state)
    response = viewer_client.get(intervention.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Preview: not public" in page
    assert "Not yet public" in page
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_preview_banner_names_the_embargo(viewer_client):
    intervention = InterventionFactory(publish_at=EMBARGO_ENDS)
    page = viewer_client.get(intervention.get_absolute_url()).content.decode()
    assert "Embargoed until" in page


def test_anonymous_visitors_cannot_preview(client):
    intervention = InterventionFactory(status=IN_REVIEW)
    assert client.get(intervention.get_absolute_url()).status_code == 404


def test_staff_without_view_permission_cannot_preview(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(InterventionFactory(status=DRAFT).get_absolute_url()).status_code == 404


def test_public_pages_carry_no_preview_banner(viewer_client):
    intervention = InterventionFactory()
    response = viewer_client.get(intervention.get_absolute_url())
    assert "Preview: not public" not in response.content.decode()


def test_staff_preview_a_draft_hearing(viewer_client, client):
    hearing = HearingFactory(title="Hearing being prepared", status=DRAFT)
    response = viewer_client.get(hearing.get_absolute_url())
    assert response.status_code == 200
    assert "Preview: not public" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert client.get(hearing.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("size", [1, 10])
def test_preview_queries_do_not_grow_with_themes_and_co_sponsors(viewer_client, django_assert_max_num_queries, size):
    intervention = InterventionFactory(
        status=DRAFT,
        themes=ThemeFactory.create_batch(size),
        on_behalf_of=OrganisationFactory.create_batch(size),
    )
    with django_assert_max_num_queries(10):
        response = viewer_client.get(intervention.get_absolute_url())
    assert "Preview: not public" in response.content.decode()
