"""On the embedded SQLite database, two requests that write at once both succeed (the second waits its turn),
pages read while a curator saves, and a save is on disk before it is answered.

The test database lives in memory, where SQLite's locking differs, so these tests open a database file with the
project's own connection settings, as `make run` does.
"""

import json
import threading
import time
from contextlib import contextmanager

import pytest
from django.db import connection, connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper

from tests.commands import manage

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's settings only")

# Run by `manage.py shell` on a migrated database file: an archive export paused part-way, while a curator saves.
EXPORT_WHILE_SAVING = """
import io, json, threading, time
from backup.archive import export_archive
from tests.factories import OrganisationFactory

OrganisationFactory(name="Before the export")
reading, saved = threading.Event(), threading.Event()

class PausedStream(io.StringIO):
    def write(self, text):
        if "interventions.organisation" in text and not reading.is_set():
            reading.set()  # The export has counted the organisations: its snapshot is taken.
            saved.wait(30)
        return super().write(text)

stream = PausedStream()
export = threading.Thread(target=export_archive, args=(stream,))
export.start()
reading.wait(30)
began = time.monotonic()
try:
    OrganisationFactory(name="During the export")
    outcome = "saved"
except Exception as error:
    outcome = repr(error)
waited = time.monotonic() - began
saved.set()
export.join()
names = [row["name"] for row in json.loads(stream.getvalue())["models"]["interventions.organisation"]]
print(json.dumps({"outcome": outcome, "waited": waited, "exported": names}))
"""


@contextmanager
def file_connection(path, alias):
    """A connection of this thread to the file at `path`, opened with the settings' options."""
    connections[alias] = DatabaseWrapper({**connection.settings_dict, "NAME": str(path)}, alias)
    try:
        yield connections[alias]
    finally:
        connections[alias].close()
        del connections[alias]


@pytest.fixture
def database_file(tmp_path, django_db_blocker):
    # No test database is needed: the blocker guards connections, and these open their own file.
    django_db_blocker.unblock()
    path = tmp_path / "archive.sqlite3"
    with file_connection(path, "setup") as setup, setup.cursor() as cursor:
        cursor.execute("CREATE TABLE saved (curator TEXT)")
    yield path
    django_db_blocker.restore()


def saved(path):
    with file_connection(path, "check") as check, check.cursor() as cursor:
        cursor.execute("SELECT curator FROM saved ORDER BY curator")
        return [row[0] for row in cursor.fetchall()]


def test_a_save_waits_for_another_curators_save_instead_of_failing(database_file):
    first_is_writing = threading.Event()
    errors = []

    def first_curator():
        with file_connection(database_file, "first") as first, transaction.atomic(using="first"):
            first.cursor().execute("INSERT INTO saved VALUES ('first')")
            first_is_writing.set()
            time.sleep(0.3)

    def second_curator():
        first_is_writing.wait()
        try:
            # Like an admin save: read, then write, in one transaction.
            with file_connection(database_file, "second") as second, transaction.atomic(using="second"):
                second.cursor().execute("SELECT count(*) FROM saved").fetchone()
                second.cursor().execute("INSERT INTO saved VALUES ('second')")
        except Exception as error:  # noqa: BLE001 - the test reports whatever the second save met
            errors.append(error)

    threads = [threading.Thread(target=first_curator), threading.Thread(target=second_curator)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert saved(database_file) == ["first", "second"]


def test_pages_read_the_database_file_through_a_write_ahead_log(database_file):
    with file_connection(database_file, "page") as page, page.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"


def test_a_save_reaches_the_disk_before_it_is_answered(database_file):
    # In WAL mode, NORMAL would let a power cut take back the last saves a curator was told had succeeded.
    with file_connection(database_file, "page") as page, page.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 2  # FULL


def test_an_archive_export_does_not_hold_up_a_curators_save(tmp_path):
    database = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'archive.sqlite3'}",
        "DB_SQLITE_TIMEOUT": "3",  # A save held up by the export fails after this long.
    }
    migrated = manage("migrate", "--verbosity", "0", **database)
    assert migrated.returncode == 0, migrated.stderr
    exported = manage("shell", "-c", EXPORT_WHILE_SAVING, **database)
    assert exported.returncode == 0, exported.stderr
    report = json.loads(exported.stdout.strip().splitlines()[-1])

    assert report["outcome"] == "saved"
    assert report["waited"] < 2
    # The export is one snapshot, taken before the save.
    assert report["exported"] == ["Before the export"]
