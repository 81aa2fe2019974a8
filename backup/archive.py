"""The archive as one versioned JSON document, written and read model by model.

Models are found, not listed: every model of the project's own apps is included, so a
model added later is backed up without touching this file. Users and groups, and change
history, are included on request. Rows keep their ids, so permalinks survive a restore.
"""

import base64
import datetime
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from hearings.models import Recording, Session
from interventions import recording_links
from interventions.models import Intervention
from interventions.snapshot import bump_version

FORMAT = "interventions-archive"
VERSION = 1
USER_APPS = {"auth"}
HISTORY_APPS = {"admin"}
# Counts derived from the records and recomputed on demand: a backup has nothing to keep of them.
DERIVED_MODELS = {"interventions.archiveversion", "interventions.facetsnapshot"}
BATCH_SIZE = 1000

# UPGRADES[n] turns a version-n document into a version-(n + 1) one. When the format changes,
# bump VERSION and add the step here; files from every older version stay readable.
UPGRADES: dict[int, Callable[[dict], dict]] = {}


class ArchiveError(Exception):
    """A file or a database the import refuses, with a message for the person running it."""


def _is_project_app(app_config) -> bool:
    """One of this repository's own apps (hearings, interventions ...), not one installed from a package."""
    return Path(app_config.path).resolve().parent == Path(settings.BASE_DIR).resolve()


def _is_history(model) -> bool:
    return model._meta.app_label in HISTORY_APPS or model._meta.object_name.startswith("Historical")


def archived_models(include_users: bool = False, include_history: bool = False) -> list[type[models.Model]]:
    """The models to back up, each after every model it points to (so in an order that can be loaded)."""
    chosen = []
    for model in apps.get_models(include_auto_created=True):
        app_config = apps.get_app_config(model._meta.app_label)
        if _is_history(model):
            wanted = include_history
        elif model._meta.app_label in USER_APPS:
            # Permissions are made by every database's migrations; rows pointing at them use natural keys.
            wanted = include_users and model._meta.model_name != "permission"
        else:
            wanted = _is_project_app(app_config)
        if wanted and not model._meta.proxy and model._meta.managed and label(model) not in DERIVED_MODELS:
            chosen.append(model)
    return _dependency_order(chosen)


def _dependency_order(chosen: list[type[models.Model]]) -> list[type[models.Model]]:
    remaining = sorted(chosen, key=label)
    ordered: list[type[models.Model]] = []
    while remaining:
        for model in remaining:
            targets = {field.related_model for field in _fields(model) if field.is_relation}
            if not (targets & set(remaining)) - {model}:
                ordered.append(model)
                remaining.remove(model)
                break
        else:
            # A cycle between two models: the database checks foreign keys at commit, so any order loads.
            ordered.extend(remaining)
            break
    return ordered


