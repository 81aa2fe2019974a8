"""Who may do what with curated records, checked on the server for every path.

The admin (actions, change form, delete, revert, restore) and the spreadsheet
import call these functions, so a rule is written once. Editors hold the
`publish_<model>` permission; contributors do not, so they may create and edit
drafts but may neither move a record into or out of public view nor change or
delete one the public has seen.
"""

from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .curation import EDITORIAL_STATUSES

PUBLISH_REFUSED = _(
    "Only editors can publish, unpublish or withdraw. Leave it as a draft or send it for review, and an editor "
    "will publish it."
)
PUBLIC_RECORD_REFUSED = _(
    "Only editors can change or delete what the public has seen (a published or withdrawn record)."
)


def publication_owner(obj_or_model):
    """The publishable model whose publish permission governs this record or model."""
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    name = model._meta.label_lower
    if name in {"hearings.session", "hearings.recording"}:
        return model._meta.apps.get_model("hearings", "Hearing")
    return model


def publish_permission(model) -> str:
    opts = publication_owner(model)._meta
    return f"{opts.app_label}.publish_{opts.model_name}"


def can_publish(user, model) -> bool:
    return user.is_active and user.has_perm(publish_permission(model))


def has_model_permission(user, action: str, model) -> bool:
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")


def is_public_record(obj) -> bool:
    """Whether the public has seen the record: it, or the hearing it belongs to, is published or withdrawn."""
    if obj is None:
        return False
    label = obj._meta.label_lower
    if label in {"hearings.session", "hearings.recording"}:
        # Asked of the database: the hearing may be gone, e.g. when listing deleted records.
        hearings = publication_owner(obj)._default_manager.filter(status__in=EDITORIAL_STATUSES)
        if label == "hearings.session":
            return hearings.filter(pk=obj.hearing_id).exists()
        return hearings.filter(sessions=obj.session_id).exists()
    return getattr(obj, "status", None) in EDITORIAL_STATUSES


def can_change(user, obj) -> bool:
    if not has_model_permission(user, "change", type(obj)):
        return False
    return can_publish(user, type(obj)) or not is_public_record(obj)


def can_delete(user, obj) -> bool:
    if not has_model_permission(user, "delete", type(obj)):
        return False
    return can_publish(user, type(obj)) or not is_public_record(obj)


def can_preview(user, model) -> bool:
    """Staff who may view the model in the admin may also see its unpublished records at their public address."""
    return user.is_active and user.is_staff and has_model_permission(user, "view", model)


def check_save(user, obj, stored=None):
    """Refuse a save by `user` that would touch what the public sees without the right to publish.

    `stored` is the record as it is in the database (None for a new one);
    `obj` is the record about to be saved.
    """
    if can_publish(user, type(obj)):
        return
    if stored is not None and is_public_record(stored):
        raise PermissionDenied(PUBLIC_RECORD_REFUSED)
    if is_public_record(obj):
        if hasattr(obj, "status"):
            raise PermissionDenied(PUBLISH_REFUSED)
        raise PermissionDenied(PUBLIC_RECORD_REFUSED)


def check_delete(user, obj):
    if not can_delete(user, obj):
        raise PermissionDenied(PUBLIC_RECORD_REFUSED)
