"""Write the whole public archive to a folder: one CSV file per model and a Popolo-shaped JSON file."""

import csv
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.utils import timezone

from hearings.models import Hearing, Recording, Session
from interventions.exports import CHUNK_SIZE, COLUMNS, csv_cell, csv_lines, recording_urls, rows, with_export_related
from interventions.models import Intervention, Organisation, Theme

# Columns of the files other than interventions.csv, documented in docs/open-data.md.
HEARING_COLUMNS = [
    "id",
    "slug",
    "permalink",
    "title",
    "convened_by",
    "organised_by",
    "start_date",
    "end_date",
    "format",
    "location",
    "description",
    "official_url",
    "concept_note_url",
    "agenda_url",
    "published_at",
]
SESSION_COLUMNS = [
    "id",
    "hearing_id",
    "part_of_id",
    "title",
    "kind",
    "date",
    "start_time",
    "end_time",
    "order",
    "chair",
    "description",
]
RECORDING_COLUMNS = ["id", "session_id", "title", "provider", "url", "language_channel", "duration", "order", "note"]
ORGANISATION_COLUMNS = [
    "id",
    "slug",
    "permalink",
    "name",
    "acronym",
    "type",
    "ecosoc_status",
    "country",
    "website",
    "network_id",
    "description",
]
THEME_COLUMNS = ["id", "slug", "permalink", "name", "broader_id", "description"]
PROGRESS_WIDTH = 30


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


class Progress:
    """A one-line progress bar on standard error, redrawn in place."""

    def __init__(self, stream, label: str, total: int):
        self.stream, self.label, self.total, self.done = stream, label, total, 0
        self.interactive = stream.isatty()

    def step(self, count: int = 1) -> None:
        self.done += count
        if self.interactive or self.done == self.total:
            filled = PROGRESS_WIDTH * self.done // self.total if self.total else PROGRESS_WIDTH
            bar = "#" * filled + "-" * (PROGRESS_WIDTH - filled)
            self.stream.write(f"\r{self.label:<18} [{bar}] {self.done}/{self.total}")
            self.stream.flush()

    def close(self) -> None:
        if self.total == 0:
            self.step(0)
        self.stream.write("\n")


