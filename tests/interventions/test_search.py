"""Full-text search of interventions, on SQLite (FTS5) and PostgreSQL (tsvector).

Where the two databases differ, the test says so in its name and is skipped on the other.
"""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from hearings.models import PublicationStatus
from interventions.models import Intervention
from interventions.search import MESSAGES, SearchQueryError, parse, refresh_search_index
from tests.factories import HearingFactory, InterventionFactory, OrganisationFactory, ThemeFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("interventions:list")
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL only: per-language stemming and the GIN index"
)
on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="SQLite only: documents the FTS5 tokenizer (English stemming, accents ignored)",
)


def statement(title, **fields):
    """An intervention whose only words are the ones the test gives (the factory's summary is dropped)."""
    fields.setdefault("summary", "")
    fields.setdefault("speaker_name", "")
    return InterventionFactory(title=title, **fields)


def found(query):
    return [intervention.title for intervention in Intervention.objects.published().search(query)]


def found_sorted(query):
    return sorted(found(query))


def listed(client, query, **params):
    """Titles of the rows /interventions/?q=… shows, in order."""
    page = client.get(LIST_URL, {"q": query, **params}).content.decode()
    return re.findall(r'intervention-row__title"[^>]*><a href="[^"]+">([^<]+)</a>', page)


# Matching and ranking.


def test_a_title_match_outranks_a_match_deep_in_the_text(client):
    filler = " ".join(["The statement then turned to other matters of policy."] * 40)
    statement("Statement on labour", text_delivered=f"{filler} Debt bondage persists in brick kilns.")
    statement("Debt bondage in brick kilns", summary="A statement.")
    statement("Unrelated", summary="Nothing to see here.")
    assert listed(client, "debt bondage") == ["Debt bondage in brick kilns", "Statement on labour"]


def test_results_sort_by_relevance_by_default_with_a_query(client):
    statement("Older, about bondage", date=datetime.date(2019, 1, 1))
    statement("Newer", summary="Mentions bondage once.", date=datetime.date(2022, 1, 1))
    assert listed(client, "bondage") == ["Older, about bondage", "Newer"]


def test_date_sort_is_still_available_with_a_query(client):
    statement("Older, about bondage", date=datetime.date(2019, 1, 1))
    statement("Newer", summary="Mentions bondage once.", date=datetime.date(2022, 1, 1))
    assert listed(client, "bondage", sort="-date") == ["Newer", "Older, about bondage"]
    assert listed(client, "bondage", sort="date") == ["Older, about bondage", "Newer"]


def test_relevance_is_offered_as_a_sort_only_with_a_query(client):
    assert 'value="relevance" selected' in client.get(LIST_URL, {"q": "bondage"}).content.decode()
    assert 'value="relevance"' not in client.get(LIST_URL).content.decode()


def test_exact_phrase_matches_only_the_phrase():
    statement("Adjacent", summary="Address the root causes of trafficking.")
    statement("Apart", summary="The causes lie at the root of the economy.")
    assert found('"root causes"') == ["Adjacent"]
    assert found_sorted("root causes") == ["Adjacent", "Apart"]


def test_bare_words_must_all_appear():
    statement("Both", summary="Forced labour in agriculture.")
    statement("One", summary="Forced marriage.")
    assert found("forced agriculture") == ["Both"]


def test_stemming_finds_other_forms_of_an_english_word():
    statement("Stemmed", summary="Women trafficked for forced labour.")
    statement("Other", summary="Smuggling of migrants.")
    assert found("trafficking") == ["Stemmed"]
    assert found("trafficked") == ["Stemmed"]


def test_french_traite_finds_french_text():
    statement("En français", language="fr", summary="La lutte contre les traites des êtres humains.")
    statement("In English", summary="The fight against human trafficking.")
    assert found("traite") == ["En français"]


@on_postgresql
def test_french_stemming_follows_the_intervention_language_on_postgresql():
    statement("Rapports", language="fr", summary="Les rapporteurs nationaux se sont exprimés.")
    assert found("national") == ["Rapports"]


