"""A download that streams for longer than gunicorn's worker timeout is not cut off while it makes
progress (config/heartbeat.py): the whole archive as JSON streams for a minute at a million
interventions, and a sync worker used to be killed at 30 seconds, leaving a truncated file."""

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config import heartbeat
from tests.factories import InterventionFactory

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
WHOLE_BODY = b"".join(f"chunk {number}\n".encode() for number in range(6))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def slow_server():
    """Our gunicorn configuration with one worker and a 2-second timeout, serving tests/slow_download_app.py."""
    servers = []

    def start(app: str) -> int:
        port = free_port()
        env = {**os.environ, "GUNICORN_ACCESS_LOG": "", "PYTHONPATH": str(ROOT)}
        server = subprocess.Popen(  # noqa: S603 - our own gunicorn, our own arguments
            [str(GUNICORN), "--config", "config/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", "1", "--timeout", "2", f"tests.slow_download_app:{app}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        servers.append(server)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return port
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    yield start
    for server in servers:
        server.terminate()
        server.wait(timeout=10)


def download(port: int) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    connection.request("GET", "/")
    response = connection.getresponse()
    assert response.status == 200
    try:
        return response.read()
    except http.client.IncompleteRead as cut_short:
        return cut_short.partial
    finally:
        connection.close()


def test_a_download_that_reports_progress_outlives_the_worker_timeout(slow_server):
    assert download(slow_server("reporting")) == WHOLE_BODY


def test_a_download_that_does_not_report_progress_is_cut_off_at_the_worker_timeout(slow_server):
    # What the exports did before: the file simply ends early.
    assert download(slow_server("silent")) != WHOLE_BODY


@pytest.fixture
def reports(monkeypatch):
    """Every progress report of this test, as if a gunicorn worker were listening, without the once-a-second limit."""
    made = []
    monkeypatch.setattr(heartbeat, "INTERVAL_SECONDS", 0)
    heartbeat.install(lambda: made.append(time.monotonic()))
    yield made
    heartbeat.install(None)


@pytest.mark.parametrize("export", ["export.csv", "export.json"])
@pytest.mark.django_db
def test_each_export_reports_progress_as_it_streams(client, reports, export):
    InterventionFactory.create_batch(3)
    response = client.get(f"/interventions/{export}")
    chunks = list(response.streaming_content)
    assert len(chunks) >= 2
    assert len(reports) == len(chunks)


def test_progress_is_reported_at_most_once_a_second(monkeypatch):
    made = []
    clock = iter([100.0, 100.4, 100.9, 101.1, 101.5, 102.2])
    monkeypatch.setattr(heartbeat, "monotonic", lambda: next(clock))
    heartbeat.install(lambda: made.append(1))
    try:
        for _ in range(6):
            heartbeat.beat()
    finally:
        heartbeat.install(None)
    assert len(made) == 3  # at 100.0, 101.1 and 102.2


def test_a_download_left_halfway_ends_the_export_behind_it():
    ended = []

    def export():
        try:
            yield from (b"first", b"second", b"third")
        finally:
            ended.append(True)

    # Held here too, as a traceback or a debugger may hold it: only an explicit close ends it at once.
    behind = export()
    download = heartbeat.reporting_progress(behind)
    assert next(download) == b"first"
    download.close()
    assert ended == [True]
