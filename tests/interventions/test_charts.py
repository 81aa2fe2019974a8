import datetime

import pytest
from django.urls import reverse

from hearings.models import PublicationStatus
from interventions import charts
from interventions.charts import Row, bar_chart
from interventions.models import Intervention, Organisation
from tests.factories import HearingFactory, InterventionFactory, OrganisationFactory, ThemeFactory


def rows(*values):
    return [Row(f"Bar {index}", value, f"/interventions/?n={index}") for index, value in enumerate(values)]


# Geometry


def test_the_largest_bar_spans_the_chart_less_room_for_its_value():
    chart = bar_chart("t", "Title", "Column", rows(10, 5))
    assert chart.bars[0].width == charts.WIDTH - charts.VALUE_ROOM
    assert chart.bars[1].width == (charts.WIDTH - charts.VALUE_ROOM) // 2


def test_bars_stack_one_row_apart_and_the_chart_is_as_tall_as_its_rows():
    chart = bar_chart("t", "Title", "Column", rows(3, 2, 1))
    assert [bar.y for bar in chart.bars] == [charts.LABEL_HEIGHT + n * charts.ROW_HEIGHT for n in range(3)]
    assert chart.height == 3 * charts.ROW_HEIGHT - charts.ROW_GAP


def test_each_value_is_written_just_right_of_its_bar():
    chart = bar_chart("t", "Title", "Column", rows(8, 2))
    assert [bar.value_x for bar in chart.bars] == [bar.width + 6 for bar in chart.bars]


def test_a_tiny_value_still_draws_a_visible_bar_and_zero_draws_none():
    chart = bar_chart("t", "Title", "Column", rows(10_000, 1, 0))
    assert chart.bars[1].width == 2
    assert chart.bars[2].width == 0


def test_no_rows_or_only_zeros_give_no_chart():
    assert bar_chart("t", "Title", "Column", []) is None
    assert bar_chart("t", "Title", "Column", rows(0, 0)) is None


def test_a_chart_shows_at_most_max_bars():
    assert len(bar_chart("t", "Title", "Column", rows(*range(1, 30))).bars) == charts.MAX_BARS


def test_values_are_written_with_thousands_separators():
    assert bar_chart("t", "Title", "Column", rows(12345)).bars[0].value_text == "12,345"


def test_the_description_names_the_largest_bars_for_those_who_cannot_see_them():
    chart = bar_chart("t", "Interventions by theme", "Theme", rows(1, 9, 4, 2))
    assert chart.description == "Interventions by theme: 4 bars. Largest: Bar 1 (9), Bar 2 (4), Bar 3 (2)."


# Data


@pytest.mark.django_db
def test_per_year_counts_published_interventions_only_and_links_to_the_year():
    InterventionFactory(date=datetime.date(2021, 7, 13))
    InterventionFactory(date=datetime.date(2021, 9, 1))
    InterventionFactory(date=datetime.date(2023, 3, 2))
    InterventionFactory(date=datetime.date(2022, 1, 1), status=PublicationStatus.DRAFT)
    InterventionFactory(date=datetime.date(2022, 1, 1), hearing=HearingFactory(status=PublicationStatus.DRAFT))
    chart = charts.per_year(Intervention.objects.published())
    assert [(bar.label, bar.value) for bar in chart.bars] == [("2021", 2), ("2023", 1)]
    assert chart.bars[0].url == reverse("interventions:list") + "?date_from=2021-01-01&date_to=2021-12-31"


@pytest.mark.django_db
def test_by_theme_counts_each_intervention_once_per_theme_and_keeps_the_page_filter_in_links():
    demand, labour, unused = ThemeFactory(name="Demand"), ThemeFactory(name="Labour"), ThemeFactory(name="Unused")
    org = OrganisationFactory(slug="lsi")
    InterventionFactory(organisation=org, themes=[demand, labour])
    InterventionFactory(organisation=org, themes=[demand])
    InterventionFactory(organisation=org, themes=[labour], status=PublicationStatus.DRAFT)
    chart = charts.by_theme(Intervention.objects.published(), organisation="lsi")
    assert [(bar.label, bar.value) for bar in chart.bars] == [("Demand", 2), ("Labour", 1)]
    assert unused.name not in [bar.label for bar in chart.bars]
    assert chart.bars[0].url == f"{reverse('interventions:list')}?theme={demand.slug}&organisation=lsi"