@on_postgresql
def test_spanish_stemming_follows_the_intervention_language_on_postgresql():
    statement("Víctimas", language="es", summary="La protección de las víctimas nacionales.")
    assert found("nacional") == ["Víctimas"]


@on_sqlite
def test_french_and_spanish_words_are_stemmed_as_english_only_on_sqlite():
    statement("Rapports", language="fr", summary="Les rapporteurs nationaux se sont exprimés.")
    assert found("national") == []
    assert found("nationaux") == ["Rapports"]


@on_sqlite
def test_accents_need_not_be_typed_on_sqlite():
    # PostgreSQL's configurations keep accents (the unaccent extension is not assumed).
    statement("Protection", language="fr", summary="Il faut protéger les victimes.")
    assert found("proteger") == ["Protection"]


def test_an_excluded_word_leaves_out_interventions_containing_it():
    statement("Labour", summary="Trafficking for forced labour.")
    statement("Sexual exploitation", summary="Trafficking for sexual exploitation.")
    assert found("trafficking -labour") == ["Sexual exploitation"]


def test_an_excluded_phrase_leaves_out_only_the_phrase():
    statement("Phrase", summary="Trafficking for forced labour.")
    statement("Words apart", summary="Trafficking: labour that is forced.")
    assert found('trafficking -"forced labour"') == ["Words apart"]


def test_or_matches_either_word():
    statement("Smuggling", summary="Migrant smuggling.")
    statement("Trafficking", summary="Human trafficking.")
    statement("Neither", summary="Climate change.")
    assert found_sorted("smuggling OR trafficking") == ["Smuggling", "Trafficking"]


def test_or_separates_alternatives_as_in_postgresql_websearch():
    # `a OR b c` means a, or (b and c), on both databases.
    statement("A only", summary="Asylum.")
    statement("B only", summary="Bondage.")
    statement("B and C", summary="Bondage in construction.")
    assert found_sorted("asylum OR bondage construction") == ["A only", "B and C"]


def test_a_hyphenated_word_is_found_as_typed():
    statement("Hyphen", summary="Anti-trafficking action in Europe.")
    statement("Other", summary="Trafficking action, anti corruption.")
    assert found("anti-trafficking") == ["Hyphen"]


def test_organisation_names_acronyms_and_themes_are_searchable():
    statement(
        "Found by who and what",
        organisation=OrganisationFactory(name="La Strada International", acronym="LSI"),
        on_behalf_of=[OrganisationFactory(name="Solidarity Network")],
        themes=[ThemeFactory(name="Migration policy")],
    )
    statement("Other")
    for query in ("strada", "lsi", "solidarity", "migration policy"):
        assert found(query) == ["Found by who and what"], query


def test_words_are_matched_whatever_their_case():
    statement("Case", summary="Debt BONDAGE in brick kilns.")
    assert found("debt Bondage") == ["Case"]


# Visibility.


def test_withheld_speaker_names_are_not_searchable():
    statement("Withheld", speaker_name="Maria Secret", withhold_speaker_name=True)
    statement("Public", speaker_name="Maria Public")
    assert found("maria") == ["Public"]
    assert found("secret") == []


def test_withholding_a_name_later_removes_it_from_search():
    intervention = statement("Named", speaker_name="Maria Secret")
    assert found("secret") == ["Named"]
    intervention.withhold_speaker_name = True
    intervention.save()
    assert found("secret") == []


def test_drafts_are_never_found(client):
    statement("Public bondage")
    statement("Draft bondage", status=PublicationStatus.DRAFT)
    statement("Draft hearing bondage", hearing=HearingFactory(status=PublicationStatus.DRAFT))
    assert found("bondage") == ["Public bondage"]
    page = client.get(LIST_URL, {"q": "bondage"}).content.decode()
    assert "Public bondage" in page
    assert "Draft" not in page


# Keeping the index current.


def test_renaming_an_organisation_updates_search():
    organisation = OrganisationFactory(name="Old Name Alliance")
    statement("By the organisation", organisation=organisation)
    organisation.name = "Renamed Coalition"
    organisation.save()
    assert found("coalition") == ["By the organisation"]
    assert found("alliance") == []


