"""Hearings, their sessions and the recordings of those sessions."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from config.addresses import address

from .curation import PublicationStatus, Publishable, Versioned, visible

__all__ = ["Hearing", "PublicationStatus", "Recording", "Session"]


def prefetched_list(instance, relation):
    """The objects of a to-many relation, in the related model's order: the list that
    Prefetch(relation, to_attr=f"_{relation}_list") read for a whole page of rows at once, else a query.

    Without to_attr, Django builds a filtered queryset for every row it prefetches into, and a template clones it at
    each `.all`: on a hearing page of 50 interventions, a sixth of the time went on querysets it never ran.
    """
    try:
        return instance.__dict__[f"_{relation}_list"]
    except KeyError:
        return list(getattr(instance, relation).all())


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    YEAR = "year", _("Year")


class HearingQuerySet(models.QuerySet):
    def published(self, now=None):
        """The one rule for public visibility: published, and past any embargo."""
        return self.filter(visible(now=now))


class Hearing(Publishable, Versioned):
    class Format(models.TextChoices):
        ONLINE = "online", _("Online")
        IN_PERSON = "in_person", _("In person")
        HYBRID = "hybrid", _("Hybrid")

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        help_text=_("Part of the permanent address of the hearing; do not change it once published."),
    )
    convened_by = models.CharField(
        _("convened by"),
        max_length=300,
        blank=True,
        help_text=_("Who called the hearing, e.g. “President of the General Assembly”."),
    )
    organised_by = models.CharField(
        _("organised by"),
        max_length=300,
        blank=True,
        help_text=_("Who ran the hearing, e.g. “UNODC”."),
    )
    start_date = models.DateField(_("start date"))
    date_precision = models.CharField(
        _("date known to the"),
        max_length=10,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_(
            "“Year” when the sources give the year but not the day: the start date is then stored as 1 January "
            "and pages show the year alone."
        ),
    )
    end_date = models.DateField(_("end date"), null=True, blank=True, help_text=_("Leave empty for a one-day hearing."))
    format = models.CharField(
        _("format"),
        max_length=20,
        choices=Format.choices,
        blank=True,
        help_text=_("Leave empty when the sources do not say."),
    )
    location = models.CharField(
        _("location"), max_length=200, blank=True, help_text=_("City and venue; “Online” for virtual hearings.")
    )
    description = models.TextField(_("description"), blank=True)
    official_url = models.URLField(_("official page"), max_length=500, blank=True)
    concept_note_url = models.URLField(_("concept note"), max_length=500, blank=True)
    agenda_url = models.URLField(_("agenda"), max_length=500, blank=True)
    related_hearings = models.ManyToManyField(
        "self",
        blank=True,
        verbose_name=_("related hearings and meetings"),
        help_text=_("Meetings this hearing prepares for or follows up, e.g. a General Assembly high-level meeting."),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=PublicationStatus.choices,
        default=PublicationStatus.DRAFT,
        help_text=_("Only published hearings, and their published interventions, are public."),
    )
    publish_at = models.DateTimeField(
        _("embargoed until"),
        null=True,
        blank=True,
        help_text=_("Leave empty to publish at once. A published hearing stays hidden until this time."),
    )
    published_at = models.DateTimeField(_("first published"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = HearingQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[related_hearings])

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="hearing_ends_after_it_starts",
            ),
        ]
        indexes = [models.Index(fields=["status", "-start_date"], name="hearing_status_date_idx")]
        permissions = [("publish_hearing", _("Can publish, unpublish and withdraw hearings"))]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.stamp_publication()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return address("hearings:detail", slug=self.slug)

    def clean(self):
        self.clean_status()

    @property
    def last_date(self):
        return self.end_date or self.start_date

    @property
    def is_dated_by_year(self) -> bool:
        return self.date_precision == DatePrecision.YEAR


class Session(Versioned):
    class Kind(models.TextChoices):
        SESSION = "session", _("Session")
        OPENING = "opening", _("Opening segment")
        PANEL = "panel", _("Panel")
        CLOSING = "closing", _("Closing segment")

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("hearing"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("part of"),
        help_text=_("For a panel held inside a larger session. One level only."),
    )
    title = models.CharField(_("title"), max_length=200, help_text=_("e.g. “Morning session”, “Panel 1”."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SESSION)
    date = models.DateField(_("date"), null=True, blank=True, help_text=_("Defaults to the hearing's start date."))
    start_time = models.TimeField(_("starts at"), null=True, blank=True, help_text=_("Local time at the venue."))
    end_time = models.TimeField(_("ends at"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(
        _("order"), default=1, help_text=_("Position of the session within its hearing: 1, 2, 3…")
    )
    chair = models.CharField(
        _("moderator or chair"), max_length=200, blank=True, help_text=_("Name and, if useful, title.")
    )
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["hearing", "order"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.UniqueConstraint(fields=["hearing", "order"], name="session_order_unique_in_hearing"),
            models.CheckConstraint(
                condition=Q(start_time__isnull=True) | Q(end_time__isnull=True) | Q(end_time__gt=F("start_time")),
                name="session_ends_after_it_starts",
            ),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="session_not_its_own_parent"),
        ]

    def __str__(self):
        return f"{self.hearing} – {self.title}"

    def save(self, *args, **kwargs):
        if self.date is None and self.hearing_id:
            self.date = self.hearing.start_date
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.hearing.get_absolute_url()}#session-{self.order}"

    def clean(self):
        errors = {}
        if self.parent_id:
            parent = self.parent
            if parent.parent_id:
                errors["parent"] = _("A session can only be nested one level deep.")
            elif self.hearing_id and parent.hearing_id != self.hearing_id:
                errors["parent"] = _("The parent session belongs to another hearing.")
            elif self.pk and parent.pk == self.pk:
                errors["parent"] = _("A session cannot be part of itself.")
            elif self.pk and self.children.exists():
                errors["parent"] = _("This session has panels of its own, so it cannot be nested.")
        if self.pk and self.hearing_id:
            stored_hearing_id = Session.objects.filter(pk=self.pk).values_list("hearing_id", flat=True).first()
            if stored_hearing_id and stored_hearing_id != self.hearing_id and self.interventions.exists():
                errors["hearing"] = _(
                    "Move or delete this session's interventions before moving it to another hearing."
                )
        if self.date and self.hearing_id:
            hearing = self.hearing
            if self.date < hearing.start_date or self.date > hearing.last_date:
                errors["date"] = _("The date falls outside the hearing's dates.")
        if errors:
            raise ValidationError(errors)

    @property
    def recording_list(self):
        """The session's recordings in order."""
        return prefetched_list(self, "recordings")

    @property
    def primary_recording(self):
        """The first recording in order."""
        recordings = self.recording_list
        return recordings[0] if recordings else None


