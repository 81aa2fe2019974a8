"""Forms shared by every curated model's admin: role checks, optimistic locking, reverting m2m relations."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME
from simple_history.utils import get_m2m_reverse_field_name

from . import permissions
from .curation import changes_since


def display_value(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, models.QuerySet | list | tuple | set):
        return ", ".join(str(item) for item in value) or "—"
    return str(value)


class GuardedForm(forms.ModelForm):
    """Refuses a save the user may not make. `user` is set by the admin that builds the form."""

    user = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        record = getattr(self.instance, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None)
        if record is not None and not self.is_bound:
            self._initial_m2m_from(record)

    def _initial_m2m_from(self, record):
        """A reverted version brings back its themes and co-sponsors, not only its own fields."""
        for field in record._history_m2m_fields:
            if field.name in self.fields:
                related = get_m2m_reverse_field_name(field)
                self.initial[field.name] = [row[f"{related}_id"] for row in getattr(record, field.name).values()]

    def _post_clean(self):
        super()._post_clean()
        # Checked once the instance carries the submitted values; an untouched inline row is not an edit.
        if self.user is not None and (self.instance.pk is None or self.has_changed()):
            self._check_permission()

    def _check_permission(self):
        stored = type(self.instance)._default_manager.filter(pk=self.instance.pk).first() if self.instance.pk else None
        try:
            permissions.check_save(self.user, self.instance, stored)
        except PermissionDenied as refusal:
            field = "status" if "status" in self.fields else None
            self.add_error(field, str(refusal))


class CuratedForm(GuardedForm):
    """Also refuses a save based on an outdated version.

    `expected_version` carries the version the editor started from through the round trip.
    """

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            # From the row, not the instance: on a revert the instance is an old version.
            self.initial["expected_version"] = self.instance.stored_version()

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk and cleaned_data.get("expected_version") is not None:
            self._check_version(cleaned_data["expected_version"])
        return cleaned_data

    def _check_version(self, expected):
        # Ordered by pk alone: Meta.ordering may join other tables, which FOR UPDATE cannot lock.
        rows = type(self.instance)._default_manager.filter(pk=self.instance.pk).order_by("pk")
        if transaction.get_connection(router.db_for_write(type(self.instance))).in_atomic_block:
            # Locks the row until the admin's transaction ends, so nobody saves between this check and the save.
            rows = rows.select_for_update()
        current = rows.values_list("version", flat=True).first()
        if current is None or current == expected:
            return
        raise ValidationError(self.conflict_message(expected))

    def conflicting_changes(self, expected):
        """(label, their value, your value) for each field someone else changed since `expected`."""
        model = type(self.instance)
        stored = model._default_manager.get(pk=self.instance.pk)
        delta = changes_since(model, stored.pk, expected)
        base = delta.old_record if delta is not None else None
        if delta is not None:
            changed = delta.changed_fields
        else:
            changed = [name for name in self.fields if name != "expected_version"]
        rows = []
        for name in changed:
            if name not in self.fields or name not in self.cleaned_data:
                continue
            field = model._meta.get_field(name)
            if field.many_to_many:
                theirs = list(getattr(stored, name).all())
            elif field.choices:
                theirs = getattr(stored, f"get_{name}_display")()
            else:
                theirs = getattr(stored, name)
            yours = self.cleaned_data[name]
            if field.choices and not field.many_to_many:
                yours = dict(field.flatchoices).get(yours, yours)
            if base is None and display_value(theirs) == display_value(yours):
                continue
            rows.append((self.fields[name].label, display_value(theirs), display_value(yours)))
        return rows

    def conflict_message(self, expected):
        rows = self.conflicting_changes(expected)
        details = format_html_join(
            "", "<li>{}: {} <em>(theirs)</em> vs. {} <em>(yours)</em></li>", rows
        ) or format_html("<li>{}</li>", _("their change is not in the fields of this form"))
        return format_html(
            "{} <ul>{}</ul>{}",
            _("Someone else saved this record while you were editing it, so your changes were not saved."),
            details,
            _("Open the record again to see their version, then make your changes once more."),
        )


class GuardedInlineFormSet(BaseInlineFormSet):
    user = None

    def clean(self):
        super().clean()
        if self.user is None:
            return
        for form in self.deleted_forms:
            if form.instance.pk and not permissions.can_delete(self.user, form.instance):
                raise ValidationError(permissions.PUBLIC_RECORD_REFUSED)
