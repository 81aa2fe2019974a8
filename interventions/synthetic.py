"""A synthetic archive of any size, for benchmarks: deterministic for a seed, written in bulk.

Every synthetic record is marked (slugs start with SLUG_PREFIX, interventions' `source_id` with
SOURCE_PREFIX), so the command can tell a synthetic database from one holding real records and
can replace its own records without touching anyone else's.
"""

import bisect
import datetime
import itertools
import os
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from hearings.models import Hearing, PublicationStatus, Recording, Session

from . import search
from .models import Intervention, Organisation, Theme
from .synthetic_vocabulary import (
    FIRST_NAMES,
    LAST_NAMES,
    ORGANISATION_TOPICS,
    ORGANISATION_WORDS,
    PLACES,
    PLANTED,
    THEME_NAMES,
    THEMES,
    VOCABULARY,
)

SLUG_PREFIX = "synthetic-"
SOURCE_PREFIX = "synthetic-"
INTERVENTIONS_PER_HEARING = 50
INTERVENTIONS_PER_ORGANISATION = 10
PUBLISHED_SHARE = 0.95
LANGUAGES = [("en", 0.6), ("fr", 0.2), ("es", 0.2)]
SUMMARY_LENGTH = (250, 350)
TEXT_LENGTH = (2_000, 6_000)
LONG_TEXT_LENGTH = (10_000, 40_000)
LONG_TEXT_SHARE = 0.10
SUBMITTED_TEXT_SHARE = 0.10
CO_SPONSORED_SHARE = 0.10
BATCH_SIZE = 2_000
INDEX_BATCH_SIZE = 500
# Words planted in a known share of the statements, so a benchmark can search for a rare term and a common one.
SEARCH_TERMS = {"ombudsperson": 0.04, "remediation": 0.18}

ORGANISATION_TYPES = [
    (Organisation.Type.NGO, 0.55),
    (Organisation.Type.NETWORK, 0.08),
    (Organisation.Type.NHRI, 0.05),
    (Organisation.Type.UN_ENTITY, 0.04),
    (Organisation.Type.IGO, 0.03),
    (Organisation.Type.MEMBER_STATE, 0.10),
    (Organisation.Type.ACADEMIA, 0.06),
    (Organisation.Type.TRADE_UNION, 0.03),
    (Organisation.Type.PRIVATE_SECTOR, 0.02),
    (Organisation.Type.SURVIVOR_LED, 0.03),
    (Organisation.Type.OTHER, 0.01),
]

FIRST_HEARING_DATE = datetime.date(2000, 1, 10)


@dataclass
class Counts:
    hearings: int = 0
    sessions: int = 0
    recordings: int = 0
    organisations: int = 0
    themes: int = 0
    interventions: int = 0
    taggings: int = 0
    co_sponsorships: int = 0
    text_bytes: int = 0
    seconds: dict = field(default_factory=dict)

    def __str__(self):
        return (
            f"{self.interventions} interventions, {self.hearings} hearings, {self.sessions} sessions, "
            f"{self.recordings} recordings, {self.organisations} organisations, {self.themes} themes, "
            f"{self.taggings} theme tags, {self.co_sponsorships} co-sponsorships, "
            f"{self.text_bytes / 1e6:.0f} MB of text"
        )


def non_synthetic_records() -> dict[str, int]:
    """Records not made by this module, by model: a database holding any is someone's real archive."""
    found = {
        "hearings": Hearing.objects.exclude(slug__startswith=SLUG_PREFIX).count(),
        "organisations": Organisation.objects.exclude(slug__startswith=SLUG_PREFIX).count(),
        "themes": Theme.objects.exclude(slug__startswith=SLUG_PREFIX).count(),
        "interventions": Intervention.objects.exclude(source_id__startswith=SOURCE_PREFIX).count(),
    }
    return {name: count for name, count in found.items() if count}


