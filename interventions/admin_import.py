"""Spreadsheet import and export in the admin: upload, preview every row, confirm; export the same formats."""

from django import forms
from django.core.exceptions import ValidationError
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
        }

    def get_export_resource_kwargs(self, request, **kwargs):
        return {}

    def get_import_data_kwargs(self, **kwargs):
        # A row that fails validation rolls back the whole file, not just that row.
        kwargs = super().get_import_data_kwargs(**kwargs)
        return {**kwargs, "rollback_on_validation_errors": True}
