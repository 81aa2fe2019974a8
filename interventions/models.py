"""Organisations, themes and the interventions they deliver at hearings."""

import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, F, Prefetch, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from config.addresses import address
from hearings.curation import Publishable, Versioned, visible
from hearings.models import Hearing, PublicationStatus, Recording, Session, prefetched_list

from . import search

# Languages an intervention can be delivered in (ISO 639-1), the six UN languages first.
CONTENT_LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
    ("zh", _("Chinese")),
    ("ru", _("Russian")),
    ("pt", _("Portuguese")),
    ("de", _("German")),
    ("it", _("Italian")),
    ("nl", _("Dutch")),
    ("tr", _("Turkish")),
    ("uk", _("Ukrainian")),
    ("pl", _("Polish")),
    ("sw", _("Swahili")),
    ("hi", _("Hindi")),
    ("ja", _("Japanese")),
    ("ko", _("Korean")),
    ("id", _("Indonesian")),
    ("fa", _("Persian")),
    ("bn", _("Bengali")),
    ("ur", _("Urdu")),
    ("th", _("Thai")),
    ("vi", _("Vietnamese")),
    ("sr", _("Serbian")),
    ("ro", _("Romanian")),
    ("el", _("Greek")),
    ("he", _("Hebrew")),
]
# Django's get_language_display() translates all 27 names to find one; a list of 50 rows paid that 50 times.
CONTENT_LANGUAGE_NAMES = dict(CONTENT_LANGUAGES)


class OrganisationQuerySet(models.QuerySet):
    def public(self):
        """Organisations that delivered or co-sponsored at least one public intervention.

        An organisation known only from drafts stays hidden, so a pending
        statement cannot be guessed from the organisation list.
        """
        public_interventions = Intervention.objects.published()
        delivered = public_interventions.filter(organisation=models.OuterRef("pk")).values("pk")
        backed = public_interventions.filter(on_behalf_of=models.OuterRef("pk")).values("pk")
        # One EXISTS over both, so the database probes two indexes for each organisation it considers: fifty for a
        # page of the list. `pk IN (...) OR pk IN (...)` listed every public intervention's organisation first, and
        # so did two EXISTS joined by OR, which PostgreSQL turned into two hashed lists of them: 185 ms for the
        # first page at 100k interventions (0.7-0.9 s at 1M), against 0.8 ms.
        return self.filter(Exists(delivered.union(backed, all=True)))

    def with_intervention_counts(self):
        """Annotate `intervention_count`: public interventions delivered or co-sponsored."""
        public_interventions = Intervention.objects.published().order_by()
        # COUNT without GROUP BY: one row, 0 when there is none. The co-sponsored are reached from the organisation
        # (its co-sponsorships, then each intervention by key): SQLite ran `intervention IN (every public
        # intervention)` as a probe of the co-sponsorships for each of those ids, for each organisation shown
        # (1.3 s for the fifty of a page at 100k interventions, now 20 ms for 500).
        counted = {"n": models.Func("pk", function="COUNT")}
        delivered = public_interventions.filter(organisation=models.OuterRef("pk")).annotate(**counted).values("n")
        co_sponsored = (
            public_interventions.filter(on_behalf_of=models.OuterRef("pk"))
            # Delivered on its own behalf too: counted once, above.
            .exclude(organisation=models.OuterRef("pk"))
            .annotate(**counted)
            .values("n")
        )
        return self.annotate(intervention_count=models.Subquery(delivered) + models.Subquery(co_sponsored))


