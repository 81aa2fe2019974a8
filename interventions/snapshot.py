"""Counts kept between changes to the archive: the unfiltered list's snapshot, and other values kept beside it.

Counting every facet of a million public interventions takes seconds (5 s here), and the unfiltered list is the
busiest page of the site, so its total, its facet counts and its page anchors are computed once per change
to the archive and then read as one row. Other values derived from the archive (the home page's charts, a
filter's counts) are cached under the snapshot's token: kept() below.

The protocol keeps a snapshot from ever showing a count that includes a draft:
- Every change that can alter a public count bumps ArchiveVersion (signals.py), after the change and in the
  same transaction, so the new version becomes visible exactly when the change does.
- A reader takes the current version *before* counting, and stores its snapshot under that version. A change
  committed while it counted bumps the version, so that snapshot is never used: the next reader counts again.
  (Bumping after commit instead would leave a moment where a reader sees the old version with the new rows,
  and inside a test's transaction it would never happen at all.)
- The bump locks the one ArchiveVersion row until the writer commits, so writers to the archive take turns
  at their commit; curators' transactions are short, and import_archive and seed_synthetic bump once at the end.
- An embargo lifting changes what is public without any write, so a snapshot is valid only until the next
  embargo ends; and never longer than ARCHIVE_FACET_SNAPSHOT_SECONDS, which bounds how long a change made
  behind Django's back (an SQL console, a bulk load without signals) can go unseen.
"""

import datetime
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Min, Q, Subquery
from django.db.models.functions import Coalesce, Substr, Upper
from django.utils import timezone
from django.utils.translation import get_language

from hearings.curation import PublicationStatus
from hearings.models import Hearing

from . import recount
from .filters import InterventionFilter
from .models import ArchiveVersion, FacetSnapshot, Intervention, Organisation, ThemeCounts

MISSING = object()
# The advisory lock taken while counting a snapshot: any number the project does not use for another lock.
COUNTING_LOCK = 720_465_001
# Anchors at least this many rows apart: a deep page then skips fewer than this many rows (plus one day's).
ANCHOR_SPACING = 1000


def current_version() -> int:
    return ArchiveVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def bump_version():
    """Invalidate every snapshot: call it after a change, in the change's transaction."""
    bumped = {"version": F("version") + 1, "token": uuid.uuid4()}
    if not ArchiveVersion.objects.filter(pk=1).update(**bumped):
        try:
            with transaction.atomic():
                ArchiveVersion.objects.create(pk=1, version=1)
        except IntegrityError:  # Created meanwhile by another process.
            ArchiveVersion.objects.filter(pk=1).update(**bumped)
    recount.after_commit()


def renew_page_token():
    """Make every kept page stale but keep the counts: for changes that pages show and no count includes (a
    session's title, a recording). Recounting a million interventions takes seconds; renaming pages is free."""
    if not ArchiveVersion.objects.filter(pk=1).update(token=uuid.uuid4()):
        bump_version()


def _next_embargo_end(now):
    """When the next embargoed intervention or hearing becomes public, if any is waiting."""
    waiting = Q(status=PublicationStatus.PUBLISHED, publish_at__gt=now)
    ends = [
        Intervention.objects.filter(waiting).aggregate(end=Min("publish_at"))["end"],
        Hearing.objects.filter(waiting).aggregate(end=Min("publish_at"))["end"],
    ]
    return min((end for end in ends if end), default=None)


def _count_per_day(public) -> list[tuple]:
    """(date, number of public interventions that day), newest first."""
    return list(public.order_by().values_list("date").annotate(n=Count("pk")).order_by("-date"))


def _anchors(per_day) -> list[list]:
    """[date, number of public interventions newer than that date], at least ANCHOR_SPACING rows apart."""
    anchors, newer, last = [], 0, None
    for day, n in per_day:
        if last is None or newer - last >= ANCHOR_SPACING:
            anchors.append([day.isoformat(), newer])
            last = newer
        newer += n
    return anchors


def _per_year(per_day) -> list[list]:
    """[year, number of public interventions that year], oldest first."""
    years = {}
    for day, n in per_day:
        years[day.year] = years.get(day.year, 0) + n
    return [[year, years[year]] for year in sorted(years)]


# An organisation's initial, as the organisation list offers it to pick by.
ORGANISATION_INITIAL = Upper(Substr("name", 1, 1))


def _organisation_initials(public_pks) -> list[list]:
    """[type, initial, number of public organisations of that type and initial], for the public organisations
    whose primary keys are given. Reading every organisation's row and keeping the public ones takes 0.01 s at 100k
    interventions (0.2 s at 1M), where asking the database again which are public took 0.11 s (2.9 s at 1M)."""
    rows = Organisation.objects.order_by().values_list("pk", "type", ORGANISATION_INITIAL)
    per_initial = Counter((kind, initial) for pk, kind, initial in rows if pk in public_pks)
    return [[kind, initial, n] for (kind, initial), n in sorted(per_initial.items())]


