import pytest
from django.http import QueryDict

from hearings.models import PublicationStatus
from interventions.facets import TOP_OPTIONS, facets
from interventions.filters import InterventionFilter
from interventions.models import Intervention, Organisation
from tests.factories import HearingFactory, InterventionFactory, OrganisationFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def facet_counts(query: str, name: str) -> dict[str, int]:
    filterset = InterventionFilter(data=QueryDict(query), queryset=Intervention.objects.published().for_list())
    facet = next(facet for facet in facets(filterset) if facet.name == name)
    return {option.value: option.count for option in facet.options}


def test_organisation_count_adds_delivered_and_co_sponsored():
    org = OrganisationFactory(slug="gaatw")
    InterventionFactory(organisation=org)
    InterventionFactory(on_behalf_of=[org])
    InterventionFactory()
    assert facet_counts("", "organisation")["gaatw"] == 2


def test_organisation_on_behalf_of_itself_is_counted_once():
    org = OrganisationFactory(slug="gaatw")
    InterventionFactory(organisation=org, on_behalf_of=[org])
    assert facet_counts("", "organisation")["gaatw"] == 1


def test_organisation_counts_ignore_the_organisation_filter_itself():
    a, b = OrganisationFactory(slug="a"), OrganisationFactory(slug="b")
    InterventionFactory(organisation=a)
    InterventionFactory(organisation=b)
    InterventionFactory(organisation=b)
    assert facet_counts("organisation=a", "organisation") == {"a": 1, "b": 2}


def test_organisation_counts_follow_the_other_filters():
    a, b = OrganisationFactory(slug="a"), OrganisationFactory(slug="b")
    InterventionFactory(organisation=a, language="fr")
    InterventionFactory(organisation=b, language="en")
    assert facet_counts("language=fr", "organisation") == {"a": 1}


def test_theme_counts_follow_every_filter_including_themes():
    a, b = ThemeFactory(slug="a"), ThemeFactory(slug="b")
    InterventionFactory(themes=[a, b])
    InterventionFactory(themes=[a])
    InterventionFactory(themes=[b])
    assert facet_counts("", "theme") == {"a": 2, "b": 2}
    assert facet_counts("theme=a", "theme") == {"a": 2, "b": 1}


def test_broader_theme_count_includes_narrower_themes_once():
    broader = ThemeFactory(slug="broad")
    narrow = ThemeFactory(slug="narrow", parent=broader)
    other_narrow = ThemeFactory(slug="other-narrow", parent=broader)
    InterventionFactory(themes=[broader])
    InterventionFactory(themes=[narrow])
    InterventionFactory(themes=[narrow, other_narrow])
    assert facet_counts("", "theme") == {"broad": 3, "narrow": 2, "other-narrow": 1}


@pytest.mark.parametrize(
    ("name", "query", "expected"),
    [
        ("hearing", "hearing=one", {"one": 1, "two": 2}),
        ("type", "type=nhri", {"nhri": 1, "ngo": 2}),
        ("language", "language=fr", {"fr": 1, "en": 2}),
    ],
)
def test_single_valued_facets_ignore_their_own_filter(name, query, expected):
    one, two = HearingFactory(slug="one"), HearingFactory(slug="two")
    InterventionFactory(hearing=one, language="fr", organisation=OrganisationFactory(type=Organisation.Type.NHRI))
    InterventionFactory(hearing=two, language="en")
    InterventionFactory(hearing=two, language="en")
    assert facet_counts(query, name) == expected


def test_single_valued_facets_follow_the_other_filters():
    one, two = HearingFactory(slug="one"), HearingFactory(slug="two")
    InterventionFactory(hearing=one, language="fr")
    InterventionFactory(hearing=two, language="en")
    assert facet_counts("language=fr", "hearing") == {"one": 1}
    assert facet_counts("hearing=two", "language") == {"en": 1}


def test_facets_show_the_top_options_plus_every_selected_one():
    for index in range(TOP_OPTIONS + 2):
        org = OrganisationFactory(slug=f"org-{index:02d}")
        for _ in range(index + 1):
            InterventionFactory(organisation=org)
    counts = facet_counts("organisation=org-00", "organisation")
    assert len(counts) == TOP_OPTIONS + 1
    assert counts["org-00"] == 1
    assert "org-01" not in counts
    assert counts[f"org-{TOP_OPTIONS + 1:02d}"] == TOP_OPTIONS + 2


def test_a_selected_option_without_results_still_shows_with_zero():
    ThemeFactory(slug="empty")
    InterventionFactory(themes=[ThemeFactory(slug="full")])
    assert facet_counts("theme=empty", "theme") == {"empty": 0}


def test_drafts_are_not_counted():
    org = OrganisationFactory(slug="gaatw")
    InterventionFactory(organisation=org)
    InterventionFactory(organisation=org, status=PublicationStatus.DRAFT)
    InterventionFactory(organisation=org, hearing=HearingFactory(status=PublicationStatus.DRAFT))
    assert facet_counts("", "organisation") == {"gaatw": 1}


@pytest.mark.parametrize("size", [5, 50])
def test_facets_take_four_queries_whatever_the_archive_size(size, django_assert_num_queries):
    # Every count in one query over the results, plus the names of the organisations, themes and hearings shown.
    for _ in range(size):
        InterventionFactory(themes=[ThemeFactory()], on_behalf_of=[OrganisationFactory()], language="fr")
    filterset = InterventionFilter(data=QueryDict(""), queryset=Intervention.objects.published())
    filterset.is_valid()
    with django_assert_num_queries(4):
        facets(filterset)


def test_invalid_filters_give_no_facets():
    filterset = InterventionFilter(data=QueryDict("date_from=2021-13-45"), queryset=Intervention.objects.published())
    assert facets(filterset) == []
