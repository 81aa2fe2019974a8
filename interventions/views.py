from functools import cached_property, partial
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView, TemplateView
from django_filters.views import FilterView

from config.addresses import address
from config.pagination import ForgivingPaginationMixin, IdsFirstPaginator, leading_slice
from hearings.models import Hearing, Recording
from hearings.views import PreviewMixin, with_intervention_counts, withdrawn_notice

from . import charts
from .facets import carried_params, chips, count_list
from .filters import (
    DEFAULT_SEARCH_SORT,
    DEFAULT_SORT,
    MAX_QUERY_LENGTH,
    SORT_CHOICES,
    SORT_ORDERS,
    InterventionFilter,
    page_size_from,
)
from .models import Intervention, Organisation, Theme
from .rows import kept_rows, render_rows
from .search import SearchQueryError, icontains_condition, parse, titles_rank_first, with_snippets
from .snapshot import (
    kept,
    public_counts_per_type,
    public_counts_per_year,
    public_intervention_count,
    public_organisation_count,
    public_organisation_initials,
    public_theme_counts,
    seek,
)

LATEST_HEARINGS = 5
SEARCH_SECTION_SIZE = 5


def _taggings():
    return Intervention.themes.through.objects


def theme_tree():
    """Broader themes with their narrower ones as `narrower`; `intervention_count` counts a theme's own
    interventions, `total_count` a broader theme's and its narrower themes', each intervention once."""
    counts = public_theme_counts()
    themes = list(Theme.objects.order_by("name"))
    for theme in themes:
        theme.intervention_count = counts.of(theme)
    broader = [theme for theme in themes if theme.parent_id is None]
    for theme in broader:
        theme.narrower = [child for child in themes if child.parent_id == theme.pk]
        theme.total_count = counts.including_narrower.get(theme.pk, 0)
    return broader


def filtered_list_url(**params) -> str:
    return f"{reverse('interventions:list')}?{urlencode(params)}"


def at_a_glance(interventions, *chart_functions, **url_params):
    """The charts that have something to show, each clicking through to the list filtered like the page."""
    language = settings.ARCHIVE_CONTENT_LANGUAGE
    drawn = (chart(interventions, content_language=language, **url_params) for chart in chart_functions)
    return [chart for chart in drawn if chart]


# The home page's charts: their rows are counted once for every language (whole_archive_counts), drawn per language.
HOME_CHARTS = (charts.per_year, charts.by_theme, charts.by_organisation_type)


def whole_archive_counts() -> dict:
    """What the home page says of the whole public archive, in no language yet: the counts, the theme tree and
    the charts' rows. Kept once for every language (snapshot.kept), since counting is what takes time."""
    return {
        "intervention_count": public_intervention_count(),
        "hearing_count": Hearing.objects.published().count(),
        "organisation_count": public_organisation_count(),
        # The theme list's own tree, counted once for both pages.
        "themes": kept_theme_tree(),
        # HOME_CHARTS' rows, from the counts the unfiltered list's snapshot holds (1.6-1.9 s less at 1M).
        "chart_rows": [
            charts.year_rows(public_counts_per_year()),
            charts.theme_rows(public_theme_counts(), Theme.objects.order_by("name")),
            charts.type_rows(public_counts_per_type()),
        ],
    }


def kept_home_counts() -> dict:
    """whole_archive_counts(), counted once per change to the archive for every language (snapshot.kept)."""
    return kept("home", whole_archive_counts, renew=True, per_language=False)


def kept_theme_tree():
    """theme_tree(), counted once per change to the archive for every language (themes are not translated)."""
    return kept("theme-tree", theme_tree, renew=True, per_language=False)


def whole_archive_summary(counted: dict) -> dict:
    """The home page's summary in the active language."""
    language = settings.ARCHIVE_CONTENT_LANGUAGE
    summary = {name: value for name, value in counted.items() if name != "chart_rows"}
    drawn = (chart.draw(rows, language) for chart, rows in zip(HOME_CHARTS, counted["chart_rows"], strict=True))
    return {**summary, "charts": [chart for chart in drawn if chart]}


