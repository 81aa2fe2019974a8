"""Facet counts and active-filter chips for the intervention list.

Each facet is one query, whatever the number of options. Facets that combine
their values with OR (organisation) or take one value (hearing, type,
language) are counted under every filter except their own, so that ticking a
second option shows what it would add; themes combine with AND, so they are
counted under all the current filters.
"""

import hashlib
import heapq
import json
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hearings.models import Hearing

from .filters import InterventionFilter
from .models import CONTENT_LANGUAGE_NAMES, FacetSnapshot, Intervention, Organisation, Theme
from .snapshot import kept, unfiltered_snapshot

TOP_OPTIONS = 15
MULTI_VALUED = {"organisation", "theme"}
FACET_NAMES = ("organisation", "theme", "hearing", "type", "language")
FACET_LABELS = {
    "organisation": _("Organisation"),
    "theme": _("Theme"),
    "hearing": _("Hearing"),
    "type": _("Type of organisation"),
    "language": _("Language"),
}
CHOICE_LABELS = {"type": dict(Organisation.Type.choices), "language": CONTENT_LANGUAGE_NAMES}
CHIP_FILTERS = ["q", "organisation", "theme", "hearing", "type", "language", "date_from", "date_to"]
CHIP_PREFIXES = {
    "q": _("Search"),
    "organisation": _("Organisation"),
    "theme": _("Theme"),
    "hearing": _("Hearing"),
    "type": _("Type"),
    "language": _("Language"),
    "date_from": _("From"),
    "date_to": _("To"),
}


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    name: str
    label: str
    multiple: bool
    options: list[Option]

    @property
    def has_selection(self) -> bool:
        return any(option.selected for option in self.options)


@dataclass
class Chip:
    prefix: str
    label: str
    url: str
    # Theme names and hearing titles are in the curators' language, not necessarily the interface's.
    lang: str = ""


def _trim(options):
    """The top TOP_OPTIONS by count, plus every selected option, largest first."""
    options.sort(key=lambda option: (-option.count, str(option.label).lower()))
    return [option for rank, option in enumerate(options) if rank < TOP_OPTIONS or option.selected]


def _selected(cleaned, name):
    value = cleaned.get(name)
    if value in (None, ""):
        return {}
    if name in MULTI_VALUED:
        return {item.slug: str(item) for item in value}
    if name == "hearing":
        return {value.slug: value.title}
    return {value: CHOICE_LABELS[name][value]}


def _with_missing_selected(options, selected):
    """A selected option the results no longer contain still shows, with 0."""
    present = {option.value for option in options}
    options += [Option(value, label, 0, True) for value, label in selected.items() if value not in present]
    return _trim(options)


def _top_keys(counts, selected_keys, tie_key):
    """The keys to show: selected first, then by count, ties broken by `tie_key`."""
    ranked = sorted(counts, key=lambda key: (key not in selected_keys, -counts[key], tie_key(key)))
    return ranked[: TOP_OPTIONS + len(selected_keys)]


def _candidates(counts, selected_keys):
    """The keys that can be shown, whose labels must be read: the selected ones, and the others that count at
    least as many as the TOP_OPTIONS-th largest of them. All ties at that cut are kept: they are ranked by slug,
    which is only known once read.

    An organisation's filter counts every other organisation for its facet, some 19,000 at a million
    interventions: finding the cut without sorting them all takes 1.9 ms where sorting took 3.7 ms.
    """
    others = [n for key, n in counts.items() if key not in selected_keys]
    if len(others) < TOP_OPTIONS:
        return list(counts)
    cut = heapq.nlargest(TOP_OPTIONS, others)[-1]
    return [key for key, n in counts.items() if n >= cut or key in selected_keys]


# ---------------------------------------------------------------- counting
#
# The filters are applied once per distinct set of results: every facet without a selection (and themes, which
# combine with AND) counts the fully filtered results, each other facet the results without its own filter. The
# results become a materialised common table expression and every facet counted over it is one GROUP BY branch
# of a single UNION ALL, so the filters, the visibility rule and any search match run once rather than once
# per facet.

