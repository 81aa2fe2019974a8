"""Two WSGI applications that stream slowly, for tests/test_long_downloads.py: one reports progress
as the archive's exports do, one does not. No Django: only gunicorn's worker and config/heartbeat.py."""

import os
import time

from config.heartbeat import reporting_progress

CHUNKS = 6
PAUSE_SECONDS = float(os.environ.get("SLOW_DOWNLOAD_PAUSE", "0.7"))


def _slow_chunks():
    for number in range(CHUNKS):
        time.sleep(PAUSE_SECONDS)
        yield f"chunk {number}\n".encode()


def _app(chunks):
    def application(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return chunks()

    return application


reporting = _app(lambda: reporting_progress(_slow_chunks()))
silent = _app(_slow_chunks)
