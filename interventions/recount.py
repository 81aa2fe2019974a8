"""Counting the whole archive again right after a change, so that its next visitor does not wait for the count.

A change makes the kept counts stale (snapshot.py), and whoever asks next for the unfiltered list, the home page
or the list of themes counts the whole public archive: at a million interventions that visitor waited 6.7 s for
the list and 13.9 s for the home page. A process that serves visitors therefore counts them itself as soon as a
change it made commits, in a thread of its own:
- visitors who arrive while it counts wait for its snapshot instead of counting too (snapshot.counting_alone);
- a burst of changes (a bulk edit, an import) is counted once: changes committed while the thread waits or counts
  ask for one more count after it, never for one each; and the thread rests at least as long as its last count
  took before the next, so curators saving every few seconds keep it busy half the time at most;
- a change that rolls back asks for nothing; a count that fails leaves the counting to the next visitor, as before.

The snapshot is stored in the database, so every process finds it; it holds the organisation list's letters and
counts too. The home page's counts, the theme tree and the sitemaps' are kept in the cache (snapshot.kept): shared
by every server with CACHE_URL, otherwise warmed in the process that made the change only.

Only processes that serve visitors count (config/wsgi.py and config/asgi.py call serve()): a management command
would count for a cache that ends with it, and tests count when they ask to.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import connections, transaction

logger = logging.getLogger(__name__)

# Changes committed this soon after one another are counted together.
SETTLE_SECONDS = 1.0

_serving = False
_wanted = threading.Event()
_lock = threading.Lock()
_thread: threading.Thread | None = None
# Not before then (time.monotonic()): a count rests as long as the last one took.
_rested_at = 0.0


def serve(enabled: bool = True):
    """This process serves visitors: count the archive after each change it commits (ARCHIVE_RECOUNT_AFTER_CHANGES)."""
    global _serving
    _serving = enabled


def after_commit():
    """Count the archive in the background once the current transaction commits."""
    if _serving and settings.ARCHIVE_RECOUNT_AFTER_CHANGES and settings.ARCHIVE_FACET_SNAPSHOT_SECONDS > 0:
        transaction.on_commit(_wake)


def _wake():
    global _thread
    with _lock:
        _wanted.set()
        if _thread is None:
            _thread = threading.Thread(target=_count_while_wanted, name="archive-recount", daemon=True)
            _thread.start()


def _count_while_wanted():
    global _thread, _rested_at
    while True:
        time.sleep(max(SETTLE_SECONDS, _rested_at - time.monotonic()))
        _wanted.clear()
        started = time.monotonic()
        try:
            warm()
        except Exception:
            logger.exception("Counting the archive after a change failed: its next visitor will count it.")
        finally:
            # The thread's own connections: an idle thread holds none.
            connections.close_all()
        ended = time.monotonic()
        _rested_at = ended + (ended - started)
        with _lock:
            if not _wanted.is_set():
                _thread = None
                return


def wait(timeout: float = 30.0) -> bool:
    """Until the background count has finished (for tests and benchmarks); False if it is still counting."""
    thread = _thread
    if thread is not None:
        thread.join(timeout)
        return not thread.is_alive()
    return True


def warm():
    """Count what whole-archive pages show: the unfiltered list's snapshot (which holds the organisation list's
    initials and counts too), the home page's counts and charts' rows, the theme tree (both kept once for every
    language), and last, since only crawlers read them, the sitemaps' counts and latest dates."""
    from .sitemaps import warm_sitemaps
    from .snapshot import unfiltered_snapshot
    from .views import kept_home_counts, kept_theme_tree

    # The pages' own kept values, under the keys the pages read.
    unfiltered_snapshot()
    kept_home_counts()
    kept_theme_tree()
    warm_sitemaps()
