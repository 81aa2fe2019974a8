"""An intervention's row in the lists of interventions, rendered once per version of the archive and kept.

The filtered list, an organisation's page and a theme's page show the same row for the same intervention. A kept
page (config/pagecache.py) serves an address viewed before; but a researcher narrowing a list by its facets asks
for a new address at every step, and curators always get pages rendered for them. Reading a page's twenty rows with
everything they show (hearing, session, organisation, co-sponsors, themes, recordings: five queries) and rendering
them was about half of such a page's time; most of those rows were shown before, on another list.

Rows are kept under the name kept pages use, the archive's page token (snapshot.archive_state), which every change
to anything a row shows renews: a kept row is never stale. A kept row is only looked up for the ids a page's own
query found public, and only rows read as public are kept, so keeping them cannot show a draft.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from .snapshot import archive_state

ROW_TEMPLATE = "includes/_intervention_row.html"


@dataclass(frozen=True)
class Row:
    """One intervention's row, as HTML. Shown in a template as it is (it is already escaped)."""

    pk: int
    html: SafeString

    def __html__(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


def render_rows(interventions: Iterable) -> list[Row]:
    """The rows of these interventions (read with Intervention.objects.for_list()), rendered now."""
    template = get_template(ROW_TEMPLATE)
    # What the row needs from the page's context (config.context_processors.archive).
    context = {"CONTENT_LANGUAGE": settings.ARCHIVE_CONTENT_LANGUAGE}
    return [
        Row(intervention.pk, mark_safe(template.render({**context, "intervention": intervention})))  # noqa: S308
        for intervention in interventions
    ]


def kept_rows(ids: list[int], read_public: Callable[[list[int]], Iterable]) -> list[Row]:
    """The rows of the interventions with these ids, in this order: kept ones looked up, the others read with
    `read_public` (a function of ids returning those of them that are public), rendered and kept. An id that
    `read_public` does not return (withdrawn since the page's ids were found) is left out."""
    state = archive_state() if settings.ARCHIVE_KEEP_ROWS and settings.ARCHIVE_FACET_SNAPSHOT_SECONDS > 0 else None
    if state is None:
        return render_rows(read_public(ids))
    token, valid_until = state
    cache = caches["rows"]
    keys = {pk: f"archive-row:{token}:{get_language()}:{pk}" for pk in ids}
    found = cache.get_many(keys.values())
    rows = {pk: Row(pk, mark_safe(found[key])) for pk, key in keys.items() if key in found}  # noqa: S308
    missing = [pk for pk in ids if pk not in rows]
    if missing:
        rendered = render_rows(read_public(missing))
        lifetime = int((valid_until - timezone.now()).total_seconds())
        cache.set_many({keys[row.pk]: str(row.html) for row in rendered}, timeout=max(1, lifetime))
        rows.update((row.pk, row) for row in rendered)
    return [rows[pk] for pk in ids if pk in rows]
