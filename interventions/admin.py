from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from hearings import admin as hearings_admin
from hearings.curation_admin import CuratedAdmin, CuratedInlineMixin
from hearings.curation_forms import CuratedForm, GuardedInlineFormSet
from hearings.models import Hearing, Session

from .admin_import import ArchiveImportExportMixin
from .models import ImportMapping, Intervention, Organisation, Theme
from .resources import HearingResource, InterventionResource, OrganisationResource


class InterventionAdminForm(CuratedForm):
    save_anyway = forms.BooleanField(
        label=_("Save anyway"),
        required=False,
        help_text=_("Tick this only when the intervention flagged as a likely duplicate is really a different one."),
    )

    def clean(self):
        cleaned_data = super().clean()
        organisation, hearing = cleaned_data.get("organisation"), cleaned_data.get("hearing")
        if not organisation or not hearing:
            return cleaned_data
        duplicates = list(
            Intervention.objects.likely_duplicates(
                organisation=organisation,
                hearing=hearing,
                title=cleaned_data.get("title", ""),
                source_id=cleaned_data.get("source_id", ""),
                exclude_pk=self.instance.pk,
            ).order_by("pk")[:5]
        )
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("admin:interventions_intervention_change", args=[d.pk]), d.title) for d in duplicates),
        )
        source_id = cleaned_data.get("source_id")
        if source_id and any(d.source_id == source_id for d in duplicates):
            # The external id matches re-imports to records, so it must stay unique: no "save anyway".
            self.add_error("source_id", format_html("{} {}", _("Another intervention has this external id:"), links))
        elif duplicates and not cleaned_data.get("save_anyway"):
            self.add_error(
                "save_anyway",
                format_html(
                    "{} {}. {}",
                    _("Likely duplicate: the same organisation has an intervention with this title at this hearing:"),
                    links,
                    _("Tick “Save anyway” if this one is different."),
                ),
            )
        return cleaned_data


