import datetime

import pytest
from django.http import QueryDict

from hearings.models import PublicationStatus
from interventions.filters import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, InterventionFilter, page_size_from
from interventions.models import Intervention, Organisation
from tests.factories import HearingFactory, InterventionFactory, OrganisationFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def titles(query: str) -> list[str]:
    filterset = InterventionFilter(data=QueryDict(query), queryset=Intervention.objects.published().for_list())
    assert filterset.is_valid(), filterset.errors
    return [intervention.title for intervention in filterset.qs]


def errors(query: str) -> list[str]:
    filterset = InterventionFilter(data=QueryDict(query), queryset=Intervention.objects.published())
    assert not filterset.is_valid()
    return [error for field_errors in filterset.errors.values() for error in field_errors]


def test_organisation_matches_interventions_it_delivered():
    org = OrganisationFactory(slug="gaatw")
    InterventionFactory(title="Delivered", organisation=org)
    InterventionFactory(title="Someone else")
    assert titles("organisation=gaatw") == ["Delivered"]


def test_organisation_matches_interventions_it_co_sponsored():
    org = OrganisationFactory(slug="gaatw")
    InterventionFactory(title="Co-sponsored", on_behalf_of=[org])
    InterventionFactory(title="Someone else")
    assert titles("organisation=gaatw") == ["Co-sponsored"]


def test_an_organisation_that_co_sponsored_a_great_many_still_matches_them_all(monkeypatch):
    # Past this many co-sponsored interventions the filter asks the database instead of listing their ids.
    monkeypatch.setattr("interventions.filters.CO_SPONSORED_AS_IDS", 2)
    org = OrganisationFactory(slug="gaatw")
    for number in range(3):
        InterventionFactory(title=f"Co-sponsored {number}", on_behalf_of=[org])
    InterventionFactory(title="Delivered", organisation=org)
    InterventionFactory(title="Someone else")
    assert sorted(titles("organisation=gaatw")) == ["Co-sponsored 0", "Co-sponsored 1", "Co-sponsored 2", "Delivered"]


def test_several_organisations_match_any_of_them():
    InterventionFactory(title="By A", organisation=OrganisationFactory(slug="a"))
    InterventionFactory(title="For B", on_behalf_of=[OrganisationFactory(slug="b")])
    InterventionFactory(title="Neither")
    assert sorted(titles("organisation=a&organisation=b")) == ["By A", "For B"]


def test_an_intervention_delivered_and_co_sponsored_by_matching_organisations_is_listed_once():
    a, b = OrganisationFactory(slug="a"), OrganisationFactory(slug="b")
    InterventionFactory(title="Joint", organisation=a, on_behalf_of=[a, b])
    assert titles("organisation=a&organisation=b") == ["Joint"]


def test_theme_matches_tagged_interventions():
    InterventionFactory(title="On labour", themes=[ThemeFactory(slug="labour")])
    InterventionFactory(title="Untagged")
    assert titles("theme=labour") == ["On labour"]


def test_broader_theme_includes_its_narrower_themes():
    broader = ThemeFactory(slug="exploitation")
    narrower = ThemeFactory(slug="forced-labour", parent=broader)
    InterventionFactory(title="Broader", themes=[broader])
    InterventionFactory(title="Narrower", themes=[narrower])
    InterventionFactory(title="Other", themes=[ThemeFactory()])
    assert sorted(titles("theme=exploitation")) == ["Broader", "Narrower"]


def test_narrower_theme_does_not_include_its_broader_theme():
    broader = ThemeFactory(slug="exploitation")
    narrower = ThemeFactory(slug="forced-labour", parent=broader)
    InterventionFactory(title="Broader", themes=[broader])
    InterventionFactory(title="Narrower", themes=[narrower])
    assert titles("theme=forced-labour") == ["Narrower"]


def test_an_intervention_tagged_with_a_theme_and_its_narrower_theme_is_listed_once():
    broader = ThemeFactory(slug="exploitation")
    InterventionFactory(title="Both", themes=[broader, ThemeFactory(parent=broader)])
    assert titles("theme=exploitation") == ["Both"]


def test_several_themes_match_interventions_having_all_of_them():
    a, b = ThemeFactory(slug="a"), ThemeFactory(slug="b")
    InterventionFactory(title="A and B", themes=[a, b])
    InterventionFactory(title="A only", themes=[a])
    InterventionFactory(title="B only", themes=[b])
    assert titles("theme=a&theme=b") == ["A and B"]


def test_hearing_matches_its_interventions():
    hearing = HearingFactory(slug="unodc-2021")
    InterventionFactory(title="At the hearing", hearing=hearing)
    InterventionFactory(title="Elsewhere")
    assert titles("hearing=unodc-2021") == ["At the hearing"]


