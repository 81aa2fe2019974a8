"""Full-text search over interventions: PostgreSQL's text search, or SQLite's FTS5.

One parser reads the web-search syntax people type ("exact phrase", -exclude, OR, bare words
meaning AND) into a `ParsedQuery`, or refuses it with a message a person can act on. The same
structure then becomes a `websearch_to_tsquery()` string on PostgreSQL and an FTS5 MATCH
expression on SQLite, so both databases agree on what a query means. As in PostgreSQL's
websearch syntax, OR separates alternatives: `a OR b c` means a, or b and c.

Both indexes hold the same weighted parts of an intervention: its title (A); the delivering and
co-sponsoring organisations' names and acronyms, the speaker unless the name is withheld, and
the theme names (B); the summary (B); the texts (C). They are kept current by the signals in
signals.py; code that changes rows in bulk calls `refresh_search_index(ids)` itself, and
`manage.py rebuild_search_index` rebuilds everything. The same refresh keeps each row's sorted lists
of theme and co-sponsor names (`Intervention.theme_names`, `.on_behalf_of_names`), which change
exactly when the names the index holds do, and its recording cell (`.recording_urls`), for the CSV
export (name_lists.py, recording_links.py).
"""

import json
import re
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchQueryField,
    SearchRank,
    SearchVectorExact,
    SearchVectorField,
)
from django.db import connection, models, transaction
from django.db.models import Case, F, Func, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from . import name_lists, recording_links

FTS_TABLE = "interventions_intervention_fts"
# Porter stems English only; remove_diacritics lets "proteger" find "protéger". French and Spanish
# stemming needs PostgreSQL.
FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"
# bm25() weighs the title, people, summary and texts columns 1.0, 0.4, 0.4, 0.2 (FTS_RANKS_SQL), as
# PostgreSQL's ts_rank weighs A, B, B and C.
PG_WEIGHTS = [0.1, 0.2, 0.4, 1.0]  # D, C, B, A

FTS_MATCHING_SQL = "SELECT rowid FROM interventions_intervention_fts WHERE interventions_intervention_fts MATCH %s"
FTS_RANKS_SQL = (
    "SELECT rowid AS id, -bm25(interventions_intervention_fts, 1.0, 0.4, 0.4, 0.2) AS rank "
    "FROM interventions_intervention_fts WHERE interventions_intervention_fts MATCH %s LIMIT -1 OFFSET 0"
)
FTS_SNIPPETS_SQL = (
    "SELECT rowid, snippet(interventions_intervention_fts, -1, '\ue000', '\ue001', ' … ', 30) "
    "FROM interventions_intervention_fts WHERE interventions_intervention_fts MATCH %s "
    "AND rowid IN (SELECT value FROM json_each(%s))"
)
FTS_DELETE_SQL = "DELETE FROM interventions_intervention_fts WHERE rowid = %s"
FTS_INSERT_SQL = (
    "INSERT INTO interventions_intervention_fts (rowid, title, people, summary, texts) VALUES (%s, %s, %s, %s, %s)"
)
PG_UPDATE_SQL = (
    "UPDATE interventions_intervention SET search_vector = "
    "setweight(to_tsvector(%(config)s::regconfig, %(title)s), 'A') || "
    "setweight(to_tsvector(%(config)s::regconfig, %(people)s), 'B') || "
    "setweight(to_tsvector(%(config)s::regconfig, %(summary)s), 'B') || "
    "setweight(to_tsvector(%(config)s::regconfig, %(texts)s), 'C') "
    "WHERE id = %(pk)s"
)
# With the row's kept name lists and recording cell, in the same statement (name_lists.py, recording_links.py);
# migrations from before they existed refresh the vector alone, or with the lists only.
PG_UPDATE_WITH_NAME_LISTS_SQL = PG_UPDATE_SQL.replace(
    " WHERE id = ",
    f", theme_names = {name_lists.PG_THEME_NAMES_SQL}, on_behalf_of_names = {name_lists.PG_ON_BEHALF_OF_NAMES_SQL}"
    " WHERE id = ",
)
PG_UPDATE_WITH_KEPT_CELLS_SQL = PG_UPDATE_WITH_NAME_LISTS_SQL.replace(
    " WHERE id = ", f", recording_urls = {recording_links.PG_RECORDING_URLS_SQL} WHERE id = "
)