class Organisation(Versioned):
    class Type(models.TextChoices):
        NGO = "ngo", _("NGO")
        NETWORK = "network", _("Network or platform")
        NHRI = "nhri", _("National human rights institution")
        UN_ENTITY = "un_entity", _("UN entity")
        IGO = "igo", _("Intergovernmental organisation")
        MEMBER_STATE = "member_state", _("Member State")
        ACADEMIA = "academia", _("Academia")
        TRADE_UNION = "trade_union", _("Trade union")
        PRIVATE_SECTOR = "private_sector", _("Private sector")
        SURVIVOR_LED = "survivor_led", _("Survivor-led organisation")
        OTHER = "other", _("Other")

    class EcosocStatus(models.TextChoices):
        UNKNOWN = "", _("Not known")
        NONE = "none", _("None")
        GENERAL = "general", _("General")
        SPECIAL = "special", _("Special")
        ROSTER = "roster", _("Roster")

    name = models.CharField(
        _("name"), max_length=300, unique=True, help_text=_("Full name, in the organisation's own spelling.")
    )
    acronym = models.CharField(_("acronym"), max_length=40, blank=True, help_text=_("e.g. GAATW, LSI."))
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        help_text=_("Part of the permanent address of the organisation's page and of filtered lists."),
    )
    type = models.CharField(_("type"), max_length=20, choices=Type.choices, default=Type.NGO)
    ecosoc_status = models.CharField(
        _("ECOSOC consultative status"),
        max_length=10,
        choices=EcosocStatus.choices,
        default=EcosocStatus.UNKNOWN,
        blank=True,
    )
    country = models.CharField(
        _("country or region"), max_length=120, blank=True, help_text=_("Where it is based, or the region it covers.")
    )
    website = models.URLField(_("website"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("member of network"),
        help_text=_("The network or platform this organisation belongs to, if any."),
        limit_choices_to={"parent__isnull": True},
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrganisationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("id")), name="organisation_not_its_own_network"),
        ]
        indexes = [models.Index(fields=["type"], name="organisation_type_idx")]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self):
        return address("interventions:organisation-detail", slug=self.slug)

    def clean(self):
        if self.parent_id:
            if self.pk and self.parent_id == self.pk:
                raise ValidationError({"parent": _("An organisation cannot be a member of itself.")})
            if self.parent.parent_id:
                raise ValidationError({"parent": _("Networks can be nested one level only.")})
            if self.pk and self.members.exists():
                raise ValidationError({"parent": _("This organisation has members, so it cannot join a network.")})

    @property
    def short_name(self) -> str:
        return self.acronym or self.name


def public_taggings(now=None):
    """The theme tags of public interventions, unordered: what every count of a theme's interventions groups."""
    public = Intervention.objects.published(now=now)
    return Intervention.themes.through.objects.filter(intervention__in=public).order_by()


class ThemeQuerySet(models.QuerySet):
    def list_with_intervention_counts(self) -> list:
        """The themes, each with `intervention_count`: public interventions tagged with the theme itself.

        One grouped count for all of them: a count per theme as a subquery made PostgreSQL gather the whole public
        archive again for every theme (20 s for forty themes at a million interventions).
        """
        themes = list(self)
        taggings = public_taggings().filter(theme__in=[theme.pk for theme in themes])
        counts = dict(taggings.values("theme").annotate(n=Count("pk")).values_list("theme", "n"))
        for theme in themes:
            theme.intervention_count = counts.get(theme.pk, 0)
        return themes


@dataclass(frozen=True)
class ThemeCounts:
    """The public interventions of every theme, counted together for the whole archive (1M interventions: 2.2 s).

    `own`: {theme pk: (its broader theme's pk or None, interventions tagged with the theme itself)}.
    `including_narrower`: {broader theme pk: interventions tagged with it or a narrower theme, each once}.
    The theme list, the home page and the unfiltered list's theme facet all read these, so they are counted once
    per change to the archive, with the list's snapshot (FacetSnapshot.theme_counts).
    """

    own: dict[int, tuple[int | None, int]]
    including_narrower: dict[int, int]

    @classmethod
    def count(cls, now=None) -> "ThemeCounts":
        taggings = public_taggings(now)
        own = taggings.values("theme", "theme__parent").annotate(n=Count("pk"))
        including_narrower = (
            taggings.annotate(root=Coalesce("theme__parent", "theme"))
            .values("root")
            .annotate(n=Count("intervention", distinct=True))
        )
        return cls(
            {pk: (parent, n) for pk, parent, n in own.values_list("theme", "theme__parent", "n")},
            dict(including_narrower.values_list("root", "n")),
        )

    def of(self, theme) -> int:
        """Interventions tagged with the theme itself."""
        return self.own.get(theme.pk, (None, 0))[1]

    def facet_counts(self) -> dict[int, int]:
        """As the list's theme facet counts them (facets.py): a narrower theme its own interventions, a broader theme
        its own and its narrower themes' together, each once."""
        counts = {pk: n for pk, (parent, n) in self.own.items() if parent is not None}
        for pk, n in self.including_narrower.items():
            counts[pk] = counts.get(pk, 0) + n
        return counts

    def to_json(self) -> dict:
        return {
            "own": [[pk, parent, n] for pk, (parent, n) in self.own.items()],
            "including_narrower": [[pk, n] for pk, n in self.including_narrower.items()],
        }

    @classmethod
    def from_json(cls, data: dict) -> "ThemeCounts":
        return cls(
            {pk: (parent, n) for pk, parent, n in data["own"]},
            {pk: n for pk, n in data["including_narrower"]},
        )


