import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from hearings.models import PublicationStatus, Recording
from interventions.models import Intervention, Organisation, Theme, format_offset
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


def test_organisation_slugs_are_unique():
    OrganisationFactory(slug="lsi")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(slug="lsi")


def test_organisation_names_are_unique():
    OrganisationFactory(name="La Strada International")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(name="La Strada International", slug="another-slug")


def test_theme_slugs_are_unique():
    ThemeFactory(slug="demand")
    with pytest.raises(IntegrityError), transaction.atomic():
        ThemeFactory(slug="demand")


def test_intervention_order_is_unique_within_a_session():
    first = InterventionFactory(session=SessionFactory(), order=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        InterventionFactory(hearing=first.hearing, session=first.session, order=1)


def test_intervention_order_is_unique_within_a_hearing_when_there_is_no_session():
    first = InterventionFactory(order=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        InterventionFactory(hearing=first.hearing, order=1)


def test_interventions_in_different_sessions_can_share_an_order():
    hearing = HearingFactory()
    InterventionFactory(hearing=hearing, session=SessionFactory(hearing=hearing), order=1)
    InterventionFactory(hearing=hearing, session=SessionFactory(hearing=hearing), order=1)
    assert Intervention.objects.filter(hearing=hearing, order=1).count() == 2


def test_source_ids_are_unique():
    InterventionFactory(source_id="row-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        InterventionFactory(source_id="row-1")


def test_many_interventions_can_have_no_source_id():
    InterventionFactory(source_id="")
    InterventionFactory(source_id="")
    assert Intervention.objects.filter(source_id="").count() == 2


def test_intervention_cannot_end_before_it_starts_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        InterventionFactory(start_offset=600, end_offset=300)


def test_intervention_ending_before_it_starts_fails_validation():
    intervention = InterventionFactory.build(
        hearing=HearingFactory(), organisation=OrganisationFactory(), start_offset=600, end_offset=600
    )
    with pytest.raises(ValidationError) as error:
        intervention.full_clean()
    assert "end_offset" in error.value.message_dict


def test_negative_offsets_are_rejected_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        InterventionFactory(start_offset=-5)


def test_negative_offsets_fail_validation():
    intervention = InterventionFactory.build(
        hearing=HearingFactory(), organisation=OrganisationFactory(), start_offset=-5
    )
    with pytest.raises(ValidationError) as error:
        intervention.full_clean()
    assert "start_offset" in error.value.message_dict


def test_end_offset_needs_a_start_offset():
    intervention = InterventionFactory.build(
        hearing=HearingFactory(), organisation=OrganisationFactory(), end_offset=60
    )
    with pytest.raises(ValidationError) as error:
        intervention.full_clean()
    assert "start_offset" in error.value.message_dict


def test_session_must_belong_to_the_interventions_hearing():
    intervention = InterventionFactory.build(
        hearing=HearingFactory(), organisation=OrganisationFactory(), session=SessionFactory()
    )
    with pytest.raises(ValidationError) as error:
        intervention.full_clean()
    assert error.value.message_dict["session"] == ["This session belongs to another hearing."]


def test_themes_nest_one_level_only():
    broad = ThemeFactory()
    narrow = ThemeFactory(parent=broad)
    narrower = ThemeFactory.build(parent=narrow)
    with pytest.raises(ValidationError) as error:
        narrower.full_clean()
    assert "parent" in error.value.message_dict


def test_theme_with_narrower_themes_cannot_be_nested():
    broad = ThemeFactory()
    ThemeFactory(parent=broad)
    broad.parent = ThemeFactory()
    with pytest.raises(ValidationError):
        broad.full_clean()


def test_theme_cannot_be_its_own_parent():
    theme = ThemeFactory()
    theme.parent = theme
    with pytest.raises(ValidationError):
        theme.full_clean()


def test_networks_nest_one_level_only():
    network = OrganisationFactory(type=Organisation.Type.NETWORK)
    member = OrganisationFactory(parent=network)
    member_of_member = OrganisationFactory.build(parent=member)
    with pytest.raises(ValidationError) as error:
        member_of_member.full_clean()
    assert "parent" in error.value.message_dict


def test_organisation_with_members_cannot_join_a_network():
    network = OrganisationFactory()
    OrganisationFactory(parent=network)
    network.parent = OrganisationFactory()
    with pytest.raises(ValidationError):
        network.full_clean()


def test_published_interventions_need_a_published_hearing():
    public = InterventionFactory()
    InterventionFactory(status=DRAFT)
    InterventionFactory(hearing=HearingFactory(status=DRAFT))
    assert list(Intervention.objects.published()) == [public]


def test_intervention_publication_date_is_set_on_first_publication():
    intervention = InterventionFactory(status=DRAFT)
    assert intervention.published_at is None
    intervention.status = PublicationStatus.PUBLISHED
    intervention.save()
    assert intervention.published_at is not None


def test_intervention_publication_date_is_kept_on_later_saves():
    intervention = InterventionFactory()
    first = intervention.published_at
    intervention.status = DRAFT
    intervention.save()
    intervention.status = PublicationStatus.PUBLISHED
    intervention.title = "Edited"
    intervention.save()
    intervention.refresh_from_db()
    assert intervention.published_at == first


def test_intervention_date_defaults_to_the_session_date():
    hearing = HearingFactory(start_date=datetime.date(2021, 7, 13), end_date=datetime.date(2021, 7, 14))
    session = SessionFactory(hearing=hearing, date=datetime.date(2021, 7, 14))
    assert InterventionFactory(hearing=hearing, session=session).date == datetime.date(2021, 7, 14)


def test_intervention_date_defaults_to_the_hearing_start_without_a_session():
    hearing = HearingFactory(start_date=datetime.date(2021, 7, 13))
    assert InterventionFactory(hearing=hearing).date == datetime.date(2021, 7, 13)


def test_explicit_intervention_date_is_kept():
    intervention = InterventionFactory(date=datetime.date(2021, 7, 20))
    assert intervention.date == datetime.date(2021, 7, 20)


def test_intervention_str_is_its_title():
    assert str(InterventionFactory(title="Remaining gaps")) == "Remaining gaps"


def test_organisation_str_adds_the_acronym():
    assert str(OrganisationFactory(name="La Strada International", acronym="LSI")) == "La Strada International (LSI)"


def test_organisation_str_without_acronym_is_the_name():
    assert str(OrganisationFactory(name="La Strada International", acronym="")) == "La Strada International"


def test_theme_str_is_its_name():
    assert str(ThemeFactory(name="Demand")) == "Demand"


def test_intervention_url_uses_its_id():
    intervention = InterventionFactory()
    assert intervention.get_absolute_url() == f"/interventions/{intervention.pk}/"


def test_organisation_and_theme_urls_use_their_slugs():
    assert OrganisationFactory(slug="lsi").get_absolute_url() == "/organisations/lsi/"
    assert ThemeFactory(slug="demand").get_absolute_url() == "/themes/demand/"


@pytest.mark.parametrize(
    ("seconds", "expected"), [(None, ""), (0, "0:00"), (59, "0:59"), (754, "12:34"), (3725, "1:02:05")]
)
def test_format_offset(seconds, expected):
    assert format_offset(seconds) == expected


def test_withheld_speaker_name_is_not_public():
    intervention = InterventionFactory.build(speaker_name="Suzanne Hoff", withhold_speaker_name=True)
    assert intervention.public_speaker_name == ""


def test_speaker_name_is_public_by_default():
    assert InterventionFactory.build(speaker_name="Suzanne Hoff").public_speaker_name == "Suzanne Hoff"


def test_citation_names_organisation_speaker_title_hearing_session_and_date():
    hearing = HearingFactory(title="Multi-stakeholder hearing", start_date=datetime.date(2021, 7, 13))
    intervention = InterventionFactory(
        hearing=hearing,
        session=SessionFactory(hearing=hearing, title="Morning session"),
        organisation=OrganisationFactory(name="La Strada International"),
        speaker_name="Suzanne Hoff",
        title="Remaining gaps",
    )
    assert intervention.citation("https://example.org/interventions/1/") == (
        "La Strada International. Suzanne Hoff. “Remaining gaps”. Multi-stakeholder hearing, Morning session. "
        "13 July 2021. https://example.org/interventions/1/"
    )


def test_citation_leaves_out_a_withheld_speaker():
    intervention = InterventionFactory(speaker_name="Suzanne Hoff", withhold_speaker_name=True)
    assert "Suzanne Hoff" not in intervention.citation()


def test_recording_url_starts_at_the_intervention():
    session = SessionFactory()
    RecordingFactory(session=session, provider=Recording.Provider.YOUTUBE, url="https://youtu.be/abc", order=1)
    intervention = InterventionFactory(hearing=session.hearing, session=session, start_offset=90, end_offset=120)
    assert intervention.recording_url == "https://youtu.be/abc?t=90s"
    assert intervention.duration_seconds == 30


def test_panel_intervention_uses_the_parent_session_recording():
    session = SessionFactory()
    recording = RecordingFactory(session=session)
    panel = SessionFactory(hearing=session.hearing, parent=session)
    intervention = InterventionFactory(hearing=session.hearing, session=panel)
    assert intervention.recording == recording


def test_intervention_without_a_session_has_no_recording():
    assert InterventionFactory().recording_url == ""


def test_public_organisations_hide_those_known_only_from_drafts():
    public = InterventionFactory().organisation
    InterventionFactory(status=DRAFT)
    InterventionFactory(hearing=HearingFactory(status=DRAFT))
    OrganisationFactory()
    assert list(Organisation.objects.public()) == [public]


def test_co_sponsors_of_public_interventions_are_public():
    co_sponsor = OrganisationFactory()
    intervention = InterventionFactory(on_behalf_of=[co_sponsor])
    assert set(Organisation.objects.public()) == {intervention.organisation, co_sponsor}


def test_co_sponsors_known_only_from_unpublished_interventions_stay_hidden():
    tomorrow = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)
    hidden = OrganisationFactory.create_batch(3)
    InterventionFactory(status=DRAFT, on_behalf_of=[hidden[0]])
    InterventionFactory(hearing=HearingFactory(status=DRAFT), on_behalf_of=[hidden[1]])
    InterventionFactory(publish_at=tomorrow, on_behalf_of=[hidden[2]])
    assert not Organisation.objects.public().filter(pk__in=[organisation.pk for organisation in hidden]).exists()


def test_organisation_counts_public_interventions_delivered_and_co_sponsored():
    organisation = OrganisationFactory()
    InterventionFactory(organisation=organisation)
    InterventionFactory(organisation=organisation, status=DRAFT)
    InterventionFactory(on_behalf_of=[organisation])
    InterventionFactory(on_behalf_of=[organisation], status=DRAFT)
    InterventionFactory(on_behalf_of=[organisation], hearing=HearingFactory(status=DRAFT))
    # Listed as co-sponsor of its own statement: still one intervention.
    InterventionFactory(organisation=organisation, on_behalf_of=[organisation])
    counted = Organisation.objects.with_intervention_counts().get(pk=organisation.pk)
    assert counted.intervention_count == 3


def test_organisation_without_interventions_counts_zero():
    organisation = OrganisationFactory()
    assert Organisation.objects.with_intervention_counts().get(pk=organisation.pk).intervention_count == 0


def test_theme_counts_public_interventions():
    theme = ThemeFactory()
    InterventionFactory(themes=[theme])
    InterventionFactory(themes=[theme], status=DRAFT)
    assert [counted.intervention_count for counted in Theme.objects.list_with_intervention_counts()] == [1]


def test_theme_counts_are_of_each_theme_itself_not_of_its_narrower_themes():
    broader = ThemeFactory(name="Protection")
    narrower = ThemeFactory(name="Shelters", parent=broader)
    ThemeFactory(name="Unused")
    InterventionFactory(themes=[broader, narrower])
    InterventionFactory(themes=[narrower])
    counted = Theme.objects.order_by("name").list_with_intervention_counts()
    assert [(theme.name, theme.intervention_count) for theme in counted] == [
        ("Protection", 1),
        ("Shelters", 2),
        ("Unused", 0),
    ]


def test_by_organisation_finds_delivered_and_co_sponsored_interventions():
    organisation = OrganisationFactory()
    delivered = InterventionFactory(organisation=organisation)
    co_sponsored = InterventionFactory(on_behalf_of=[organisation])
    InterventionFactory()
    assert set(Intervention.objects.by_organisation(organisation)) == {delivered, co_sponsored}


def test_themes_and_partners_of_one_intervention_are_listed_by_name():
    intervention = InterventionFactory(
        themes=[ThemeFactory(name="Victims' rights"), ThemeFactory(name="Demand")],
        on_behalf_of=[OrganisationFactory(name="GAATW"), OrganisationFactory(name="Anti-Slavery International")],
    )
    fresh = Intervention.objects.get(pk=intervention.pk)
    assert [theme.name for theme in fresh.theme_list] == ["Demand", "Victims' rights"]
    assert [partner.name for partner in fresh.partner_list] == ["Anti-Slavery International", "GAATW"]


def test_a_page_of_interventions_reads_themes_partners_and_recordings_in_advance(django_assert_num_queries):
    session = SessionFactory()
    RecordingFactory(session=session, order=2, url="https://www.youtube.com/watch?v=second")
    RecordingFactory(session=session, order=1, url="https://www.youtube.com/watch?v=first")
    for n in range(3):
        InterventionFactory(
            hearing=session.hearing,
            session=session,
            start_offset=60,
            themes=[ThemeFactory(name=f"Z theme {n}"), ThemeFactory(name=f"A theme {n}")],
            on_behalf_of=[OrganisationFactory()],
        )
    page = list(Intervention.objects.published().for_list())
    with django_assert_num_queries(0):
        for intervention in page:
            assert [theme.name[0] for theme in intervention.theme_list] == ["A", "Z"]
            assert len(intervention.partner_list) == 1
            assert intervention.recording_url.startswith("https://www.youtube.com/watch?v=first")


def test_language_name_is_in_the_interface_language():
    intervention = InterventionFactory.build(language="en")
    with translation.override("fr"):
        assert str(intervention.get_language_display()) == "Anglais"
    assert str(intervention.get_language_display()) == "English"


def test_an_unknown_language_code_is_shown_as_stored():
    assert InterventionFactory.build(language="xx").get_language_display() == "xx"
