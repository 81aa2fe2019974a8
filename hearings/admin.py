from django.contrib import admin
from django.db import models
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .curation_admin import CuratedAdmin, CuratedInlineMixin, PublicationActionsMixin
from .models import Hearing, Recording, Session

__all__ = ["HTTPS_URLS", "HearingAdmin", "PublicationActionsMixin", "RecordingAdmin", "SessionAdmin"]

# Addresses typed without a scheme are read as https, as Django 6 will do by default.
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


def _count_of(records):
    """How many of `records` belong to each hearing (drafts too: curators see them all), as an annotation."""
    per_hearing = records.filter(hearing=OuterRef("pk")).order_by().values("hearing").annotate(n=Count("pk"))
    return Coalesce(Subquery(per_hearing.values("n")), Value(0))


class StartYearListFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        return [(str(day.year), str(day.year)) for day in Hearing.objects.dates("start_date", "year", order="DESC")]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(start_date__year=int(self.value()))
        return queryset


class SessionInline(CuratedInlineMixin, admin.TabularInline):
    model = Session
    fields = ["order", "title", "kind", "date", "start_time", "end_time", "chair", "parent"]
    autocomplete_fields = ["parent"]
    ordering = ["order"]
    extra = 0
    show_change_link = True


@admin.register(Hearing)
class HearingAdmin(PublicationActionsMixin, CuratedAdmin):
    list_display = ["title", "start_date", "format", "status", "session_count", "intervention_count"]
    list_filter = ["status", "format", StartYearListFilter]
    search_fields = ["title", "organised_by", "convened_by"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "start_date"
    ordering = ["-start_date", "title"]
    autocomplete_fields = ["related_hearings"]
    readonly_fields = ["published_at", "created_at", "updated_at"]
    inlines = [SessionInline]
    formfield_overrides = HTTPS_URLS
    fieldsets = [
        (None, {"fields": ["title", "slug", "convened_by", "organised_by"]}),
        (_("When and where"), {"fields": ["start_date", "date_precision", "end_date", "format", "location"]}),
        (
            _("About"),
            {"fields": ["description", "official_url", "concept_note_url", "agenda_url", "related_hearings"]},
        ),
        (
            _("Publication"),
            {"fields": ["status", "publish_at", "published_at", "created_at", "updated_at", "expected_version"]},
        ),
    ]

    def get_queryset(self, request):
        # One count per listed hearing, which PostgreSQL computes after choosing the page's rows; counting over
        # joins of every hearing with all its sessions and interventions took 4 s a page at 1M interventions.
        return (
            super()
            .get_queryset(request)
            .annotate(
                session_count=_count_of(Session.objects.all()),
                intervention_count=_count_of(Hearing.interventions.rel.related_model.objects.all()),
            )
        )

    @admin.display(description=_("sessions"), ordering="session_count")
    def session_count(self, obj):
        return obj.session_count

    @admin.display(description=_("interventions"), ordering="intervention_count")
    def intervention_count(self, obj):
        # The interventions list offers only the latest hearings as a filter: this count reaches any hearing's.
        interventions = Hearing.interventions.rel.related_model._meta
        changelist = reverse(f"admin:{interventions.app_label}_{interventions.model_name}_changelist")
        return format_html('<a href="{}?hearing__id__exact={}">{}</a>', changelist, obj.pk, obj.intervention_count)


class RecordingInline(CuratedInlineMixin, admin.TabularInline):
    model = Recording
    fields = ["order", "title", "provider", "url", "language_channel", "duration", "note"]
    ordering = ["order"]
    extra = 0
    formfield_overrides = HTTPS_URLS


@admin.register(Session)
class SessionAdmin(CuratedAdmin):
    list_display = ["title", "hearing", "order", "kind", "date", "start_time", "end_time"]
    list_filter = ["kind", "hearing"]
    search_fields = ["title", "chair", "hearing__title"]
    autocomplete_fields = ["hearing", "parent"]
    list_select_related = ["hearing"]
    ordering = ["hearing", "order"]
    # interventions/admin.py extends this class with the session's interventions inline.
    inlines = [RecordingInline]

    def get_queryset(self, request):
        # Session.__str__ names the hearing; the autocomplete views use this queryset too.
        return super().get_queryset(request).select_related("hearing")


@admin.register(Recording)
class RecordingAdmin(CuratedAdmin):
    list_display = ["__str__", "session", "provider", "language_channel", "order"]
    list_filter = ["provider", "language_channel"]
    search_fields = ["title", "url", "session__title", "session__hearing__title"]
    autocomplete_fields = ["session"]
    list_select_related = ["session__hearing"]
    formfield_overrides = HTTPS_URLS