def _count_organisation_initials() -> list[list]:
    """_organisation_initials() of Organisation.objects.public(), counted by the database."""
    rows = (
        Organisation.objects.public()
        .order_by()
        .annotate(initial=ORGANISATION_INITIAL)
        .values_list("type", "initial")
        .annotate(n=Count("pk"))
    )
    return [[kind, initial, n] for kind, initial, n in sorted(rows)]


def compute(version: int, now) -> FacetSnapshot:
    # facets.py reads snapshots, and a snapshot is counted by the same code as any other list.
    from .facets import FACET_NAMES, build_facets, count_results

    public = Intervention.objects.published(now=now)
    filterset = InterventionFilter(data={}, queryset=public)
    filterset.is_valid()
    # The theme facet from the counts the theme list and the home page need anyway: counted once, and by two
    # grouped queries that PostgreSQL runs in parallel (2.2 s at a million interventions, where the facet's own
    # branches over the shared results took 3.9 s).
    theme_counts = ThemeCounts.count(now)
    counts = count_results(filterset, [name for name in FACET_NAMES if name != "theme"])
    counts["theme"] = theme_counts.facet_counts()
    total = counts.pop("total")[None]
    public_organisations = len(counts["organisation"])
    per_day = _count_per_day(public)
    lifetime = datetime.timedelta(seconds=settings.ARCHIVE_FACET_SNAPSHOT_SECONDS)
    next_end = _next_embargo_end(now)
    return FacetSnapshot(
        version=version,
        computed_at=now,
        valid_until=min(now + lifetime, next_end) if next_end else now + lifetime,
        total=total,
        # The options shown, not every organisation's count: a million interventions have 100,000 of those.
        facets={
            facet.name: [[option.value, str(option.label), option.count] for option in facet.options]
            for facet in build_facets(counts, {})
        },
        pages=_anchors(per_day),
        theme_counts=theme_counts.to_json(),
        public_organisations=public_organisations,
        organisation_initials=_organisation_initials(counts["organisation"].keys()),
        year_counts=_per_year(per_day),
        type_counts=[[organisation_type, n] for organisation_type, n in counts["type"].items()],
    )


def unfiltered_snapshot() -> FacetSnapshot:
    """The current snapshot, counted and stored first if there is none."""
    now = timezone.now()
    snapshot = current_snapshot(now)
    if snapshot:
        return snapshot
    with counting_alone():
        # Visitors who arrived while another process counted find its snapshot now.
        snapshot = current_snapshot(now)
        if snapshot:
            return snapshot
        snapshot = compute(current_version(), now)
        FacetSnapshot.objects.filter(~Q(version=snapshot.version) | Q(valid_until__lte=now)).delete()
        # A process counting without the lock (SQLite) may have stored the same version: it counted the same rows.
        FacetSnapshot.objects.bulk_create([snapshot], ignore_conflicts=True)
    return snapshot


# Whole-archive numbers the snapshot holds, for pages beside the list: read from it when it is kept (counted first
# if there is none, unless `renew` is False), else counted now.


def _kept_snapshot(renew: bool) -> FacetSnapshot | None:
    if settings.ARCHIVE_FACET_SNAPSHOT_SECONDS <= 0:
        return None
    return unfiltered_snapshot() if renew else current_snapshot()


def public_theme_counts(*, renew: bool = True) -> ThemeCounts:
    """The public interventions of every theme."""
    snapshot = _kept_snapshot(renew)
    return ThemeCounts.from_json(snapshot.theme_counts) if snapshot else ThemeCounts.count()


def public_intervention_count(*, renew: bool = True) -> int:
    snapshot = _kept_snapshot(renew)
    return snapshot.total if snapshot else Intervention.objects.published().count()


def public_organisation_count(*, renew: bool = True) -> int:
    """Organisations that delivered or co-sponsored a public intervention (Organisation.objects.public())."""
    snapshot = _kept_snapshot(renew)
    return snapshot.public_organisations if snapshot else Organisation.objects.public().count()


def public_organisation_initials(*, renew: bool = True) -> list[tuple[str, str, int]]:
    """(type, initial, number) of the public organisations: how many of each type have names starting with each
    initial (ORGANISATION_INITIAL), sorted."""
    snapshot = _kept_snapshot(renew)
    rows = snapshot.organisation_initials if snapshot else _count_organisation_initials()
    return [(kind, initial, n) for kind, initial, n in rows]


def public_counts_per_year(*, renew: bool = True) -> list[tuple[int, int]]:
    """(year, public interventions dated that year), oldest first."""
    snapshot = _kept_snapshot(renew)
    if snapshot is None:
        return [(year, n) for year, n in _per_year(_count_per_day(Intervention.objects.published()))]
    return [(year, n) for year, n in snapshot.year_counts]


