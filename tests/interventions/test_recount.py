"""Counting the whole archive in the background once a change commits (interventions.recount), so that the next
visitor of the list or the home page finds the counts ready."""

import logging
import time

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hearings.models import PublicationStatus
from interventions import recount, snapshot, views
from interventions.models import FacetSnapshot
from tests.factories import HearingFactory, InterventionFactory, ThemeFactory

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL's by default; SQLite's in-memory test database locks a table a thread is reading",
)


@pytest.fixture
def serving(settings, monkeypatch):
    """A process that serves visitors (config/wsgi.py), counting right after each change."""
    settings.ARCHIVE_RECOUNT_AFTER_CHANGES = True
    settings.ARCHIVE_KEEP_PAGES = False
    monkeypatch.setattr(recount, "SETTLE_SECONDS", 0.01)
    monkeypatch.setattr(recount, "_serving", True)
    monkeypatch.setattr(recount, "_rested_at", 0.0)
    cache.clear()
    yield
    assert recount.wait(), "the background count did not finish"


@pytest.fixture
def counts_made(monkeypatch):
    """Each background count, recorded, as well as made."""
    made = []
    warm = recount.warm

    def recorded():
        made.append(snapshot.current_version())
        warm()

    monkeypatch.setattr(recount, "warm", recorded)
    return made


@on_postgresql
def test_a_committed_change_is_counted_before_anyone_asks(serving, transactional_db):
    hearing = HearingFactory()
    InterventionFactory.create_batch(2, hearing=hearing)
    InterventionFactory(hearing=hearing, status=PublicationStatus.DRAFT)
    assert recount.wait()

    counted = snapshot.current_snapshot()
    assert counted is not None
    assert counted.total == 2  # the draft is not counted


@on_postgresql
def test_the_home_page_and_the_themes_are_counted_for_every_language_at_once(
    serving, transactional_db, client, monkeypatch
):
    InterventionFactory(themes=[ThemeFactory(name="Forced labour")])
    assert recount.wait()

    def counted_again():
        raise AssertionError("a visitor counted the whole archive again")

    monkeypatch.setattr(views, "whole_archive_counts", counted_again)
    monkeypatch.setattr(views, "theme_tree", counted_again)
    for language, heading in (
        ("en", "Interventions per year"),
        ("fr", "Interventions par année"),
        ("es", "Intervenciones por año"),
    ):
        client.cookies["django_language"] = language
        home = client.get(reverse("interventions:home"))
        assert home.context["intervention_count"] == 1
        assert heading in home.content.decode()
        assert "Forced labour" in client.get(reverse("interventions:theme-list")).content.decode()


@on_postgresql
def test_the_organisation_lists_letters_are_counted_in_the_background_for_every_language(
    serving, transactional_db, client
):
    InterventionFactory(organisation__name="Anti-Slavery International")
    assert recount.wait()

    assert snapshot.current_snapshot().organisation_initials == [["ngo", "A", 1]]
    client.cookies["django_language"] = "es"
    assert "Anti-Slavery International" in client.get(reverse("interventions:organisation-list")).content.decode()


@on_postgresql
def test_the_sitemap_index_after_a_change_reads_the_counts_the_background_made(serving, transactional_db, client):
    InterventionFactory.create_batch(2)
    assert recount.wait()

    with CaptureQueriesContext(connection) as queries:
        index = client.get(reverse("sitemap"))

    assert index.status_code == 200
    assert "sitemap-interventions.xml" in index.content.decode()
    counting = [query["sql"] for query in queries if "COUNT(" in query["sql"] or "MAX(" in query["sql"]]
    assert counting == []


@on_postgresql
def test_the_list_after_a_change_reads_the_counts_the_background_made(serving, transactional_db, client):
    InterventionFactory.create_batch(3)
    assert recount.wait()
    counted = snapshot.current_snapshot()

    response = client.get(reverse("interventions:list"))

    assert response.context["page_obj"].paginator.count == 3
    assert FacetSnapshot.objects.get().pk == counted.pk  # the visitor counted nothing again


@on_postgresql
def test_a_bulk_change_in_one_transaction_is_counted_once(serving, transactional_db, counts_made):
    with transaction.atomic():
        InterventionFactory.create_batch(10)
    assert recount.wait()

    assert counts_made == [snapshot.current_version()]


@on_postgresql
def test_a_change_committed_while_counting_is_counted_again_after(serving, transactional_db, monkeypatch):
    made = []
    warm = recount.warm

    def change_during_the_first_count():
        made.append(snapshot.current_version())
        if len(made) == 1:
            InterventionFactory()
        warm()

    monkeypatch.setattr(recount, "warm", change_during_the_first_count)
    InterventionFactory()
    assert recount.wait()

    assert len(made) == 2
    assert snapshot.current_snapshot().total == 2


@on_postgresql
def test_the_next_count_rests_as_long_as_the_last_took(serving, transactional_db, monkeypatch):
    counted = []

    def slow_count():
        started = time.monotonic()
        time.sleep(0.3)
        counted.append((started, time.monotonic()))

    monkeypatch.setattr(recount, "warm", slow_count)
    for _change in range(2):
        with transaction.atomic():
            InterventionFactory()
        assert recount.wait()

    (first_started, first_ended), (second_started, _) = counted
    assert second_started - first_ended >= first_ended - first_started


def test_a_change_that_rolls_back_asks_for_no_count(serving, transactional_db, counts_made):
    with pytest.raises(RuntimeError), transaction.atomic():
        InterventionFactory()
        raise RuntimeError("the curator's save failed")
    assert recount.wait()

    assert counts_made == []
    assert snapshot.current_snapshot() is None


@on_postgresql
def test_a_failed_count_is_logged_and_left_to_the_next_visitor(serving, transactional_db, monkeypatch, caplog, client):
    def failing():
        raise RuntimeError("the database went away")

    monkeypatch.setattr(recount, "warm", failing)
    with caplog.at_level(logging.ERROR, logger="interventions.recount"):
        InterventionFactory()
        assert recount.wait()

    assert "Counting the archive after a change failed" in caplog.text
    assert snapshot.current_snapshot() is None
    assert client.get(reverse("interventions:list")).context["page_obj"].paginator.count == 1


def test_processes_that_serve_no_visitors_do_not_count(serving, transactional_db, monkeypatch, counts_made):
    # Management commands and tests: config/wsgi.py is what marks a process as serving.
    monkeypatch.setattr(recount, "_serving", False)
    InterventionFactory()
    assert recount.wait()

    assert counts_made == []


def test_no_count_when_switched_off(serving, transactional_db, settings, counts_made):
    settings.ARCHIVE_RECOUNT_AFTER_CHANGES = False
    InterventionFactory()
    assert recount.wait()

    assert counts_made == []


def test_nothing_is_counted_when_nothing_is_kept(serving, transactional_db, settings, counts_made):
    settings.ARCHIVE_FACET_SNAPSHOT_SECONDS = 0
    InterventionFactory()
    assert recount.wait()

    assert counts_made == []


def test_the_served_application_counts_after_changes(monkeypatch):
    import importlib

    import config.wsgi

    monkeypatch.setattr(recount, "_serving", False)
    importlib.reload(config.wsgi)

    assert recount._serving


def test_counted_in_the_background_by_default_on_postgresql_only():
    from config import settings as configured

    assert configured.ARCHIVE_RECOUNT_AFTER_CHANGES == (connection.vendor == "postgresql")
