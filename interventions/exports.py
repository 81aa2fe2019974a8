"""Exports of any filtered list: one row function, written out as CSV or JSON.

Every export starts from `Intervention.objects.published()` and the one
InterventionFilter, so a download holds exactly the rows of the page it came
from, in the same order. Rows are streamed in chunks so memory stays flat
whatever the size of the result.
"""

import csv
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from itertools import islice

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import F, Func, Prefetch, TextField
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from config.heartbeat import reporting_progress
from hearings.models import Recording, Session

from .filters import InterventionFilter
from .models import Intervention
from .name_lists import LIST_SEPARATOR
from .recording_links import RecordingLookup

CHUNK_SIZE = 2000

# The documented, stable columns (docs/open-data.md); add new ones at the end only.
COLUMNS = [
    "id",
    "permalink",
    "hearing",
    "session",
    "date",
    "organisation",
    "on_behalf_of",
    "organisation_type",
    "speaker",
    "role",
    "title",
    "summary",
    "language",
    "themes",
    "recording_url",
    "start_offset",
    "end_offset",
    "source_url",
    "published_at",
]

# With `texts=1` in the query string, the full texts follow, as the API's detail gives them. They are megabytes per
# thousand rows, so only those who ask for them get them.
TEXT_COLUMNS = ["text_delivered", "text_is_excerpt", "text_submitted"]
TEXTS_ASKED = {"1", "true", "yes", "on"}

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

Row = dict[str, object]


# What a row needs from the intervention and its one-to-one relations, read as plain values:
# building model instances cost more than everything else an export does.
ROW_FIELDS = [
    "pk",
    "hearing_id",
    "hearing__title",
    "session_id",
    "session__title",
    "session__parent_id",
    "date",
    "organisation__name",
    "organisation__type",
    "speaker_name",
    "withhold_speaker_name",
    "hearing_role",
    "title",
    "summary",
    "language",
    "start_offset",
    "end_offset",
    "source_url",
    "published_at",
]


def recording_urls(intervention: Intervention) -> list[str]:
    """The session's recording at the start offset; without a known session, every recording of the hearing."""
    if intervention.session_id:
        return [intervention.recording_url] if intervention.recording else []
    urls = (recording.url for session in intervention.hearing.sessions.all() for recording in session.recordings.all())
    return list(dict.fromkeys(urls))


def with_export_related(interventions):
    """Prefetch the hearing's recordings too, for rows whose session is not known."""
    return interventions.prefetch_related(
        Prefetch(
            "hearing__sessions",
            queryset=Session.objects.order_by("order").prefetch_related(
                Prefetch("recordings", queryset=Recording.objects.order_by("order"))
            ),
        )
    )


def _grouped(pairs) -> dict[int, list]:
    grouped = defaultdict(list)
    for key, value in pairs:
        grouped[key].append(value)
    return grouped


class _Related:
    """The lists of one chunk of rows, each read in one query: as `intervention_row` reads them one by one."""

    def __init__(self, chunk: list[tuple]):
        ids = [values[0] for values in chunk]
        self.themes = _grouped(
            Intervention.themes.through.objects.filter(intervention_id__in=ids)
            .order_by("theme__name")
            .values_list("intervention_id", "theme__name")
        )
        self.partners = _grouped(
            Intervention.on_behalf_of.through.objects.filter(intervention_id__in=ids)
            .order_by("organisation__name")
            .values_list("intervention_id", "organisation__name")
        )
        self.recordings = RecordingLookup((values[1], values[3], values[5]) for values in chunk)


def _permalinks(absolute: Callable[[str], str]) -> Callable[[int], str]:
    # One reverse() and one absolute address for the export, not one per row.
    marker = 987654321
    before, after = absolute(reverse("interventions:detail", kwargs={"pk": marker})).split(str(marker))
    return lambda pk: f"{before}{pk}{after}"