def delete_synthetic():
    """Remove every synthetic record, in raw bulk deletes: the ORM's collector is far too slow for a million rows."""
    interventions = Intervention.objects.filter(source_id__startswith=SOURCE_PREFIX)
    hearings = Hearing.objects.filter(slug__startswith=SLUG_PREFIX)
    sessions = Session.objects.filter(hearing__in=hearings)
    with transaction.atomic():
        if connection.vendor == "sqlite":
            # Raw deletes skip the signals that keep FTS5 current; PostgreSQL's index goes with the rows.
            ids = interventions.values("pk")
            sql, params = ids.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {search.FTS_TABLE} WHERE rowid IN ({sql})", params)  # noqa: S608
        for queryset in [
            Intervention.themes.through.objects.filter(intervention__in=interventions),
            Intervention.on_behalf_of.through.objects.filter(intervention__in=interventions),
            interventions,
            Recording.objects.filter(session__in=sessions),
            sessions.filter(parent__isnull=False),
            sessions,
            Hearing.related_hearings.through.objects.filter(Q(from_hearing__in=hearings) | Q(to_hearing__in=hearings)),
            hearings,
            Organisation.objects.filter(slug__startswith=SLUG_PREFIX, parent__isnull=False),
            Organisation.objects.filter(slug__startswith=SLUG_PREFIX),
            Theme.objects.filter(slug__startswith=SLUG_PREFIX, parent__isnull=False),
            Theme.objects.filter(slug__startswith=SLUG_PREFIX),
        ]:
            queryset._raw_delete(queryset.db)


def build_search_index(workers=None, progress=None) -> int:
    """Index every intervention for full-text search; return how many were indexed.

    On PostgreSQL the batches are shared out to `workers` threads (default: one per CPU), each with
    its own connection: the database computes the tsvectors, so its processes work in parallel while
    the threads build the next documents. SQLite has a single writer, and inside a transaction other
    connections would not see the rows, so then it indexes in this thread.
    `progress(label, done, total)` is called after every batch.
    """
    ids = list(Intervention.objects.order_by("pk").values_list("pk", flat=True))
    total = len(ids)
    progress = progress or (lambda label, done, total: None)
    workers = max(1, workers or os.cpu_count() or 1)
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        # Other connections cannot see rows this transaction has not committed yet.
        workers = 1
    # Slices of whole batches, interleaved, so each thread gets a fair share of the long texts.
    batch = INDEX_BATCH_SIZE
    batches = [ids[start : start + batch] for start in range(0, total, batch)]
    shares = [list(itertools.chain.from_iterable(batches[n::workers])) for n in range(workers)]
    lock = threading.Lock()
    done = 0

    def counted(count):
        nonlocal done
        with lock:
            done += count
            progress("search index", done, total)

    def index(share):
        try:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    # Some batches hold 40 KB statements: more than the web's statement timeout allows.
                    cursor.execute("SET statement_timeout = 0")
            search.refresh_search_index(share, batch_size=batch, progress=counted)
        finally:
            if workers > 1:
                connection.close()  # This thread's own connection.

    if workers == 1:
        index(ids)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for future in [pool.submit(index, share) for share in shares if share]:
                future.result()
    return total


class Writer:
    """Appends rows with explicit ids: COPY on PostgreSQL, bulk_create in batches elsewhere."""

    def __init__(self):
        self.postgresql = connection.vendor == "postgresql"

    def next_id(self, model) -> int:
        latest = model.objects.order_by("-pk").values_list("pk", flat=True).first()
        return (latest or 0) + 1

    def write(self, model, rows, columns=None):
        rows = iter(rows)
        if self.postgresql:
            first = next(rows, None)
            if first is None:
                return
            # COPY skips the model's defaults, so columns added later (a version number, say) get them here.
            defaults = {
                field.attname: field.get_default()
                for field in model._meta.concrete_fields
                if field.attname not in first and field.has_default()
            }
            columns = list(first) + list(defaults)
            names = ", ".join(connection.ops.quote_name(model._meta.get_field(column).column) for column in columns)
            sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"
            with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
                for row in itertools.chain([first], rows):
                    copy.write_row([row[column] if column in row else defaults[column] for column in columns])
        else:
            while batch := list(itertools.islice(rows, BATCH_SIZE)):
                model.objects.bulk_create([model(**row) for row in batch])

    def reset_sequences(self, models):
        if self.postgresql:
            from django.core.management.color import no_style

            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)


