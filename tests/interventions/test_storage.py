"""How PostgreSQL stores and indexes interventions: lists read narrow rows, searches answer from an index."""

import pytest
from django.db import connection

from interventions.models import Intervention
from tests.factories import (
    InterventionFactory,
    OrganisationFactory,
    RecordingFactory,
    SessionFactory,
    ThemeFactory,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: TOAST and partial GIN indexes"),
]


def toasted_values() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltoastrelid::regclass FROM pg_class WHERE relname = 'interventions_intervention'")
        (toast_table,) = cursor.fetchone()
        cursor.execute(f"SELECT count(DISTINCT chunk_id) FROM {toast_table}")
        return cursor.fetchone()[0]


def statement() -> str:
    """A three-minute statement: about 4 KB of varied words, which compresses to about 1.5 KB."""
    words = [f"{word}{n}" for n in range(60) for word in ("survivors", "labour", "shelter", "referral", "rights")]
    return " ".join(words[(n * 7919) % len(words)] for n in range(400))


def test_a_statements_text_is_kept_out_of_the_table_row():
    # PostgreSQL's default would keep the statement compressed in the row itself, and every list and count would
    # read it.
    before = toasted_values()
    InterventionFactory(text_delivered=statement())
    assert toasted_values() > before


@pytest.mark.parametrize(
    ("index", "condition"),
    [
        ("en", "((language)::text = 'en'::text)"),
        ("fr", "((language)::text = 'fr'::text)"),
        ("es", "((language)::text = 'es'::text)"),
        ("other", "(NOT ((language)::text = ANY"),
    ],
)
def test_each_search_configuration_has_a_search_index_of_its_own(index, condition):
    # A search matches each language's rows with its own parsed query (search.py); with an index per language
    # the database answers each branch from the index alone (measured in bench/README.md), where one index over
    # every row left each match to be re-checked against the row's out-of-line search vector.
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [f"intervention_search_{index}_idx"])
        (definition,) = cursor.fetchone()
    assert "USING gin (search_vector)" in definition
    assert f"WHERE {condition}" in definition


def test_the_columns_lists_and_exports_show_stay_in_the_row():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute "
            "WHERE attrelid = 'interventions_intervention'::regclass AND attname = ANY(%s)",
            [["title", "summary", "text_delivered", "text_submitted"]],
        )
        storage = dict(cursor.fetchall())
    # MAIN: compressed in the row when need be, never moved out of it; EXTENDED: moved out when the row is long.
    assert storage == {"title": "m", "summary": "m", "text_delivered": "x", "text_submitted": "x"}


def test_only_the_long_texts_and_the_search_vector_may_leave_the_row():
    # With the table's TOAST target of 128 bytes, PostgreSQL moves every value of a column with the default storage
    # out of a long row, however short the value: a column added later without STORAGE MAIN costs a TOAST fetch for
    # each row a list or export reads (as the kept name lists did until migration 0020).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = 'interventions_intervention'::regclass "
            "AND attnum > 0 AND NOT attisdropped AND attstorage = 'x'"
        )
        movable = {name for (name,) in cursor.fetchall()}
    assert movable == {"text_delivered", "text_submitted", "search_vector"}


def test_the_kept_lists_and_recording_cell_stay_in_the_row():
    # The CSV export reads them from every row. A long statement makes PostgreSQL move values out of the row until
    # it is 128 bytes long (migration 0011); out of line, each list was a TOAST fetch per row read (migration 0020).
    session = SessionFactory()
    RecordingFactory(session=session)

    def values_moved_out(**relations) -> int:
        before = toasted_values()
        InterventionFactory(
            hearing=session.hearing, session=session, start_offset=30, text_delivered=statement(), **relations
        )
        return toasted_values() - before

    bare = values_moved_out()
    listed = values_moved_out(themes=[ThemeFactory(), ThemeFactory()], on_behalf_of=[OrganisationFactory()])
    assert all(Intervention.objects.values_list("theme_names", "on_behalf_of_names", "recording_urls").last())
    assert listed == bare


def test_the_sites_connections_have_the_memory_an_exact_search_bitmap_needs():
    # With PostgreSQL's default 4 MB, a common term's matches among a million interventions spill into a lossy
    # bitmap, and each row on a lossy page is re-checked against its out-of-line search vector.
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        assert cursor.fetchone()[0] == "16MB"