def test_changing_an_acronym_updates_search():
    organisation = OrganisationFactory(acronym="OLDA")
    statement("By the organisation", organisation=organisation)
    organisation.acronym = "NEWA"
    organisation.save()
    assert found("newa") == ["By the organisation"]
    assert found("olda") == []


def test_renaming_a_co_sponsor_updates_search():
    partner = OrganisationFactory(name="Partner Alliance")
    statement("Joint statement", on_behalf_of=[partner])
    partner.name = "Partner Coalition"
    partner.save()
    assert found("coalition") == ["Joint statement"]


def test_changing_themes_updates_search():
    theme = ThemeFactory(name="Debt bondage")
    intervention = statement("Tagged later")
    intervention.themes.add(theme)
    assert found("bondage") == ["Tagged later"]
    intervention.themes.remove(theme)
    assert found("bondage") == []


def test_tagging_from_the_theme_side_updates_search():
    theme = ThemeFactory(name="Debt bondage")
    intervention = statement("Tagged from the theme")
    theme.interventions.add(intervention)
    assert found("bondage") == ["Tagged from the theme"]
    theme.interventions.clear()
    assert found("bondage") == []


def test_renaming_a_theme_updates_search():
    theme = ThemeFactory(name="Debt bondage")
    statement("Tagged", themes=[theme])
    theme.name = "Forced labour"
    theme.save()
    assert found("labour") == ["Tagged"]
    assert found("bondage") == []


def test_deleting_a_theme_updates_search():
    theme = ThemeFactory(name="Debt bondage")
    statement("Tagged", themes=[theme])
    theme.delete()
    assert found("bondage") == []


def test_changing_co_sponsors_updates_search():
    intervention = statement("Joint statement")
    intervention.on_behalf_of.add(OrganisationFactory(name="Solidarity Network"))
    assert found("solidarity") == ["Joint statement"]
    intervention.on_behalf_of.clear()
    assert found("solidarity") == []


def test_editing_an_intervention_updates_search():
    intervention = statement("Before", summary="Forced labour.")
    intervention.summary = "Sexual exploitation."
    intervention.save()
    assert found("exploitation") == ["Before"]
    assert found("labour") == []


def test_bulk_updates_are_found_after_refresh_search_index():
    intervention = statement("Bulk", summary="Forced labour.")
    Intervention.objects.filter(pk=intervention.pk).update(summary="Sexual exploitation.")
    assert found("exploitation") == []
    refresh_search_index([intervention.pk])
    assert found("exploitation") == ["Bulk"]


def test_rebuild_search_index_command_indexes_every_intervention():
    intervention = statement("Bulk", summary="Forced labour.")
    Intervention.objects.filter(pk=intervention.pk).update(summary="Sexual exploitation.")
    call_command("rebuild_search_index", stdout=io.StringIO())
    assert found("exploitation") == ["Bulk"]


def test_a_deleted_intervention_is_gone_from_the_index():
    intervention = statement("Deleted", summary="Forced labour.")
    pk = intervention.pk
    intervention.delete()
    statement("Kept", summary="Forced labour.")
    assert found("labour") == ["Kept"]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM interventions_intervention_fts WHERE rowid = %s", [pk])
            assert cursor.fetchone()[0] == 0


# The list page.


def test_each_result_shows_a_highlighted_snippet(client):
    statement("Snippet", summary="States must address the root causes of trafficking.")
    page = client.get(LIST_URL, {"q": "root causes"}).content.decode()
    snippet = re.search(r'<p class="intervention-row__snippet"[^>]*>(.*?)</p>', page, re.S).group(1)
    assert "<mark>root</mark> <mark>causes</mark>" in snippet


def test_snippet_escapes_everything_but_the_highlight(client):
    # PostgreSQL's headline drops what looks like a tag; FTS5 keeps it as text. Neither reaches the page as markup.
    statement("Escaped", summary='Look <script>alert("x")</script> at the root & branch <b>bold</b>')
    page = client.get(LIST_URL, {"q": "root"}).content.decode()
    snippet = re.search(r'<p class="intervention-row__snippet"[^>]*>(.*?)</p>', page, re.S).group(1)
    assert "<mark>root</mark>" in snippet
    assert "<mark>root</mark> &amp; branch" in snippet
    assert "&quot;x&quot;" in snippet
    assert re.sub(r"</?mark>", "", snippet).count("<") == 0