def test_repeated_hearing_uses_the_last_value():
    InterventionFactory(title="First", hearing=HearingFactory(slug="first"))
    InterventionFactory(title="Second", hearing=HearingFactory(slug="second"))
    assert titles("hearing=first&hearing=second") == ["Second"]


def test_draft_hearing_cannot_be_filtered_on():
    HearingFactory(slug="pending", status=PublicationStatus.DRAFT)
    assert errors("hearing=pending") == ["No hearing called “pending”."]


def test_type_matches_the_delivering_organisations_type():
    InterventionFactory(title="NHRI", organisation=OrganisationFactory(type=Organisation.Type.NHRI))
    InterventionFactory(title="NGO for an NHRI", on_behalf_of=[OrganisationFactory(type=Organisation.Type.NHRI)])
    assert titles("type=nhri") == ["NHRI"]


def test_language_matches():
    InterventionFactory(title="En français", language="fr")
    InterventionFactory(title="In English", language="en")
    assert titles("language=fr") == ["En français"]


def test_dates_are_inclusive():
    for day in (9, 10, 11, 12, 13):
        InterventionFactory(title=f"Day {day}", date=datetime.date(2021, 7, day))
    assert titles("date_from=2021-07-10&date_to=2021-07-12&sort=date") == ["Day 10", "Day 11", "Day 12"]


@pytest.mark.parametrize("field", ["title", "summary", "text_delivered", "text_submitted", "speaker_name"])
def test_search_matches_text_fields_case_insensitively(field):
    match = InterventionFactory(**{field: "Debt BONDAGE in brick kilns"})
    InterventionFactory(title="Other", summary="Nothing relevant", speaker_name="Someone")
    assert titles("q=debt+bondage") == [match.title]


def test_search_matches_organisation_name_and_acronym():
    InterventionFactory(title="By name", organisation=OrganisationFactory(name="La Strada International"))
    InterventionFactory(title="By acronym", organisation=OrganisationFactory(acronym="GAATW"))
    InterventionFactory(title="Other")
    assert titles("q=strada") == ["By name"]
    assert titles("q=gaatw") == ["By acronym"]


def test_search_does_not_match_a_withheld_speaker_name():
    InterventionFactory(title="Withheld", speaker_name="Maria Secret", withhold_speaker_name=True)
    InterventionFactory(title="Public", speaker_name="Maria Public")
    assert titles("q=maria") == ["Public"]
    assert titles("q=secret") == []


def test_search_is_cut_to_500_characters():
    filterset = InterventionFilter(data=QueryDict(f"q={'a' * 5000}"), queryset=Intervention.objects.all())
    assert filterset.is_valid()
    assert len(filterset.form.cleaned_data["q"]) == 500


def test_default_sort_is_newest_first():
    InterventionFactory(title="Old", date=datetime.date(2020, 1, 1))
    InterventionFactory(title="New", date=datetime.date(2022, 1, 1))
    assert titles("") == ["New", "Old"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("date", ["Beta", "Alpha"]),
        ("-date", ["Alpha", "Beta"]),
        ("title", ["Alpha", "Beta"]),
        ("organisation", ["Beta", "Alpha"]),
    ],
)
def test_sort_orders(sort, expected):
    InterventionFactory(title="Alpha", date=datetime.date(2022, 1, 1), organisation=OrganisationFactory(name="Zeta"))
    InterventionFactory(title="Beta", date=datetime.date(2020, 1, 1), organisation=OrganisationFactory(name="Alef"))
    assert titles(f"sort={sort}") == expected


def test_unknown_sort_falls_back_to_newest_first():
    InterventionFactory(title="Old", date=datetime.date(2020, 1, 1))
    InterventionFactory(title="New", date=datetime.date(2022, 1, 1))
    assert titles("sort=popularity") == ["New", "Old"]


def test_unknown_organisation_is_an_error():
    assert errors("organisation=nobody") == ["No organisation called “nobody”."]


def test_organisation_known_only_from_drafts_is_an_error():
    InterventionFactory(organisation=OrganisationFactory(slug="hidden"), status=PublicationStatus.DRAFT)
    assert errors("organisation=hidden") == ["No organisation called “hidden”."]


def test_unknown_theme_is_an_error():
    assert errors("theme=nothing") == ["No theme called “nothing”."]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", DEFAULT_PAGE_SIZE),
        ("50", 50),
        ("100000", MAX_PAGE_SIZE),
        ("abc", DEFAULT_PAGE_SIZE),
        ("0", DEFAULT_PAGE_SIZE),
    ],
)
def test_page_size_is_clamped(value, expected):
    assert page_size_from(QueryDict(f"page_size={value}")) == expected
