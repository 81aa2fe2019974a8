"""The read-only API: public records only, filtered by the same InterventionFilter as the list page."""

from django.conf import settings
from django.db.models import Prefetch
from django.utils.functional import cached_property
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.drainage import set_override
from drf_spectacular.types import OpenApiTypes
from rest_framework import exceptions, viewsets
from rest_framework.decorators import api_view, schema
from rest_framework.pagination import DjangoPaginator, PageNumberPagination
from rest_framework.throttling import AnonRateThrottle

from config.pagination import IdsFirstPaginator
from config.security import client_ip
from hearings.models import Hearing, Recording, Session

from ..facets import count_list
from ..filters import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, InterventionFilter
from ..models import Intervention, Organisation, Theme
from ..snapshot import public_organisation_count
from ..views import paginate_as_the_list
from . import serializers
from .renderers import EscapedJSONRenderer
from .schema import ArchiveAutoSchema

# The theme filter works through a method, so the schema generator cannot tell its type: slugs, as strings.
set_override(InterventionFilter.base_filters["theme"], "field", OpenApiTypes.STR)


class Pagination(PageNumberPagination):
    """`page` and `page_size`, as on the list page."""

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


class AnonymousThrottle(AnonRateThrottle):
    """Read the rate at request time, so a deployment (or a test) can change API_ANON_RATE."""

    def get_rate(self):
        return settings.API_ANON_RATE

    def get_ident(self, request):
        # DRF's default trusts any X-Forwarded-For, so a client could dodge the limit by inventing one per request.
        return client_ip(request)


class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    pagination_class = Pagination
    throttle_classes = [AnonymousThrottle]
    schema = ArchiveAutoSchema()
    renderer_classes = [EscapedJSONRenderer]

    def throttled(self, request, wait):
        raise exceptions.Throttled(
            wait=wait,
            detail=(
                f"Too many requests: anonymous clients may make {settings.API_ANON_RATE} requests. "
                "To take a whole result at once, use the CSV or JSON export of the list page."
            ),
        )


class HearingViewSet(ReadOnlyViewSet):
    """Published hearings, newest first."""

    queryset = Hearing.objects.published().order_by("-start_date", "title", "pk")
    serializer_class = serializers.HearingSerializer


class SessionViewSet(ReadOnlyViewSet):
    """Sessions of published hearings, with their recordings."""

    queryset = (
        Session.objects.filter(hearing__in=Hearing.objects.published())
        .select_related("hearing")
        .prefetch_related(Prefetch("recordings", queryset=Recording.objects.order_by("order")))
        .order_by("-hearing__start_date", "hearing_id", "order", "pk")
    )
    serializer_class = serializers.SessionSerializer


class PublicOrganisationsPaginator(DjangoPaginator):
    """Reads how many organisations are public from the unfiltered list's snapshot, which knows it: which are public
    depends on every public intervention, 1.3 s to count at a million of them, for each page a client asked for.
    Counted now only while no snapshot is kept (the list's next visitor, or the background count, makes one)."""

    @cached_property
    def count(self):
        return public_organisation_count(renew=False)


class PublicOrganisationsPagination(Pagination):
    django_paginator_class = PublicOrganisationsPaginator


class OrganisationViewSet(ReadOnlyViewSet):
    """Organisations that delivered or co-sponsored at least one public intervention."""

    queryset = Organisation.objects.public().order_by("name", "pk")
    serializer_class = serializers.OrganisationSerializer
    pagination_class = PublicOrganisationsPagination


class ThemeViewSet(ReadOnlyViewSet):
    queryset = Theme.objects.select_related("parent").order_by("name", "pk")
    serializer_class = serializers.ThemeSerializer


class ListPagePagination(Pagination):
    """Pages counted and found as the list page's are (InterventionViewSet.list_paginator)."""

    def paginate_queryset(self, queryset, request, view=None):
        # DRF makes its paginator as django_paginator_class(queryset, page_size): here the view makes it.
        self.django_paginator_class = view.list_paginator
        return super().paginate_queryset(queryset, request, view)


class InterventionViewSet(ReadOnlyViewSet):
    """Published interventions, filtered and sorted with the parameters of the `/interventions/` page."""

    queryset = Intervention.objects.published().with_related()
    filter_backends = [DjangoFilterBackend]
    filterset_class = InterventionFilter
    pagination_class = ListPagePagination

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset if self.action == "retrieve" else queryset.defer("text_delivered", "text_submitted")

    def filter_queryset(self, queryset):
        # As DjangoFilterBackend does, keeping the bound filterset for the paginator.
        backend = DjangoFilterBackend()
        self.filterset = backend.get_filterset(self.request, queryset, self)
        if not self.filterset.is_valid():
            raise translate_validation(self.filterset.errors)
        return self.filterset.qs

    def list_paginator(self, queryset, per_page):
        """The list page's paginator (views.paginate_as_the_list): at a million interventions, each page was
        counted, and a search ranked, afresh for every request (0.2-1.2 s; 17-580 ms now)."""
        counted = count_list(self.filterset, with_facets=False)
        return paginate_as_the_list(IdsFirstPaginator(queryset, per_page), self.filterset, counted)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.InterventionDetailSerializer
        return serializers.InterventionSerializer


@api_view(["GET", "HEAD", "OPTIONS"])
@schema(None)
def not_found(request, path):
    """Any other address under the API, such as `/api/v1/hearings/1.5/`: a JSON 404, not the site's HTML page."""
    raise exceptions.NotFound()