def test_facet_counts_respect_the_query(client):
    labour = ThemeFactory(name="Labour", slug="labour")
    statement("Match", summary="Debt bondage.", themes=[labour], language="fr")
    statement("No match", summary="Climate.", themes=[labour], language="en")
    response = client.get(LIST_URL, {"q": "bondage"})
    counts = {
        facet.name: {option.value: option.count for option in facet.options} for facet in response.context["facets"]
    }
    assert counts["theme"] == {"labour": 1}
    assert counts["language"] == {"fr": 1}


def test_search_combines_with_filters(client):
    org = OrganisationFactory(slug="lsi")
    statement("By LSI", summary="Debt bondage.", organisation=org)
    statement("By someone else", summary="Debt bondage.")
    assert listed(client, "bondage", organisation="lsi") == ["By LSI"]


# Queries that cannot be searched.


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("the and of", MESSAGES["stop_words"]),
        ("les et des", MESSAGES["stop_words"]),
        ('"unbalanced quotes', MESSAGES["unclosed"]),
        ("trafficking -", MESSAGES["lone_minus"]),
        ("OR OR", MESSAGES["or"]),
        ("trafficking OR", MESSAGES["or"]),
        ("OR trafficking", MESSAGES["or"]),
        ("!!! ??? ...", MESSAGES["no_words"]),
        ("-smuggling", MESSAGES["only_excluded"]),
        ("trafficking OR -smuggling", MESSAGES["excluded_in_or"]),
    ],
)
def test_a_query_that_cannot_be_searched_gets_a_helpful_message(client, query, message):
    with pytest.raises(SearchQueryError, match=re.escape(str(message))):
        parse(query)
    statement("Any", summary="Trafficking.")
    response = client.get(LIST_URL, {"q": query})
    assert response.status_code == 200
    page = response.content.decode()
    assert escape(str(message)) in page
    assert 'class="intervention-row"' not in page


@pytest.mark.parametrize(
    "query",
    [
        "x" * 5000,
        '"" "" ""',
        "AND NOT NEAR(a b)",
        "title:bondage",
        "bondage*",
        "^bondage",
        "'; DROP TABLE interventions_intervention_fts; --",
        'a"b"c',
        "(((",
        "--bondage",
        "bondage OR or OR bondage",
        "日本語 العربية русский",
        "\u0301\u200b",
        "\ue000 bondage \ue001",
    ],
)
def test_odd_queries_never_raise(client, query):
    statement("Bondage", summary="Debt bondage.")
    try:
        matches = found(query)
    except SearchQueryError:
        matches = []
    assert isinstance(matches, list)
    assert client.get(LIST_URL, {"q": query}).status_code == 200
    assert client.get(reverse("interventions:search"), {"q": query}).status_code == 200


def test_fts5_operators_typed_by_a_visitor_are_searched_as_words():
    statement("Operators", summary="Words such as near and not.")
    statement("Bondage", summary="Debt bondage.")
    assert found("NEAR NOT") == ["Operators"]


@on_sqlite
def test_the_fts5_table_stems_english_and_ignores_accents_on_sqlite():
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'interventions_intervention_fts'")
        assert "tokenize='porter unicode61 remove_diacritics 2'" in cursor.fetchone()[0]


def test_saving_an_organisation_without_renaming_it_leaves_its_interventions_alone():
    organisation = OrganisationFactory(name="Unchanged Alliance")
    statement("By the organisation", organisation=organisation)
    organisation.website = "https://example.org/"
    with CaptureQueriesContext(connection) as queries:
        organisation.save()
    reindexing = [
        query["sql"]
        for query in queries.captured_queries
        if "search" in query["sql"].lower() or query["sql"].startswith('UPDATE "interventions_intervention"')
    ]
    assert reindexing == []
    assert found("alliance") == ["By the organisation"]