# Text search configurations by intervention language; any other language is indexed without stemming.
PG_CONFIGS = {"en": "english", "fr": "french", "es": "spanish"}
PG_NEUTRAL_CONFIG = "simple"

# Private-use characters mark the highlighted words in snippets; `highlight()` escapes everything
# else and only then turns them into <mark>, so no stored text can inject markup.
MARK_START, MARK_END = "\ue000", "\ue001"
SNIPPET_WORDS = 30

# Words too common to search for. The English ones are PostgreSQL's (Snowball's) English stop
# words; the French and Spanish ones are the commonest of theirs that are not also English words.
# PostgreSQL drops its stop words itself; FTS5 has none, so they are dropped here for both
# databases, and a query made only of them gets a message instead of matching everything.
STOP_WORDS = frozenset(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers
    herself it its itself they them their theirs themselves what which who whom this that these those am is
    are was were be been being have has had having do does did doing a an the and but if or because as until
    while of at by for with about against between into through during before after above below to from up
    down in out on off over under again further then once here there when where why how all any both each few
    more most other some such no nor not only own same so than too very s t can will just don should now
    au aux ce ces dans de des du elle en est et il ils je la le les leur mais ne nous ou par pas pour qu que
    qui se sur un une vous
    al como del el ella ellos es las los para pero por que se su sus una unas uno unos y
    """.split()
)

WORD = re.compile(r"[^\W_]+")
TOKEN = re.compile(r'(-?)"([^"]*)("?)|(\S+)')


class SearchQueryError(ValueError):
    """A query that cannot be searched; the message says what to change."""


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]

    @property
    def is_stop_word(self) -> bool:
        return all(word in STOP_WORDS for word in self.words)

    def websearch(self) -> str:
        return self.words[0] if len(self.words) == 1 else '"{}"'.format(" ".join(self.words))

    def fts5(self) -> str:
        # Words hold only letters and digits, so quoting them makes every term a plain FTS5 string.
        return '"{}"'.format(" ".join(self.words))


@dataclass
class Alternative:
    """Terms that must all appear, and terms that must not."""

    required: list[Term] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)


@dataclass
class ParsedQuery:
    alternatives: list[Alternative]

    def websearch(self) -> str:
        return " or ".join(
            " ".join([term.websearch() for term in alt.required] + [f"-{term.websearch()}" for term in alt.excluded])
            for alt in self.alternatives
        )

    def fts5(self) -> str:
        parts = []
        for alt in self.alternatives:
            expression = " AND ".join(term.fts5() for term in alt.required)
            if alt.excluded:
                expression = f"({expression}) NOT ({' OR '.join(term.fts5() for term in alt.excluded)})"
            parts.append(f"({expression})")
        return " OR ".join(parts)

    def terms(self) -> list[Term]:
        return [term for alt in self.alternatives for term in alt.required]


MESSAGES = {
    "empty": _("Type a word or two to search for."),
    "no_words": _("There are no words to search for in this query; punctuation alone cannot be searched."),
    "unclosed": _("A quotation mark is not closed: put the exact phrase between two quotation marks."),
    "lone_minus": _("Put the word to leave out right after the minus sign, with no space: -smuggling."),
    "or": _("Put OR between two words or phrases, as in: trafficking OR smuggling."),
    "excluded_in_or": _("A left-out word (-word) cannot be one side of an OR."),
    "only_excluded": _("Say what to look for as well as what to leave out: trafficking -smuggling."),
    "stop_words": _("These words are too common to search for; add a more specific word."),
}


def parse(query: str) -> ParsedQuery:
    """Read web-search syntax; raise SearchQueryError with a helpful message if it cannot be searched."""
    query = (query or "").strip()
    if not query:
        raise SearchQueryError(MESSAGES["empty"])
    alternatives = [Alternative()]
    previous = None  # "term", "excluded" or "or"
    for match in TOKEN.finditer(query):
        minus, phrase, closing, bare = match.groups()
        if phrase is not None:
            if not closing:
                raise SearchQueryError(MESSAGES["unclosed"])
            excluded, text = bool(minus), phrase
        elif bare.lower() == "or":
            if previous in (None, "or"):
                raise SearchQueryError(MESSAGES["or"])
            if previous == "excluded":
                raise SearchQueryError(MESSAGES["excluded_in_or"])
            alternatives.append(Alternative())
            previous = "or"
            continue
        elif bare == "-":
            raise SearchQueryError(MESSAGES["lone_minus"])
        else:
            excluded, text = bare.startswith("-"), bare.lstrip("-")
        words = tuple(word.lower() for word in WORD.findall(text))
        if not words:
            continue
        if excluded:
            if previous == "or":
                raise SearchQueryError(MESSAGES["excluded_in_or"])
            alternatives[-1].excluded.append(Term(words))
            previous = "excluded"
        else:
            alternatives[-1].required.append(Term(words))
            previous = "term"
    if previous == "or":
        raise SearchQueryError(MESSAGES["or"])
    if not any(alt.required or alt.excluded for alt in alternatives):
        raise SearchQueryError(MESSAGES["no_words"])
    if any(not alt.required for alt in alternatives):
        raise SearchQueryError(MESSAGES["only_excluded"])
    for alt in alternatives:
        alt.required = [term for term in alt.required if not term.is_stop_word]
    alternatives = [alt for alt in alternatives if alt.required]
    if not alternatives:
        raise SearchQueryError(MESSAGES["stop_words"])
    return ParsedQuery(alternatives)


def highlight(snippet: str) -> str:
    """Escape a snippet and turn its match markers into <mark> elements."""
    return mark_safe(escape(snippet).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))  # noqa: S308


# Searching.


class TitleLexemes(Func):
    """The words of a search vector's title part (weight A): what the title index holds."""

    function = "ts_filter"
    template = "%(function)s(%(expressions)s, '{a}')"
    output_field = SearchVectorField()


def search(queryset, query, *, in_titles=False):
    """Interventions of `queryset` matching `query`, annotated with `search_rank` (higher is better).

    `in_titles` keeps only those with the query in their titles, ranked as among all matches (PostgreSQL only:
    see titles_rank_first()).
    """
    parsed = query if isinstance(query, ParsedQuery) else parse(query)
    if connection.vendor == "postgresql":
        return _search_postgresql(queryset, parsed, in_titles)
    if in_titles:
        raise NotImplementedError("Title matches are searched on PostgreSQL only.")
    return _search_sqlite(queryset, parsed)


def with_snippets(interventions, query) -> list:
    """The interventions as a list, each with `search_snippet`: where it matched, for highlight().

    One query for a page of results. Snippets are not an annotation of search() because SQLite
    would then compute one for every match before sorting, not only for the rows shown.
    """
    interventions = list(interventions)
    parsed = query if isinstance(query, ParsedQuery) else parse(query)
    ids = [intervention.pk for intervention in interventions]
    snippets = dict(
        _snippets_postgresql(ids, parsed) if connection.vendor == "postgresql" else _snippets_sqlite(ids, parsed)
    )
    for intervention in interventions:
        intervention.search_snippet = snippets.get(intervention.pk, "")
    return interventions


def _language_case(by_config, default, output_field):
    return Case(
        *[When(language=code, then=by_config[config]) for code, config in PG_CONFIGS.items()],
        default=default,
        output_field=output_field,
    )


def _pg_queries(parsed):
    text = parsed.websearch()
    configs = [*PG_CONFIGS.values(), PG_NEUTRAL_CONFIG]
    return {config: SearchQuery(text, config=config, search_type="websearch") for config in configs}


def _search_postgresql(queryset, parsed, in_titles=False):
    # The query's language is unknown, so each row is matched with the query parsed by the row's own
    # configuration: "national" becomes the French stem for French interventions, the English one for
    # English ones. Written as one `language = … AND search_vector @@ <constant tsquery>` branch per
    # configuration, the condition stays indexable (the planner ORs bitmap scans of the GIN index,
    # one per branch, and rechecks the language), where `search_vector @@ websearch_to_tsquery(<the
    # row's config>, q)` would compute a tsquery per row and could not use the index at all.
    # The title matches are found the same way, from indexes of the titles' words (TitleLexemes).
    queries = _pg_queries(parsed)

    def matching(query):
        return Q(SearchVectorExact(TitleLexemes("search_vector"), query)) if in_titles else Q(search_vector=query)

    matches = ~Q(language__in=list(PG_CONFIGS)) & matching(queries[PG_NEUTRAL_CONFIG])
    for code, config in PG_CONFIGS.items():
        matches |= Q(language=code) & matching(queries[config])
    row_query = _language_case(queries, queries[PG_NEUTRAL_CONFIG], SearchQueryField())
    return queryset.filter(matches).annotate(search_rank=SearchRank(F("search_vector"), row_query, weights=PG_WEIGHTS))


def titles_rank_first(query) -> bool:
    """Whether every match with the query in its title ranks above every match without: true on PostgreSQL for a
    query of one word (one lexeme once parsed, in every language's configuration); never on SQLite, whose bm25()
    has no such bound.

    For a query of one lexeme, ts_rank() without normalisation (calc_rank_or() in PostgreSQL's tsrank.c) ranks a
    row by the word's positions in order: with the weights w_j of its occurrences, the largest first, rank =
    (w_1 + w_2/4 + w_3/9 + ...) / 1.645. A search vector is built title (A, 1.0) first, then people and summary (B,
    0.4), then texts (C, 0.2), and concatenation keeps that order. So a row with the word in its title ranks at
    least 1/1.645 = 0.61, and any other at most 0.4 x 1.645/1.645 = 0.4. The first rows in rank order are then the
    first of the title matches (`search(..., in_titles=True)`) whenever there are at least that many of them, and
    those are found from the small indexes of titles, without reading every match's kilobytes of search vector.
    """
    if connection.vendor != "postgresql":
        return False
    parsed = query if isinstance(query, ParsedQuery) else parse(query)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT max(numnode(websearch_to_tsquery(config::regconfig, %s))) FROM unnest(%s::text[]) AS config",
            [parsed.websearch(), [*PG_CONFIGS.values(), PG_NEUTRAL_CONFIG]],
        )
        (nodes,) = cursor.fetchone()
    return nodes is not None and nodes <= 1


