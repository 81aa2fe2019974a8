from urllib.parse import urlencode

from django.db.models import Count, Q
from django.db.models.functions import Coalesce, Substr, Upper
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import DetailView, ListView, TemplateView
from django_filters.views import FilterView

from config.pagination import ForgivingPaginationMixin, IdsFirstPaginator
from hearings.models import Hearing, Recording
from hearings.views import with_intervention_counts

from .facets import carried_params, chips, facets
from .filters import SORT_CHOICES, InterventionFilter, page_size_from
from .models import Intervention, Organisation, Theme

LATEST_HEARINGS = 5


def _taggings():
    return Intervention.themes.through.objects


def theme_tree():
    """Broader themes with their narrower ones as `narrower`; `total_count` counts both, each intervention once."""
    themes = list(Theme.objects.with_intervention_counts().order_by("name"))
    totals = dict(
        _taggings()
        .filter(intervention__in=Intervention.objects.published())
        .annotate(root=Coalesce("theme__parent", "theme"))
        .order_by()
        .values("root")
        .annotate(n=Count("intervention", distinct=True))
        .values_list("root", "n")
    )
    broader = [theme for theme in themes if theme.parent_id is None]
    for theme in broader:
        theme.narrower = [child for child in themes if child.parent_id == theme.pk]
        theme.total_count = totals.get(theme.pk, 0)
    return broader


def filtered_list_url(**params) -> str:
    return f"{reverse('interventions:list')}?{urlencode(params)}"


class HomeView(TemplateView):
    template_name = "interventions/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            intervention_count=Intervention.objects.published().count(),
            hearing_count=Hearing.objects.published().count(),
            organisation_count=Organisation.objects.public().count(),
            latest_hearings=with_intervention_counts(Hearing.objects.published())[:LATEST_HEARINGS],
            themes=theme_tree(),
        )
        return context


class InterventionListView(ForgivingPaginationMixin, FilterView):
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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.filterset.form
        context.update(
            facets=facets(self.filterset),
            carried_params=[] if form.is_valid() else carried_params(self.filterset, self.request.GET),
            chips=chips(self.filterset, self.request.GET),
            filter_errors=[
                f"{form.fields[name].label}: {error}" if name in form.fields else error
                for name, errors in form.errors.items()
                for error in errors
            ],
            sort_choices=SORT_CHOICES,
            current_sort=form.cleaned_data.get("sort") or "-date",
            page_size=self.get_paginate_by(None),
        )
        return context


class InterventionDetailView(DetailView):
    def get_queryset(self):
        return Intervention.objects.published().with_related()

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
        context["citation"] = intervention.citation(
            permalink=self.request.build_absolute_uri(intervention.get_absolute_url())
        )
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
        links = [{"url": reverse("interventions:detail", kwargs={"pk": pk}), "title": title} for _, pk, title in rows]
        index = next(i for i, row in enumerate(rows) if row[1] == intervention.pk)
        return (links[index - 1] if index > 0 else None), (links[index + 1] if index + 1 < len(links) else None)


class OrganisationListView(ForgivingPaginationMixin, ListView):
    template_name = "interventions/organisation_list.html"
    paginate_by = 50

    def get(self, request, *args, **kwargs):
        organisation_type = request.GET.get("type", "")
        self.organisation_type = organisation_type if organisation_type in Organisation.Type.values else ""
        letter = request.GET.get("letter", "").strip()
        self.letter = letter.upper() if len(letter) == 1 else ""
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        organisations = Organisation.objects.public()
        if self.organisation_type:
            organisations = organisations.filter(type=self.organisation_type)
        self.letters = sorted(
            set(
                organisations.order_by().annotate(initial=Upper(Substr("name", 1, 1))).values_list("initial", flat=True)
            )
        )
        if self.letter:
            organisations = organisations.filter(name__istartswith=self.letter)
        return organisations.with_intervention_counts().order_by("name")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            letters=self.letters,
            current_letter=self.letter,
            types=Organisation.Type.choices,
            current_type=self.organisation_type,
        )
        return context


class OrganisationDetailView(ForgivingPaginationMixin, ListView):
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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.organisation
        spoken_on = (
            _taggings()
            .filter(intervention__in=Intervention.objects.published().by_organisation(organisation).values("pk"))
            .order_by()
            .values("theme__slug", "theme__name")
            .annotate(n=Count("intervention", distinct=True))
            .order_by("-n", "theme__name")
        )
        public = Organisation.objects.public()
        context.update(
            organisation=organisation,
            # A network or member known only from drafts stays hidden, as on the organisation list.
            network=public.filter(pk=organisation.parent_id).first() if organisation.parent_id else None,
            members=list(public.filter(parent=organisation).order_by("name")),
            themes=[
                {
                    "name": row["theme__name"],
                    "count": row["n"],
                    "url": filtered_list_url(organisation=organisation.slug, theme=row["theme__slug"]),
                }
                for row in spoken_on
            ],
            list_url=filtered_list_url(organisation=organisation.slug),
        )
        return context


class ThemeListView(TemplateView):
    template_name = "interventions/theme_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["themes"] = theme_tree()
        return context


class ThemeDetailView(ForgivingPaginationMixin, ListView):
    """A theme's description, its narrower themes and, paginated, the interventions on it or on them."""

    template_name = "interventions/theme_detail.html"
    paginate_by = 20
    paginator_class = IdsFirstPaginator

    def get(self, request, *args, **kwargs):
        self.theme = get_object_or_404(Theme.objects.select_related("parent"), slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        tagged = _taggings().filter(Q(theme=self.theme) | Q(theme__parent=self.theme)).values("intervention")
        return Intervention.objects.published().filter(pk__in=tagged).for_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            theme=self.theme,
            narrower=self.theme.children.with_intervention_counts().order_by("name"),
            list_url=filtered_list_url(theme=self.theme.slug),
        )
        return context