def rows(interventions, absolute: Callable[[str], str], texts: bool = False) -> Iterator[Row]:
    permalink = _permalinks(absolute)
    fields = ROW_FIELDS + TEXT_COLUMNS if texts else ROW_FIELDS
    values = interventions.prefetch_related(None).values_list(*fields).iterator(chunk_size=CHUNK_SIZE)
    while chunk := list(islice(values, CHUNK_SIZE)):
        related = _Related(chunk)
        for (
            pk,
            hearing_id,
            hearing,
            session_id,
            session,
            parent_id,
            day,
            organisation,
            organisation_type,
            speaker_name,
            withhold_speaker_name,
            role,
            title,
            summary,
            language,
            start_offset,
            end_offset,
            source_url,
            published_at,
            *text_values,
        ) in chunk:
            row = {
                "id": pk,
                "permalink": permalink(pk),
                "hearing": hearing,
                "session": session or "",
                "date": day,
                "organisation": organisation,
                "on_behalf_of": related.partners.get(pk, []),
                "organisation_type": organisation_type,
                # Never the withheld name: it stays in the archive only.
                "speaker": "" if withhold_speaker_name else speaker_name,
                "role": role,
                "title": title,
                "summary": summary,
                "language": language,
                "themes": related.themes.get(pk, []),
                "recording_url": related.recordings.urls(hearing_id, session_id, parent_id, start_offset),
                "start_offset": start_offset,
                "end_offset": end_offset,
                "source_url": source_url,
                "published_at": published_at,
            }
            if texts:
                row.update(zip(TEXT_COLUMNS, text_values, strict=True))
            yield row


def csv_cell(value) -> object:
    if value is None:
        return ""
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(value)
    elif isinstance(value, datetime):
        return value.isoformat()
    elif isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose write() hands back the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(row_iter: Iterable[Row], columns: list[str] = COLUMNS) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # The byte-order mark makes spreadsheet programs read the file as UTF-8.
    yield "\ufeff" + writer.writerow(columns)
    for row in row_iter:
        yield writer.writerow([csv_cell(row[column]) for column in columns])


# PostgreSQL writes the CSV itself with COPY: the same cells as csv_lines(rows(...)), at the
# speed of the database rather than of Python. Each cell is computed in SQL as csv_cell() does it.
_FORMULA_TRIGGER_CODES = ", ".join(str(ord(trigger)) for trigger in FORMULA_TRIGGERS)


def _spreadsheet_safe_sql(value: str, first: str | None = None) -> str:
    """csv_cell() of a text cell: empty for no value, an apostrophe before a formula-like start.

    ascii() is the first character's code point (0 for an empty string), compared as integers: left(cell, 1)
    IN ('=', ...) built a one-character string and compared it six times, for each of a row's text cells.
    `first` is what to take the first character of, when that is cheaper than `value` itself.
    """
    return (
        f"CASE WHEN ascii({first or value}) IN ({_FORMULA_TRIGGER_CODES}) THEN chr(39) || {value} "
        f"ELSE COALESCE({value}, '') END"
    )


class _SpreadsheetSafe(Func):
    """A text column as csv_cell() writes it."""

    template = _spreadsheet_safe_sql("%(expressions)s")
    output_field = TextField()


# The row's own text columns are made safe here, in the query that sorts the rows, which PostgreSQL shares out
# to its parallel workers; cells computed after the sort are made safe in copy_csv_query (_copy_cell).
_COPY_INNER = {
    "x_id": F("pk"),
    "x_hearing": _SpreadsheetSafe(F("hearing__title")),
    "x_session": _SpreadsheetSafe(F("session__title")),
    "x_date": F("date"),
    "x_organisation": _SpreadsheetSafe(F("organisation__name")),
    "x_organisation_type": _SpreadsheetSafe(F("organisation__type")),
    "x_on_behalf_of_names": _SpreadsheetSafe(F("on_behalf_of_names")),
    "x_theme_names": _SpreadsheetSafe(F("theme_names")),
    "x_recording_urls": _SpreadsheetSafe(F("recording_urls")),
    "x_speaker_name": F("speaker_name"),
    "x_withhold": F("withhold_speaker_name"),
    "x_role": _SpreadsheetSafe(F("hearing_role")),
    "x_title": _SpreadsheetSafe(F("title")),
    "x_summary": _SpreadsheetSafe(F("summary")),
    "x_language": _SpreadsheetSafe(F("language")),
    "x_start": F("start_offset"),
    "x_end": F("end_offset"),
    "x_source_url": _SpreadsheetSafe(F("source_url")),
    "x_published_at": F("published_at"),
}
_COPY_CELLS = {
    "id": "r.x_id",
    "permalink": "{permalink_before} || r.x_id || {permalink_after}",
    "hearing": "r.x_hearing",
    "session": "r.x_session",
    "date": "to_char(r.x_date, 'YYYY-MM-DD')",
    "organisation": "r.x_organisation",
    # The sorted lists are kept on the row (name_lists.py) rather than aggregated and sorted for each row.
    "on_behalf_of": "r.x_on_behalf_of_names",
    "organisation_type": "r.x_organisation_type",
    # Never the withheld name: it stays in the archive only.
    "speaker": "CASE WHEN r.x_withhold THEN '' ELSE r.x_speaker_name END",
    "role": "r.x_role",
    "title": "r.x_title",
    "summary": "r.x_summary",
    "language": "r.x_language",
    "themes": "r.x_theme_names",
    # Kept on the row (recording_links.py) rather than looked up for each row.
    "recording_url": "r.x_recording_urls",
    "start_offset": "r.x_start",
    "end_offset": "r.x_end",
    "source_url": "r.x_source_url",
    # As datetime.isoformat() in UTC: microseconds only when there are some.
    "published_at": (
        "to_char(r.x_published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
        "CASE WHEN to_char(r.x_published_at, 'US') = '000000' THEN '' "
        "ELSE to_char(r.x_published_at AT TIME ZONE 'UTC', '.US') END || '+00:00'"
    ),
    # The texts are read by primary key as each row is written (`texts`, joined in copy_csv_query), so the sort into
    # the list's order carries ids and short fields, not kilobytes of text per row.
    "text_delivered": "texts.text_delivered",
    "text_is_excerpt": "CASE WHEN texts.text_is_excerpt THEN 'True' ELSE 'False' END",
    "text_submitted": "texts.text_submitted",
}
_NOT_TEXT = {"id", "start_offset", "end_offset"}
# Cells that are a column made safe before the sort (_COPY_INNER), and those this code writes itself, which start
# with a digit or with "http".
_ALREADY_SAFE = {
    column
    for column, cell in _COPY_CELLS.items()
    if cell.startswith("r.") and isinstance(_COPY_INNER.get(cell.removeprefix("r.")), _SpreadsheetSafe)
} | {"permalink", "date", "published_at"}


