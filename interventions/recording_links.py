"""Where an intervention's moment plays: the CSV export's `recording_url` cell, and the copy of it each row keeps.

The cell is the session's first recording at the intervention's start offset, else its parent session's first
recording; for an intervention whose session is not known, every recording of the hearing once, in session and
recording order, joined with LIST_SEPARATOR. `RecordingLookup` works it out for many rows at once, from the
recordings as they are (the export's row builder, the JSON export).

PostgreSQL's COPY looked the first recording up for each row, a memoized join that cost ~2 s of the whole
archive's ~10 s at a million interventions. Each row now keeps its cell (`Intervention.recording_urls`), read by
COPY as a column. It depends on the row (its hearing, session and start offset), written with the search index
(search.refresh_search_index(), which every change to an intervention calls), and on the sessions and recordings
of its hearing, which the signals in signals.py follow with refresh_hearings().
"""

from collections import defaultdict
from collections.abc import Iterable

from django.apps import apps
from django.db import transaction
from django.db.models import Q

from hearings.models import address_at

from . import name_lists
from .name_lists import LIST_SEPARATOR

BATCH_SIZE = 2000
UPDATE_SQL = "UPDATE interventions_intervention SET recording_urls = %s WHERE id = %s"

# address_at() in SQL, of `rec`, for the row being written.
_ADDRESS_AT_SQL = """CASE
        WHEN COALESCE(interventions_intervention.start_offset, 0) = 0 THEN rec.url
        WHEN rec.provider = 'youtube' THEN rec.url || CASE WHEN strpos(rec.url, '?') > 0 THEN '&' ELSE '?' END
            || 't=' || interventions_intervention.start_offset || 's'
        WHEN rec.provider = 'vimeo' THEN split_part(rec.url, '#', 1)
            || '#t=' || interventions_intervention.start_offset || 's'
        WHEN rec.provider = 'media_file' THEN split_part(rec.url, '#', 1)
            || '#t=' || interventions_intervention.start_offset
        ELSE rec.url END"""
# The cell of the row being written (`interventions_intervention`), as RecordingLookup.urls() joins it.
PG_RECORDING_URLS_SQL = f"""CASE WHEN interventions_intervention.session_id IS NOT NULL THEN COALESCE((
    SELECT {_ADDRESS_AT_SQL}
    FROM hearings_recording rec
    WHERE rec.session_id = COALESCE(
        (SELECT own.session_id FROM hearings_recording own
         WHERE own.session_id = interventions_intervention.session_id LIMIT 1),
        (SELECT own_session.parent_id FROM hearings_session own_session
         WHERE own_session.id = interventions_intervention.session_id)
    )
    ORDER BY rec."order" LIMIT 1
), '') ELSE COALESCE((
    SELECT string_agg(u.url, '{LIST_SEPARATOR}' ORDER BY u.position) FROM (
        SELECT ranked.url, min(ranked.position) AS position FROM (
            SELECT rec.url, row_number() OVER (ORDER BY s."order", s.id, rec."order") AS position
            FROM hearings_recording rec JOIN hearings_session s ON s.id = rec.session_id
            WHERE s.hearing_id = interventions_intervention.hearing_id
        ) ranked GROUP BY ranked.url
    ) u
), '') END"""  # noqa: S608 - constant SQL
# The interventions whose cell the hearings' sessions and recordings make (`%(hearings)s`: a list of ids).
_PG_IN_HEARINGS_SQL = (
    "(interventions_intervention.hearing_id = ANY(%(hearings)s) OR interventions_intervention.session_id IN "
    "(SELECT s.id FROM hearings_session s WHERE s.hearing_id = ANY(%(hearings)s)))"
)
# Rows whose cell is already right are left alone: editing a recording's title changes no cell, and a rewritten
# row is a dead one for VACUUM.
PG_REFRESH_HEARINGS_SQL = f"""UPDATE interventions_intervention AS kept SET recording_urls = fresh.cell
    FROM (SELECT interventions_intervention.id, {PG_RECORDING_URLS_SQL} AS cell FROM interventions_intervention
          WHERE {_PG_IN_HEARINGS_SQL}) AS fresh
    WHERE kept.id = fresh.id AND kept.recording_urls IS DISTINCT FROM fresh.cell"""  # noqa: S608 - constant SQL