class Command(BaseCommand):
    help = "Write every published record to DIR: hearings, sessions, recordings, organisations, themes and "
    help += "interventions as CSV, and all of them as Popolo JSON (popolo.json). See docs/open-data.md."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="The folder to write to; created when missing.")

    def handle(self, *args, directory: Path, **options):
        directory.mkdir(parents=True, exist_ok=True)
        hearings = Hearing.objects.published().order_by("pk")
        sessions = Session.objects.filter(hearing__in=hearings).order_by("pk")
        recordings = Recording.objects.filter(session__in=sessions).order_by("pk")
        organisations = Organisation.objects.public().order_by("pk")
        themes = Theme.objects.order_by("pk")
        interventions = Intervention.objects.published().with_related().order_by("pk")

        public_ids = set(organisations.values_list("pk", flat=True))
        self.write_csv(directory / "hearings.csv", HEARING_COLUMNS, hearings, hearing_row)
        self.write_csv(directory / "sessions.csv", SESSION_COLUMNS, sessions, session_row)
        self.write_csv(directory / "recordings.csv", RECORDING_COLUMNS, recordings, recording_row)
        self.write_csv(
            directory / "organisations.csv",
            ORGANISATION_COLUMNS,
            organisations,
            lambda organisation: organisation_row(organisation, public_ids),
        )
        self.write_csv(directory / "themes.csv", THEME_COLUMNS, themes, theme_row)
        self.write_interventions(directory / "interventions.csv", interventions)
        self.write_popolo(directory / "popolo.json", hearings, sessions, organisations, interventions, public_ids)
        self.stdout.write(self.style.SUCCESS(f"Open data written to {directory}."))

    def progress(self, label: str, total: int) -> Progress:
        return Progress(self.stderr._out, label, total)

    def write_csv(self, path: Path, columns, queryset, to_row) -> None:
        bar = self.progress(path.name, queryset.count())
        with path.open("w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file)
            file.write("\ufeff")
            writer.writerow(columns)
            for record in queryset.iterator(chunk_size=CHUNK_SIZE):
                row = to_row(record)
                writer.writerow([csv_cell(row[column]) for column in columns])
                bar.step()
        bar.close()

    def write_interventions(self, path: Path, interventions) -> None:
        bar = self.progress(path.name, interventions.count())

        def counted(row_iter):
            for row in row_iter:
                bar.step()
                yield row

        with path.open("w", encoding="utf-8", newline="") as file:
            for line in csv_lines(counted(rows(interventions, absolute)), COLUMNS):
                file.write(line)
        bar.close()

    def write_popolo(self, path: Path, hearings, sessions, organisations, interventions, public_ids) -> None:
        bar = self.progress(path.name, hearings.count() + sessions.count() + organisations.count())
        document = {
            "meta": {
                "source": settings.SITE_URL,
                "name": settings.ARCHIVE_NAME,
                "generated_at": timezone.now(),
                "documentation": "docs/open-data.md",
            },
            "organizations": [],
            "events": [],
        }
        for organisation in organisations.iterator(chunk_size=CHUNK_SIZE):
            document["organizations"].append(popolo_organization(organisation, public_ids))
            bar.step()
        for hearing in hearings.iterator(chunk_size=CHUNK_SIZE):
            document["events"].append(popolo_hearing(hearing))
            bar.step()
        for session in sessions.prefetch_related(
            Prefetch("recordings", queryset=Recording.objects.order_by("order"))
        ).iterator(chunk_size=CHUNK_SIZE):
            document["events"].append(popolo_session(session))
            bar.step()
        bar.close()
        bar = self.progress("speeches", interventions.count())
        encode = DjangoJSONEncoder(ensure_ascii=False).encode
        with path.open("w", encoding="utf-8") as file:
            # Speeches are written one at a time, so a large archive never sits in memory whole.
            file.write(encode(document)[:-1] + ', "speeches": [')
            separator = "\n"
            for intervention in with_export_related(interventions).iterator(chunk_size=CHUNK_SIZE):
                file.write(separator + encode(popolo_speech(intervention)))
                separator = ",\n"
                bar.step()
            file.write("\n]}\n")
        bar.close()


def hearing_row(hearing: Hearing) -> dict:
    row = {column: getattr(hearing, column, None) for column in HEARING_COLUMNS}
    row["id"] = hearing.pk
    row["permalink"] = absolute(hearing.get_absolute_url())
    return row


def session_row(session: Session) -> dict:
    row = {column: getattr(session, column, None) for column in SESSION_COLUMNS}
    row["part_of_id"] = session.parent_id
    return row


def recording_row(recording: Recording) -> dict:
    return {column: getattr(recording, column) for column in RECORDING_COLUMNS}


def organisation_row(organisation: Organisation, public_ids: set[int]) -> dict:
    row = {column: getattr(organisation, column, None) for column in ORGANISATION_COLUMNS}
    row["permalink"] = absolute(organisation.get_absolute_url())
    # A network known only from drafts is not public: leave the link out rather than point at it.
    row["network_id"] = organisation.parent_id if organisation.parent_id in public_ids else None
    return row


def theme_row(theme: Theme) -> dict:
    row = {column: getattr(theme, column, None) for column in THEME_COLUMNS}
    row["permalink"] = absolute(theme.get_absolute_url())
    row["broader_id"] = theme.parent_id
    return row


def popolo_organization(organisation: Organisation, public_ids: set[int]) -> dict:
    item = {
        "id": f"organisation-{organisation.pk}",
        "name": organisation.name,
        "classification": organisation.type,
        "links": [{"url": absolute(organisation.get_absolute_url()), "note": "permalink"}],
        "identifiers": [{"scheme": "slug", "identifier": organisation.slug}],
    }
    if organisation.acronym:
        item["other_names"] = [{"name": organisation.acronym, "note": "acronym"}]
    if organisation.parent_id in public_ids:
        item["parent_id"] = f"organisation-{organisation.parent_id}"
    if organisation.website:
        item["links"].append({"url": organisation.website, "note": "website"})
    if organisation.country:
        item["area"] = {"name": organisation.country}
    return item


def popolo_hearing(hearing: Hearing) -> dict:
    item = {
        "id": f"hearing-{hearing.pk}",
        "name": hearing.title,
        "classification": "hearing",
        "start_date": hearing.start_date,
        "end_date": hearing.end_date or hearing.start_date,
        "location": hearing.location,
        "description": hearing.description,
        "sources": [{"url": absolute(hearing.get_absolute_url()), "note": "permalink"}],
    }
    if hearing.official_url:
        item["sources"].append({"url": hearing.official_url, "note": "official page"})
    return item


def popolo_session(session: Session) -> dict:
    return {
        "id": f"session-{session.pk}",
        "name": session.title,
        "classification": session.kind,
        "start_date": session.date,
        "parent_id": f"session-{session.parent_id}" if session.parent_id else f"hearing-{session.hearing_id}",
        "recordings": [recording.url for recording in session.recordings.all()],
    }


def popolo_speech(intervention: Intervention) -> dict:
    item = {
        "id": f"intervention-{intervention.pk}",
        "title": intervention.title,
        "type": "speech",
        "attribution_text": " – ".join(
            part for part in (intervention.public_speaker_name, intervention.organisation.name) if part
        ),
        "role": intervention.hearing_role,
        "date": intervention.date,
        "event_id": (
            f"session-{intervention.session_id}" if intervention.session_id else f"hearing-{intervention.hearing_id}"
        ),
        "position": intervention.order,
        "text": intervention.text_delivered,
        "sources": [{"url": absolute(intervention.get_absolute_url()), "note": "permalink"}],
        # Our extensions to Popolo's Speech.
        "organization_id": f"organisation-{intervention.organisation_id}",
        "on_behalf_of_ids": [f"organisation-{partner.pk}" for partner in intervention.on_behalf_of.all()],
        "language": intervention.language,
        "themes": [theme.name for theme in intervention.themes.all()],
        "summary": intervention.summary,
        "recording": {
            "urls": recording_urls(intervention),
            "start_offset": intervention.start_offset,
            "end_offset": intervention.end_offset,
        },
        "published_at": intervention.published_at,
    }
    if intervention.source_url:
        item["sources"].append({"url": intervention.source_url, "note": "written statement"})
    return item
