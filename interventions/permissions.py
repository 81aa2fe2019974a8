"""The permission checks for organisations, themes and interventions.

The rules are shared with hearings (see hearings/permissions.py); this module is
the one place the admin and the spreadsheet import of this app call.
"""

from hearings.permissions import (
    PUBLIC_RECORD_REFUSED,
    PUBLISH_REFUSED,
    can_change,
    can_delete,
    can_preview,
    can_publish,
    check_delete,
    check_save,
    is_public_record,
    publish_permission,
)

__all__ = [
    "PUBLIC_RECORD_REFUSED",
    "PUBLISH_REFUSED",
    "can_change",
    "can_delete",
    "can_preview",
    "can_publish",
    "check_delete",
    "check_save",
    "is_public_record",
    "publish_permission",
]