class Theme(Versioned):
    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("broader theme"),
        help_text=_("Filtering by the broader theme also finds interventions tagged with this one. One level only."),
        limit_choices_to={"parent__isnull": True},
    )

    objects = ThemeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [models.CheckConstraint(condition=~Q(parent=F("id")), name="theme_not_its_own_parent")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return address("interventions:theme-detail", slug=self.slug)

    def get_interventions_url(self):
        """The list of interventions filtered to this theme (and its narrower themes)."""
        return f"{address('interventions:list')}?{urlencode({'theme': self.slug})}"

    def clean(self):
        if self.parent_id:
            if self.pk and self.parent_id == self.pk:
                raise ValidationError({"parent": _("A theme cannot be its own broader theme.")})
            if self.parent.parent_id:
                raise ValidationError({"parent": _("Themes can be nested one level only.")})
            if self.pk and self.children.exists():
                raise ValidationError({"parent": _("This theme has narrower themes, so it cannot be nested.")})


class InterventionQuerySet(models.QuerySet):
    def published(self, now=None):
        """The one rule for public visibility: the intervention and its hearing are published and past any embargo."""
        return self.filter(visible(now=now) & visible("hearing__", now=now))

    def withdrawn(self, now=None):
        """Withdrawn interventions of public hearings: their permalinks answer with a notice."""
        return self.filter(Q(status=PublicationStatus.WITHDRAWN) & visible("hearing__", now=now))

    def with_related(self):
        """Everything a list row or a detail page shows, in a constant number of queries; not the search index,
        which no page shows and which is a row's largest column after the texts (4.5 KB as text on average)."""
        related = self.select_related("hearing", "session", "session__parent", "organisation").prefetch_related(
            Prefetch("themes", queryset=Theme.objects.order_by("name"), to_attr="_themes_list"),
            Prefetch("on_behalf_of", queryset=Organisation.objects.order_by("name"), to_attr="_on_behalf_of_list"),
            Prefetch("session__recordings", queryset=Recording.objects.order_by("order"), to_attr="_recordings_list"),
            Prefetch(
                "session__parent__recordings", queryset=Recording.objects.order_by("order"), to_attr="_recordings_list"
            ),
        )
        return related.defer("search_vector")

    def for_list(self):
        """`with_related()` without the long texts, which list pages never show."""
        return self.with_related().defer("text_delivered", "text_submitted")

    def likely_duplicates(self, *, organisation, hearing, title, source_id="", exclude_pk=None):
        """Other interventions with the same organisation, hearing and title (in any case), or the same external id."""
        same = Q(organisation=organisation, hearing=hearing, title__iexact=(title or "").strip())
        if source_id:
            same |= Q(source_id=source_id)
        return self.filter(same).exclude(pk=exclude_pk) if exclude_pk else self.filter(same)

    def by_organisation(self, organisation):
        """Delivered by the organisation or on its behalf, each once (without a join that would need DISTINCT)."""
        co_sponsored = Intervention.on_behalf_of.through.objects.filter(organisation=organisation)
        return self.filter(Q(organisation=organisation) | Q(pk__in=co_sponsored.values("intervention")))

    def search(self, query, *, in_titles=False):
        """Matches of a web-search query ("exact phrase", -exclude, OR), annotated with `search_rank`
        (higher is better). search.with_snippets() adds where each matched to a page of them; `in_titles` keeps
        those with the query in their titles (see search.titles_rank_first()).

        Raises search.SearchQueryError, with a message for the visitor, for a query that cannot be searched.
        """
        return search.search(self, query, in_titles=in_titles)


class Intervention(Publishable, Versioned):
    class HearingRole(models.TextChoices):
        FLOOR = "floor", _("Speaker from the floor")
        PANELLIST = "panellist", _("Panellist")
        MODERATOR = "moderator", _("Moderator")
        KEYNOTE = "keynote", _("Keynote speaker")

    class Modality(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        REMOTE = "remote", _("Remote")
        PRERECORDED = "prerecorded", _("Pre-recorded video")

    hearing = models.ForeignKey(
        Hearing, on_delete=models.PROTECT, related_name="interventions", verbose_name=_("hearing")
    )
    session = models.ForeignKey(
        Session,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interventions",
        verbose_name=_("session"),
        help_text=_("Leave empty when the sources do not say in which session it was delivered."),
    )
    order = models.PositiveIntegerField(
        _("order"),
        null=True,
        blank=True,
        help_text=_("Position in the session's speakers' list: 1, 2, 3…"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="interventions",
        verbose_name=_("delivering organisation"),
    )
    on_behalf_of = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="co_sponsored_interventions",
        verbose_name=_("on behalf of"),
        help_text=_("Other organisations that joined the statement."),
    )
    speaker_name = models.CharField(_("speaker"), max_length=200, blank=True)
    speaker_title = models.CharField(
        _("speaker's position"), max_length=300, blank=True, help_text=_("e.g. “International Coordinator”.")
    )
    withhold_speaker_name = models.BooleanField(
        _("withhold the speaker's name"),
        default=False,
        help_text=_("The name stays in the archive for staff but no public page, export or search shows it."),
    )
    hearing_role = models.CharField(
        _("role in the hearing"),
        max_length=20,
        choices=HearingRole.choices,
        blank=True,
        help_text=_("Leave empty when the sources do not say."),
    )
    modality = models.CharField(_("modality"), max_length=20, choices=Modality.choices, blank=True)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True, help_text=_("A few sentences on what was said."))
    text_delivered = models.TextField(_("text as delivered"), blank=True)
    text_is_excerpt = models.BooleanField(
        _("the text is an excerpt"),
        default=False,
        help_text=_("Tick when only quoted passages are known, not the whole statement."),
    )
    text_submitted = models.TextField(
        _("text as submitted"), blank=True, help_text=_("The written statement, when it differs from the spoken one.")
    )
    language = models.CharField(_("language"), max_length=8, choices=CONTENT_LANGUAGES, default="en")
    themes = models.ManyToManyField(Theme, blank=True, related_name="interventions", verbose_name=_("themes"))
    date = models.DateField(
        _("date"), blank=True, help_text=_("Leave empty to use the session's date, or the hearing's start date.")
    )
    start_offset = models.PositiveIntegerField(
        _("starts at (seconds)"),
        null=True,
        blank=True,
        help_text=_("Seconds from the start of the session's recording."),
    )
    end_offset = models.PositiveIntegerField(_("ends at (seconds)"), null=True, blank=True)
    source_url = models.URLField(
        _("written statement"), max_length=500, blank=True, help_text=_("Where the written statement is published.")
    )
    source_id = models.CharField(
        _("external id"),
        max_length=100,
        blank=True,
        help_text=_("A stable identifier from the source spreadsheet, used to match re-imports."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=PublicationStatus.choices, default=PublicationStatus.DRAFT
    )
    publish_at = models.DateTimeField(
        _("embargoed until"),
        null=True,
        blank=True,
        help_text=_(
            "Leave empty to publish at once. A published intervention stays hidden until this time, "
            "e.g. when a speaker at risk of reprisal asks for it."
        ),
    )
    published_at = models.DateTimeField(_("first published"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Filled by search.refresh_search_index() on PostgreSQL; SQLite keeps its index in an FTS5 table.
    search_vector = SearchVectorField(_("search index"), null=True, editable=False)
    # The themes' and co-sponsors' names, sorted as the database sorts them and joined with "; ": the CSV
    # export's two lists, kept beside the search index (by search.refresh_search_index(), which every change
    # to the relations or to the names already calls) so that PostgreSQL's COPY reads them from the row
    # instead of aggregating and sorting two lists per row.
    theme_names = models.TextField(_("theme names"), blank=True, default="", editable=False)
    on_behalf_of_names = models.TextField(_("co-sponsors' names"), blank=True, default="", editable=False)
    # Where the intervention's moment plays: the CSV export's recording cell, kept on the row (recording_links.py)
    # so that COPY reads it instead of looking up the first recording of each row's session.
    recording_urls = models.TextField(_("recording addresses"), blank=True, default="", editable=False)

    objects = InterventionQuerySet.as_manager()

    # Fields no kept count depends on, except the counts of searches (which match the texts and names) and the
    # sitemaps' latest modification: a save that changes only these renews the kept pages and those values
    # (snapshot.kept(per_edit=True)), not the counts, which take seconds to count again at a million interventions.
    # Every other field (status, embargo, hearing, organisation, date, language...) counts, as will any field added
    # later until it is listed here.
    COUNT_NEUTRAL_FIELDS = frozenset(
        {
            "title",
            "summary",
            "text_delivered",
            "text_is_excerpt",
            "text_submitted",
            "speaker_name",
            "speaker_title",
            "withhold_speaker_name",
            "hearing_role",
            "modality",
            "start_offset",
            "end_offset",
            "source_url",
            "source_id",
            # Within its hearing (the hearing is counted); the list's order within a day is not.
            "session",
            "order",
            "version",
            "updated_at",
            # Derived from the fields above and from relations, and written after the save.
            "search_vector",
            "theme_names",
            "on_behalf_of_names",
            "recording_urls",
        }
    )

    # These are derived from other fields and relations; keeping them in every version would only bloat the history.
    history = HistoricalRecords(
        m2m_fields=[themes, on_behalf_of],
        excluded_fields=["search_vector", "theme_names", "on_behalf_of_names", "recording_urls"],
    )

    class Meta:
        ordering = ["-date", "hearing_id", "session__order", "order", "id"]
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "order"],
                condition=Q(session__isnull=False, order__isnull=False),
                name="intervention_order_unique_in_session",
            ),
            models.UniqueConstraint(
                fields=["hearing", "order"],
                condition=Q(session__isnull=True, order__isnull=False),
                name="intervention_order_unique_in_hearing",
            ),
            models.UniqueConstraint(
                fields=["source_id"], condition=~Q(source_id=""), name="intervention_source_id_unique"
            ),
            models.CheckConstraint(
                condition=Q(start_offset__isnull=True) | Q(start_offset__gte=0),
                name="intervention_start_offset_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(end_offset__isnull=True) | Q(end_offset__gte=0),
                name="intervention_end_offset_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(start_offset__isnull=True)
                | Q(end_offset__isnull=True)
                | Q(end_offset__gt=F("start_offset")),
                name="intervention_ends_after_it_starts",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-date"], name="intervention_status_date_idx"),
            models.Index(fields=["status", "language"], name="intervention_status_lang_idx"),
            # Every column an organisation's (or an organisation type's) list reads, so SQLite need not open rows
            # whose texts it must read past to reach the date: the page ids of ?language=fr&type=ngo at 100,000
            # interventions, 320 ms -> 22 ms (bench/README.md).
            models.Index(
                fields=["status", "organisation", "language", "date", "hearing", "session", "order", "publish_at"],
                name="intervention_org_cover_idx",
            ),
            models.Index(fields=["status", "hearing"], name="intervention_status_hear_idx"),
            # The feeds' order (latest published first), read from the index's end instead of sorting every
            # public row: the feed at a million interventions, 1.4 s -> a few ms.
            models.Index(fields=["status", "-published_at", "-id"], name="intervention_status_pub_idx"),
            # One search index per text search configuration: a search matches each language's rows with its own
            # parsed query, and an index whose condition is that language answers the branch alone, where one index
            # over every row left each match to be re-checked against the row's (out-of-line) search vector.
            *[
                search.SearchVectorIndex(
                    fields=["search_vector"], condition=Q(language=code), name=f"intervention_search_{code}_idx"
                )
                for code in search.PG_CONFIGS
            ],
            search.SearchVectorIndex(
                fields=["search_vector"],
                condition=~Q(language__in=list(search.PG_CONFIGS)),
                name="intervention_search_other_idx",
            ),
            # The titles' words alone, per configuration as above: a one-word search's first page is among the
            # matches with the word in their titles whenever there are enough of them (search.titles_rank_first),
            # found here without reading every match's search vector.
            *[
                search.SearchVectorIndex(
                    search.TitleLexemes("search_vector"),
                    condition=Q(language=code),
                    name=f"intervention_title_{code}_idx",
                )
                for code in search.PG_CONFIGS
            ],
            search.SearchVectorIndex(
                search.TitleLexemes("search_vector"),
                condition=~Q(language__in=list(search.PG_CONFIGS)),
                name="intervention_title_other_idx",
            ),
            # Every column the list's count, facets and page ids read, so they scan this narrow index instead of
            # rows that carry kilobytes of text (SQLite keys its indexes by rowid; PostgreSQL needs `id` here).
            models.Index(
                fields=[
                    "status",
                    "hearing",
                    "organisation",
                    "language",
                    "date",
                    "session",
                    "order",
                    "id",
                    "publish_at",
                ],
                name="intervention_list_cover_idx",
            ),
        ]
        permissions = [("publish_intervention", _("Can publish, unpublish and withdraw interventions"))]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.date is None:
            if self.session_id and self.session.date:
                self.date = self.session.date
            elif self.hearing_id:
                self.date = self.hearing.start_date
        self.stamp_publication()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return address("interventions:detail", pk=self.pk)

    def leaves_counts_unchanged(self, update_fields=None) -> bool:
        """Whether saving this instance now changes only COUNT_NEUTRAL_FIELDS of its stored row."""
        if self._state.adding:
            return False
        if update_fields is not None:
            return {self._meta.get_field(name).name for name in update_fields} <= self.COUNT_NEUTRAL_FIELDS
        counted = [field.attname for field in self._meta.concrete_fields if field.name not in self.COUNT_NEUTRAL_FIELDS]
        stored = type(self)._base_manager.filter(pk=self.pk).values(*counted).first()
        return stored is not None and all(stored[name] == getattr(self, name) for name in counted)

    def clean(self):
        errors = {}
        if self.session_id and self.hearing_id and self.session.hearing_id != self.hearing_id:
            errors["session"] = _("This session belongs to another hearing.")
        if self.start_offset is not None and self.end_offset is not None and self.end_offset <= self.start_offset:
            errors["end_offset"] = _("The end must come after the start.")
        if self.end_offset is not None and self.start_offset is None:
            errors["start_offset"] = _("Give the start as well as the end.")
        try:
            self.clean_status()
        except ValidationError as error:
            errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)

    # Where a search matched, set by search.with_snippets(); a default here, because a template's failed lookup of
    # a missing attribute lists every attribute of the model to find out why (a millisecond a row).
    search_snippet = ""

    @property
    def theme_list(self):
        """Its themes by name."""
        return prefetched_list(self, "themes")

    @property
    def partner_list(self):
        """The organisations it was delivered on behalf of, by name."""
        return prefetched_list(self, "on_behalf_of")

    def get_language_display(self):
        return CONTENT_LANGUAGE_NAMES.get(self.language, self.language)

    @property
    def is_dated_by_year(self) -> bool:
        """True when only the year is known: the date is the hearing's stand-in 1 January."""
        return self.hearing.is_dated_by_year and self.date == self.hearing.start_date

    @property
    def public_speaker_name(self) -> str:
        return "" if self.withhold_speaker_name else self.speaker_name

    @property
    def recording(self):
        """The recording the offsets refer to: the session's, else its parent session's."""
        if not self.session_id:
            return None
        session = self.session
        return session.primary_recording or (session.parent.primary_recording if session.parent_id else None)

    @property
    def recording_url(self) -> str:
        recording = self.recording
        return recording.url_at(self.start_offset) if recording else ""

    @property
    def duration_seconds(self) -> int | None:
        if self.start_offset is None or self.end_offset is None:
            return None
        return self.end_offset - self.start_offset

    def citation(self, permalink: str = "", accessed=None) -> str:
        """A plain-text reference: organisation, speaker, title, hearing and session, date, permalink, accessed."""
        parts = [self.organisation.name]
        if self.public_speaker_name:
            parts.append(self.public_speaker_name)
        parts.append(f"“{self.title}”")
        venue = self.hearing.title
        if self.session_id:
            venue = f"{venue}, {self.session.title}"
        parts.append(venue)
        if self.date and self.is_dated_by_year:
            parts.append(str(self.date.year))
        elif self.date:
            parts.append(f"{self.date.day} {self.date:%B %Y}")
        parts.append(permalink)
        if accessed:
            parts.append(f"Accessed {accessed.day} {accessed:%B %Y}")
        return ". ".join(part for part in parts if part) + ("." if accessed else "")


class ImportMapping(models.Model):
    """A saved answer to “which column of this spreadsheet is which field”, reused on every import of it."""

    class Target(models.TextChoices):
        INTERVENTIONS = "interventions", _("Interventions")
        ORGANISATIONS = "organisations", _("Organisations")
        HEARINGS = "hearings", _("Hearings with sessions")

    name = models.CharField(_("name"), max_length=200, unique=True, help_text=_("e.g. “UNGDC speeches”."))
    target = models.CharField(_("imports"), max_length=20, choices=Target.choices, default=Target.INTERVENTIONS)
    columns = models.JSONField(
        _("columns"),
        default=dict,
        blank=True,
        help_text=_(
            "Which field each column of the spreadsheet fills, as "
            '{"Column in the file": "field"}; columns with a documented name or alias need no entry.'
        ),
    )
    rules = models.JSONField(
        _("fixed and derived values"),
        default=dict,
        blank=True,
        help_text=_(
            "Optional: “constants” (a value for every row), “templates” (a field built from columns, "
            "e.g. “{country}, {year}”), “lookups” (a field chosen by another column's value), "
            "“values” (corrections of spellings) and “ignore” (columns to leave out). See docs/import.md."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")

    def __str__(self):
        return self.name

    def as_dict(self) -> dict:
        return {
            **(self.rules if isinstance(self.rules, dict) else {}),
            "name": self.name,
            "target": self.target,
            "columns": self.columns,
        }

    def clean(self):
        from .importing import Mapping, MappingError

        if not isinstance(self.rules, dict):
            raise ValidationError({"rules": _('Write an object, e.g. {"constants": {"language": "en"}}.')})
        try:
            Mapping.from_dict(self.as_dict())
        except MappingError as error:
            raise ValidationError({"rules": str(error)}) from error


def format_offset(seconds: int | None) -> str:
    """1:23:45 for offsets of an hour or more, 23:45 below."""
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class ArchiveVersion(models.Model):
    """One row: a counter bumped by every change that can alter what the public lists count, in its transaction.

    A facet snapshot records the counter it was computed at, so a snapshot computed while a change was being
    committed is never mistaken for a current one (interventions.snapshot explains the protocol).
    """

    version = models.BigIntegerField(_("version"), default=0)
    # Renewed with every bump: names this version in a cache shared by servers and outliving the database
    # (a restored or rebuilt database counts its versions from 1 again). Pages are kept under it (pagecache).
    token = models.UUIDField(_("token"), default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("archive version")
        verbose_name_plural = _("archive versions")

    def __str__(self):
        return str(self.version)


class FacetSnapshot(models.Model):
    """The unfiltered intervention list's total and facet counts, computed once per archive version.

    Counting a million interventions takes seconds (5 s here); the busiest page of the site then reads one row.
    """

    version = models.BigIntegerField(_("archive version"), unique=True)
    # Names this snapshot's generation in the cache of other whole-archive values (snapshot.kept()).
    token = models.UUIDField(_("token"), default=uuid.uuid4, editable=False)
    computed_at = models.DateTimeField(_("computed"))
    # An embargo lifting changes what is public without any write, so a snapshot ends where the next one lifts.
    valid_until = models.DateTimeField(_("valid until"))
    total = models.PositiveIntegerField(_("public interventions"))
    facets = models.JSONField(_("facets"), default=dict)
    # The number of public interventions newer than each date, so a deep page of the default order seeks to
    # its first row instead of counting past every row before it.
    pages = models.JSONField(_("page anchors"), default=list)
    # ThemeCounts.to_json(): the theme facet's counts, and the theme list's and home page's, counted once.
    theme_counts = models.JSONField(_("theme counts"), default=dict)
    # The organisation facet's options before trimming are exactly the public organisations: their number is
    # what the home page, the organisation list and the sitemap would otherwise count again (1.2 s at 1M).
    public_organisations = models.PositiveIntegerField(_("public organisations"), default=0)
    # [type, initial, n] of those organisations: the organisation list's letters and each type's count, which
    # would otherwise ask again which organisations are public (2.9 s at 1M).
    organisation_initials = models.JSONField(_("public organisations per type and initial"), default=list)
    # The home page's charts per year ([year, count], oldest first: summed from the anchors' count per day) and
    # per type of organisation ([type, count]: the type facet's options before trimming), counted with the rest
    # instead of by two more grouped queries over the public archive (1.6-2.0 s at 1M).
    year_counts = models.JSONField(_("counts per year"), default=list)
    type_counts = models.JSONField(_("counts per type of organisation"), default=list)

    class Meta:
        verbose_name = _("facet snapshot")
        verbose_name_plural = _("facet snapshots")

    def __str__(self):
        return f"{self.version} ({self.computed_at:%Y-%m-%d %H:%M})"