class HomeView(TemplateView):
    template_name = "interventions/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(whole_archive_summary(kept_home_counts()))
        context["latest_hearings"] = with_intervention_counts(Hearing.objects.published())[:LATEST_HEARINGS]
        return context


def public_rows_by_id(ids):
    """Public interventions with what a list row shows. Once filters have found a page's ids, its rows are read by
    id: read through the filters again, SQLite rebuilt the list of every intervention on a theme for the twenty
    rows of a page (19-46 ms at 100,000 interventions, 4 ms by id)."""
    return Intervention.objects.published().for_list().filter(pk__in=ids)


def public_kept_rows(ids):
    """The rows of a page of public interventions as the lists show them: kept, or read by id and rendered."""
    return kept_rows(ids, public_rows_by_id)


def paginate_as_the_list(paginator, filterset, counted, rows_by_id=public_rows_by_id):
    """What makes the intervention list's pages fast, for the list page and the API alike: the kept count, deep
    pages of the unfiltered list from the snapshot's anchors, a one-word search's title matches first, rows by id."""
    paginator.count = counted.total
    cleaned = filterset.form.cleaned_data
    if counted.snapshot and cleaned.get("sort") in ("", DEFAULT_SORT, DEFAULT_SEARCH_SORT):
        paginator.seek = partial(seek, counted.snapshot)
    else:
        paginator.leading = filterset.leading_results()
    paginator.rows_by_id = rows_by_id
    return paginator


class PublicRowsById:
    """Pages of public interventions chosen by filters, shown as their kept rows (public_kept_rows)."""

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        paginator.rows_by_id = public_kept_rows
        return paginator


class InterventionListView(PublicRowsById, ForgivingPaginationMixin, FilterView):
    filterset_class = InterventionFilter
    template_name = "interventions/intervention_list.html"
    paginator_class = IdsFirstPaginator

    def get_queryset(self):
        return Intervention.objects.published().for_list()

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        # Always bound, so the default sort order applies to a bare /interventions/ too.
        kwargs["data"] = self.request.GET
        return kwargs

    def get_paginate_by(self, queryset):
        return page_size_from(self.request.GET)

    @cached_property
    def counted(self):
        """The results' number and facets, counted once; None when the filters are invalid (no results)."""
        if not self.filterset.is_valid():
            return None
        return count_list(self.filterset, with_facets=not self.wants_results_only())

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        if self.counted is not None:
            # A search's rows show where each matched, so they are rendered for that search (get_context_data).
            rows_by_id = public_rows_by_id if self.filterset.form.cleaned_data.get("q") else public_kept_rows
            paginate_as_the_list(paginator, self.filterset, self.counted, rows_by_id)
        return paginator

    def wants_results_only(self) -> bool:
        # htmx asks for the results alone as filters change; a history restore needs the whole page.
        headers = self.request.headers
        return headers.get("HX-Request") == "true" and headers.get("HX-History-Restore-Request") != "true"

    def get_template_names(self):
        return [f"{self.template_name}#results"] if self.wants_results_only() else [self.template_name]

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        # The same address answers a whole page or only its results: caches must keep them apart.
        patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.filterset.form
        searching = bool(form.is_valid() and form.cleaned_data.get("q"))
        if searching:
            page = context["page_obj"]
            page.object_list = render_rows(with_snippets(page.object_list, form.cleaned_data["q"]))
        context.update(
            # The sidebar is not re-rendered for htmx, so its facets are not counted either.
            facets=self.counted.facets if self.counted else [],
            carried_params=[] if form.is_valid() else carried_params(self.filterset, self.request.GET),
            chips=chips(self.filterset, self.request.GET),
            filter_errors=[
                f"{form.fields[name].label}: {error}" if name in form.fields else error
                for name, errors in form.errors.items()
                for error in errors
            ],
            sort_choices=[choice for choice in SORT_CHOICES if choice[0] != "relevance" or searching],
            current_sort=form.cleaned_data.get("sort") or self.filterset.default_sort,
            page_size=self.get_paginate_by(None),
            download_query=self.download_query(),
            download_texts_query=self.download_query(texts=True),
        )
        return context

    def download_query(self, texts: bool = False) -> str:
        """The page's filters and sort order, without its pagination: what exports and feeds take."""
        params = self.request.GET.copy()
        for name in ("page", "page_size", "texts"):
            params.pop(name, None)
        if texts:
            params["texts"] = "1"
        query = params.urlencode()
        return f"?{query}" if query else ""