# The columns of the results each facet groups by, as aliases in the common table expression.
RESULT_COLUMNS = {
    "pk": ("r_id", F("pk")),
    "organisation": ("r_organisation", F("organisation_id")),
    "hearing": ("r_hearing", F("hearing_id")),
    "type": ("r_type", F("organisation__type")),
    "language": ("r_language", F("language")),
}


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _branches(name) -> list[str]:
    """SELECT branches yielding (facet, number key, text key, count) rows for one facet, over the results `r`."""
    if name == "total":
        return ["SELECT 'total', CAST(NULL AS BIGINT), CAST(NULL AS TEXT), COUNT(*) FROM r"]
    if name == "organisation":
        co_sponsorships = _table(Intervention.on_behalf_of.through)
        return [
            "SELECT 'organisation', r_organisation, CAST(NULL AS TEXT), COUNT(*) FROM r GROUP BY r_organisation",
            # The delivering organisation sometimes also appears on behalf of itself: count it once.
            f"SELECT 'organisation', c.organisation_id, CAST(NULL AS TEXT), COUNT(*) FROM {co_sponsorships} c "  # noqa: S608 - table names only
            "JOIN r ON r.r_id = c.intervention_id WHERE c.organisation_id <> r.r_organisation "
            "GROUP BY c.organisation_id",
        ]
    if name == "theme":
        # Over `tagged` (_tagged_results): a narrower theme counts its own interventions; a broader one its own
        # and its narrower themes', each intervention once.
        return [
            "SELECT 'theme', theme, CAST(NULL AS TEXT), COUNT(*) FROM tagged WHERE parent IS NOT NULL GROUP BY theme",
            "SELECT 'theme', root, CAST(NULL AS TEXT), COUNT(*) "
            "FROM (SELECT DISTINCT intervention, COALESCE(parent, theme) AS root FROM tagged) AS roots GROUP BY root",
        ]
    if name == "hearing":
        return ["SELECT 'hearing', r_hearing, CAST(NULL AS TEXT), COUNT(*) FROM r GROUP BY r_hearing"]
    column = RESULT_COLUMNS[name][0]
    return [f"SELECT '{name}', CAST(NULL AS BIGINT), {column}, COUNT(*) FROM r GROUP BY {column}"]  # noqa: S608


def _tagged_results() -> str:
    """The results' theme tags with each theme's broader theme, joined once for both theme branches."""
    taggings, themes = _table(Intervention.themes.through), _table(Theme)
    return (
        "tagged AS MATERIALIZED (SELECT t.intervention_id AS intervention, t.theme_id AS theme, th.parent_id AS parent "  # noqa: S608
        f"FROM {taggings} t JOIN r ON r.r_id = t.intervention_id JOIN {themes} th ON th.id = t.theme_id)"
    )


def _count_over(results, names) -> dict[str, dict]:
    """Counts per option of each named facet (and 'total') over one set of results, in one query."""
    columns = {"pk"} | {name for name in names if name in RESULT_COLUMNS}
    selected = dict(RESULT_COLUMNS[column] for column in sorted(columns))
    sql, params = results.order_by().values(**selected).query.sql_with_params()
    tables = [f"r AS MATERIALIZED ({sql})", *([_tagged_results()] if "theme" in names else [])]
    branches = [branch for name in names for branch in _branches(name)]
    counts = {name: {} for name in names}
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(tables)} " + " UNION ALL ".join(branches), params)  # noqa: S608
        for name, number_key, text_key, n in cursor.fetchall():
            key = number_key if text_key is None else text_key
            counts[name][key] = counts[name].get(key, 0) + n
    counts.get("total", {}).setdefault(None, 0)
    return counts


def _has_value(cleaned, name) -> bool:
    value = cleaned.get(name)
    if value is None or isinstance(value, str):
        return bool(value)
    # An empty multiple choice is an empty queryset: bool() of `none()` asks the database nothing.
    return bool(value) if hasattr(value, "__iter__") else True