def label(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _fields(model) -> list[models.Field]:
    """The stored columns: generated columns are rebuilt by the database."""
    return [field for field in model._meta.concrete_fields if not getattr(field, "generated", False)]


def _by_natural_key(field, chosen: set) -> bool:
    """Point at a row the target database makes for itself (a content type, a permission) by its natural key."""
    return field.is_relation and field.related_model not in chosen and hasattr(field.related_model, "natural_key")


class ExactEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, but keeping microseconds, which it drops for JavaScript's sake."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def _encode(value):
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


# Writing


def export_archive(
    stream,
    include_users: bool = False,
    include_history: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, int]:
    """Write the whole archive to `stream`, one row at a time; return the number of rows per model."""
    chosen = archived_models(include_users, include_history)
    encoder = ExactEncoder(ensure_ascii=False)
    counts = {}
    with _one_snapshot():
        header = {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": timezone.now().isoformat(),
            "includes": {"users": include_users, "history": include_history},
        }
        stream.write(encoder.encode(header)[:-1] + ', "models": {')
        for index, model in enumerate(chosen):
            total = model._base_manager.count()
            stream.write(("," if index else "") + f"\n{encoder.encode(label(model))}: [")
            written = 0
            for row in _rows(model, set(chosen)):
                stream.write(("," if written else "") + "\n" + encoder.encode(row))
                written += 1
                if progress and (written % BATCH_SIZE == 0 or written == total):
                    progress(label(model), written, total)
            if progress and not written:
                progress(label(model), 0, 0)
            stream.write("]")
            counts[label(model)] = written
        stream.write("\n}}\n")
    return counts


@contextmanager
def _one_snapshot():
    """One view of the archive for the whole file, so rows curators write meanwhile cannot half-appear in it."""
    if connection.in_atomic_block:  # The caller's transaction is that view already.
        yield
        return
    if connection.vendor == "sqlite":
        # Django begins SQLite's transactions IMMEDIATE (config/settings.py), taking the one writer's lock: held for
        # a whole export, it would make every curator's save wait out its timeout and fail. A deferred transaction
        # reads one snapshot of the WAL database and takes no lock that a writer waits for.
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
            try:
                yield
            finally:
                cursor.execute("COMMIT")  # Nothing was written: committing only ends the read.
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _rows(model, chosen: set) -> Iterator[dict]:
    fields = _fields(model)
    natural = {field.name: field for field in fields if _by_natural_key(field, chosen)}
    plain = [field for field in fields if field.name not in natural]
    queryset = model._base_manager.order_by("pk")
    if natural:
        queryset = queryset.select_related(*natural)
    for obj in queryset.iterator(chunk_size=BATCH_SIZE):
        row = {field.name: _encode(field.value_from_object(obj)) for field in plain}
        for name in natural:
            target = getattr(obj, name)
            row[name] = list(target.natural_key()) if target is not None else None
        yield row


# Reading


def read_document(stream) -> dict:
    try:
        document = json.load(stream)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ArchiveError(f"This is not an archive file: it is not valid JSON ({error}).") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ArchiveError(f"This is not an archive file: its format is not “{FORMAT}”.")
    return upgrade(document)


def upgrade(document: dict) -> dict:
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ArchiveError(f"Unknown archive version {version!r}: this program reads versions 1 to {VERSION}.")
    if version > VERSION:
        raise ArchiveError(
            f"This archive is version {version}, newer than this program, which reads up to version {VERSION}. "
            "Upgrade the program, then import again."
        )
    while version < VERSION:
        if version not in UPGRADES:
            raise ArchiveError(f"Archive version {version} cannot be upgraded: no upgrade to version {version + 1}.")
        document = UPGRADES[version](document)
        version += 1
        document["version"] = version
    if not isinstance(document.get("models"), dict):
        raise ArchiveError("This archive has no “models” section.")
    return document


def import_archive(document: dict, progress: Callable[[str, int, int], None] | None = None) -> dict[str, int]:
    """Load an upgraded document into an empty database, all or nothing; return the rows per model."""
    known = {label(model): model for model in apps.get_models(include_auto_created=True)}
    unknown = sorted(set(document["models"]) - set(known))
    if unknown:
        raise ArchiveError(f"This archive holds models this program does not know: {', '.join(unknown)}.")
    chosen = _dependency_order([known[name] for name in document["models"]])
    occupied = [label(model) for model in chosen if model._base_manager.exists()]
    if occupied:
        raise ArchiveError(
            "The database is not empty (it already holds "
            + ", ".join(occupied)
            + "). Import into a freshly migrated database, so nothing is overwritten or mixed."
        )
    counts = {}
    try:
        with transaction.atomic(), _timestamps_kept(chosen):
            for model in chosen:
                rows = document["models"][label(model)]
                counts[label(model)] = _load(model, rows, set(chosen), progress)
            _reset_sequences(chosen)
            if {Intervention, Session, Recording} & set(chosen):
                # Loading sends no signals. Each intervention keeps cells for the CSV export: its sorted lists of
                # names, which follow this database's collation (an archive written before they existed has none),
                # and its recording cell, made from its hearing's recordings. One pass rewrites each row once.
                recording_links.refresh_all(Intervention, connection, with_name_lists=Intervention in chosen)
            # Rows were loaded without signals: counts kept from before the import must not be used.
            bump_version()
            # Fail inside the transaction, not at commit, if a row points at one that is missing.
            connection.check_constraints(table_names=[model._meta.db_table for model in chosen])
    except ArchiveError:
        raise
    except (DatabaseError, ValidationError, ValueError, TypeError, AttributeError) as error:
        raise ArchiveError(f"The archive could not be restored and nothing was changed: {error}") from error
    return counts


def _load(model, rows: Iterable[dict], chosen: set, progress) -> int:
    fields = _fields(model)
    natural = {field.name: field for field in fields if _by_natural_key(field, chosen)}
    names = {field.name for field in fields}
    total = len(rows)
    batch, loaded = [], 0
    for row in rows:
        unknown = set(row) - names
        if unknown:
            # Dropping a value silently would make the restore look complete when it is not.
            raise ArchiveError(f"{label(model)} has fields this program does not know: {', '.join(sorted(unknown))}.")
        batch.append(_instance(model, fields, natural, row))
        if len(batch) == BATCH_SIZE:
            model._base_manager.bulk_create(batch)
            loaded += len(batch)
            batch = []
            if progress:
                progress(label(model), loaded, total)
    if batch:
        model._base_manager.bulk_create(batch)
        loaded += len(batch)
    if progress:
        progress(label(model), loaded, total)
    return loaded


def _instance(model, fields, natural, row: dict):
    values = {}
    for field in fields:
        if field.name not in row:
            continue
        value = row[field.name]
        if field.name in natural:
            values[field.attname] = _resolve_natural_key(field, value)
        elif isinstance(field, models.BinaryField) and value is not None:
            values[field.attname] = base64.b64decode(value)
        elif isinstance(field, models.JSONField):
            values[field.attname] = value
        elif field.is_relation:
            values[field.attname] = field.target_field.to_python(value)
        else:
            values[field.attname] = field.to_python(value)
    return model(**values)


def _resolve_natural_key(field, key):
    if key is None:
        return None
    target = field.related_model
    try:
        return target._default_manager.get_by_natural_key(*key).pk
    except target.DoesNotExist:
        # Refused rather than set to null: a restore that quietly drops links is not a restore.
        raise ArchiveError(
            f"{label(field.model)}.{field.name} points at {target._meta.verbose_name} {key!r}, which this database "
            "does not have. Create it first, or export again with --include-users."
        ) from None


@contextmanager
def _timestamps_kept(chosen):
    """Store created/updated times as they are in the file, not the time of the import."""
    switched = []
    for model in chosen:
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add):
                switched.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in switched:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def _reset_sequences(chosen):
    """Explicit ids leave PostgreSQL's sequences behind; the next record added would collide."""
    statements = connection.ops.sequence_reset_sql(no_style(), chosen)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
