"""Telling the server that a long download is still making progress.

gunicorn's master replaces a worker that has not reported for GUNICORN_TIMEOUT seconds. A sync
worker reports only between requests, so a whole-archive export (the JSON of a million
interventions streams for about a minute) was cut off at 30 seconds: the researcher got a
200 answer and a truncated file. Streamed responses report once a second while they produce
data, so a stuck request is still replaced and a working one is not. config/gunicorn.conf.py
installs the worker's report; elsewhere (runserver, tests) there is nothing to tell.
"""

from collections.abc import Callable, Iterable, Iterator
from time import monotonic

# Far below any sensible GUNICORN_TIMEOUT; each report is one utime() of a file in memory.
INTERVAL_SECONDS = 1.0

_report: Callable[[], None] | None = None
_last_report = float("-inf")


def install(report: Callable[[], None] | None) -> None:
    """Use `report` (a gunicorn worker's notify) for streamed responses in this process."""
    global _report, _last_report  # noqa: PLW0603 - one worker per process: process-wide by nature
    _report = report
    _last_report = float("-inf")


def beat() -> None:
    """Report progress, at most once per INTERVAL_SECONDS."""
    global _last_report  # noqa: PLW0603
    if _report is None:
        return
    now = monotonic()
    if now - _last_report >= INTERVAL_SECONDS:
        _last_report = now
        _report()


def reporting_progress(chunks: Iterable) -> Iterator:
    """The chunks of a streamed response, reporting progress as each one is produced."""
    try:
        for chunk in chunks:
            beat()
            yield chunk
    finally:
        # A visitor who leaves mid-download closes the response, and so this: the export's own generator must
        # end too (its COPY and transaction), now rather than whenever it is collected.
        close = getattr(chunks, "close", None)
        if close:
            close()