def _snippets_postgresql(ids, parsed):
    queries = _pg_queries(parsed)
    row_query = _language_case(queries, queries[PG_NEUTRAL_CONFIG], SearchQueryField())
    row_config = _language_case(
        {config: Value(config) for config in queries}, Value(PG_NEUTRAL_CONFIG), models.CharField()
    )
    body = Func(
        Value(" … "),
        "summary",
        "text_delivered",
        "text_submitted",
        function="CONCAT_WS",
        output_field=models.TextField(),
    )
    headline = SearchHeadline(
        body,
        row_query,
        config=row_config,
        start_sel=MARK_START,
        stop_sel=MARK_END,
        max_words=SNIPPET_WORDS,
        min_words=SNIPPET_WORDS // 2,
        max_fragments=2,
        fragment_delimiter=" … ",
    )
    intervention = apps.get_model("interventions", "Intervention")
    return intervention.objects.filter(pk__in=ids).annotate(snippet=headline).values_list("pk", "snippet")


class _FtsRank(Func):
    """This row's bm25() rank for the query, negated so that higher is better, as on PostgreSQL.

    bm25() only works in the query that does the MATCH, so the ranks are a subquery, correlated on
    the primary key (compiled by Django, so table aliases hold). `LIMIT -1 OFFSET 0` keeps SQLite
    from flattening it: it then runs the MATCH once and looks rows up in the result through an
    automatic index, where a flattened `MATCH … AND rowid = pk` re-reads the matches for every row.
    """

    output_field = models.FloatField()

    def __init__(self, match):
        super().__init__(F("pk"))
        self.match = match

    def as_sql(self, compiler, connection, **extra_context):
        pk_sql, pk_params = compiler.compile(self.source_expressions[0])
        sql = f"(SELECT ranks.rank FROM ({FTS_RANKS_SQL}) AS ranks WHERE ranks.id = {pk_sql})"  # noqa: S608
        return sql, (self.match, *pk_params)


