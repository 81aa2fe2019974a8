"""The one InterventionFilter: used by the list page, and later by the exports and the API."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hearings.models import Hearing

from .models import CONTENT_LANGUAGES, Intervention, Organisation, Theme
from .search import SearchQueryError, parse, titles_rank_first

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_QUERY_LENGTH = 500
CO_SPONSORED_AS_IDS = 5000

SORT_ORDERS = {
    # Only with a search; without one, relevance means the default order.
    "relevance": ("-search_rank", "-date", "id"),
    "-date": ("-date", "hearing_id", "session__order", "order", "id"),
    "date": ("date", "hearing_id", "session__order", "order", "id"),
    "title": ("title", "-date", "id"),
    "organisation": ("organisation__name", "-date", "id"),
}
SORT_CHOICES = [
    ("relevance", _("Relevance")),
    ("-date", _("Newest first")),
    ("date", _("Oldest first")),
    ("title", _("Title")),
    ("organisation", _("Organisation")),
]
DEFAULT_SORT = "-date"
DEFAULT_SEARCH_SORT = "relevance"


def page_size_from(data) -> int:
    """`page_size` from a query dict: at most MAX_PAGE_SIZE; anything unreadable gives the default."""
    try:
        size = int(data.get("page_size", DEFAULT_PAGE_SIZE))
    except (TypeError, ValueError):
        return DEFAULT_PAGE_SIZE
    return DEFAULT_PAGE_SIZE if size < 1 else min(size, MAX_PAGE_SIZE)


class SearchField(forms.CharField):
    """Cuts overlong input instead of rejecting it (a pasted paragraph is still a fair search),
    and explains a query that cannot be searched."""

    def to_python(self, value):
        return super().to_python(value)[:MAX_QUERY_LENGTH]

    def validate(self, value):
        super().validate(value)
        if value:
            try:
                parse(value)
            except SearchQueryError as error:
                raise ValidationError(str(error), code="invalid_search") from error


class SortField(forms.ChoiceField):
    """An unknown sort order falls back to the default rather than emptying the results."""

    def validate(self, value):
        pass

    def clean(self, value):
        value = self.to_python(value)
        return value if value in SORT_ORDERS else ""


class SearchFilter(django_filters.CharFilter):
    field_class = SearchField


class SortFilter(django_filters.ChoiceFilter):
    field_class = SortField


def _co_sponsorships():
    return Intervention.on_behalf_of.through.objects


def _taggings():
    return Intervention.themes.through.objects


class InterventionFilter(django_filters.FilterSet):
    """Every filter and sort order of the intervention list, expressed without joins that duplicate rows."""

    organisation = django_filters.ModelMultipleChoiceFilter(
        label=_("Organisation"),
        queryset=lambda request: Organisation.objects.public(),
        to_field_name="slug",
        method="filter_organisation",
        error_messages={"invalid_choice": _("No organisation called “%(value)s”.")},
    )
    theme = django_filters.ModelMultipleChoiceFilter(
        label=_("Theme"),
        queryset=Theme.objects.all(),
        to_field_name="slug",
        method="filter_theme",
        error_messages={"invalid_choice": _("No theme called “%(value)s”.")},
    )
    hearing = django_filters.ModelChoiceFilter(
        label=_("Hearing"),
        queryset=lambda request: Hearing.objects.published(),
        to_field_name="slug",
        error_messages={"invalid_choice": _("No hearing called “%(value)s”.")},
    )
    type = django_filters.ChoiceFilter(
        label=_("Type of organisation"),
        field_name="organisation__type",
        choices=Organisation.Type.choices,
        error_messages={"invalid_choice": _("No organisation type called “%(value)s”.")},
    )
    language = django_filters.ChoiceFilter(
        label=_("Language"),
        choices=CONTENT_LANGUAGES,
        error_messages={"invalid_choice": _("No language with the code “%(value)s”.")},
    )
    date_from = django_filters.DateFilter(label=_("From"), field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=_("To"), field_name="date", lookup_expr="lte")
    q = SearchFilter(label=_("Search"), method="search")
    sort = SortFilter(label=_("Sort by"), choices=SORT_CHOICES, method="order")

    class Meta:
        model = Intervention
        fields = []

    # Facets recount the results with one filter left out, so filtering can skip named filters.
    def filter_queryset(self, queryset, exclude=()):
        for name, value in self.form.cleaned_data.items():
            if name not in exclude:
                queryset = self.filters[name].filter(queryset, value)
        if not self.form.cleaned_data.get("sort") and "sort" not in exclude:
            queryset = self.order(queryset, "sort", self.default_sort)
        return queryset

    @property
    def default_sort(self) -> str:
        return DEFAULT_SEARCH_SORT if self.is_valid() and self.form.cleaned_data.get("q") else DEFAULT_SORT

    def filter_organisation(self, queryset, name, organisations):
        """Delivered by, or on behalf of, any of the organisations."""
        pks = [organisation.pk for organisation in organisations]
        if not pks:
            return queryset
        return queryset.filter(Q(organisation__in=pks) | Q(pk__in=self.co_sponsored(tuple(pks))))

    def co_sponsored(self, pks: tuple[int, ...]):
        """The ids of interventions made on behalf of the organisations, looked up once per filterset.

        As a list of ids rather than a subquery, the database can combine an index lookup of each side of the
        OR; with a subquery it walked the whole list by date, testing every row (70 ms for a mid-sized
        organisation among a million interventions, 10 ms now). A few organisations co-sponsor a great many
        statements: past CO_SPONSORED_AS_IDS ids the subquery is kept, as a literal list would not help.
        """
        cached = getattr(self, "_co_sponsored", {})
        if pks not in cached:
            co_sponsored = _co_sponsorships().filter(organisation__in=pks).values("intervention")
            ids = list(co_sponsored.values_list("intervention", flat=True)[: CO_SPONSORED_AS_IDS + 1])
            cached[pks] = ids if len(ids) <= CO_SPONSORED_AS_IDS else co_sponsored
            self._co_sponsored = cached
        return cached[pks]

    def filter_theme(self, queryset, name, themes):
        """Tagged with every theme; a broader theme is matched by its narrower ones too."""
        for theme in themes:
            tagged = _taggings().filter(Q(theme=theme.pk) | Q(theme__parent=theme.pk)).values("intervention")
            queryset = queryset.filter(pk__in=tagged)
        return queryset

    def search(self, queryset, name, value):
        return queryset.search(value, in_titles=getattr(self, "_in_titles", False))

    def leading_results(self):
        """The results with the search's word in their titles, in the same order, when they are sure to come before
        every other result (a one-word search by relevance: search.titles_rank_first()); otherwise None."""
        cleaned = self.form.cleaned_data if self.is_valid() else {}
        query = cleaned.get("q")
        if not query or (cleaned.get("sort") or self.default_sort) != DEFAULT_SEARCH_SORT:
            return None
        if not titles_rank_first(query):
            return None
        self._in_titles = True
        try:
            return self.filter_queryset(self.queryset.all())
        finally:
            self._in_titles = False

    def order(self, queryset, name, value):
        if value == "relevance" and "search_rank" not in queryset.query.annotations:
            value = DEFAULT_SORT
        return queryset.order_by(*SORT_ORDERS.get(value, SORT_ORDERS[DEFAULT_SORT]))