class InterventionDetailView(PreviewMixin, DetailView):
    def get_queryset(self):
        return Intervention.objects.published().with_related()

    def get_preview_queryset(self):
        return Intervention.objects.with_related()

    def get_object(self, queryset=None):
        intervention = super().get_object(queryset)
        if intervention.session_id:
            # The session's link names its hearing: the one already read with the intervention, not a second query.
            intervention.session.hearing = intervention.hearing
        return intervention

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # A permalink someone may have cited says what happened instead of vanishing.
            withdrawn = Intervention.objects.withdrawn().filter(pk=kwargs["pk"]).only("title").first()
            if withdrawn is None:
                raise
            return withdrawn_notice(request, withdrawn, reverse("interventions:list"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        intervention = self.object
        context["previous"], context["next"] = self.neighbours(intervention)
        context["hearing_recordings"] = (
            []
            if intervention.session_id
            else Recording.objects.filter(session__hearing=intervention.hearing_id)
            .select_related("session")
            .order_by("session__order", "order")
        )
        context["permalink"] = self.request.build_absolute_uri(intervention.get_absolute_url())
        context["citation"] = intervention.citation(permalink=context["permalink"], accessed=timezone.localdate())
        return context

    @staticmethod
    def neighbours(intervention):
        """The published interventions before and after this one in its session (or, without one, its hearing)."""
        siblings = Intervention.objects.published().filter(hearing=intervention.hearing_id)
        if intervention.session_id:
            siblings = siblings.filter(session=intervention.session_id)
        else:
            siblings = siblings.filter(session__isnull=True)
        rows = sorted(
            siblings.values_list("order", "pk", "title"),
            key=lambda row: (row[0] is None, row[0] or 0, row[1]),
        )
        index = next((i for i, row in enumerate(rows) if row[1] == intervention.pk), None)
        if index is None:  # a preview: the intervention is not among the public ones
            return None, None

        def link(position):
            if not 0 <= position < len(rows):
                return None
            _, pk, title = rows[position]
            return {"url": address("interventions:detail", pk=pk), "title": title}

        return link(index - 1), link(index + 1)


def public_organisations(organisation_type: str = "", letter: str = ""):
    """The public organisations of a type (all types if none) whose names start with the letter (any if none)."""
    organisations = Organisation.objects.public()
    if organisation_type:
        organisations = organisations.filter(type=organisation_type)
    return organisations.filter(name__istartswith=letter) if letter else organisations


def organisation_list_counts(organisation_type: str = "", letter: str = "") -> dict:
    """The initials of the public organisations of a type (all types if none), and how many the list of that type
    and letter holds. Which organisations are public depends on every public intervention (2.9 s at 1M), so the
    unfiltered list's snapshot keeps each type's initials and their counts (counted again in the background after
    each change, recount.py); a letter's count is kept per change, once for every language."""
    initials = [
        (initial, n)
        for kind, initial, n in public_organisation_initials()
        if not organisation_type or kind == organisation_type
    ]
    if letter:
        # Counted as the list filters, not read from the initials: the database's and Python's upper case differ.
        key = f"organisations:{organisation_type}:{ord(letter)}"  # the letter's code point keeps the key plain
        count = kept(key, public_organisations(organisation_type, letter).count, renew=True, per_language=False)
    else:
        count = sum(n for _initial, n in initials)
    return {"letters": sorted({initial for initial, _n in initials}), "count": count}


class OrganisationListView(ForgivingPaginationMixin, ListView):
    template_name = "interventions/organisation_list.html"
    paginate_by = 50
    # Each row's counts are computed for the page's fifty organisations only, not for every one skipped before
    # it: page 3,000 of 100,000 organisations took 9.8 s, counting 150,000 of them.
    paginator_class = IdsFirstPaginator

    def get(self, request, *args, **kwargs):
        organisation_type = request.GET.get("type", "")
        self.organisation_type = organisation_type if organisation_type in Organisation.Type.values else ""
        letter = request.GET.get("letter", "").strip()
        self.letter = ""
        if len(letter) == 1:
            # One character stays one: Python upper-cases "ß" to "SS", which the database's upper case never does.
            self.letter = letter.upper() if len(letter.upper()) == 1 else letter
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return public_organisations(self.organisation_type, self.letter).with_intervention_counts().order_by("name")

    @cached_property
    def public_counts(self) -> dict:
        return organisation_list_counts(self.organisation_type, self.letter)

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        paginator.count = self.public_counts["count"]
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            letters=self.public_counts["letters"],
            current_letter=self.letter,
            types=Organisation.Type.choices,
            current_type=self.organisation_type,
        )
        return context


class OrganisationDetailView(PublicRowsById, ForgivingPaginationMixin, ListView):
    """An organisation's facts and, paginated, every public intervention it delivered or co-sponsored."""

    template_name = "interventions/organisation_detail.html"
    paginate_by = 20
    paginator_class = IdsFirstPaginator

    def get(self, request, *args, **kwargs):
        self.organisation = get_object_or_404(
            Organisation.objects.public().select_related("parent"), slug=kwargs["slug"]
        )
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return Intervention.objects.published().by_organisation(self.organisation).for_list()

    @cached_property
    def summary(self) -> dict:
        """Counted over everything the organisation said: kept per change to the archive, looked up once."""
        return kept(f"organisation-summary:{self.organisation.pk}", lambda: organisation_summary(self.organisation))

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        paginator.count = self.summary["intervention_count"]
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.organisation
        public = Organisation.objects.public()
        context.update(
            organisation=organisation,
            # A network or member known only from drafts stays hidden, as on the organisation list.
            network=public.filter(pk=organisation.parent_id).first() if organisation.parent_id else None,
            members=list(public.filter(parent=organisation).order_by("name")),
            list_url=filtered_list_url(organisation=organisation.slug),
            themes=self.summary["themes"],
            charts=self.summary["charts"],
        )
        return context


def organisation_summary(organisation) -> dict:
    """How many public interventions an organisation delivered or backed, the themes it spoke on, and its charts."""
    public = Intervention.objects.published().by_organisation(organisation)
    spoken_on = (
        _taggings()
        .filter(intervention__in=public.values("pk"))
        .order_by()
        .values("theme__slug", "theme__name")
        # A theme tags an intervention once at most: its taggings count interventions without DISTINCT.
        .annotate(n=Count("intervention"))
        .order_by("-n", "theme__name")
    )
    return {
        "intervention_count": public.count(),
        "themes": [
            {
                "name": row["theme__name"],
                "count": row["n"],
                "url": filtered_list_url(organisation=organisation.slug, theme=row["theme__slug"]),
            }
            for row in spoken_on
        ],
        "charts": at_a_glance(
            public,
            charts.per_year,
            organisation=organisation.slug,
        )
        + [share for share in [charts.speaking_share(organisation, settings.ARCHIVE_CONTENT_LANGUAGE)] if share],
    }


class ThemeListView(TemplateView):
    template_name = "interventions/theme_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["themes"] = kept_theme_tree()
        return context


class ThemeDetailView(PublicRowsById, ForgivingPaginationMixin, ListView):
    """A theme's description, its narrower themes and, paginated, the interventions on it or on them."""

    template_name = "interventions/theme_detail.html"
    paginate_by = 20
    paginator_class = IdsFirstPaginator

    def get(self, request, *args, **kwargs):
        self.theme = get_object_or_404(Theme.objects.select_related("parent"), slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def on_theme(self):
        tagged = _taggings().filter(Q(theme=self.theme) | Q(theme__parent=self.theme)).values("intervention")
        return Intervention.objects.published().filter(pk__in=tagged)

    def get_queryset(self):
        return self.on_theme().for_list()

    @cached_property
    def summary(self) -> dict:
        """Counted over everything on the theme (3 s for a broad theme at a million interventions): kept per change
        to the archive, as an organisation's."""

        def count():
            return {
                "intervention_count": self.on_theme().count(),
                "narrower": self.theme.children.order_by("name").list_with_intervention_counts(),
                "charts": at_a_glance(
                    self.on_theme(), charts.per_year, charts.by_organisation_type, theme=self.theme.slug
                ),
            }

        return kept(f"theme-summary:{self.theme.pk}", count)

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        paginator.count = self.summary["intervention_count"]
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            theme=self.theme,
            narrower=self.summary["narrower"],
            list_url=filtered_list_url(theme=self.theme.slug),
            charts=self.summary["charts"],
        )
        return context


class SearchView(TemplateView):
    """The whole archive at once: the best few hearings, organisations and interventions for a query."""

    template_name = "interventions/search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "")[:MAX_QUERY_LENGTH].strip()
        context["q"] = query
        if "q" not in self.request.GET:
            return context
        try:
            parsed = parse(query)
        except SearchQueryError as error:
            context["search_error"] = str(error)
            return context
        interventions = Intervention.objects.published().search(parsed)
        hearings = Hearing.objects.published().filter(
            icontains_condition(parsed, ["title", "description", "convened_by", "organised_by", "location"])
        )
        organisations = Organisation.objects.public().filter(
            icontains_condition(parsed, ["name", "acronym", "description", "country"])
        )
        context["sections"] = [
            {
                "id": "hearings",
                "title": _("Hearings"),
                "count": hearings.count(),
                "items": self.ranked(with_intervention_counts(hearings), parsed, "title", ["-start_date"]),
            },
            {
                "id": "organisations",
                "title": _("Organisations"),
                "count": organisations.count(),
                "items": self.ranked(organisations.with_intervention_counts(), parsed, "name", ["-intervention_count"]),
            },
            {
                "id": "interventions",
                "title": _("Interventions"),
                "count": interventions.count(),
                "items": with_snippets(self.best_interventions(parsed), parsed),
                "see_all": filtered_list_url(q=query),
            },
        ]
        return context

    @staticmethod
    def best_interventions(parsed) -> list:
        """The first few matches by relevance: those with the query in their titles, when it has one word."""
        order = SORT_ORDERS[DEFAULT_SEARCH_SORT]
        published = Intervention.objects.published().for_list()
        in_titles = published.search(parsed, in_titles=True).order_by(*order) if titles_rank_first(parsed) else None
        return leading_slice(published.search(parsed).order_by(*order), in_titles, 0, SEARCH_SECTION_SIZE)

    @staticmethod
    def ranked(queryset, parsed, name_field, then):
        """Those whose name holds every word first: a short list, so a name match is what matters."""
        in_name = icontains_condition(parsed, [name_field])
        return queryset.annotate(
            name_match=Case(When(in_name, then=Value(1)), default=Value(0), output_field=IntegerField())
        ).order_by("-name_match", *then, name_field)[:SEARCH_SECTION_SIZE]
