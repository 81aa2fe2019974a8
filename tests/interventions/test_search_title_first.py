"""A one-word search's first pages come from the matches with the word in their titles, and are exactly the pages
the full ranking gives (search.titles_rank_first and config.pagination.leading_slice)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.pagination import IdsFirstPaginator
from interventions.filters import SORT_ORDERS
from interventions.models import Intervention
from interventions.search import titles_rank_first
from tests.factories import HearingFactory, InterventionFactory, OrganisationFactory, ThemeFactory

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: ts_rank's bound")

# Words that outrank a title match if anything could: the word first and often in the people, summary and texts.
REPEATED = " ".join(["remediation"] * 300)


def statement(title, **fields):
    fields.setdefault("summary", "")
    fields.setdefault("speaker_name", "")
    return InterventionFactory(title=title, **fields)


@pytest.fixture
def matches():
    """Title matches of every language beside matches everywhere else, on dates that interleave them."""
    hearing = HearingFactory()
    remediation_network = OrganisationFactory(name="Remediation network", acronym="")
    remediation_theme = ThemeFactory(name="Remediation")
    languages = ["en", "fr", "es", "ar"]
    for index in range(14):
        day = datetime.date(2021, 7, 1 + index % 5)
        language = languages[index % 4]
        statement(f"Remediation statement {index}", hearing=hearing, language=language, date=day)
        statement(
            f"Statement {index} on other matters",
            hearing=hearing,
            language=language,
            date=day,
            organisation=remediation_network,
            themes=[remediation_theme],
            summary=REPEATED,
            text_delivered=REPEATED,
        )
        statement(f"Note {index}", hearing=hearing, language=language, date=day, text_delivered=REPEATED)
    statement("Remediation withheld", hearing=hearing, status="draft")


def ranked(query, in_titles=False):
    matches = Intervention.objects.published().search(query, in_titles=in_titles)
    return matches.for_list().order_by(*SORT_ORDERS["relevance"])


def paginator_for(query, per_page, leading=True):
    paginator = IdsFirstPaginator(ranked(query), per_page)
    if leading:
        paginator.leading = ranked(query, in_titles=True)
    return paginator


def pages(query, per_page, leading):
    paginator = paginator_for(query, per_page, leading)
    return [[row.pk for row in paginator.page(number)] for number in paginator.page_range]


@on_postgresql
def test_every_title_match_outranks_every_other_match(matches):
    ranks = {row.title: row.search_rank for row in Intervention.objects.published().search("remediation")}
    in_title = [rank for title, rank in ranks.items() if "Remediation" in title]
    elsewhere = [rank for title, rank in ranks.items() if "Remediation" not in title]
    assert len(in_title) == 14
    assert len(elsewhere) == 28
    assert min(in_title) > 0.6 > 0.4 >= max(elsewhere)


@on_postgresql
@pytest.mark.parametrize("per_page", [3, 5, 14, 20])
def test_pages_from_title_matches_are_the_full_rankings_pages(matches, per_page):
    assert titles_rank_first("remediation")
    assert pages("remediation", per_page, leading=True) == pages("remediation", per_page, leading=False)


@on_postgresql
def test_title_matches_are_those_with_the_word_in_their_titles_in_every_language(matches):
    titles = [row.title for row in ranked("remediation", in_titles=True)]
    assert sorted(titles) == sorted(f"Remediation statement {index}" for index in range(14))
    assert {row.language for row in ranked("remediation", in_titles=True)} == {"en", "fr", "es", "ar"}


@on_postgresql
def test_a_first_page_within_the_title_matches_is_read_from_them_alone(matches):
    paginator = paginator_for("remediation", 5)
    with CaptureQueriesContext(connection) as queries:
        paginator.page(2)
    ids_queries = [query["sql"] for query in queries if "LIMIT" in query["sql"]]
    assert len(ids_queries) == 1
    assert "ts_filter" in ids_queries[0]


@on_postgresql
def test_a_page_past_the_title_matches_is_ranked_in_full(matches):
    paginator = paginator_for("remediation", 5)
    with CaptureQueriesContext(connection) as queries:
        rows = list(paginator.page(3))
    ids_queries = [query["sql"] for query in queries if "LIMIT" in query["sql"]]
    assert ["ts_filter" in sql for sql in ids_queries] == [True, False]
    assert [row.title for row in rows][:4] == [row.title for row in ranked("remediation")[10:14]]


@on_postgresql
@pytest.mark.parametrize(
    "query",
    [
        "remediation labour",  # two words: ranked by how close they are, not by this bound
        '"remediation statement"',
        "remediation OR labour",
        "remediation -labour",
        "anti-trafficking",  # one word, three lexemes
    ],
)
def test_a_query_of_more_than_one_lexeme_is_ranked_in_full(query):
    assert not titles_rank_first(query)


@on_postgresql
def test_a_stop_word_beside_the_word_still_leaves_one_lexeme():
    assert titles_rank_first("the remediation")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only: bm25() has no such bound")
def test_sqlite_always_ranks_in_full(client, matches):
    assert not titles_rank_first("remediation")
    response = client.get(reverse("interventions:list"), {"q": "remediation", "page_size": 10})
    assert [row.pk for row in response.context["page_obj"]] == [row.pk for row in ranked("remediation")[:10]]


@on_postgresql
def test_the_list_shows_the_full_rankings_order(client, matches):
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("interventions:list"), {"q": "remediation", "page_size": 10}).content.decode()
    assert any("ts_filter" in query["sql"] for query in queries)
    titles = re.findall(r'intervention-row__title"[^>]*><a href="[^"]+">([^<]+)</a>', page)
    assert titles == [row.title for row in ranked("remediation")[:10]]
    assert all(title.startswith("Remediation statement") for title in titles)


@pytest.mark.parametrize("query", ["remediation", "remediation network"])
def test_the_search_pages_interventions_are_the_full_rankings_first(client, matches, query):
    response = client.get(reverse("interventions:search"), {"q": query})
    shown = [row.pk for row in response.context["sections"][2]["items"]]
    assert shown == [row.pk for row in ranked(query)[: len(shown)]]
    assert shown


@on_postgresql
def test_the_apis_search_pages_are_the_full_rankings(client, matches):
    api = reverse("api:intervention-list")
    with CaptureQueriesContext(connection) as queries:
        first = client.get(api, {"q": "remediation", "page_size": 5}).json()
    assert any("ts_filter" in query["sql"] for query in queries)
    third = client.get(api, {"q": "remediation", "page_size": 5, "page": 3}).json()
    assert [row["id"] for row in first["results"]] == [row.pk for row in ranked("remediation")[:5]]
    assert [row["id"] for row in third["results"]] == [row.pk for row in ranked("remediation")[10:15]]
    assert first["count"] == 42
