"""Exports of any filtered list: one row function, written out as CSV or JSON.

Every export starts from `Intervention.objects.published()` and the one
InterventionFilter, so a download holds exactly the rows of the page it came
from, in the same order. Rows are streamed in chunks so memory stays flat
whatever the size of the result.
"""

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from hearings.models import Recording, Session

from .filters import InterventionFilter
from .models import Intervention

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

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = "; "

Row = dict[str, object]


def intervention_row(intervention: Intervention, absolute: Callable[[str], str]) -> Row:
    """One intervention as an export row; `absolute` turns a path into a full address."""
    session = intervention.session
    return {
        "id": intervention.pk,
        "permalink": absolute(intervention.get_absolute_url()),
        "hearing": intervention.hearing.title,
        "session": session.title if session else "",
        "date": intervention.date,
        "organisation": intervention.organisation.name,
        "on_behalf_of": [partner.name for partner in intervention.on_behalf_of.all()],
        "organisation_type": intervention.organisation.type,
        # Never `speaker_name`: a withheld name stays in the archive only.
        "speaker": intervention.public_speaker_name,
        "role": intervention.hearing_role,
        "title": intervention.title,
        "summary": intervention.summary,
        "language": intervention.language,
        "themes": [theme.name for theme in intervention.themes.all()],
        "recording_url": recording_urls(intervention),
        "start_offset": intervention.start_offset,
        "end_offset": intervention.end_offset,
        "source_url": intervention.source_url,
        "published_at": intervention.published_at,
    }


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


def rows(interventions, absolute: Callable[[str], str]) -> Iterator[Row]:
    # With chunk_size, iterator() keeps the prefetches: a constant number of queries per chunk.
    for intervention in with_export_related(interventions).iterator(chunk_size=CHUNK_SIZE):
        yield intervention_row(intervention, absolute)


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


def _filename(extension: str) -> str:
    return f"interventions-{timezone.now():%Y-%m-%d}.{extension}"


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    filterset = filtered_interventions(request)
    if not filterset.is_valid():
        message = "Some filters could not be used:\n" + "\n".join(filter_errors(filterset)) + "\n"
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    response = StreamingHttpResponse(
        csv_lines(rows(filterset.qs, request.build_absolute_uri)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
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
    metadata = {
        "source": request.build_absolute_uri(),
        "generated_at": timezone.now(),
        "columns": COLUMNS,
    }
    response = StreamingHttpResponse(
        json_chunks(rows(filterset.qs, request.build_absolute_uri), metadata),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("json")}"'
    return response
