"""Spreadsheet import and export in the admin: upload, preview every row, confirm; export the same formats."""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ConfirmImportForm, ImportForm

from .importing import Mapping
from .models import ImportMapping

CREATE_MISSING_LABEL = _("Create unknown organisations, themes and hearings")
# Creating unknown records on import is adding them, so it needs the same permissions as the admin's add forms.
CREATE_MISSING_PERMISSIONS = ["interventions.add_organisation", "interventions.add_theme", "hearings.add_hearing"]


def may_create_missing(user) -> bool:
    return user.has_perms(CREATE_MISSING_PERMISSIONS)


class ArchiveImportForm(ImportForm):
    mapping = forms.ModelChoiceField(
        ImportMapping.objects.none(),
        required=False,
        label=_("Column mapping"),
        help_text=_("A saved mapping for files whose headers are not the documented ones (see “Import mappings”)."),
    )
    create_missing = forms.BooleanField(
        required=False,
        label=CREATE_MISSING_LABEL,
        help_text=_("Leave unticked to stop at the preview, with the unknown names listed, and correct the file."),
    )

    def __init__(self, formats, resources, target=None, user=None, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.user = user
        self.fields["mapping"].queryset = ImportMapping.objects.filter(target=target)

    def clean_create_missing(self):
        create = self.cleaned_data["create_missing"]
        if create and self.user is not None and not may_create_missing(self.user):
            raise ValidationError(
                _("You may not add organisations, themes or hearings: leave this unticked, or ask an editor.")
            )
        return create


class ArchiveConfirmImportForm(ConfirmImportForm):
    mapping = forms.ModelChoiceField(ImportMapping.objects.all(), required=False, widget=forms.HiddenInput())
    create_missing = forms.BooleanField(required=False, widget=forms.HiddenInput())
    # The version of each matched record when the curator previewed, as JSON {pk: version}.
    versions = forms.CharField(required=False, widget=forms.HiddenInput())

    def clean_versions(self):
        text = self.cleaned_data["versions"]
        try:
            versions = json.loads(text or "{}")
        except ValueError:
            versions = None
        if not isinstance(versions, dict) or not all(
            isinstance(version, int) and not isinstance(version, bool) for version in versions.values()
        ):
            raise ValidationError(_("The preview was damaged in transit; upload the file again."))
        return {str(pk): version for pk, version in versions.items()}


class ArchiveImportExportMixin(ImportExportMixin):
    """Import and export with the archive's resources, a saved mapping and the create-unknown choice."""

    import_formats = [CSV, XLSX]
    export_formats = [CSV, XLSX]
    import_form_class = ArchiveImportForm
    confirm_form_class = ArchiveConfirmImportForm
    import_template_name = "admin/interventions/import.html"
    # Every row of the preview is listed, unchanged ones too, so the curator sees the whole file.
    import_error_display = ("message",)

    def has_import_permission(self, request):
        # An import adds and changes records, so it needs both rights, whatever button is shown.
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_import_form_kwargs(self, request):
        return {
            **super().get_import_form_kwargs(request),
            "target": self.resource_classes[0].target,
            "user": request.user,
        }

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        result = context.get("result")
        if "confirm_form" in context and result is not None:
            # The confirmation carries what the curator saw, so a record edited since then is refused.
            context["confirm_form"].initial["versions"] = json.dumps(result.report.versions)
        return response

    def process_result(self, result, request):
        if not (result.has_errors() or result.has_validation_errors()):
            return super().process_result(result, request)
        # The confirmation wrote nothing (one transaction): say which rows were refused, and offer a new upload.
        kwargs = {**self.get_import_form_kwargs(request), "data": None, "files": None}
        import_form = self.get_import_form_class(request)(
            self.get_import_formats(), self.get_import_resource_classes(request), **kwargs
        )
        context = {
            **self.admin_site.each_context(request),
            **self.get_import_context_data(),
            "title": _("Import"),
            "form": import_form,
            "opts": self.model._meta,
            "media": self.media + import_form.media,
            "result": result,
            "import_error_display": self.import_error_display,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["mapping"] = import_form.cleaned_data.get("mapping")
            initial["create_missing"] = import_form.cleaned_data.get("create_missing")
        return initial

    def get_import_resource_kwargs(self, request, form=None, **kwargs):
        data = getattr(form, "cleaned_data", None) or {}
        saved = data.get("mapping")
        return {
            "mapping": Mapping.from_dict(saved.as_dict()) if saved else None,
            # Checked again here: the confirmation posts its own copy of the choice.
            "create_missing": bool(data.get("create_missing")) and may_create_missing(request.user),
            "user": request.user,
            # Only the confirmation has versions to hold the records to; the preview reads them.
            "expected_versions": data.get("versions") if isinstance(form, ArchiveConfirmImportForm) else None,
        }

    def get_export_resource_kwargs(self, request, **kwargs):
        return {}

    def get_import_data_kwargs(self, **kwargs):
        # A row that fails validation rolls back the whole file, not just that row.
        kwargs = super().get_import_data_kwargs(**kwargs)
        return {**kwargs, "rollback_on_validation_errors": True}