def count_results(filterset, names=FACET_NAMES) -> dict[str, dict]:
    """Counts per option of the named facets, and the number of results ('total'), of a valid filterset.

    Facets with a selection (but themes) are counted without their own filter, so that ticking a second
    option shows what it would add.
    """
    cleaned = filterset.form.cleaned_data
    by_exclusion = {}
    for name in ["total", *names]:
        own_filter = name not in {"total", "theme"} and _has_value(cleaned, name)
        by_exclusion.setdefault(frozenset({name, "sort"} if own_filter else {"sort"}), []).append(name)
    counts = {}
    for exclude, group in by_exclusion.items():
        results = filterset.filter_queryset(filterset.queryset.all(), exclude=exclude)
        counts.update(_count_over(results, group))
    return counts


# ---------------------------------------------------------------- options


def _organisation_facet(counts, cleaned):
    selected = _selected(cleaned, "organisation")
    selected_pks = {organisation.pk for organisation in cleaned.get("organisation") or []}
    candidates = _candidates(counts, selected_pks)
    rows = {
        row["pk"]: row for row in Organisation.objects.filter(pk__in=candidates).values("pk", "slug", "name", "acronym")
    }
    options = [
        Option(
            rows[pk]["slug"],
            f"{rows[pk]['name']} ({rows[pk]['acronym']})" if rows[pk]["acronym"] else rows[pk]["name"],
            counts[pk],
            rows[pk]["slug"] in selected,
        )
        for pk in _top_keys({pk: counts[pk] for pk in rows}, selected_pks, lambda pk: rows[pk]["slug"])
    ]
    return Facet("organisation", _("Organisation"), True, _with_missing_selected(options, selected))


def _theme_facet(counts, cleaned):
    selected = _selected(cleaned, "theme")
    rows = {row["pk"]: row for row in Theme.objects.filter(pk__in=list(counts)).values("pk", "slug", "name")}
    selected_pks = {theme.pk for theme in cleaned.get("theme") or []}
    options = [
        Option(rows[pk]["slug"], rows[pk]["name"], counts[pk], pk in selected_pks)
        for pk in _top_keys({pk: counts[pk] for pk in rows}, selected_pks, lambda pk: rows[pk]["slug"])
    ]
    return Facet("theme", _("Theme"), True, _with_missing_selected(options, selected))


def _hearing_facet(counts, cleaned):
    selected = _selected(cleaned, "hearing")
    selected_pks = {cleaned["hearing"].pk} if selected else set()
    candidates = _candidates(counts, selected_pks)
    rows = {row["pk"]: row for row in Hearing.objects.filter(pk__in=candidates).values("pk", "slug", "title")}
    options = [
        Option(rows[pk]["slug"], rows[pk]["title"], counts[pk], pk in selected_pks)
        for pk in _top_keys({pk: counts[pk] for pk in rows}, selected_pks, lambda pk: rows[pk]["slug"])
    ]
    return Facet("hearing", _("Hearing"), False, _with_missing_selected(options, selected))


def _choice_facet(name, counts, cleaned):
    """Organisation type or language: a fixed list of choices, labelled in the visitor's language."""
    selected = _selected(cleaned, name)
    labels = CHOICE_LABELS[name]
    options = [
        Option(key, labels.get(key, key), counts[key], key in selected)
        for key in _top_keys(counts, set(selected), lambda key: key)
    ]
    return Facet(name, FACET_LABELS[name], False, _with_missing_selected(options, selected))


def build_facets(counts, cleaned) -> list[Facet]:
    """The sidebar's facets, in order, from counts per option."""
    return [
        _organisation_facet(counts["organisation"], cleaned),
        _theme_facet(counts["theme"], cleaned),
        _hearing_facet(counts["hearing"], cleaned),
        _choice_facet("type", counts["type"], cleaned),
        _choice_facet("language", counts["language"], cleaned),
    ]


def is_unfiltered(filterset) -> bool:
    """No filter and no search: the whole public archive, whatever its order."""
    return filterset.is_valid() and not any(_has_value(filterset.form.cleaned_data, name) for name in CHIP_FILTERS)


