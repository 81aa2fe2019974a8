"""Rules every curated record shares: the publication workflow and optimistic locking.

`interventions` builds on these, so they live in `hearings`, the app it depends on.
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Statuses the public has seen: only editors may move a record into or out of them.
EDITORIAL_STATUSES = frozenset({PublicationStatus.PUBLISHED, PublicationStatus.WITHDRAWN})

# Where a record may go from each status. Only a published record can be withdrawn.
TRANSITIONS = {
    PublicationStatus.DRAFT: {PublicationStatus.IN_REVIEW, PublicationStatus.PUBLISHED},
    PublicationStatus.IN_REVIEW: {PublicationStatus.DRAFT, PublicationStatus.PUBLISHED},
    PublicationStatus.PUBLISHED: {PublicationStatus.WITHDRAWN, PublicationStatus.DRAFT, PublicationStatus.IN_REVIEW},
    PublicationStatus.WITHDRAWN: {PublicationStatus.PUBLISHED, PublicationStatus.DRAFT, PublicationStatus.IN_REVIEW},
}


def visible(prefix: str = "", now=None) -> Q:
    """Published, and past any embargo. `prefix` reaches a related record, e.g. "hearing__"."""
    now = now or timezone.now()
    return Q(**{f"{prefix}status": PublicationStatus.PUBLISHED}) & (
        Q(**{f"{prefix}publish_at__isnull": True}) | Q(**{f"{prefix}publish_at__lte": now})
    )


class Publishable:
    """Workflow methods for models with `status`, `publish_at` and `published_at`."""

    def can_move_to(self, status) -> bool:
        return status == self.status or status in TRANSITIONS.get(self.status, set())

    def stored_status(self) -> str | None:
        if self.pk is None:
            return None
        return type(self)._default_manager.filter(pk=self.pk).values_list("status", flat=True).order_by().first()

    def stamp_publication(self):
        # published_at records the first publication: withdrawing and republishing keep it.
        if self.status == PublicationStatus.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()

    def clean_status(self):
        stored = self.stored_status()
        # A new record may start in any status: a restored one comes back as it was.
        if stored is not None and self.status != stored and self.status not in TRANSITIONS.get(stored, set()):
            raise ValidationError(
                {
                    "status": _(
                        "A record cannot move from “%(old)s” to “%(new)s”; only a published one can be withdrawn."
                    )
                    % {"old": PublicationStatus(stored).label, "new": PublicationStatus(self.status).label}
                }
            )

    def is_public(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == PublicationStatus.PUBLISHED and (self.publish_at is None or self.publish_at <= now)

    @property
    def is_published(self) -> bool:
        return self.status == PublicationStatus.PUBLISHED

    @property
    def is_embargoed(self) -> bool:
        return self.is_published and self.publish_at is not None and self.publish_at > timezone.now()


class EditConflict(Exception):
    """Someone saved the record after the version the current edit started from."""

    def __init__(self, obj, expected_version):
        self.obj = obj
        self.expected_version = expected_version
        super().__init__(f"{obj._meta.verbose_name} {obj.pk} changed since version {expected_version}")


class Versioned(models.Model):
    """A version number raised by every save, so that a save based on an older version can be refused."""

    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Goes up by one at every save; a save started from an older version is refused."),
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding and not getattr(self, "_version_claimed", False):
            # Read from the row rather than trusting a possibly stale instance.
            stored = type(self)._default_manager.filter(pk=self.pk).values_list("version", flat=True).order_by().first()
            self.version = (stored or 0) + 1
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)

    def save_if_version(self, expected_version: int, **kwargs):
        """Save only if the stored version is still `expected_version`; raise EditConflict otherwise.

        The conditional UPDATE claims the next version number in the same
        transaction as the save, so two editors can never both succeed.
        """
        manager = type(self)._default_manager
        with transaction.atomic(using=kwargs.get("using")):
            claimed = manager.filter(pk=self.pk, version=expected_version).update(version=expected_version + 1)
            if not claimed:
                raise EditConflict(self, expected_version)
            self.version = expected_version + 1
            self._version_claimed = True
            try:
                self.save(**kwargs)
            finally:
                self._version_claimed = False

    def stored_version(self) -> int | None:
        return type(self)._default_manager.filter(pk=self.pk).values_list("version", flat=True).order_by().first()


def changes_since(model, pk, version):
    """What was saved to record `pk` after `version`, from its history.

    A `ModelDelta` of the latest version against `version` (`.changes` holds each field's
    old and new value, `.new_record.history_user` who saved last), or None when that
    version is not in the history.
    """
    history = model.history.filter(id=pk)
    base = history.filter(version=version).order_by("-history_date", "-history_id").first()
    latest = history.order_by("-history_date", "-history_id").first()
    if base is None or latest is None:
        return None
    return latest.diff_against(base)
