from django.db.models import Count, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.generic import DetailView, ListView

from config.pagination import ForgivingPaginationMixin

from .models import Hearing, PublicationStatus, Recording
from .permissions import can_preview


def published_interventions():
    """Public interventions, reached through the relation: `hearings` may not import `interventions`."""
    return Hearing.interventions.rel.related_model.objects.published()


def with_intervention_counts(hearings):
    counts = (
        published_interventions()
        .filter(hearing=OuterRef("pk"))
        .order_by()
        .values("hearing")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return hearings.annotate(intervention_count=Coalesce(Subquery(counts), Value(0)))


class HearingListView(ForgivingPaginationMixin, ListView):
    paginate_by = 20

    def get_queryset(self):
        return with_intervention_counts(Hearing.objects.published())


class PreviewMixin:
    """Staff who may view a record in the admin see it at its public address before it is public.

    The page says it is a preview, and is never cached, so it cannot be served to anyone else.
    """

    preview = False

    def get_preview_queryset(self):
        return self.get_queryset().model._default_manager.all()

    def get_object(self, queryset=None):
        try:
            return super().get_object(queryset)
        except Http404:
            if not can_preview(self.request.user, self.get_queryset().model):
                raise
        obj = super().get_object(self.get_preview_queryset())
        self.preview = True
        return obj

    def get_context_data(self, **kwargs):
        return super().get_context_data(preview=self.preview, **kwargs)

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if self.preview:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


def withdrawn_notice(request, record, list_url):
    """410 Gone with the record's title only: a cited permalink says what happened instead of vanishing."""
    context = {"record": record, "kind": record._meta.verbose_name, "list_url": list_url}
    return render(request, "withdrawn.html", context, status=410)


def related_public_hearings():
    return Prefetch("related_hearings", queryset=Hearing.objects.published().order_by("start_date"))


class HearingDetailView(PreviewMixin, DetailView):
    def get_queryset(self):
        return Hearing.objects.published().prefetch_related(related_public_hearings())

    def get_preview_queryset(self):
        return Hearing.objects.prefetch_related(related_public_hearings())

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            withdrawn = Hearing.objects.filter(slug=kwargs["slug"], status=PublicationStatus.WITHDRAWN).first()
            if withdrawn is None:
                raise
            return withdrawn_notice(request, withdrawn, reverse("hearings:list"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        hearing = self.object
        sessions = list(
            hearing.sessions.order_by("order").prefetch_related(
                Prefetch("recordings", queryset=Recording.objects.order_by("order"), to_attr="_recordings_list")
            )
        )
        interventions = hearing.interventions.published().for_list().order_by("order", "date", "pk")
        by_session = {}
        for intervention in interventions:
            by_session.setdefault(intervention.session_id, []).append(intervention)
        for session in sessions:
            session.public_interventions = by_session.get(session.pk, [])
            session.panels = [child for child in sessions if child.parent_id == session.pk]
        context["sessions"] = [session for session in sessions if session.parent_id is None]
        context["unplaced_interventions"] = by_session.get(None, [])
        context["intervention_count"] = sum(len(group) for group in by_session.values())
        return context
