"""Bar charts drawn on the server as SVG: the data behind them, and the geometry of their bars.

Every count starts from `Intervention.objects.published()`, and each chart is one query,
whatever the number of bars. `bar_chart()` is pure: rows in, bar geometry out.
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, ExpressionWrapper, F, IntegerField, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Intervention, Organisation

# The SVG's own coordinate system; CSS scales it to the page.
WIDTH = 400
LABEL_HEIGHT = 18
BAR_HEIGHT = 16
ROW_GAP = 10
ROW_HEIGHT = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
# Room right of the longest bar for its value.
VALUE_ROOM = 56
MAX_BARS = 12


@dataclass(frozen=True)
class Row:
    label: str
    value: int
    url: str
    value_text: str = ""
    # The label's own language, for names the archive does not translate (themes, hearings).
    lang: str = ""


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    value_text: str
    url: str
    lang: str
    y: int
    label_y: int
    width: int
    value_x: int


@dataclass(frozen=True)
class BarChart:
    slug: str
    title: str
    description: str
    column: str
    bars: list[Bar]
    width: int
    height: int
    bar_height: int = BAR_HEIGHT


def bar_chart(slug: str, title: str, column: str, rows: list[Row]) -> BarChart | None:
    """Horizontal bars, each under its label, the longest spanning the chart less room for its value.

    No rows, or only zeros, give no chart: an empty picture says nothing a sentence would not.
    """
    rows = rows[:MAX_BARS]
    largest = max((row.value for row in rows), default=0)
    if largest <= 0:
        return None
    span = WIDTH - VALUE_ROOM
    bars = []
    for index, row in enumerate(rows):
        top = index * ROW_HEIGHT
        # A bar for a non-zero value stays visible however small its share.
        width = round(span * row.value / largest) if row.value > 0 else 0
        width = max(width, 2) if row.value > 0 else 0
        value_text = row.value_text or number_format(row.value, force_grouping=True)
        bars.append(
            Bar(
                label=row.label,
                value=row.value,
                value_text=value_text,
                url=row.url,
                lang=row.lang,
                y=top + LABEL_HEIGHT,
                label_y=top + LABEL_HEIGHT - 5,
                width=width,
                value_x=width + 6,
            )
        )
    return BarChart(
        slug=slug,
        title=title,
        description=describe(title, bars),
        column=column,
        bars=bars,
        width=WIDTH,
        height=len(bars) * ROW_HEIGHT - ROW_GAP,
    )


def describe(title: str, bars: list[Bar]) -> str:
    """The chart in one sentence, for those who cannot see it: the largest bars and their values."""
    top = sorted(bars, key=lambda bar: -bar.value)[:3]
    listed = ", ".join(f"{bar.label} ({bar.value_text})" for bar in top)
    count = len(bars)
    return ngettext(
        "%(title)s: %(count)d bar. Largest: %(listed)s.",
        "%(title)s: %(count)d bars. Largest: %(listed)s.",
        count,
    ) % {"title": title, "count": count, "listed": listed}


def list_url(**params) -> str:
    query = urlencode({key: value for key, value in params.items() if value}, doseq=True)
    base = reverse("interventions:list")
    return f"{base}?{query}" if query else base


# The data behind the charts. `interventions` is always a queryset built on published().


@dataclass(frozen=True)
class CountedChart:
    """A chart in two steps: `count` runs its one query and gives plain rows, the same in every language (so
    whole-archive rows can be kept once for all of them: views.whole_archive_counts); `draw` turns rows into the
    chart in the active language. Called, it does both."""

    count: Callable[[QuerySet], list[dict]]
    draw: Callable[..., BarChart | None]

    def __call__(self, interventions, content_language: str = "", **url_params) -> BarChart | None:
        return self.draw(self.count(interventions), content_language, **url_params)


def _count_per_year(interventions) -> list[dict]:
    return list(
        interventions.order_by()
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(n=Count("pk", distinct=True))
        .order_by("year")
    )


def year_rows(counts_per_year) -> list[dict]:
    """The chart per year's rows from counts already made, (year, count) pairs: as its own query gives them."""
    return [{"year": year, "n": n} for year, n in sorted(counts_per_year) if n]


