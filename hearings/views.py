from django.db.models import Count, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.views.generic import DetailView, ListView

from config.pagination import ForgivingPaginationMixin

from .models import Hearing, Recording


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


class HearingDetailView(DetailView):
    def get_queryset(self):
        return Hearing.objects.published().prefetch_related(
            Prefetch("related_hearings", queryset=Hearing.objects.published().order_by("start_date"))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        hearing = self.object
        sessions = list(
            hearing.sessions.order_by("order").prefetch_related(
                Prefetch("recordings", queryset=Recording.objects.order_by("order"))
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