def facets(filterset) -> list[Facet]:
    """Every facet of a validated filterset, in the order the sidebar shows them, counted live."""
    if not filterset.is_valid():
        return []
    return build_facets(count_results(filterset), filterset.form.cleaned_data)


@dataclass
class Counted:
    """What the list counts: its results, and its facets unless only the results are asked for."""

    total: int
    facets: list[Facet]
    # The snapshot the counts came from, when the list is unfiltered: deep pages seek with its anchors.
    snapshot: FacetSnapshot | None = None


def snapshot_facets(snapshot) -> list[Facet]:
    """The facets stored in a snapshot, with the fixed choices labelled in the visitor's language."""
    return [
        Facet(
            name,
            FACET_LABELS[name],
            name in MULTI_VALUED,
            _trim(
                [
                    Option(value, CHOICE_LABELS[name].get(value, value) if name in CHOICE_LABELS else label, n, False)
                    for value, label, n in snapshot.facets.get(name, [])
                ]
            ),
        )
        for name in FACET_NAMES
    ]


def count_list(filterset, with_facets=True) -> Counted:
    """The number of results and the facets of a valid filterset; the unfiltered list's come from its snapshot."""
    if is_unfiltered(filterset) and settings.ARCHIVE_FACET_SNAPSHOT_SECONDS > 0:
        snapshot = unfiltered_snapshot()
        return Counted(snapshot.total, snapshot_facets(snapshot) if with_facets else [], snapshot)
    names = FACET_NAMES if with_facets else ()
    # The same filters give the same counts until the archive changes: kept, so a popular filter (an
    # organisation's or a theme's list, linked from its page) is counted once per change.
    searched = bool(filterset.form.cleaned_data.get("q"))
    counts = kept(f"counts:{filter_key(filterset, names)}", lambda: count_results(filterset, names), per_edit=searched)
    total = counts["total"][None]
    return Counted(total, build_facets(counts, filterset.form.cleaned_data) if with_facets else [])


def filter_key(filterset, names) -> str:
    """The filters' values, in a canonical order, as a short digest: equal for equal results."""
    cleaned = filterset.form.cleaned_data
    state = {name: sorted(_selected(cleaned, name)) for name in FACET_NAMES}
    state.update(
        q=cleaned.get("q") or "",
        date_from=str(cleaned.get("date_from") or ""),
        date_to=str(cleaned.get("date_to") or ""),
        names=list(names),
    )
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


def carried_params(filterset, params) -> list[tuple[str, str]]:
    """When invalid input hides the facets, the form still carries their valid values as hidden fields."""
    names = ["organisation", "theme", "hearing", "type", "language"]
    return [
        (name, value)
        for name in names
        if name not in filterset.form.errors
        for value in (params.getlist(name) if name in MULTI_VALUED else params.getlist(name)[-1:])
    ]


def chips(filterset: InterventionFilter, params) -> list[Chip]:
    """One removable chip per active filter value; each links to the same list without that value."""
    cleaned = filterset.form.cleaned_data if filterset.is_bound else {}
    list_url = reverse("interventions:list")
    result = []
    for name in CHIP_FILTERS:
        values = [value for value in params.getlist(name) if value.strip()]
        if name not in MULTI_VALUED:
            # A repeated single-valued parameter means its last value, as QueryDict.get() reads it.
            values = values[-1:]
        labels = _selected(cleaned, name) if name in MULTI_VALUED or name in {"hearing", "type", "language"} else {}
        for value in dict.fromkeys(values):
            remaining = params.copy()
            remaining.pop("page", None)
            if name in MULTI_VALUED:
                remaining.setlist(name, [other for other in params.getlist(name) if other != value])
            else:
                remaining.pop(name, None)
            query = remaining.urlencode()
            label = labels.get(value, value)
            lang = settings.ARCHIVE_CONTENT_LANGUAGE if name in {"theme", "hearing"} else ""
            result.append(Chip(CHIP_PREFIXES[name], label, f"{list_url}?{query}" if query else list_url, lang))
    return result
