"""Facet counts and active-filter chips for the intervention list.

Each facet is one query, whatever the number of options. Facets that combine
their values with OR (organisation) or take one value (hearing, type,
language) are counted under every filter except their own, so that ticking a
second option shows what it would add; themes combine with AND, so they are
counted under all the current filters.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, Count, F, Func, IntegerField, OuterRef, Q, Subquery, Value, When
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


def _count(queryset, field="pk", distinct=False):
    """COUNT over a (correlated) queryset, as a scalar subquery."""
    template = "%(function)s(DISTINCT %(expressions)s)" if distinct else "%(function)s(%(expressions)s)"
    count = Func(F(field), function="COUNT", template=template, output_field=IntegerField())
    return Subquery(queryset.order_by().annotate(n=count).values("n")[:1], output_field=IntegerField())


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


def organisation_facet(filterset):
    selected = _selected(filterset.form.cleaned_data, "organisation")
    results = filterset.filter_queryset(filterset.queryset.all(), exclude={"organisation", "sort"}).order_by()
    result_pks = results.values("pk")
    co_sponsorships = Intervention.on_behalf_of.through.objects.filter(intervention__in=result_pks)
    delivered = results.filter(organisation=OuterRef("pk"))
    # The delivering organisation sometimes also appears on behalf of itself: count it once.
    co_sponsored = co_sponsorships.filter(organisation=OuterRef("pk")).exclude(
        intervention__organisation=OuterRef("pk")
    )
    queryset = (
        Organisation.objects.filter(
            Q(pk__in=results.values("organisation")) | Q(pk__in=co_sponsorships.values("organisation"))
        )
        .annotate(n=_count(delivered) + _count(co_sponsored))
        .values("slug", "name", "acronym", "n")
    )
    options = [
        Option(
            row["slug"],
            f"{row['name']} ({row['acronym']})" if row["acronym"] else row["name"],
            row["n"],
            row["slug"] in selected,
        )
        for row in _rows(queryset, "slug", selected)
    ]
    return Facet("organisation", _("Organisation"), True, _with_missing_selected(options, selected))


def theme_facet(filterset):
    selected = _selected(filterset.form.cleaned_data, "theme")
    result_pks = filterset.filter_queryset(filterset.queryset.all(), exclude={"sort"}).order_by().values("pk")
    taggings = Intervention.themes.through.objects.filter(intervention__in=result_pks)
    # A broader theme counts the interventions tagged with it or any narrower theme, each once.
    tagged = taggings.filter(Q(theme=OuterRef("pk")) | Q(theme__parent=OuterRef("pk")))
    queryset = (
        Theme.objects.filter(Q(pk__in=taggings.values("theme")) | Q(pk__in=taggings.values("theme__parent")))
        .annotate(n=_count(tagged, "intervention", distinct=True))
        .values("slug", "name", "n")
    )
    options = [
        Option(row["slug"], row["name"], row["n"], row["slug"] in selected) for row in _rows(queryset, "slug", selected)
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
