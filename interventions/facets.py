"""Facet counts and active-filter chips for the intervention list.

Each facet is one query, whatever the number of options. Facets that combine
their values with OR (organisation) or take one value (hearing, type,
language) are counted under every filter except their own, so that ticking a
second option shows what it would add; themes combine with AND, so they are
counted under all the current filters.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, Count, F, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .filters import InterventionFilter
from .models import CONTENT_LANGUAGES, Intervention, Organisation, Theme

TOP_OPTIONS = 15
MULTI_VALUED = {"organisation", "theme"}
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


def _rows(queryset, key, selected):
    """The selected options first, then the largest, enough to hold the top TOP_OPTIONS overall."""
    return list(
        queryset.annotate(
            is_selected=Case(When(**{f"{key}__in": list(selected)}, then=Value(1)), default=Value(0))
        ).order_by("-is_selected", "-n", key)[: TOP_OPTIONS + len(selected)]
    )


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
    choices = dict(CONTENT_LANGUAGES if name == "language" else Organisation.Type.choices)
    return {value: choices[value]}


def _with_missing_selected(options, selected):
    """A selected option the results no longer contain still shows, with 0."""
    present = {option.value for option in options}
    options += [Option(value, label, 0, True) for value, label in selected.items() if value not in present]
    return _trim(options)


def _top_keys(counts, selected_keys, tie_key):
    """The keys `_rows` would pick: selected first, then by count, ties broken by `tie_key`."""
    ranked = sorted(counts, key=lambda key: (key not in selected_keys, -counts[key], tie_key(key)))
    return ranked[: TOP_OPTIONS + len(selected_keys)]


def _organisation_counts(results):
    """Public interventions per organisation, delivered or on behalf of: two grouped queries in one UNION ALL.

    Counting in one pass over the results (rather than one correlated count per organisation) is what keeps the
    unfiltered list fast with tens of thousands of organisations.
    """
    delivered = results.values(key=F("organisation")).annotate(n=Count("pk")).order_by()
    # The delivering organisation sometimes also appears on behalf of itself: count it once.
    co_sponsored = (
        Intervention.on_behalf_of.through.objects.filter(intervention__in=results.values("pk"))
        .exclude(organisation=F("intervention__organisation"))
        .values(key=F("organisation"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {}
    for key, n in delivered.union(co_sponsored, all=True).values_list("key", "n"):
        counts[key] = counts.get(key, 0) + n
    return counts


def organisation_facet(filterset):
    selected = _selected(filterset.form.cleaned_data, "organisation")
    results = filterset.filter_queryset(filterset.queryset.all(), exclude={"organisation", "sort"}).order_by()
    counts = _organisation_counts(results)
    selected_pks = {organisation.pk for organisation in filterset.form.cleaned_data.get("organisation") or []}
    # Only the options that can be shown need their names; ties at the cut are broken by slug, as before.
    threshold = sorted((n for pk, n in counts.items() if pk not in selected_pks), reverse=True)[
        TOP_OPTIONS - 1 : TOP_OPTIONS
    ]
    candidates = [pk for pk, n in counts.items() if pk in selected_pks or not threshold or n >= threshold[0]]
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


def _theme_counts(results):
    """Public interventions per theme, a broader theme counting its narrower ones' too, each intervention once."""
    taggings = Intervention.themes.through.objects.filter(intervention__in=results.values("pk"))
    narrower = (
        taggings.filter(theme__parent__isnull=False).values(key=F("theme")).annotate(n=Count("intervention")).order_by()
    )
    broader = (
        taggings.annotate(key=Coalesce("theme__parent", "theme"))
        .values("key")
        .annotate(n=Count("intervention", distinct=True))
        .order_by()
    )
    return dict(narrower.union(broader, all=True).values_list("key", "n"))


def theme_facet(filterset):
    selected = _selected(filterset.form.cleaned_data, "theme")
    counts = _theme_counts(filterset.filter_queryset(filterset.queryset.all(), exclude={"sort"}).order_by())
    rows = {row["pk"]: row for row in Theme.objects.filter(pk__in=list(counts)).values("pk", "slug", "name")}
    selected_pks = {theme.pk for theme in filterset.form.cleaned_data.get("theme") or []}
    options = [
        Option(rows[pk]["slug"], rows[pk]["name"], counts[pk], pk in selected_pks)
        for pk in _top_keys({pk: counts[pk] for pk in rows}, selected_pks, lambda pk: rows[pk]["slug"])
    ]
    return Facet("theme", _("Theme"), True, _with_missing_selected(options, selected))


def _grouped_facet(filterset, name, label, key, label_key=None, choices=None):
    """A single-valued facet over a column of the intervention (or its delivering organisation)."""
    selected = _selected(filterset.form.cleaned_data, name)
    results = filterset.filter_queryset(filterset.queryset.all(), exclude={name, "sort"})
    fields = [key, label_key] if label_key else [key]
    queryset = results.order_by().values(*fields).annotate(n=Count("pk"))
    options = []
    for row in _rows(queryset, key, selected):
        option_label = row[label_key] if label_key else choices.get(row[key], row[key])
        options.append(Option(row[key], option_label, row["n"], row[key] in selected))
    return Facet(name, label, False, _with_missing_selected(options, selected))


def facets(filterset) -> list[Facet]:
    """Every facet of a validated filterset, in the order the sidebar shows them."""
    if not filterset.is_valid():
        return []
    return [
        organisation_facet(filterset),
        theme_facet(filterset),
        _grouped_facet(filterset, "hearing", _("Hearing"), "hearing__slug", label_key="hearing__title"),
        _grouped_facet(
            filterset, "type", _("Type of organisation"), "organisation__type", choices=dict(Organisation.Type.choices)
        ),
        _grouped_facet(filterset, "language", _("Language"), "language", choices=dict(CONTENT_LANGUAGES)),
    ]


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
