"""Browser tests: Debian's Chromium, driven by Playwright, against pytest-django's live server.

`make e2e` runs them; `make test` leaves them out (pyproject's `-m "not e2e"`).
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses that unless told.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
# Recordings live elsewhere (UN Web TV, YouTube): the tests answer for them instead of the network.
RECORDING_HOSTS = {"webtv.un.org", "www.youtube.com"}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings, tmp_path_factory):
    """On SQLite, a test database in a file rather than in memory.

    The live server answers from several threads. An in-memory database is shared between them through SQLite's
    shared cache, whose table locks fail a writer at once instead of waiting out the busy timeout; a file database
    takes the settings' WAL journal, IMMEDIATE transactions and timeout, as the running site does.
    """
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("e2e-database") / "archive.sqlite3")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": DESKTOP, "locale": "en-GB"}


@pytest.fixture
def screenshots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(autouse=True)
def _offline(context, live_server):
    """Only the live server answers; a recording host gets a stand-in page; anything else is refused."""
    own = urlsplit(live_server.url).netloc

    def handle(route):
        url = urlsplit(route.request.url)
        if url.netloc == own:
            return route.continue_()
        if url.hostname in RECORDING_HOSTS:
            return route.fulfill(status=200, content_type="text/html", body="<title>Recording</title><p>Recording</p>")
        return route.abort()

    context.route("**/*", handle)


@pytest.fixture
def url(live_server):
    return lambda path: f"{live_server.url}{path}"