class SyntheticArchive:
    """Builds N interventions and everything around them; the same seed gives the same archive."""

    def __init__(self, interventions: int, seed: int = 1, progress=None):
        self.size = interventions
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
        self.progress = progress or (lambda label, done, total: None)
        self.writer = Writer()
        self.counts = Counts()
        self.now = timezone.now().replace(microsecond=0)
        self.sentences = {language: self._sentence_pool(language) for language in VOCABULARY}

    # Composing texts from a pool of sentences keeps a million 4 KB statements within minutes.
    def _sentence_pool(self, language, size=3_000):
        words = VOCABULARY[language]
        pool = []
        for _ in range(size):
            sentence = (
                f"{self.rng.choice(words['subjects'])} {self.rng.choice(words['verbs'])} "
                f"{self.rng.choice(words['objects'])}."
            )
            if self.rng.random() < 0.3:
                sentence = f"{self.rng.choice(words['connectors'])} {sentence[0].lower()}{sentence[1:]}"
            else:
                sentence = f"{sentence[0].upper()}{sentence[1:]}"
            pool.append(sentence)
        return pool

    def _text(self, language, length):
        pool = self.sentences[language]
        parts, total = [], 0
        while total < length:
            batch = self.rng.choices(pool, k=max(1, (length - total) // 60))
            parts.extend(batch)
            total += sum(len(sentence) + 1 for sentence in batch)
        return " ".join(parts)[: length - 1] + "."

    def build(self) -> Counts:
        with transaction.atomic():
            self._themes()
            self._organisations()
            self._hearings()
            self._interventions()
            self.writer.reset_sequences([Hearing, Session, Recording, Organisation, Theme, Intervention])
        return self.counts

    def _themes(self):
        start = self.writer.next_id(Theme)
        rows, self.theme_ids, self.theme_weights = [], [], []
        ids = itertools.count(start)
        for broader, narrower in THEMES.items():
            parent_id = next(ids)
            rows.append(self._theme_row(parent_id, broader, None))
            for name in narrower:
                rows.append(self._theme_row(next(ids), name, parent_id))
        self.writer.write(Theme, rows)
        # Themes are long-tailed too: the commonest is tagged about ten times as often as the rarest.
        self.theme_ids = [row["id"] for row in rows]
        self.theme_weights = list(itertools.accumulate(1 / (rank + 1) ** 0.7 for rank in range(len(rows))))
        self.counts.themes = len(rows)

    @staticmethod
    def _theme_row(pk, name, parent_id):
        slug = name.lower().replace(" ", "-").replace("+", "").replace("'", "")
        return {
            "id": pk,
            "name": name,
            "slug": f"{SLUG_PREFIX}{slug}",
            "description": f"Synthetic theme: {name}.",
            "parent_id": parent_id,
        }

    def _organisations(self):
        count = max(1, self.size // INTERVENTIONS_PER_ORGANISATION)
        start = self.writer.next_id(Organisation)
        types, type_weights = zip(*ORGANISATION_TYPES, strict=True)
        type_cumulative = list(itertools.accumulate(type_weights))
        networks = []
        rows = []
        for index in range(count):
            pk = start + index
            organisation_type = self.rng.choices(types, cum_weights=type_cumulative)[0]
            name = (
                f"{self.rng.choice(PLACES)} {self.rng.choice(ORGANISATION_WORDS)} "
                f"{self.rng.choice(ORGANISATION_TOPICS)} {index + 1}"
            )
            parent_id = None
            if organisation_type == Organisation.Type.NETWORK:
                networks.append(pk)
            elif networks and self.rng.random() < 0.1:
                parent_id = self.rng.choice(networks)
            rows.append(
                {
                    "id": pk,
                    "name": name,
                    "acronym": "".join(word[0] for word in name.split()[:4] if word[0].isupper()),
                    "slug": f"{SLUG_PREFIX}organisation-{index + 1}",
                    "type": organisation_type,
                    "ecosoc_status": self.rng.choice(["", "none", "general", "special", "roster"]),
                    "country": self.rng.choice(PLACES),
                    "website": f"https://example.org/synthetic/{index + 1}",
                    "description": "",
                    "parent_id": parent_id,
                    "created_at": self.now,
                    "updated_at": self.now,
                }
            )
        self.writer.write(Organisation, rows)
        self.organisation_ids = [row["id"] for row in rows]
        self.counts.organisations = count

    def _hearings(self):
        count = max(1, self.size // INTERVENTIONS_PER_HEARING)
        hearing_start = self.writer.next_id(Hearing)
        session_ids = itertools.count(self.writer.next_id(Session))
        recording_ids = itertools.count(self.writer.next_id(Recording))
        hearings, sessions, recordings = [], [], []
        # Each hearing's sessions, in order, as (session id, date): interventions are spread over them.
        self.hearing_sessions = []
        span_days = (datetime.date(2025, 12, 31) - FIRST_HEARING_DATE).days
        for index in range(count):
            pk = hearing_start + index
            start_date = FIRST_HEARING_DATE + datetime.timedelta(days=span_days * index // count)
            days = self.rng.choice([1, 1, 1, 2, 3])
            end_date = start_date + datetime.timedelta(days=days - 1)
            hearings.append(
                {
                    "id": pk,
                    "title": f"Synthetic multi-stakeholder hearing {index + 1} on {self.rng.choice(list(THEMES))}",
                    "slug": f"{SLUG_PREFIX}hearing-{index + 1}",
                    "convened_by": "President of the General Assembly",
                    "organised_by": self.rng.choice(["UNODC", "OHCHR", "ILO", "IOM"]),
                    "start_date": start_date,
                    "end_date": end_date if days > 1 else None,
                    "format": self.rng.choice(["online", "in_person", "hybrid"]),
                    "location": self.rng.choice(PLACES),
                    "description": "",
                    "official_url": "",
                    "concept_note_url": "",
                    "agenda_url": "",
                    "status": PublicationStatus.PUBLISHED,
                    "published_at": self.now,
                    "created_at": self.now,
                    "updated_at": self.now,
                }
            )
            placed = []
            for order in range(1, self.rng.randint(2, 4) + 1):
                session_id = next(session_ids)
                date = start_date + datetime.timedelta(days=min(order - 1, days - 1))
                sessions.append(self._session_row(session_id, pk, None, order, date))
                recordings.append(self._recording_row(next(recording_ids), session_id))
                placed.append((session_id, date))
                if self.rng.random() < 0.25:
                    # A panel inside the session: it has no recording of its own and uses its parent's.
                    panel_id = next(session_ids)
                    sessions.append(self._session_row(panel_id, pk, session_id, order + 10, date))
                    placed.append((panel_id, date))
            self.hearing_sessions.append((pk, placed))
            self.progress("hearings", index + 1, count)
        self.writer.write(Hearing, hearings)
        # Panels point at their parent session, so parents are written first.
        self.writer.write(Session, [row for row in sessions if row["parent_id"] is None])
        self.writer.write(Session, [row for row in sessions if row["parent_id"] is not None])
        self.writer.write(Recording, recordings)
        self.counts.hearings, self.counts.sessions, self.counts.recordings = count, len(sessions), len(recordings)

    @staticmethod
    def _session_row(pk, hearing_id, parent_id, order, date):
        return {
            "id": pk,
            "hearing_id": hearing_id,
            "parent_id": parent_id,
            "title": f"Panel {order - 10}" if parent_id else f"Session {order}",
            "kind": "panel" if parent_id else "session",
            "date": date,
            "start_time": None,
            "end_time": None,
            "order": order,
            "chair": "",
            "description": "",
        }

    @staticmethod
    def _recording_row(pk, session_id):
        return {
            "id": pk,
            "session_id": session_id,
            "title": "",
            "provider": "youtube",
            "url": f"https://www.youtube.com/watch?v=synthetic{pk}",
            "language_channel": "floor",
            "duration": datetime.timedelta(hours=3),
            "order": 1,
            "note": "",
        }

    def _organisation_for(self, index, cumulative):
        # Every organisation speaks at least once; after that, a Zipf-like long tail (weight 1/rank).
        if index < len(self.organisation_ids):
            return self.organisation_ids[index]
        return self.organisation_ids[bisect.bisect_left(cumulative, self.rng.random() * cumulative[-1])]

    def _interventions(self):
        start = self.writer.next_id(Intervention)
        cumulative = list(itertools.accumulate(1 / rank for rank in range(1, len(self.organisation_ids) + 1)))
        languages, language_weights = zip(*LANGUAGES, strict=True)
        language_cumulative = list(itertools.accumulate(language_weights))
        orders = self.rng.sample(range(self.size), self.size)  # who speaks at which hearing
        taggings, co_sponsorships = [], []
        started = time.monotonic()

        def rows():
            for index in range(self.size):
                pk = start + index
                # The last hearing takes the remainder when N is not a multiple of 50.
                position = min(index // INTERVENTIONS_PER_HEARING, len(self.hearing_sessions) - 1)
                hearing_id, placed = self.hearing_sessions[position]
                speaker = index - position * INTERVENTIONS_PER_HEARING
                session_id, date = placed[speaker % len(placed)]
                organisation_id = self._organisation_for(orders[index], cumulative)
                yield self._intervention_row(
                    pk,
                    index,
                    speaker + 1,
                    hearing_id,
                    session_id,
                    date,
                    organisation_id,
                    languages,
                    language_cumulative,
                )
                for theme_id in self._themes_for_one():
                    taggings.append({"intervention_id": pk, "theme_id": theme_id})
                if self.rng.random() < CO_SPONSORED_SHARE:
                    for other in set(self.rng.sample(self.organisation_ids, self.rng.randint(1, 2))) - {
                        organisation_id
                    }:
                        co_sponsorships.append({"intervention_id": pk, "organisation_id": other})
                if (index + 1) % BATCH_SIZE == 0 or index + 1 == self.size:
                    self.progress("interventions", index + 1, self.size)

        self.writer.write(Intervention, rows())
        self.counts.seconds["interventions"] = time.monotonic() - started
        self.writer.write(Intervention.themes.through, taggings)
        self.writer.write(Intervention.on_behalf_of.through, co_sponsorships)
        self.counts.interventions = self.size
        self.counts.taggings, self.counts.co_sponsorships = len(taggings), len(co_sponsorships)

    def _themes_for_one(self):
        picked = set()
        for _ in range(self.rng.randint(1, 4)):
            position = bisect.bisect_left(self.theme_weights, self.rng.random() * self.theme_weights[-1])
            picked.add(self.theme_ids[position])
        return sorted(picked)

    def _intervention_row(self, pk, index, order, hearing_id, session_id, date, organisation_id, languages, cumulative):
        rng = self.rng
        language = rng.choices(languages, cum_weights=cumulative)[0]
        words = VOCABULARY[language]
        length_range = LONG_TEXT_LENGTH if rng.random() < LONG_TEXT_SHARE else TEXT_LENGTH
        text = self._text(language, rng.randint(*length_range))
        for term, share in SEARCH_TERMS.items():
            if rng.random() < share:
                planted = PLANTED[language].format(term=term)
                text = f"{planted} {text[len(planted) + 1 :]}"
        submitted = self._text(language, rng.randint(*TEXT_LENGTH)) if rng.random() < SUBMITTED_TEXT_SHARE else ""
        summary = self._text(language, rng.randint(*SUMMARY_LENGTH))
        published = rng.random() < PUBLISHED_SHARE
        theme = rng.choice(self.theme_ids) - self.theme_ids[0]
        self.counts.text_bytes += len(text) + len(submitted) + len(summary)
        start_offset = rng.randint(0, 3 * 3600 - 600)
        return {
            "id": pk,
            "hearing_id": hearing_id,
            "session_id": session_id,
            # The position in the hearing's speakers' list, so unique within each of its sessions too.
            "order": order,
            "organisation_id": organisation_id,
            "speaker_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            "speaker_title": "",
            "withhold_speaker_name": rng.random() < 0.02,
            "hearing_role": rng.choice(["floor", "floor", "floor", "panellist", ""]),
            "modality": rng.choice(["in_person", "remote", ""]),
            "title": f"{rng.choice(words['titles'])} {THEME_NAMES[theme].lower()}",
            "summary": summary,
            "text_delivered": text,
            "text_is_excerpt": False,
            "text_submitted": submitted,
            "language": language,
            "date": date,
            "start_offset": start_offset,
            "end_offset": start_offset + rng.randint(120, 420),
            "source_url": "",
            "source_id": f"{SOURCE_PREFIX}{index + 1}",
            "status": PublicationStatus.PUBLISHED if published else PublicationStatus.DRAFT,
            "published_at": self.now if published else None,
            "created_at": self.now,
            "updated_at": self.now,
        }
