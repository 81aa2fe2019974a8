"""Admin machinery shared by every curated model: history, roles, workflow and optimistic locking."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import model_ngettext, unquote
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME
from simple_history.utils import get_m2m_reverse_field_name

from . import permissions
from .curation import EditConflict, PublicationStatus


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
        history = model.history.filter(id=stored.pk)
        base = history.filter(version=expected).order_by("-history_date").first()
        latest = history.order_by("-history_date").first()
        if base is not None and latest is not None:
            changed = latest.diff_against(base).changed_fields
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


class CuratedInlineMixin:
    """Inline rows obey the same role checks as their own change forms."""

    form = GuardedForm
    formset = GuardedInlineFormSet

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # inlineformset_factory builds fresh classes on every call.
        formset.user = request.user
        formset.form.user = request.user
        return formset


class CuratedAdmin(SimpleHistoryAdmin):
    """History with diffs, revert and restore; role checks on every path; optimistic locking."""

    form = CuratedForm
    change_list_template = "admin/curated_change_list.html"
    deleted_template = "admin/curated_deleted.html"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user  # a fresh class on every call
        return form

    # Role checks: the same functions the import calls.

    def _stored(self, obj):
        # The form may have changed the instance in memory already; rights follow what is saved.
        return self.model._default_manager.filter(pk=obj.pk).first() or obj

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.pk is not None:
            return permissions.can_change(request.user, self._stored(obj))
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.pk is not None:
            return permissions.can_delete(request.user, self._stored(obj))
        return super().has_delete_permission(request, obj)

    def has_publish_permission(self, request):
        return permissions.can_publish(request.user, self.model)

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        # The bulk "delete selected" action checks only the model permission; refuse public records here.
        if any(not permissions.can_delete(request.user, obj) for obj in objs):
            perms_needed = {*perms_needed, str(_("published or withdrawn %s") % self.opts.verbose_name_plural)}
        return deleted, model_count, perms_needed, protected

    # Optimistic locking.

    def save_model(self, request, obj, form, change):
        expected = form.cleaned_data.get("expected_version") if form else None
        if change and expected is not None:
            obj.save_if_version(expected)
        else:
            obj.save()

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except EditConflict:
            # Lost the race between the form's check and the save (the transaction was rolled back).
            self.message_user(
                request,
                _("Someone else saved this record while you were editing it, so your changes were not saved."),
                messages.ERROR,
            )
            return HttpResponseRedirect(request.path)

    # History: reverting needs the right to change the record as it is now.

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            current = get_object_or_404(self.model._default_manager, pk=unquote(object_id))
            if not self.has_change_permission(request, current):
                raise PermissionDenied
        # Atomic like the change form, so the version check and the save cannot be split.
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        current = self.model._default_manager.filter(pk=obj.pk).first() if obj is not None else None
        if current is not None and not self.has_change_permission(request, current):
            return True
        return super().revert_disabled(request, obj)

    # Deleted records, brought back from their history.

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_deleted"
        return [path("deleted/", self.admin_site.admin_view(self.deleted_view), name=name), *super().get_urls()]

    def deleted_records(self):
        """The last historical record of each deleted object that has not been brought back."""
        history = self.model.history
        existing = self.model._default_manager.values("pk")
        last = history.filter(history_type="-").exclude(id__in=existing).order_by("id", "-history_date", "-history_id")
        seen, records = set(), []
        for record in last:
            if record.id not in seen:
                seen.add(record.id)
                records.append(record)
        return sorted(records, key=lambda record: record.history_date, reverse=True)

    def can_restore(self, request, record) -> bool:
        obj = record.instance
        if not self.has_add_permission(request):
            return False
        return not permissions.is_public_record(obj) or permissions.can_publish(request.user, self.model)

    def deleted_label(self, record) -> str:
        try:
            return str(record.instance)
        except ObjectDoesNotExist:  # __str__ names a parent that is gone too
            return f"{self.opts.verbose_name} {record.id}"

    def deleted_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            return self.restore(request, request.POST.get("history_id", ""))
        records = self.deleted_records()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Deleted %(name)s") % {"name": self.opts.verbose_name_plural},
            "opts": self.opts,
            "records": [(record, self.deleted_label(record), self.can_restore(request, record)) for record in records],
        }
        return TemplateResponse(request, self.deleted_template, context)

    def restore(self, request, history_id):
        deleted_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_deleted")
        if not history_id.isdigit():
            self.message_user(request, _("Choose a deleted record to restore."), messages.ERROR)
            return HttpResponseRedirect(deleted_url)
        record = get_object_or_404(self.model.history.filter(history_type="-"), history_id=int(history_id))
        if not self.can_restore(request, record):
            raise PermissionDenied
        if self.model._default_manager.filter(pk=record.id).exists():
            self.message_user(request, _("That record has already been restored."), messages.WARNING)
            return HttpResponseRedirect(deleted_url)
        obj = record.instance
        try:
            obj.full_clean()
        except ValidationError as error:
            self.message_user(
                request,
                _("It cannot be restored: %(errors)s") % {"errors": "; ".join(error.messages)},
                messages.ERROR,
            )
            return HttpResponseRedirect(deleted_url)
        with transaction.atomic(using=router.db_for_write(self.model)):
            obj.save()
            # The deletion record holds no relations (they went first), so they come from the version before it.
            source = record.prev_record or record
            for field in record._history_m2m_fields:
                related = get_m2m_reverse_field_name(field)
                ids = [row[f"{related}_id"] for row in getattr(source, field.name).values()]
                getattr(obj, field.name).set(field.related_model._default_manager.filter(pk__in=ids))
        self.log_addition(request, obj, [{"added": {}}])
        self.message_user(
            request,
            format_html(
                '{} <a href="{}">{}</a>',
                _("Restored:"),
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk]),
                str(obj),
            ),
        )
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        )


class PublicationActionsMixin:
    """Workflow actions. Each record is saved on its own, so its history records who moved it and when."""

    actions = ["send_for_review", "publish", "unpublish", "withdraw"]

    def _selected(self, queryset):
        # The changelist queryset may carry aggregate annotations; reload plain records.
        return self.model._default_manager.filter(pk__in=list(queryset.values_list("pk", flat=True)))

    def _move(self, request, queryset, to_status, from_statuses, message):
        count = 0
        for obj in self._selected(queryset).filter(status__in=from_statuses):
            obj.status = to_status
            obj.save()
            count += 1
        self.message_user(request, message(count) % {"count": count, "items": model_ngettext(self.opts, count)})

    @admin.action(description=_("Send selected %(verbose_name_plural)s for review"), permissions=["change"])
    def send_for_review(self, request, queryset):
        self._move(
            request,
            queryset,
            PublicationStatus.IN_REVIEW,
            [PublicationStatus.DRAFT],
            lambda n: ngettext(
                "%(count)d %(items)s was sent for review.", "%(count)d %(items)s were sent for review.", n
            ),
        )

    @admin.action(description=_("Publish selected %(verbose_name_plural)s"), permissions=["publish"])
    def publish(self, request, queryset):
        self._move(
            request,
            queryset,
            PublicationStatus.PUBLISHED,
            [PublicationStatus.DRAFT, PublicationStatus.IN_REVIEW, PublicationStatus.WITHDRAWN],
            lambda n: ngettext("%(count)d %(items)s was published.", "%(count)d %(items)s were published.", n),
        )

    @admin.action(description=_("Unpublish selected %(verbose_name_plural)s (back to draft)"), permissions=["publish"])
    def unpublish(self, request, queryset):
        self._move(
            request,
            queryset,
            PublicationStatus.DRAFT,
            [PublicationStatus.PUBLISHED],
            lambda n: ngettext("%(count)d %(items)s was unpublished.", "%(count)d %(items)s were unpublished.", n),
        )

    @admin.action(description=_("Withdraw selected %(verbose_name_plural)s"), permissions=["publish"])
    def withdraw(self, request, queryset):
        self._move(
            request,
            queryset,
            PublicationStatus.WITHDRAWN,
            [PublicationStatus.PUBLISHED],
            lambda n: ngettext("%(count)d %(items)s was withdrawn.", "%(count)d %(items)s were withdrawn.", n),
        )
