"""What every spreadsheet import shares: column mappings, cleaning widgets, plain-words errors.

The resources in resources.py build on `ArchiveResource`. An import runs in one transaction
and calls `full_clean()` on every row, so the models' own rules apply to imported rows as they
do to the admin's forms; if any row fails, nothing is written.
"""

import csv
import datetime
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import UniqueConstraint
from django.utils import timezone
from import_export import resources, widgets

from hearings import permissions
from hearings.curation import EditConflict, Versioned, changes_since
from hearings.curation_forms import display_value

from . import cleaning

# Speeches run to tens of thousands of characters; the csv module's default cap is 128 KB.
csv.field_size_limit(sys.maxsize)


class MappingError(ValueError):
    """A mapping file or saved mapping that cannot be used as written."""


@dataclass
class Mapping:
    """Which column fills which field, and the values a file does not carry. See docs/import.md."""

    name: str = ""
    target: str = ""
    columns: dict = field(default_factory=dict)
    constants: dict = field(default_factory=dict)
    templates: dict = field(default_factory=dict)
    lookups: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    ignore: list = field(default_factory=list)

    KEYS = ("name", "target", "columns", "constants", "templates", "lookups", "values", "ignore")

    @classmethod
    def from_dict(cls, data: dict) -> "Mapping":
        if not isinstance(data, dict):
            raise MappingError('A mapping is a JSON object such as {"columns": {"Speaker": "speaker_name"}}.')
        unknown = sorted(set(data) - set(cls.KEYS))
        if unknown:
            raise MappingError(f"Unknown key(s) in the mapping: {', '.join(unknown)}; allowed: {', '.join(cls.KEYS)}.")
        mapping = cls(**data)
        for key in ("columns", "constants", "templates", "lookups", "values"):
            if not isinstance(getattr(mapping, key), dict):
                raise MappingError(f"“{key}” in the mapping must be an object of names to values.")
        for target, rule in mapping.lookups.items():
            if not isinstance(rule, dict) or "column" not in rule:
                raise MappingError(f"The lookup for “{target}” needs a “column” and its “values”.")
        return mapping

    @classmethod
    def from_file(cls, path) -> "Mapping":
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        except OSError as error:
            raise MappingError(f"Cannot read the mapping file {path}: {error.strerror}.") from error
        except json.JSONDecodeError as error:
            raise MappingError(f"The mapping file {path} is not valid JSON (line {error.lineno}).") from error
        return cls.from_dict(data)


class ImportReport:
    """What the preview shows besides the rows: new records, ignored columns, row and column errors."""

    def __init__(self):
        self.columns = {}  # field -> the column it was read from, as the file names it
        self.ignored_columns = []
        self.unknown = {}  # kind -> sorted names the archive does not have
        self.created = {}  # kind -> names created for this import
        self.row_problems = {}  # row number -> {field: message}
        self.problems = []  # every error as one sentence, for the preview and the command line
        self.versions = {}  # pk -> version of each record the file matched, checked again on confirmation
        self.duplicates = []  # new rows that look like records the archive already has, one sentence each

    def column_label(self, field_name: str) -> str:
        column = self.columns.get(field_name)
        if column and column != field_name:
            return f"“{column}” ({field_name})"
        return f"“{field_name}”"

    def add_row_problem(self, row_number: int, field_name: str, message: str):
        self.row_problems.setdefault(row_number, {}).setdefault(field_name, message)


def sheet_row(number: int) -> int:
    """The row number a spreadsheet shows for the `number`-th data row, the header being row 1."""
    return number + 1


# Widgets: each turns a cleaned cell into a value and raises ValueError with a curator's sentence.


