"""Keep the search index, each row's kept cells and the unfiltered list's kept counts current when the archive
changes.

Each receiver only works out which interventions are affected and calls
search.refresh_search_index(); changes made with QuerySet.update() send no signals, so code
doing them calls it itself.
"""

from django.db import connection
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from hearings.models import Hearing, Recording, Session

from .models import Intervention, Organisation, Theme
from .recording_links import refresh_hearings
from .search import refresh_search_index
from .snapshot import bump_version, renew_page_token


@receiver(post_save, sender=Intervention, dispatch_uid="search_intervention_saved")
def intervention_saved(sender, instance, raw=False, **kwargs):
    # Fixtures load rows before their relations; `manage.py rebuild_search_index` indexes them afterwards.
    if not raw:
        refresh_search_index([instance.pk])


@receiver(post_delete, sender=Intervention, dispatch_uid="search_intervention_deleted")
def intervention_deleted(sender, instance, **kwargs):
    refresh_search_index([instance.pk])


@receiver(m2m_changed, sender=Intervention.themes.through, dispatch_uid="search_themes_changed")
@receiver(m2m_changed, sender=Intervention.on_behalf_of.through, dispatch_uid="search_on_behalf_of_changed")
def tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action == "pre_clear" and reverse:
        # After a clear from the theme's or organisation's side, pk_set no longer says who was affected.
        instance._search_affected = _affected_by(instance)
    elif action in {"post_add", "post_remove"}:
        refresh_search_index(list(pk_set) if reverse else [instance.pk])
    elif action == "post_clear":
        refresh_search_index(getattr(instance, "_search_affected", []) if reverse else [instance.pk])


def _affected_by(instance) -> list[int]:
    if isinstance(instance, Organisation):
        condition = Q(organisation=instance) | Q(on_behalf_of=instance)
    else:
        condition = Q(themes=instance)
    return list(Intervention.objects.filter(condition).values_list("pk", flat=True).distinct())


# The fields of an organisation or theme that the index holds.
INDEXED_NAMES = {Organisation: ("name", "acronym"), Theme: ("name",)}


@receiver(pre_save, sender=Organisation, dispatch_uid="search_organisation_saving")
@receiver(pre_save, sender=Theme, dispatch_uid="search_theme_saving")
def name_saving(sender, instance, raw=False, **kwargs):
    # Reindexing every intervention of a large organisation is worth it only when a name changed.
    fields = INDEXED_NAMES[sender]
    stored = sender.objects.filter(pk=instance.pk).values_list(*fields).first() if instance.pk and not raw else None
    instance._search_renamed = stored is not None and stored != tuple(getattr(instance, name) for name in fields)


@receiver(post_save, sender=Organisation, dispatch_uid="search_organisation_saved")
@receiver(post_save, sender=Theme, dispatch_uid="search_theme_saved")
def name_saved(sender, instance, **kwargs):
    # A renamed organisation or theme must be found under its new name.
    if getattr(instance, "_search_renamed", False):
        refresh_search_index(_affected_by(instance))


@receiver(pre_delete, sender=Organisation, dispatch_uid="search_organisation_deleting")
@receiver(pre_delete, sender=Theme, dispatch_uid="search_theme_deleting")
def name_deleting(sender, instance, **kwargs):
    # Deleting cascades to the m2m rows without m2m_changed, so note who loses the name now.
    instance._search_affected = _affected_by(instance)


@receiver(post_delete, sender=Organisation, dispatch_uid="search_organisation_deleted")
@receiver(post_delete, sender=Theme, dispatch_uid="search_theme_deleted")
def name_deleted(sender, instance, **kwargs):
    refresh_search_index(getattr(instance, "_search_affected", []))


# ---------------------------------------------------------------- the unfiltered list's kept counts
# Anything that can change what the public list counts, or the names it shows beside the counts, makes the
# facet snapshot out of date (snapshot.py explains why the bump happens inside the change's transaction).