@admin.register(Organisation)
class OrganisationAdmin(ArchiveImportExportMixin, CuratedAdmin):
    resource_classes = [OrganisationResource]
    list_display = ["name", "acronym", "type", "ecosoc_status", "country", "parent", "intervention_count"]
    list_filter = ["type", "ecosoc_status"]
    search_fields = ["name", "acronym", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    # Explicit, because Meta.ordering does not apply to the annotated (GROUP BY) queryset.
    ordering = ["name"]
    readonly_fields = ["created_at", "updated_at"]
    formfield_overrides = hearings_admin.HTTPS_URLS

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(intervention_count=Count("interventions", distinct=True))

    @admin.display(description=_("interventions delivered"), ordering="intervention_count")
    def intervention_count(self, obj):
        return obj.intervention_count


@admin.register(Theme)
class ThemeAdmin(CuratedAdmin):
    list_display = ["name", "parent", "intervention_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    ordering = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(intervention_count=Count("interventions", distinct=True))

    @admin.display(description=_("interventions"), ordering="intervention_count")
    def intervention_count(self, obj):
        return obj.intervention_count


class InterventionChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        # The list shows none of the long texts nor the search vector: kilobytes per row it would read for nothing.
        return (
            super().get_queryset(request, exclude_parameters).defer("text_delivered", "text_submitted", "search_vector")
        )


LARGEST_KEY = 2**63 - 1


class RecentHearingListFilter(admin.SimpleListFilter):
    """The latest hearings, and the chosen one. Every hearing would be 20,000 links in the sidebar of a large
    archive (a 2.4 MB page); any other hearing is one click away from its count in the hearings list."""

    title = _("hearing")
    # Django's own parameter for a hearing, so links from elsewhere in the admin keep working.
    parameter_name = "hearing__id__exact"
    shown = 15

    def chosen_pk(self) -> int | None:
        """The chosen hearing's number; None for none, or for a value that names no hearing ("abc", "²", or past
        the largest number a database key holds, which SQLite refuses to compare)."""
        value = self.value() or ""
        if not (value.isascii() and value.isdigit()) or int(value) > LARGEST_KEY:
            return None
        return int(value)

    def lookups(self, request, model_admin):
        hearings = list(Hearing.objects.order_by("-start_date", "-pk")[: self.shown])
        chosen = self.chosen_pk()
        if chosen is not None and all(hearing.pk != chosen for hearing in hearings):
            hearings += list(Hearing.objects.filter(pk=chosen))
        return [(str(hearing.pk), str(hearing)) for hearing in hearings]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        chosen = self.chosen_pk()
        return queryset.none() if chosen is None else queryset.filter(hearing_id=chosen)


@admin.register(Intervention)
class InterventionAdmin(ArchiveImportExportMixin, hearings_admin.PublicationActionsMixin, CuratedAdmin):
    form = InterventionAdminForm
    resource_classes = [InterventionResource]
    list_display = ["title", "organisation", "hearing", "session", "date", "language", "status"]
    list_filter = ["status", RecentHearingListFilter, "themes", "organisation__type", "language"]
    search_fields = ["title", "summary", "speaker_name", "organisation__name", "organisation__acronym"]
    autocomplete_fields = ["organisation", "on_behalf_of", "themes", "hearing", "session"]
    # Session.__str__ names its hearing, so the session's hearing is joined as well.
    list_select_related = ["organisation", "hearing", "session__hearing"]
    date_hierarchy = "date"
    # Newest records first, read backwards from the primary key: the public order (by date, hearing, session and
    # place) sorts the whole archive for each page, 2.3 s at a million interventions. Every column still sorts.
    ordering = ["-pk"]
    readonly_fields = ["published_at", "created_at", "updated_at"]
    formfield_overrides = hearings_admin.HTTPS_URLS
    fieldsets = [
        (_("Where"), {"fields": ["hearing", "session", "order", "date", "start_offset", "end_offset"]}),
        (
            _("Who"),
            {
                "fields": [
                    "organisation",
                    "on_behalf_of",
                    "speaker_name",
                    "speaker_title",
                    "withhold_speaker_name",
                    "hearing_role",
                    "modality",
                ]
            },
        ),
        (
            _("What"),
            {"fields": ["title", "summary", "text_delivered", "text_submitted", "language", "themes", "source_url"]},
        ),
        (
            _("Publication"),
            {
                "fields": [
                    "status",
                    "publish_at",
                    "source_id",
                    "save_anyway",
                    "published_at",
                    "created_at",
                    "updated_at",
                    "expected_version",
                ]
            },
        ),
    ]

    def get_changelist(self, request, **kwargs):
        return InterventionChangeList


class SessionInterventionFormSet(GuardedInlineFormSet):
    """Interventions added under a session belong to the session's hearing."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if self.instance.hearing_id:
            form.instance.hearing_id = self.instance.hearing_id

    def save_new(self, form, commit=True):
        # On the session add page the hearing is only known once the session is saved.
        form.instance.hearing_id = self.instance.hearing_id
        return super().save_new(form, commit=commit)


class SessionInterventionInline(CuratedInlineMixin, admin.TabularInline):
    model = Intervention
    formset = SessionInterventionFormSet
    fields = ["order", "title", "organisation", "status", "start_offset", "end_offset"]
    autocomplete_fields = ["organisation"]
    ordering = ["order", "pk"]
    extra = 0
    show_change_link = True


# Extend the hearings app's session admin with the interventions inline, keeping
# the dependency one way: interventions knows about hearings, not the reverse.
admin.site.unregister(Session)


@admin.register(Session)
class SessionAdmin(hearings_admin.SessionAdmin):
    inlines = [hearings_admin.RecordingInline, SessionInterventionInline]


# Hearings are imported with their sessions through this app's resources, registered here so
# that the hearings app keeps no dependency on interventions.
admin.site.unregister(Hearing)


@admin.register(Hearing)
class HearingAdmin(ArchiveImportExportMixin, hearings_admin.HearingAdmin):
    resource_classes = [HearingResource]


@admin.register(ImportMapping)
class ImportMappingAdmin(admin.ModelAdmin):
    list_display = ["name", "target"]
    list_filter = ["target"]
    search_fields = ["name"]