def _copy_cell(column: str) -> str:
    """One cell of the computed values (`c`), as csv_cell() writes it."""
    value = "c." + connection.ops.quote_name(column)
    if column in _NOT_TEXT:
        return f"COALESCE({value}::text, '')"
    if column in _ALREADY_SAFE:
        return f"COALESCE({value}, '')"
    # The full texts are kept out of line: left() reads their first chunk where ascii() would read them whole.
    return _spreadsheet_safe_sql(value, first=f"left({value}, 1)" if column in TEXT_COLUMNS else None)


def _sql_literal(text: str) -> str:
    # standard_conforming_strings is on (PostgreSQL's default): doubling quotes is the whole escape;
    # %% because the statement then goes through the driver's parameter formatting.
    return "'" + text.replace("'", "''").replace("%", "%%") + "'"


# COPY quotes an empty string ("") when empty also spells NULL. No cell is NULL here, so NULL is
# spelled as a character no cell holds, and empty cells come out bare, as csv.writer writes them.
_COPY_NULL = "\ue002"
COPY_CHUNK_BYTES = 64 * 1024


def copy_csv_query(interventions, absolute: Callable[[str], str], columns: list[str] = COLUMNS) -> tuple[str, list]:
    """The SELECT whose rows are the CSV's cells, and its parameters."""
    before, after = _permalinks(absolute)(0).rsplit("0", 1)
    literals = {"permalink_before": _sql_literal(before), "permalink_after": _sql_literal(after)}
    inner, params = interventions.prefetch_related(None).values(**_COPY_INNER).query.sql_with_params()
    values = ", ".join(
        f"({_COPY_CELLS[column].format(**literals)}){'' if column in _NOT_TEXT else '::text'} "
        f"AS {connection.ops.quote_name(column)}"
        for column in columns
    )
    cells = ", ".join(_copy_cell(column) for column in columns)
    joins = ""
    if set(TEXT_COLUMNS) & set(columns):
        table = connection.ops.quote_name(Intervention._meta.db_table)
        # LIMIT 1 keeps the look-up a subquery run for each row: as a plain join, PostgreSQL may hash the filtered
        # rows and read the whole table against them, and the rows then come in the table's order (seen at 1M
        # for a theme's export, 116,710 rows).
        joins = (
            " LEFT JOIN LATERAL (SELECT t.text_delivered, t.text_is_excerpt, t.text_submitted "  # noqa: S608 - our table
            f"FROM {table} t WHERE t.id = r.x_id LIMIT 1) AS texts ON true"
        )
    # OFFSET 0 keeps PostgreSQL from merging the two levels, which would compute a cell once for each reference
    # to it in the outer level's formula check. Both levels keep the filtered list's order: rows are projected as
    # they come, and the texts are looked up row by row in that order (nested loops, outer side first: the look-up
    # is a LATERAL subquery with a LIMIT, which PostgreSQL can only run that way).
    return (
        f"SELECT {cells} FROM (SELECT {values} FROM ({inner}) AS r{joins} OFFSET 0) AS c",  # noqa: S608
        list(params),
    )