@receiver(post_delete, sender=Intervention, dispatch_uid="snapshot_intervention_deleted")
@receiver(post_save, sender=Hearing, dispatch_uid="snapshot_hearing_saved")
@receiver(post_delete, sender=Hearing, dispatch_uid="snapshot_hearing_deleted")
@receiver(post_save, sender=Organisation, dispatch_uid="snapshot_organisation_saved")
@receiver(post_delete, sender=Organisation, dispatch_uid="snapshot_organisation_deleted")
@receiver(post_save, sender=Theme, dispatch_uid="snapshot_theme_saved")
@receiver(post_delete, sender=Theme, dispatch_uid="snapshot_theme_deleted")
def archive_changed(sender, **kwargs):
    bump_version()


@receiver(pre_save, sender=Intervention, dispatch_uid="snapshot_intervention_saving")
def intervention_saving(sender, instance, raw=False, update_fields=None, **kwargs):
    # Compared before the row is written: afterwards nothing tells what the save changed.
    instance._leaves_counts_unchanged = not raw and instance.leaves_counts_unchanged(update_fields)


@receiver(post_save, sender=Intervention, dispatch_uid="snapshot_intervention_saved")
def intervention_saved_for_counts(sender, instance, **kwargs):
    # A corrected text or title changes no count: counting a million interventions again (seconds, and the
    # visitors who arrive meanwhile wait) would buy nothing. Searches' counts are kept per edit (snapshot.kept).
    if getattr(instance, "_leaves_counts_unchanged", False):
        renew_page_token()
    else:
        bump_version()


@receiver(m2m_changed, sender=Intervention.themes.through, dispatch_uid="snapshot_themes_changed")
@receiver(m2m_changed, sender=Intervention.on_behalf_of.through, dispatch_uid="snapshot_on_behalf_of_changed")
def tagging_changed(sender, action, **kwargs):
    if action.startswith("post_"):
        bump_version()


# Sessions, recordings and related hearings count for nothing, but public pages show them, and whole pages are kept
# per version of the archive (config/pagecache.py): their changes make the kept pages stale, not the counts.


@receiver(post_save, sender=Session, dispatch_uid="pages_session_saved")
@receiver(post_delete, sender=Session, dispatch_uid="pages_session_deleted")
@receiver(post_save, sender=Recording, dispatch_uid="pages_recording_saved")
@receiver(post_delete, sender=Recording, dispatch_uid="pages_recording_deleted")
def shown_detail_changed(sender, **kwargs):
    renew_page_token()


@receiver(m2m_changed, sender=Hearing.related_hearings.through, dispatch_uid="pages_related_hearings_changed")
def related_hearings_changed(sender, action, **kwargs):
    if action.startswith("post_"):
        renew_page_token()


# ---------------------------------------------------------------- each row's kept recording cell
# An intervention's cell (recording_links.py) is made from the sessions and recordings of its hearing: after a change
# to one, the cells of its hearing's interventions, and of the hearing it left, are worked out again.


@receiver(pre_save, sender=Session, dispatch_uid="recording_links_session_saving")
@receiver(pre_save, sender=Recording, dispatch_uid="recording_links_recording_saving")
@receiver(pre_delete, sender=Session, dispatch_uid="recording_links_session_deleting")
@receiver(pre_delete, sender=Recording, dispatch_uid="recording_links_recording_deleting")
def playing_place_changing(sender, instance, raw=False, **kwargs):
    if raw or not instance.pk:
        return
    stored = sender._base_manager.filter(pk=instance.pk)
    hearing_field = "hearing_id" if sender is Session else "session__hearing_id"
    instance._recording_links_hearing = stored.values_list(hearing_field, flat=True).first()


@receiver(post_save, sender=Session, dispatch_uid="recording_links_session_saved")
@receiver(post_save, sender=Recording, dispatch_uid="recording_links_recording_saved")
@receiver(post_delete, sender=Session, dispatch_uid="recording_links_session_deleted")
@receiver(post_delete, sender=Recording, dispatch_uid="recording_links_recording_deleted")
def playing_place_changed(sender, instance, raw=False, **kwargs):
    # Fixtures load rows before their relations; `manage.py rebuild_search_index` works the cells out afterwards.
    if raw:
        return
    if sender is Session:
        current = instance.hearing_id
    else:
        current = Session._base_manager.filter(pk=instance.session_id).values_list("hearing_id", flat=True).first()
    refresh_hearings([current, getattr(instance, "_recording_links_hearing", None)], connection)
