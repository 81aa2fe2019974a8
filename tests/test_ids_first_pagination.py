"""IdsFirstPaginator gives exactly the pages plain slicing gives, in a constant number of queries."""

import datetime

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.pagination import IdsFirstPaginator
from interventions.filters import SORT_ORDERS
from interventions.models import Intervention
from tests.factories import HearingFactory, InterventionFactory, OrganisationFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def interventions():
    hearing = HearingFactory()
    sessions = [SessionFactory(hearing=hearing, order=2), SessionFactory(hearing=hearing, order=1), None]
    network = OrganisationFactory(name="Zeta network")
    for index in range(23):
        InterventionFactory(
            hearing=hearing if index % 4 else HearingFactory(),
            session=sessions[index % 3] if index % 4 else None,
            order=index + 1,
            # Repeated dates and titles, so the tie-breaking columns decide the order.
            date=datetime.date(2021, 7, 13 + index % 3),
            title=f"Statement {index % 5}",
            organisation=network if index % 2 else OrganisationFactory(),
            on_behalf_of=[network] if index % 5 == 0 else [],
        )


def pages(paginator_class, queryset, per_page=5, orphans=0):
    paginator = paginator_class(queryset, per_page, orphans=orphans)
    return [[row.pk for row in paginator.page(number)] for number in paginator.page_range]


@pytest.mark.parametrize("sort", [sort for sort in SORT_ORDERS if sort != "relevance"])
def test_pages_match_plain_slicing_in_every_sort_order(interventions, sort):
    queryset = Intervention.objects.published().for_list().order_by(*SORT_ORDERS[sort])
    assert pages(IdsFirstPaginator, queryset) == pages(Paginator, queryset)


def test_pages_match_plain_slicing_in_relevance_order(interventions):
    # Relevance exists only for a search: the rank is annotated by search().
    queryset = Intervention.objects.published().search("trafficking").for_list().order_by(*SORT_ORDERS["relevance"])
    assert queryset.exists()
    assert pages(IdsFirstPaginator, queryset) == pages(Paginator, queryset)


def test_pages_read_from_leading_rows_match_plain_slicing(interventions):
    queryset = Intervention.objects.published().for_list().order_by(*SORT_ORDERS["-date"])
    paginator = IdsFirstPaginator(queryset, 5)
    # The latest day's seven rows come first newest first: page 1 is theirs alone, page 2 is not.
    paginator.leading = queryset.filter(date=datetime.date(2021, 7, 15))
    leading_pages = [[row.pk for row in paginator.page(number)] for number in paginator.page_range]
    assert leading_pages == pages(Paginator, queryset)


def test_pages_match_plain_slicing_with_orphans(interventions):
    queryset = Intervention.objects.published().for_list()
    assert pages(IdsFirstPaginator, queryset, per_page=5, orphans=3) == pages(Paginator, queryset, 5, 3)


def test_pages_match_plain_slicing_on_a_distinct_queryset(interventions):
    network = Intervention.objects.filter(organisation__name="Zeta network").first().organisation
    queryset = Intervention.objects.published().by_organisation(network).for_list()
    assert pages(IdsFirstPaginator, queryset) == pages(Paginator, queryset)


def test_an_empty_list_gives_one_empty_page():
    paginator = IdsFirstPaginator(Intervention.objects.published(), 5)
    assert list(paginator.page(1)) == []


def test_a_page_keeps_the_querysets_related_objects(interventions, django_assert_num_queries):
    page = IdsFirstPaginator(Intervention.objects.published().for_list(), 5).page(2)
    with django_assert_num_queries(0):
        assert all(row.organisation.name and row.hearing.title for row in page)


def test_a_deep_page_takes_no_more_queries_than_a_fixed_budget(interventions):
    paginator = IdsFirstPaginator(Intervention.objects.published().for_list(), 5)
    assert paginator.count == 23

    def queries(number):
        with CaptureQueriesContext(connection) as captured:
            list(paginator.page(number))
        return len(captured)

    # The ids, the rows, and the queryset's four prefetches (fewer when a page has no sessions to prefetch).
    assert max(queries(1), queries(3), queries(5)) <= 6


def test_rows_read_by_id_keep_the_pages_order(interventions):
    queryset = Intervention.objects.published().for_list().order_by(*SORT_ORDERS["-date"])
    paginator = IdsFirstPaginator(queryset.filter(title="Statement 1"), 2)
    paginator.rows_by_id = lambda ids: Intervention.objects.for_list().filter(pk__in=ids)
    by_id = [[row.pk for row in paginator.page(number)] for number in paginator.page_range]
    assert by_id == pages(Paginator, queryset.filter(title="Statement 1"), per_page=2)


def test_rows_read_by_id_do_not_repeat_the_pages_filters(interventions):
    paginator = IdsFirstPaginator(Intervention.objects.published().filter(title="Statement 1").for_list(), 2)
    paginator.rows_by_id = lambda ids: Intervention.objects.for_list().filter(pk__in=ids)
    assert paginator.count == 5
    with CaptureQueriesContext(connection) as captured:
        list(paginator.page(1))
    assert ["Statement 1" in query["sql"] for query in captured[:2]] == [True, False]


def test_a_row_gone_before_it_is_read_is_left_out_of_its_page(interventions):
    queryset = Intervention.objects.published().for_list().order_by(*SORT_ORDERS["-date"])
    first_ids = list(queryset.values_list("pk", flat=True)[:5])
    paginator = IdsFirstPaginator(queryset, 5)
    paginator.rows_by_id = lambda ids: Intervention.objects.for_list().filter(pk__in=ids).exclude(pk=first_ids[2])
    assert [row.pk for row in paginator.page(1)] == first_ids[:2] + first_ids[3:]