def address_at(url: str, provider: str, seconds: int | None) -> str:
    """A recording's address starting at `seconds`, where its provider supports it.

    A function of plain values, so that code reading recordings as values (an export, a migration) shares it.
    """
    if not seconds:
        return url
    seconds = int(seconds)
    if provider == Recording.Provider.YOUTUBE:
        separator = "&" if "?" in url else "?"
        return f"{url}{separator}t={seconds}s"
    if provider == Recording.Provider.VIMEO:
        return f"{url.split('#')[0]}#t={seconds}s"
    if provider == Recording.Provider.MEDIA_FILE:
        # W3C media fragments: browsers start playback at the offset.
        return f"{url.split('#')[0]}#t={seconds}"
    return url


class Recording(Versioned):
    class Provider(models.TextChoices):
        UN_WEB_TV = "un_web_tv", _("UN Web TV")
        YOUTUBE = "youtube", _("YouTube")
        VIMEO = "vimeo", _("Vimeo")
        MEDIA_FILE = "media_file", _("Direct media file")
        OTHER = "other", _("Other")

    class Channel(models.TextChoices):
        FLOOR = "floor", _("Floor (original languages)")
        ARABIC = "ar", _("Arabic")
        CHINESE = "zh", _("Chinese")
        ENGLISH = "en", _("English")
        FRENCH = "fr", _("French")
        RUSSIAN = "ru", _("Russian")
        SPANISH = "es", _("Spanish")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="recordings", verbose_name=_("session"))
    title = models.CharField(_("title"), max_length=300, blank=True)
    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices)
    url = models.URLField(_("address"), max_length=500, help_text=_("The page or file where the recording plays."))
    language_channel = models.CharField(
        _("language channel"), max_length=10, choices=Channel.choices, default=Channel.FLOOR
    )
    duration = models.DurationField(_("duration"), null=True, blank=True, help_text=_("As h:mm:ss."))
    order = models.PositiveSmallIntegerField(
        _("order"), default=1, help_text=_("The first recording is the one interventions link to.")
    )
    note = models.CharField(
        _("note"),
        max_length=300,
        blank=True,
        help_text=_("Shown to the public beside the link, e.g. to say the exact address is not known."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["session", "order"]
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")
        constraints = [
            models.UniqueConstraint(fields=["session", "order"], name="recording_order_unique_in_session"),
        ]

    def __str__(self):
        return self.title or f"{self.get_provider_display()} – {self.session.title}"

    def get_absolute_url(self):
        return self.url

    def url_at(self, seconds: int | None) -> str:
        """The recording's address starting at `seconds`, where the provider supports it."""
        return address_at(self.url, self.provider, seconds)

    def supports_offset(self) -> bool:
        return self.provider in {self.Provider.YOUTUBE, self.Provider.VIMEO, self.Provider.MEDIA_FILE}