class TextWidget(widgets.Widget):
    def __init__(self, long=False, **kwargs):
        self.long = long
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        return cleaning.clean_long_text(value) if self.long else cleaning.clean_text(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class OffsetWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return cleaning.clean_offset(value)

    def render(self, value, obj=None, **kwargs):
        from .models import format_offset

        return format_offset(value)


class DateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return cleaning.clean_date(value)

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class TimeWidget(widgets.Widget):
    """A time of day: `14:30`, `14:30:00`, or an Excel time cell."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.time()
        if isinstance(value, datetime.time):
            return value
        if isinstance(value, float) and 0 <= value < 1:
            seconds = round(value * 86400)
            return datetime.time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
        text = cleaning.clean_text(value)
        if not text:
            return None
        for pattern in ("%H:%M", "%H:%M:%S", "%H.%M"):
            try:
                return datetime.datetime.strptime(text, pattern).time()
            except ValueError:
                continue
        raise ValueError(f"“{text}” is not a time of day; write it as 14:30.")

    def render(self, value, obj=None, **kwargs):
        return value.strftime("%H:%M") if value else ""


class BoolWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return cleaning.clean_bool(value)

    def render(self, value, obj=None, **kwargs):
        return "yes" if value else "no"


class IntegerWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = cleaning.clean_text(value)
        if not text:
            return None
        if not text.isdigit():
            raise ValueError(f"“{text}” is not a whole number.")
        return int(text)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class ChoiceWidget(widgets.Widget):
    """A choice by its code or its label, in any case: `en`, `English` and `english` all give `en`."""

    def __init__(self, choices, **kwargs):
        self.choices = [(str(code), str(label)) for code, label in choices]
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = cleaning.clean_text(value)
        if not text:
            return ""
        folded = text.casefold()
        for code, label in self.choices:
            if folded in (code.casefold(), label.casefold()):
                return code
        allowed = ", ".join(code for code, _label in self.choices if code)
        raise ValueError(f"“{text}” is not one of the allowed values: {allowed}.")

    def render(self, value, obj=None, **kwargs):
        return value or ""


class NaturalKeyWidget(widgets.Widget):
    """A related record by slug, exact name or acronym, through the resource's lookup tables."""

    def __init__(self, kind, resolve, render_value, **kwargs):
        self.kind = kind
        self.resolve = resolve
        self.render_value = render_value
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = cleaning.clean_text(value)
        return self.resolve(text, row) if text else None

    def render(self, value, obj=None, **kwargs):
        return self.render_value(value) if value is not None else ""


class NaturalKeyListWidget(widgets.ManyToManyWidget):
    """Related records as a `;`-separated list of names or slugs."""

    def __init__(self, model, kind, resolve, render_value, **kwargs):
        self.kind = kind
        self.resolve = resolve
        self.render_value = render_value
        super().__init__(model, separator=";", **kwargs)

    def clean(self, value, row=None, **kwargs):
        found = []
        for name in cleaning.split_list(value):
            item = self.resolve(name, row)
            if item not in found:
                found.append(item)
        return found

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return "; ".join(self.render_value(item) for item in value.all())


class ArchiveResource(resources.ModelResource):
    """Maps the file's columns to fields, cleans every cell and reports errors in plain words.

    `target` names the mapping target; `aliases` maps header keys (see cleaning.header_key) to
    fields; `long_text_fields` keep their line breaks. Subclasses resolve relations in
    `prepare(rows)`, which runs inside the import's transaction before any row is imported.
    """

    target = ""
    aliases: dict = {}
    helper_columns: tuple = ()
    long_text_fields: tuple = ()

    def __init__(self, mapping=None, create_missing=False, user=None, expected_versions=None, **kwargs):
        """`user` is the importing curator: their role is checked and the history names them (None: nobody).

        `expected_versions` ({pk: version}) are the versions the curator saw in the preview; a record
        saved by someone else since then is refused. None checks against the versions read at the start.
        """
        super().__init__(**kwargs)
        if isinstance(mapping, dict):
            mapping = Mapping.from_dict(mapping)
        self.mapping = mapping or Mapping()
        self.create_missing = bool(create_missing)
        self.user = user
        self.expected_versions = expected_versions
        self.written = {}  # pk -> version of each record this import has saved, e.g. a hearing on several rows
        self.report = ImportReport()

    # Mapping the file's columns onto fields.

    def importable_fields(self) -> set[str]:
        return {f.column_name for f in self.get_import_fields() if not f.readonly} | set(self.helper_columns)

    def field_for_header(self, header) -> str | None:
        key = cleaning.header_key(header)
        for column, field_name in self.mapping.columns.items():
            if cleaning.header_key(column) == key:
                return field_name or ""
        known = self.importable_fields()
        as_field = key.replace(" ", "_")
        if as_field in known or as_field in {f.column_name for f in self.get_export_fields()}:
            return as_field
        return self.aliases.get(key)

    def map_rows(self, dataset) -> list[dict]:
        """The file's rows as {field: cleaned value}, with the mapping's constants and derived values."""
        headers = [cleaning.clean_text(header) for header in (dataset.headers or [])]
        ignore = {cleaning.header_key(column) for column in self.mapping.ignore}
        fields_of = {}
        known = self.importable_fields() | {f.column_name for f in self.get_export_fields()}
        for kind in ("constants", "templates", "lookups", "values"):
            for field_name in getattr(self.mapping, kind):
                if field_name not in self.importable_fields():
                    raise ValidationError(
                        f"The mapping's {kind} name “{field_name}”, which is not a field of {self.target}; "
                        f"fields: {', '.join(sorted(self.importable_fields()))}."
                    )
        for index, header in enumerate(headers):
            field_name = self.field_for_header(header)
            if cleaning.header_key(header) in ignore or field_name == "":
                continue
            if field_name and field_name not in known:
                raise ValidationError(
                    f"The mapping sends column “{header}” to “{field_name}”, which is not a field of "
                    f"{self.target}; fields: {', '.join(sorted(self.importable_fields()))}."
                )
            if not field_name:
                if header:
                    self.report.ignored_columns.append(header)
                continue
            if field_name in self.report.columns:
                raise ValidationError(
                    f"Columns “{self.report.columns[field_name]}” and “{header}” both fill {field_name}; "
                    "keep one, or map the other to a different field."
                )
            self.report.columns[field_name] = header
            fields_of[index] = field_name
        for field_name, template in self.mapping.templates.items():
            self.report.columns.setdefault(field_name, f"template {template}")
        for field_name in self.mapping.lookups:
            self.report.columns.setdefault(field_name, f"lookup on {self.mapping.lookups[field_name]['column']}")

        rows = []
        for raw in dataset:
            raw_by_header = {}
            for header, value in zip(headers, raw, strict=False):
                raw_by_header[header] = value
                raw_by_header[cleaning.header_key(header).replace(" ", "_")] = value
            row = {field_name: raw[index] for index, field_name in fields_of.items()}
            for field_name, value in self.mapping.constants.items():
                row.setdefault(field_name, value)
            for field_name, template in self.mapping.templates.items():
                try:
                    row[field_name] = template.format_map(
                        {key: cleaning.clean_text(value) for key, value in raw_by_header.items()}
                    )
                except (KeyError, ValueError, IndexError) as error:
                    raise ValidationError(f"The template for {field_name} names a missing column: {error}.") from error
            for field_name, rule in self.mapping.lookups.items():
                key = cleaning.clean_text(raw_by_header.get(rule["column"]))
                row[field_name] = rule.get("values", {}).get(key, rule.get("default", ""))
            for field_name in row:
                if field_name not in self.long_text_fields and isinstance(row[field_name], str):
                    row[field_name] = cleaning.clean_text(row[field_name])
            for field_name, corrections in self.mapping.values.items():
                if field_name in row and isinstance(row[field_name], str):
                    row[field_name] = corrections.get(row[field_name], row[field_name])
            rows.append(row)
        return rows

    def before_import(self, dataset, **kwargs):
        # The admin passes the curator to import_data(); the command line to the constructor.
        self.user = kwargs.get("user") or self.user
        try:
            rows = self.map_rows(dataset)
        except ValidationError:
            # Rows read under the wrong headers would only add noise to the error that matters.
            dataset.wipe()
            raise
        self._total_rows = len(rows)
        self.check_duplicates(rows)
        self.prepare(rows)
        headers = sorted({name for row in rows for name in row}, key=self._column_order)
        if not headers:
            headers = list(self.report.columns)
        dataset.wipe()
        dataset.headers = headers
        for row in rows:
            dataset.append([row.get(name) for name in headers])

    def _column_order(self, name):
        order = [f.column_name for f in self.get_export_fields()] + list(self.helper_columns)
        return order.index(name) if name in order else len(order)

    def identity(self, row) -> str:
        """What makes two rows of one file the same record (empty when the file cannot say)."""
        return ""

    def check_duplicates(self, rows):
        by_identity, by_values = {}, {}
        for number, row in enumerate(rows, 1):
            key = self.identity(row)
            values = tuple(sorted((name, str(value)) for name, value in row.items()))
            if key and key in by_identity:
                self.report.add_row_problem(
                    number,
                    self.identity_field,
                    f"repeats “{key}” of row {sheet_row(by_identity[key])}; each record may appear only once.",
                )
            elif values in by_values:
                self.report.add_row_problem(
                    number, NON_FIELD_ERRORS, f"repeats row {sheet_row(by_values[values])} exactly; delete one of them."
                )
            if key:
                by_identity.setdefault(key, number)
            by_values.setdefault(values, number)

    identity_field = ""

    def prepare(self, rows):
        """Resolve or create related records for the whole file before its rows are imported."""

    # Rows.

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # Many-to-many cells are only read after saving; reading them now puts their errors beside the others.
        for f in self.get_import_fields():
            if isinstance(f.widget, widgets.ManyToManyWidget) and f.column_name in row:
                try:
                    f.clean(row)
                except ValueError as error:
                    errors.setdefault(f.attribute, []).append(ValidationError(str(error)))
        for field_name, message in self.report.row_problems.get(kwargs.get("row_number"), {}).items():
            errors.setdefault(field_name, []).append(ValidationError(message))
        conflict = self.check_version(instance)
        if conflict:
            errors.setdefault(NON_FIELD_ERRORS, []).append(ValidationError(conflict))
        if errors:
            raise ValidationError(errors)

    # No lost edits: the version each matched record had when the curator looked is checked on save.

    def check_version(self, instance) -> str:
        """A sentence when someone saved the record since the curator's preview, else ''."""
        if instance.pk is None or not isinstance(instance, Versioned):
            return ""
        key = str(instance.pk)
        if key in self.written:
            # Saved by an earlier row of this file (or created by it): held to the version that row left.
            self._expected_version = self.written[key]
            return "" if instance.version == self.written[key] else self.conflict_message(instance, self.written[key])
        self.report.versions[key] = instance.version
        if self.expected_versions is None:
            self._expected_version = instance.version
            return ""
        expected = self.expected_versions.get(str(instance.pk))
        self._expected_version = expected
        if expected is None:
            return (
                f"{instance._meta.verbose_name} “{instance}” was added by someone else after your preview; "
                "upload the file again to see it."
            )
        if expected != instance.version:
            return self.conflict_message(instance, expected)
        return ""

    def conflict_message(self, instance, expected) -> str:
        """What the other person changed, in the words of the admin's own conflict message."""
        model = type(instance)
        # Named as it is now, not as this row would have it.
        instance = model._default_manager.filter(pk=instance.pk).first() or instance
        delta = changes_since(model, instance.pk, expected)
        changes = []
        who = ""
        if delta is not None:
            for change in delta.changes:
                field = model._meta.get_field(change.field)
                if field.many_to_many:
                    changes.append(f"{field.verbose_name} changed")
                else:
                    old, new = (display_value(value) for value in (change.old, change.new))
                    changes.append(f"{field.verbose_name}: “{old}” → “{new}”")
            latest = delta.new_record
            if latest.history_user is not None:
                who = f" ({latest.history_user}, {timezone.localtime(latest.history_date):%Y-%m-%d %H:%M})"
        details = "; ".join(changes) or "their change is not in the imported fields"
        when = "after your preview" if self.expected_versions is not None else "while the import ran"
        return (
            f"someone else saved {instance._meta.verbose_name} “{instance}” {when}{who}, so this row "
            f"was not imported. They changed: {details}. Upload the file again to import it over their version."
        )

    def do_instance_save(self, instance, is_create):
        if self.user is not None:
            instance._history_user = self.user
        if not isinstance(instance, Versioned):
            return super().do_instance_save(instance, is_create)
        if is_create:
            super().do_instance_save(instance, is_create)
        else:
            expected = getattr(self, "_expected_version", None) or instance.version
            try:
                # The same conditional save as the admin's change form, so an import and a curator never both win.
                instance.save_if_version(expected)
            except EditConflict as conflict:
                raise ValidationError({NON_FIELD_ERRORS: [self.conflict_message(instance, expected)]}) from conflict
        self.written[str(instance.pk)] = instance.version

    def check_role(self, instance, errors):
        """The same rules as the admin's change form: contributors may not touch what the public has seen."""
        if self.user is None:
            return
        model = type(instance)
        stored = model._default_manager.filter(pk=instance.pk).first() if instance.pk else None
        try:
            permissions.check_save(self.user, instance, stored)
        except PermissionDenied as refusal:
            errors.setdefault(NON_FIELD_ERRORS, []).append(ValidationError(f"“{stored or instance}”: {refusal}"))

    # Check constraints cost a query each per row; a resource whose model's clean() states the same
    # rules in a curator's words may leave them to the database, which enforces them on save anyway.
    validate_check_constraints = True

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # Called only for rows that change something: an unchanged published record stays importable.
        import_validation_errors = dict(import_validation_errors or {})
        self.check_role(instance, import_validation_errors)
        if self.validate_check_constraints:
            return super().validate_instance(instance, import_validation_errors, validate_unique)
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(exclude=errors.keys(), validate_unique=validate_unique, validate_constraints=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for model, constraints in instance.get_constraints():
            for constraint in constraints:
                if not isinstance(constraint, UniqueConstraint) or set(constraint.fields) & set(errors):
                    continue
                try:
                    constraint.validate(model, instance, exclude=set(errors))
                except ValidationError as error:
                    key = constraint.fields[0] if len(constraint.fields) == 1 else NON_FIELD_ERRORS
                    errors.setdefault(key, []).extend(error.messages)
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # A row with problems is never skipped, so that its errors are reported.
        if self.report.row_problems.get(getattr(self, "_row_number", None)):
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    # Called after each row with (rows done, rows in the file), e.g. to draw a progress bar.
    progress = None

    def import_row(self, row, instance_loader, **kwargs):
        self._row_number = kwargs.get("row_number")
        self._expected_version = None
        row_result = super().import_row(row, instance_loader, **kwargs)
        if self.progress:
            self.progress(self._row_number, self._total_rows)
        return row_result

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        self.describe(result)
        result.report = self.report

    def describe(self, result):
        """Every error of the import as one sentence naming the row and the column."""
        problems = self.report.problems
        for error in result.base_errors:
            messages = getattr(error.error, "messages", None) or [str(error.error)]
            problems.extend(f"The file: {message}" for message in messages)
        for number, errors in result.row_errors():
            for error in errors:
                problems.append(f"Row {sheet_row(number)}: {error.error}")
        for invalid in result.invalid_rows:
            for field_name, messages in invalid.error_dict.items():
                for message in messages:
                    if field_name == NON_FIELD_ERRORS:
                        problems.append(f"Row {sheet_row(invalid.number)}: {message}")
                    else:
                        column = self.report.column_label(field_name)
                        problems.append(f"Row {sheet_row(invalid.number)}, column {column}: {message}")


def run_import(resource, dataset, dry_run=False, user=None):
    """Import `dataset` in one transaction: any error, in any row, and nothing is written."""
    with transaction.atomic():
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            use_transactions=True,
            rollback_on_validation_errors=True,
            raise_errors=False,
            user=user,
        )
        if dry_run or result.has_errors() or result.has_validation_errors():
            transaction.set_rollback(True)
    return result


def summary(result) -> dict:
    totals = result.totals
    failed = len(result.invalid_rows) + len(result.row_errors())
    return {
        "created": totals.get("new", 0),
        "updated": totals.get("update", 0),
        "unchanged": totals.get("skip", 0),
        "failed": failed,
    }


def read_dataset(content: bytes, file_name: str):
    """A tablib Dataset from an uploaded or local CSV or XLSX file (a BOM and CRLF line ends are fine)."""
    import tablib

    if file_name.lower().endswith((".xlsx", ".xlsm")):
        return tablib.Dataset().load(content, format="xlsx")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"{file_name} is not UTF-8 text (byte {error.start}); save it as “CSV UTF-8” or as XLSX."
        ) from error
    return tablib.Dataset().load(text, format="csv")
