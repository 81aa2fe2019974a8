from django.contrib import admin
from django.contrib.admin.utils import model_ngettext
from django.db import models
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Hearing, PublicationStatus, Recording, Session

# Addresses typed without a scheme are read as https, as Django 6 will do by default.
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class PublicationActionsMixin:
    """Publish and unpublish actions for models with `status`, `published_at` and `updated_at`."""

    actions = ["publish", "unpublish"]

    def _selected(self, queryset):
        # The changelist queryset may carry aggregate annotations, which UPDATE cannot use.
        return self.model._default_manager.filter(pk__in=list(queryset.values_list("pk", flat=True)))

    @admin.action(description=_("Publish selected %(verbose_name_plural)s"), permissions=["change"])
    def publish(self, request, queryset):
        now = timezone.now()
        drafts = self._selected(queryset).exclude(status=PublicationStatus.PUBLISHED)
        # published_at records the first publication, so it is only filled where empty.
        count = drafts.filter(published_at__isnull=True).update(
            status=PublicationStatus.PUBLISHED, published_at=now, updated_at=now
        )
        count += drafts.update(status=PublicationStatus.PUBLISHED, updated_at=now)
        self.message_user(
            request,
            ngettext("%(count)d %(items)s was published.", "%(count)d %(items)s were published.", count)
            % {"count": count, "items": model_ngettext(self.opts, count)},
        )

    @admin.action(description=_("Unpublish selected %(verbose_name_plural)s (back to draft)"), permissions=["change"])
    def unpublish(self, request, queryset):
        count = (
            self._selected(queryset)
            .filter(status=PublicationStatus.PUBLISHED)
            .update(status=PublicationStatus.DRAFT, updated_at=timezone.now())
        )
        self.message_user(
            request,
            ngettext("%(count)d %(items)s was unpublished.", "%(count)d %(items)s were unpublished.", count)
            % {"count": count, "items": model_ngettext(self.opts, count)},
        )


class StartYearListFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        return [(str(day.year), str(day.year)) for day in Hearing.objects.dates("start_date", "year", order="DESC")]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(start_date__year=int(self.value()))
        return queryset


class SessionInline(admin.TabularInline):
    model = Session
    fields = ["order", "title", "kind", "date", "start_time", "end_time", "chair", "parent"]
    autocomplete_fields = ["parent"]
    ordering = ["order"]
    extra = 0
    show_change_link = True


@admin.register(Hearing)
class HearingAdmin(PublicationActionsMixin, admin.ModelAdmin):
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
        (_("Publication"), {"fields": ["status", "published_at", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                session_count=Count("sessions", distinct=True),
                intervention_count=Count("interventions", distinct=True),
            )
        )

    @admin.display(description=_("sessions"), ordering="session_count")
    def session_count(self, obj):
        return obj.session_count

    @admin.display(description=_("interventions"), ordering="intervention_count")
    def intervention_count(self, obj):
        return obj.intervention_count


class RecordingInline(admin.TabularInline):
    model = Recording
    fields = ["order", "title", "provider", "url", "language_channel", "duration", "note"]
    ordering = ["order"]
    extra = 0
    formfield_overrides = HTTPS_URLS


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
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
class RecordingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "session", "provider", "language_channel", "order"]
    list_filter = ["provider", "language_channel"]
    search_fields = ["title", "url", "session__title", "session__hearing__title"]
    autocomplete_fields = ["session"]
    list_select_related = ["session__hearing"]
    formfield_overrides = HTTPS_URLS
