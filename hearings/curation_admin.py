"""Admin machinery shared by every curated model: history, roles, workflow and optimistic locking."""

from django.contrib import admin, messages
from django.contrib.admin.utils import model_ngettext, unquote
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import router, transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import get_m2m_reverse_field_name

from . import permissions
from .curation import EditConflict, PublicationStatus
from .curation_forms import CuratedForm, GuardedForm, GuardedInlineFormSet

__all__ = ["CuratedAdmin", "CuratedInlineMixin", "PublicationActionsMixin"]


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