def _draw_per_year(rows, content_language: str = "", **url_params) -> BarChart | None:
    return bar_chart(
        "per-year",
        _("Interventions per year"),
        _("Year"),
        [
            Row(
                str(row["year"]),
                row["n"],
                list_url(date_from=f"{row['year']}-01-01", date_to=f"{row['year']}-12-31", **url_params),
            )
            for row in rows
        ],
    )


def _count_by_theme(interventions) -> list[dict]:
    taggings = Intervention.themes.through.objects.filter(intervention__in=interventions.order_by().values("pk"))
    return list(
        taggings.order_by()
        .values("theme__slug", "theme__name")
        # An intervention is tagged with a theme once at most (the tags' unique constraint), so its taggings count
        # interventions without DISTINCT, which made PostgreSQL sort every tag: 3.3 -> 1.3 s at 1M interventions.
        .annotate(n=Count("intervention"))
        .order_by("-n", "theme__name")[:MAX_BARS]
    )


def theme_rows(theme_counts, themes) -> list[dict]:
    """The by-theme chart's rows for the whole public archive, from counts already made (models.ThemeCounts):
    `themes` in the database's order of names, so that ties keep the order the chart's own ORDER BY gives them."""
    rows = [{"theme__slug": theme.slug, "theme__name": theme.name, "n": theme_counts.of(theme)} for theme in themes]
    # Python's sort is stable: equal counts stay in the database's order of names.
    return sorted((row for row in rows if row["n"]), key=lambda row: -row["n"])[:MAX_BARS]


def _draw_by_theme(rows, content_language: str = "", **url_params) -> BarChart | None:
    return bar_chart(
        "by-theme",
        _("Interventions by theme"),
        _("Theme"),
        [
            Row(row["theme__name"], row["n"], list_url(theme=row["theme__slug"], **url_params), lang=content_language)
            for row in rows
        ],
    )


def _count_by_organisation_type(interventions) -> list[dict]:
    return list(
        interventions.order_by()
        .values("organisation__type")
        .annotate(n=Count("pk", distinct=True))
        .order_by("-n", "organisation__type")
    )


def type_rows(counts_per_type) -> list[dict]:
    """The chart by type's rows from counts already made, {type: count}: as its own query orders them (most
    first, then by type; the types' codes are plain ASCII, which every collation orders as Python does)."""
    rows = [{"organisation__type": key, "n": n} for key, n in counts_per_type.items() if n]
    return sorted(rows, key=lambda row: (-row["n"], row["organisation__type"]))


def _draw_by_organisation_type(rows, content_language: str = "", **url_params) -> BarChart | None:
    labels = dict(Organisation.Type.choices)
    return bar_chart(
        "by-type",
        _("Interventions by type of organisation"),
        _("Type of organisation"),
        [
            Row(
                str(labels.get(row["organisation__type"], row["organisation__type"])),
                row["n"],
                list_url(type=row["organisation__type"], **url_params),
            )
            for row in rows
        ],
    )


per_year = CountedChart(_count_per_year, _draw_per_year)
by_theme = CountedChart(_count_by_theme, _draw_by_theme)
by_organisation_type = CountedChart(_count_by_organisation_type, _draw_by_organisation_type)


def speaking_share(organisation, content_language: str = "") -> BarChart | None:
    """Per hearing, the organisation's share of the timed speaking: its seconds over everyone's.

    Only interventions with both offsets count, on both sides of the fraction, so a hearing where
    few were timed is not misread as one where the organisation spoke little.
    """
    duration = ExpressionWrapper(F("end_offset") - F("start_offset"), output_field=IntegerField())
    timed = Intervention.objects.published().filter(start_offset__isnull=False, end_offset__isnull=False)
    rows = (
        timed.filter(hearing__in=timed.filter(organisation=organisation).values("hearing"))
        .order_by()
        .values("hearing__slug", "hearing__title", "hearing__start_date")
        .annotate(total=Sum(duration), own=Sum(duration, filter=Q(organisation=organisation)))
        .order_by("hearing__start_date", "hearing__title")
    )
    return bar_chart(
        "speaking-share",
        _("Share of speaking time per hearing"),
        _("Hearing"),
        [
            Row(
                row["hearing__title"],
                round(100 * (row["own"] or 0) / row["total"]),
                list_url(organisation=organisation.slug, hearing=row["hearing__slug"]),
                value_text=_("%(percent)s%%") % {"percent": number_format(100 * (row["own"] or 0) / row["total"], 1)},
                lang=content_language,
            )
            for row in rows
            if row["total"]
        ],
    )