PG_REFRESH_ALL_SQL = f"UPDATE interventions_intervention SET recording_urls = {PG_RECORDING_URLS_SQL}"  # noqa: S608
PG_REFRESH_ALL_WITH_NAME_LISTS_SQL = (
    f"UPDATE interventions_intervention SET theme_names = {name_lists.PG_THEME_NAMES_SQL}, "  # noqa: S608
    f"on_behalf_of_names = {name_lists.PG_ON_BEHALF_OF_NAMES_SQL}, recording_urls = {PG_RECORDING_URLS_SQL}"
)


class RecordingLookup:
    """The recordings of many interventions' sessions and hearings, read in one query.

    `places` are (hearing id, session id, parent session id) of the rows to look up; `recording_model` lets a
    migration pass its own.
    """

    def __init__(self, places: Iterable[tuple], recording_model=None):
        recording_model = recording_model or apps.get_model("hearings", "Recording")
        sessions, hearings = set(), set()
        for hearing_id, session_id, parent_id in places:
            if session_id:
                sessions.add(session_id)
                if parent_id:
                    sessions.add(parent_id)
            else:
                hearings.add(hearing_id)
        self.first_recording: dict[int, tuple[str, str]] = {}
        self.hearing_urls: dict[int, list[str]] = defaultdict(list)
        if not sessions and not hearings:
            return
        # Ordered by session, then by recording, as the pages show them.
        for session_id, hearing_id, url, provider in (
            recording_model._base_manager.filter(Q(session_id__in=sessions) | Q(session__hearing_id__in=hearings))
            .order_by("session__order", "session_id", "order")
            .values_list("session_id", "session__hearing_id", "url", "provider")
        ):
            if session_id in sessions:
                self.first_recording.setdefault(session_id, (url, provider))
            if hearing_id in hearings and url not in (urls := self.hearing_urls[hearing_id]):
                urls.append(url)

    def urls(self, hearing_id, session_id, parent_id, start_offset) -> list[str]:
        """The session's first recording (else its parent's) at the offset; without a session, the hearing's."""
        if not session_id:
            return self.hearing_urls.get(hearing_id, [])
        recording = self.first_recording.get(session_id) or (self.first_recording.get(parent_id) if parent_id else None)
        return [address_at(*recording, start_offset)] if recording else []


def write(ids: list[int], connection, model=None, recording_model=None) -> None:
    """Store the cells of these interventions, worked out in Python: for SQLite (PostgreSQL writes them in SQL)."""
    model = model or apps.get_model("interventions", "Intervention")
    rows = list(
        model._base_manager.filter(pk__in=ids).values_list(
            "pk", "hearing_id", "session_id", "session__parent_id", "start_offset"
        )
    )
    lookup = RecordingLookup(
        ((hearing, session, parent) for _pk, hearing, session, parent, _start in rows), recording_model
    )
    params = [
        (LIST_SEPARATOR.join(lookup.urls(hearing, session, parent, start)), pk)
        for pk, hearing, session, parent, start in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(UPDATE_SQL, params)


def refresh_hearings(hearing_ids: Iterable[int], connection) -> None:
    """Work out again the cells that these hearings' sessions and recordings make, after a change to them."""
    hearings = sorted({pk for pk in hearing_ids if pk})
    if not hearings:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(PG_REFRESH_HEARINGS_SQL, {"hearings": hearings})
        return
    model = apps.get_model("interventions", "Intervention")
    ids = list(
        model._base_manager.filter(Q(hearing_id__in=hearings) | Q(session__hearing_id__in=hearings)).values_list(
            "pk", flat=True
        )
    )
    with transaction.atomic(using=connection.alias):
        for start in range(0, len(ids), BATCH_SIZE):
            write(ids[start : start + BATCH_SIZE], connection)


def refresh_all(model, connection, recording_model=None, *, with_name_lists=False) -> None:
    """Work out every intervention's cell again, for writes that send no signals: a migration, a restore.

    `model` and `recording_model` are the Intervention and Recording models, or a migration's historical ones.
    `with_name_lists` writes the name lists (name_lists.py) in the same pass, so that each row is rewritten once.
    """
    with transaction.atomic(using=connection.alias):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # One statement for the whole archive: longer, at a million interventions, than the limit the
                # settings may set for pages. Until the end of the caller's transaction.
                cursor.execute("SET LOCAL statement_timeout = 0")
                cursor.execute(PG_REFRESH_ALL_WITH_NAME_LISTS_SQL if with_name_lists else PG_REFRESH_ALL_SQL)
            return
        ids = list(model._base_manager.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH_SIZE):
            batch = ids[start : start + BATCH_SIZE]
            if with_name_lists:
                name_lists.write_ids(batch, connection, model)
            write(batch, connection, model, recording_model)