def public_counts_per_type(*, renew: bool = True) -> dict[str, int]:
    """Public interventions per type of the organisation that delivered them (types with none left out)."""
    snapshot = _kept_snapshot(renew)
    if snapshot is None:
        per_type = Intervention.objects.published().order_by().values_list("organisation__type").annotate(n=Count("pk"))
        return dict(per_type)
    return {organisation_type: n for organisation_type, n in snapshot.type_counts}


@contextmanager
def counting_alone():
    """One process counts the archive at a time (PostgreSQL); the others wait for its snapshot.

    After a change, every visitor of the busiest pages needs the new counts at once: without this each of them
    would count the whole archive (seconds at a million interventions) in parallel.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [COUNTING_LOCK])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [COUNTING_LOCK])


def current_snapshot(now=None) -> FacetSnapshot | None:
    """The snapshot of the archive as it is now, if one has been counted."""
    now = now or timezone.now()
    archive = ArchiveVersion.objects.filter(pk=1)
    version = Coalesce(Subquery(archive.values("version")[:1]), 0)
    return (
        FacetSnapshot.objects.filter(version=version, valid_until__gt=now)
        # Read in the same query for kept(per_edit=True): renewed by every edit, counted or not.
        .annotate(page_token=Subquery(archive.values("token")[:1]))
        .first()
    )


def _page_token(snapshot) -> str:
    token = getattr(snapshot, "page_token", None)  # Not on a snapshot counted just now.
    if token is None:
        token = ArchiveVersion.objects.filter(pk=1).values_list("token", flat=True).first()
    return str(token)


def kept(
    name: str, compute: Callable[[], object], *, renew: bool = False, per_language: bool = True, per_edit: bool = False
):
    """A value derived from the public archive (the home page's counts and charts, a filter's facet counts),
    computed once per snapshot and language (once for all languages if `per_language` is False: the value holds no
    translated text) and then served from the cache: per process by default, shared by
    every server with CACHE_URL. A new snapshot (a change, an embargo lifting) starts new keys, so no stale value
    is ever read back; old ones simply expire.

    Without a current snapshot the value is computed and not kept, unless `renew` asks to count the snapshot
    first (worth it for whole-archive pages, which cost as much as the snapshot itself).

    `per_edit` is for values that an edit changing no count still changes (Intervention.COUNT_NEUTRAL_FIELDS): a
    search's counts, the latest modification. They are kept until the next edit of any kind.
    """
    if settings.ARCHIVE_FACET_SNAPSHOT_SECONDS <= 0:
        return compute()
    snapshot = unfiltered_snapshot() if renew else current_snapshot()
    if snapshot is None:
        return compute()
    edit = f":{_page_token(snapshot)}" if per_edit else ""
    key = f"archive-kept:{snapshot.token}{edit}:{get_language() if per_language else '*'}:{name}"
    value = cache.get(key, MISSING)
    if value is MISSING:
        value = compute()
        lifetime = (snapshot.valid_until - timezone.now()).total_seconds()
        cache.set(key, value, timeout=max(1, int(lifetime)))
    return value


def seek(snapshot, bottom: int, top: int):
    """Where the default order's rows from `bottom` up to `top` can be read: (rows skipped, a condition).

    Only for the unfiltered list in its default order (newest first). The rows dated on or before an anchor's
    date are exactly the rows after the anchor's count, so the page starts at most an anchor's spacing (and one
    day's rows) past the rows the condition keeps; and every row before an anchor's count is dated after that
    anchor's date, so the page ends before the next anchor past `top`. The database then reads one narrow range
    of dates instead of sorting the whole archive (SQLite) or counting past every row before the page.
    """
    start, end = None, None
    for day, newer in snapshot.pages:
        if newer <= bottom:
            start = (day, newer)
        elif newer >= top:
            end = day
            break
    condition = Q(date__gt=datetime.date.fromisoformat(end)) if end else Q()
    if start is None:
        return 0, condition
    return start[1], condition & Q(date__lte=datetime.date.fromisoformat(start[0]))


def archive_state(now=None) -> tuple[str, datetime.datetime] | None:
    """The archive's current version token and how long what it shows stays true: until the next embargo lifts
    and at most ARCHIVE_FACET_SNAPSHOT_SECONDS. None before the archive's first change (nothing to name it by).

    This is what config.pagecache keeps whole pages under, and rows.py the lists' rows. One small query per call;
    the next embargo's end is looked up once per version and process.
    """
    now = now or timezone.now()
    token = ArchiveVersion.objects.filter(pk=1).values_list("token", flat=True).first()
    if token is None:
        return None
    key = f"archive-embargo:{token}"
    next_end = cache.get(key, MISSING)
    if next_end is MISSING or (next_end is not None and next_end <= now):  # looked up before it lifted
        next_end = _next_embargo_end(now)
        cache.set(key, next_end, timeout=max(1, settings.ARCHIVE_FACET_SNAPSHOT_SECONDS))
    until = now + datetime.timedelta(seconds=settings.ARCHIVE_FACET_SNAPSHOT_SECONDS)
    if next_end is not None:
        until = min(until, next_end)
    return token.hex, until