@pytest.mark.django_db
def test_by_organisation_type_labels_types_in_words():
    InterventionFactory(organisation=OrganisationFactory(type=Organisation.Type.TRADE_UNION))
    InterventionFactory(organisation=OrganisationFactory(type=Organisation.Type.NGO))
    InterventionFactory(organisation=OrganisationFactory(type=Organisation.Type.NGO))
    chart = charts.by_organisation_type(Intervention.objects.published())
    assert [(bar.label, bar.value) for bar in chart.bars] == [("NGO", 2), ("Trade union", 1)]
    assert chart.bars[1].url.endswith("?type=trade_union")


@pytest.mark.django_db
def test_speaking_share_divides_the_organisations_timed_seconds_by_everyones_at_each_hearing():
    hearing, org = HearingFactory(slug="h1"), OrganisationFactory(slug="lsi")
    InterventionFactory(hearing=hearing, organisation=org, start_offset=0, end_offset=100)
    InterventionFactory(hearing=hearing, start_offset=100, end_offset=400)
    # Untimed and draft interventions count on neither side.
    InterventionFactory(hearing=hearing)
    InterventionFactory(hearing=hearing, start_offset=400, end_offset=9000, status=PublicationStatus.DRAFT)
    InterventionFactory(hearing=HearingFactory(), start_offset=0, end_offset=50)
    chart = charts.speaking_share(org)
    assert [(bar.label, bar.value, bar.value_text) for bar in chart.bars] == [(hearing.title, 25, "25.0%")]
    assert chart.bars[0].url == f"{reverse('interventions:list')}?organisation=lsi&hearing=h1"


@pytest.mark.django_db
def test_speaking_share_is_absent_when_no_intervention_of_the_organisation_was_timed():
    org = OrganisationFactory()
    InterventionFactory(organisation=org)
    assert charts.speaking_share(org) is None


@pytest.mark.django_db
@pytest.mark.parametrize("chart", [charts.per_year, charts.by_theme, charts.by_organisation_type])
def test_each_chart_is_one_query_whatever_its_number_of_bars(django_assert_num_queries, chart):
    for year in range(2010, 2025):
        InterventionFactory(
            date=datetime.date(year, 1, 1),
            themes=[ThemeFactory()],
            organisation=OrganisationFactory(type=Organisation.Type.values[year % 11]),
        )
    with django_assert_num_queries(1):
        chart(Intervention.objects.published())


@pytest.mark.django_db
def test_the_home_page_draws_charts_with_a_title_a_text_alternative_links_and_the_data_table(client):
    theme = ThemeFactory(name="Demand", slug="demand")
    InterventionFactory(themes=[theme], date=datetime.date(2021, 7, 13))
    html = client.get(reverse("interventions:home")).content.decode()
    assert '<title id="chart-by-theme-svg-title">Interventions by theme</title>' in html
    assert '<desc id="chart-by-theme-desc">Interventions by theme: 1 bar. Largest: Demand (1).</desc>' in html
    assert '<a href="/interventions/?theme=demand" aria-label="Demand: 1" lang="en">' in html
    assert "<caption>Interventions by theme</caption>" in html
    assert '<th scope="row"><a href="/interventions/?theme=demand" lang="en">Demand</a></th><td>1</td>' in html


@pytest.mark.django_db
def test_the_home_page_draws_no_chart_before_anything_is_published(client):
    InterventionFactory(status=PublicationStatus.DRAFT)
    html = client.get(reverse("interventions:home")).content.decode()
    assert "<svg" not in html
    assert "At a glance" not in html


@pytest.mark.django_db
def test_a_hearing_page_charts_its_themes_and_organisation_types(client):
    hearing = HearingFactory(slug="h1")
    InterventionFactory(hearing=hearing, themes=[ThemeFactory(name="Demand", slug="demand")])
    html = client.get(hearing.get_absolute_url()).content.decode()
    assert 'href="/interventions/?theme=demand&amp;hearing=h1"' in html
    assert 'href="/interventions/?type=ngo&amp;hearing=h1"' in html