def _search_sqlite(queryset, parsed):
    match = parsed.fts5()
    matching = RawSQL(FTS_MATCHING_SQL, (match,))  # noqa: S611 - the query is a parameter
    return queryset.filter(pk__in=matching).annotate(search_rank=_FtsRank(match))


def _snippets_sqlite(ids, parsed):
    with connection.cursor() as cursor:
        cursor.execute(FTS_SNIPPETS_SQL, [parsed.fts5(), json.dumps(ids)])
        return cursor.fetchall()


def icontains_condition(parsed: ParsedQuery, fields: list[str]) -> Q:
    """The same query as a substring match over a few short fields (hearings, organisations): no stemming."""

    def anywhere(term):
        text = " ".join(term.words)
        return Q.create([(f"{name}__icontains", text) for name in fields], connector=Q.OR)

    condition = Q()
    for alt in parsed.alternatives:
        branch = Q()
        for term in alt.required:
            branch &= anywhere(term)
        for term in alt.excluded:
            branch &= ~anywhere(term)
        condition |= branch
    return condition


# Indexing.


class SearchVectorIndex(GinIndex):
    """A GIN index on PostgreSQL. Elsewhere the search vector stays empty and FTS5 does the work,
    so the index is created as an ordinary one: every schema change SQLite makes by rebuilding the
    table must be able to recreate it."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        # An index of a PostgreSQL expression (the title's words) is, elsewhere, of the column itself.
        plain = models.Index(fields=["search_vector"], condition=self.condition, name=self.name)
        return plain.create_sql(model, schema_editor, using=using, **kwargs)


def _clean(text: str) -> str:
    return text.replace(MARK_START, " ").replace(MARK_END, " ")


def document(intervention) -> dict[str, str]:
    """The weighted parts of an intervention the search indexes hold."""
    organisations = [intervention.organisation, *intervention.on_behalf_of.all()]
    people = [part for org in organisations for part in (org.name, org.acronym)]
    if not intervention.withhold_speaker_name:
        # A withheld name must not be findable: a match would confirm who spoke.
        people.append(intervention.speaker_name)
    people += [theme.name for theme in intervention.themes.all()]
    return {
        "title": _clean(intervention.title),
        "people": _clean(" \n".join(part for part in people if part)),
        "summary": _clean(intervention.summary),
        "texts": _clean(
            " \n".join(part for part in (intervention.text_delivered, intervention.text_submitted) if part)
        ),
    }


def create_fts_table(schema_editor):
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} "
        f"USING fts5(title, people, summary, texts, tokenize='{FTS_TOKENIZER}')"
    )


def refresh_search_index(ids=None, *, model=None, batch_size=500, progress=None):
    """Rebuild the search index entries of the interventions with these ids (all when None), their kept lists of
    theme and co-sponsor names (name_lists.py) and their kept recording cell (recording_links.py).

    Call it after changing indexed fields without save(), e.g. with QuerySet.update(). Ids of
    deleted interventions are dropped from the index. `model` lets a migration pass its own.
    """
    model = model or apps.get_model("interventions", "Intervention")
    kept = {field.name for field in model._meta.concrete_fields} & {"theme_names", "recording_urls"}
    if ids is None:
        ids = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
    else:
        ids = sorted(set(ids))
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        rows = list(
            model._default_manager.filter(pk__in=batch)
            .select_related("organisation")
            .prefetch_related("themes", "on_behalf_of")
        )
        # One transaction per batch: outside one, SQLite would commit (and sync to disk) every row.
        with transaction.atomic():
            _write([(row.pk, row.language, document(row)) for row in rows], kept)
            # PostgreSQL wrote them with the search vector (PG_UPDATE_WITH_KEPT_CELLS_SQL), in its collation.
            if "theme_names" in kept and connection.vendor != "postgresql":
                name_lists.write(rows, connection)
            if "recording_urls" in kept and connection.vendor != "postgresql":
                recording_links.write([row.pk for row in rows], connection)
        stale = set(batch) - {row.pk for row in rows}
        if stale and connection.vendor != "postgresql":
            # Deleted interventions: PostgreSQL's index went with the row, FTS5's entry must go too.
            with connection.cursor() as cursor:
                cursor.executemany(FTS_DELETE_SQL, [(pk,) for pk in sorted(stale)])
        if progress:
            progress(len(batch))


def _write(entries, kept):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if "recording_urls" in kept:
                sql = PG_UPDATE_WITH_KEPT_CELLS_SQL
            else:
                sql = PG_UPDATE_WITH_NAME_LISTS_SQL if "theme_names" in kept else PG_UPDATE_SQL
            cursor.executemany(
                sql,
                [
                    {"pk": pk, "config": PG_CONFIGS.get(language, PG_NEUTRAL_CONFIG), **doc}
                    for pk, language, doc in entries
                ],
            )
        else:
            pks = [pk for pk, _language, _doc in entries]
            if not pks:
                return
            cursor.executemany(FTS_DELETE_SQL, [(pk,) for pk in pks])
            cursor.executemany(
                FTS_INSERT_SQL,
                [(pk, doc["title"], doc["people"], doc["summary"], doc["texts"]) for pk, _language, doc in entries],
            )