def copy_csv_chunks(interventions, absolute: Callable[[str], str], columns: list[str] = COLUMNS) -> Iterator[bytes]:
    """The CSV export as PostgreSQL writes it (COPY ... TO STDOUT): the cells of csv_lines(rows(...)).

    Lines end in a line feed where csv.writer ends them in carriage return and line feed; CSV
    readers take both.
    """
    query, params = copy_csv_query(interventions, absolute, columns)
    statement = f"COPY ({query}) TO STDOUT WITH (FORMAT csv, NULL {_sql_literal(_COPY_NULL)})"
    # The byte-order mark makes spreadsheet programs read the file as UTF-8.
    yield ("\ufeff" + ",".join(columns) + "\n").encode()
    with transaction.atomic(), connection.cursor() as cursor:
        # The per-row lists make the plan look costly enough for JIT compilation, which takes longer
        # than it saves here; the sort of the whole result fits in memory instead of spilling to disk.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        # COPY is one statement for the whole export: the whole archive at a million interventions takes
        # 15-22 s, longer than the limit set for pages (DB_STATEMENT_TIMEOUT_MS), which would cut the file short.
        cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(settings.EXPORT_STATEMENT_TIMEOUT_MS)])
        with cursor.cursor.copy(statement, params) as copy:
            # COPY hands over one row at a time: a web server would write each one to the socket on its own.
            buffer = bytearray()
            for block in copy:
                buffer += block
                if len(buffer) >= COPY_CHUNK_BYTES:
                    yield bytes(buffer)
                    buffer.clear()
            if buffer:
                yield bytes(buffer)


def json_chunks(row_iter: Iterable[Row], metadata: dict) -> Iterator[str]:
    """A JSON object with the metadata and a `results` array, written one row at a time."""
    head = json.dumps(metadata, cls=DjangoJSONEncoder, ensure_ascii=False)
    yield head[:-1] + (', "results": [' if metadata else '"results": [')
    separator = "\n"
    for row in row_iter:
        yield separator + json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False)
        separator = ",\n"
    yield "\n]}\n"


def filtered_interventions(request: HttpRequest) -> InterventionFilter:
    """The list page's filterset over the published interventions, bound to the request's query string."""
    return InterventionFilter(data=request.GET, queryset=Intervention.objects.published().for_list(), request=request)


def filter_errors(filterset: InterventionFilter) -> list[str]:
    form = filterset.form
    return [
        f"{form.fields[name].label}: {error}" if name in form.fields else str(error)
        for name, errors in form.errors.items()
        for error in errors
    ]


def wants_texts(request: HttpRequest) -> bool:
    return request.GET.get("texts", "").strip().lower() in TEXTS_ASKED


def export_columns(texts: bool) -> list[str]:
    return COLUMNS + TEXT_COLUMNS if texts else COLUMNS


def _filename(extension: str, texts: bool) -> str:
    return f"interventions-{timezone.now():%Y-%m-%d}{'-with-texts' if texts else ''}.{extension}"


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    filterset = filtered_interventions(request)
    if not filterset.is_valid():
        message = "Some filters could not be used:\n" + "\n".join(filter_errors(filterset)) + "\n"
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    texts = wants_texts(request)
    columns = export_columns(texts)
    if connection.vendor == "postgresql":
        content = copy_csv_chunks(filterset.qs, request.build_absolute_uri, columns)
    else:
        content = csv_lines(rows(filterset.qs, request.build_absolute_uri, texts), columns)
    response = StreamingHttpResponse(reporting_progress(content), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv", texts)}"'
    return response


@require_GET
def export_json(request: HttpRequest) -> HttpResponse:
    filterset = filtered_interventions(request)
    if not filterset.is_valid():
        return JsonResponse(
            {"error": "Some filters could not be used.", "errors": filter_errors(filterset)},
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )
    texts = wants_texts(request)
    metadata = {
        "source": request.build_absolute_uri(),
        "generated_at": timezone.now(),
        "columns": export_columns(texts),
    }
    response = StreamingHttpResponse(
        reporting_progress(json_chunks(rows(filterset.qs, request.build_absolute_uri, texts), metadata)),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("json", texts)}"'
    return response
