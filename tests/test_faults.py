"""Faults: an import killed halfway (power cut, OOM killer, kill -9) leaves the database exactly as it was."""

import csv
import os
import re
import select
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import HearingFactory, InterventionFactory, OrganisationFactory, ThemeFactory

ROWS = 20_000
# The progress bar on stderr: `[#####.....] 212/425`.
PROGRESS = re.compile(rb"\] (\d+)/(\d+)")
TIMEOUT = 90


@pytest.fixture
def archive(transactional_db):
    # Committed, so the importing process sees it too.
    hearing = HearingFactory(title="Hearing on trafficking in persons")
    organisation = OrganisationFactory(name="Anti-Trafficking Network")
    InterventionFactory.create_batch(3, hearing=hearing, organisation=organisation, themes=[ThemeFactory()])
    return hearing, organisation


@pytest.fixture
def large_csv(tmp_path, archive):
    hearing, organisation = archive
    path = tmp_path / "interventions.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["source_id", "hearing", "hearing_date", "order", "organisation", "title", "summary"])
        for n in range(ROWS):
            writer.writerow(
                [f"FAULT-{n}", hearing.title, "2021-07-13", n + 10, organisation.name, f"Statement {n}", "Text."]
            )
    return path


@pytest.fixture
def shared_database(tmp_path, archive):
    """A database URL both this process and `manage.py` in a subprocess can open, and a way to read it all."""
    if connection.vendor == "sqlite":
        # pytest-django's SQLite test database lives in memory: copy it, archive included, into a file.
        path = tmp_path / "archive.sqlite3"
        connection.ensure_connection()
        with closing(sqlite3.connect(path)) as copy:
            connection.connection.backup(copy)

        def read_everything():
            with closing(sqlite3.connect(path)) as database:
                return every_row(database.cursor(), sqlite_tables(database.cursor()))

        return f"sqlite:///{path}", read_everything

    # On PostgreSQL, the test database itself: transactional_db commits, and empties it afterwards.
    database = connection.settings_dict
    account = ":".join(quote(part, safe="") for part in [database["USER"], database["PASSWORD"]] if part)
    url = f"postgres://{account}@{database['HOST'] or 'localhost'}:{database['PORT'] or 5432}/{database['NAME']}"

    def read_everything():
        with connection.cursor() as cursor:
            return every_row(cursor, connection.introspection.table_names(cursor))

    return url, read_everything


def sqlite_tables(cursor) -> list[str]:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return [name for (name,) in cursor.fetchall()]


def every_row(cursor, tables) -> dict[str, list]:
    rows = {}
    for table in tables:
        cursor.execute(f'SELECT * FROM "{table}"')
        rows[table] = sorted(cursor.fetchall(), key=repr)
    return rows


def start_import(path, database_url) -> subprocess.Popen:
    environment = {**os.environ, "DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "manage.py", "import_interventions", str(path)],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def rows_imported(process, deadline) -> tuple[int, int]:
    """Wait until the progress bar shows rows written; the counts shown last."""
    output = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stderr], [], [], 1)
        if not ready:
            continue
        chunk = os.read(process.stderr.fileno(), 4096)
        assert chunk, f"The import ended before it wrote anything: {output[-2000:]!r}"
        output += chunk
        progress = PROGRESS.findall(output)
        if progress and int(progress[-1][0]) > 0:
            done, total = progress[-1]
            return int(done), int(total)
    pytest.fail(f"No progress within {TIMEOUT} s: {output[-2000:]!r}")


def test_an_import_killed_halfway_leaves_every_row_as_it_was(large_csv, shared_database):
    database_url, read_everything = shared_database
    before = read_everything()
    assert len(before["interventions_intervention"]) == 3

    process = start_import(large_csv, database_url)
    try:
        done, total = rows_imported(process, time.monotonic() + TIMEOUT)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait(timeout=30)
        process.stderr.close()

    assert process.returncode == -signal.SIGKILL
    assert 0 < done < total == ROWS
    after = read_everything()
    assert after.keys() == before.keys()
    for table, rows in before.items():
        assert after[table] == rows, f"{table} changed"
