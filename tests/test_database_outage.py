"""When the database goes away, visitors get a quick 503 page; when it comes back, so does the site."""

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.urls import reverse

from tests.factories import InterventionFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def database_down(error=OperationalError):
    def refuse(execute, sql, params, many, context):
        raise error("server closed the connection unexpectedly")

    with connection.execute_wrapper(refuse):
        yield


@pytest.fixture
def intervention():
    return InterventionFactory(title="A published statement")


def public_urls(intervention):
    return [
        reverse("interventions:home"),
        reverse("interventions:list"),
        reverse("interventions:list") + "?q=trafficking",
        intervention.get_absolute_url(),
        intervention.hearing.get_absolute_url(),
        reverse("hearings:list"),
        reverse("interventions:organisation-list"),
        reverse("interventions:theme-list"),
    ]


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_pages_answer_503_while_the_database_is_down(client, intervention, error):
    with database_down(error):
        for url in public_urls(intervention):
            response = client.get(url)
            assert response.status_code == 503, url
            assert "temporarily unavailable" in response.content.decode()
            assert "Traceback" not in response.content.decode()


def test_the_503_asks_clients_to_retry_later_and_not_to_cache_it(client, intervention):
    with database_down():
        response = client.get(reverse("interventions:list"))
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"


def test_pages_come_back_when_the_database_does(client, intervention):
    with database_down():
        assert client.get(reverse("interventions:list")).status_code == 503
    response = client.get(reverse("interventions:list"))
    assert response.status_code == 200
    assert "A published statement" in response.content.decode()


def test_healthz_is_200_while_the_database_answers(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_while_the_database_is_down(client):
    with database_down():
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.content == b"database unavailable\n"


def test_healthz_shows_no_records(client, intervention):
    assert "A published statement" not in client.get(reverse("healthz")).content.decode()


def test_healthz_accepts_only_reads(client):
    assert client.post(reverse("healthz")).status_code == 405


def test_an_unreachable_postgresql_server_gives_a_quick_503():
    """A real PostgreSQL address where nothing listens, with production settings, in a separate process."""
    script = (
        "import django; django.setup(); from django.test import Client, override_settings; "
        # Production serves hashed static files after collectstatic, which this test does not run.
        "override_settings(STORAGES={'staticfiles': {'BACKEND': "
        "'django.contrib.staticfiles.storage.StaticFilesStorage'}}).enable(); "
        "c = Client(raise_request_exception=False); "
        "print(c.get('/healthz').status_code, c.get('/interventions/').status_code, c.get('/').status_code)"
    )
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://archive@127.0.0.1:9/archive",
        "DEBUG": "0",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "CRITICAL",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.stdout.split() == ["503", "503", "503"], result.stderr
    assert time.monotonic() - started < 20


def test_healthz_asks_the_database_one_question(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        client.get(reverse("healthz"))
