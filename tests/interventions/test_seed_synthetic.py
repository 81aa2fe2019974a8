"""seed_synthetic builds a realistic, reproducible archive, and never mixes itself into a real one."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Max, Min, Prefetch
from django.db.models.functions import Length
from django.test import Client

from hearings.models import Hearing, PublicationStatus, Recording, Session
from interventions import synthetic
from interventions.models import Intervention, Organisation, Theme
from interventions.name_lists import LIST_SEPARATOR
from interventions.recording_links import RecordingLookup
from interventions.search import search
from tests.factories import InterventionFactory

pytestmark = pytest.mark.django_db

SIZE = 200


def seed(size=SIZE, **options):
    out = StringIO()
    call_command("seed_synthetic", interventions=size, no_progress=True, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def snapshot():
    return {
        "interventions": list(
            Intervention.objects.order_by("source_id").values_list(
                "source_id", "title", "summary", "text_delivered", "language", "status", "organisation__slug", "date"
            )
        ),
        "themes": sorted(Intervention.themes.through.objects.values_list("intervention__source_id", "theme__slug")),
        "organisations": list(Organisation.objects.order_by("slug").values_list("slug", "name", "type")),
    }


def test_builds_one_hearing_per_fifty_interventions_with_sessions_and_recordings():
    seed()
    assert Intervention.objects.count() == SIZE
    assert Hearing.objects.count() == SIZE // 50
    assert Session.objects.filter(parent__isnull=True).count() >= 2 * Hearing.objects.count()
    assert not Session.objects.filter(parent__isnull=True, recordings__isnull=True).exists()
    assert Recording.objects.count() == Session.objects.filter(parent__isnull=True).count()


def test_places_every_intervention_in_a_session_of_its_own_hearing():
    seed()
    assert not Intervention.objects.filter(session__isnull=True).exists()
    assert not Intervention.objects.exclude(session__hearing=F("hearing")).exists()


def test_builds_one_organisation_per_ten_interventions_each_speaking_at_least_once():
    seed()
    assert Organisation.objects.count() == SIZE // 10
    counts = Organisation.objects.annotate(n=Count("interventions")).aggregate(low=Min("n"), high=Max("n"))
    assert counts["low"] >= 1
    # Long-tailed: the largest organisation speaks far more often than the typical one.
    assert counts["high"] >= 10


def test_builds_forty_themes_nested_one_level_with_one_to_four_per_intervention():
    seed()
    assert Theme.objects.count() == 40
    assert Theme.objects.filter(parent__isnull=True).count() == 8
    assert not Theme.objects.filter(parent__parent__isnull=False).exists()
    per_intervention = Intervention.objects.annotate(n=Count("themes")).aggregate(low=Min("n"), high=Max("n"))
    assert per_intervention["low"] >= 1
    assert per_intervention["high"] <= 4


def test_publishes_about_95_percent_of_interventions():
    seed(1000)
    published = Intervention.objects.published().count()
    assert 920 <= published <= 980
    assert Intervention.objects.filter(status=PublicationStatus.DRAFT).count() == 1000 - published


def test_writes_english_french_and_spanish_only():
    seed()
    languages = set(Intervention.objects.values_list("language", flat=True))
    assert languages == {"en", "fr", "es"}


def test_texts_have_realistic_lengths_with_a_tenth_of_long_ones():
    seed(1000)
    lengths = Intervention.objects.annotate(summary_length=Length("summary"), text_length=Length("text_delivered"))
    summaries = lengths.aggregate(low=Min("summary_length"), high=Max("summary_length"))
    assert synthetic.SUMMARY_LENGTH[0] <= summaries["low"] <= summaries["high"] <= synthetic.SUMMARY_LENGTH[1]
    texts = list(lengths.values_list("text_length", flat=True))
    assert min(texts) >= synthetic.TEXT_LENGTH[0]
    assert max(texts) <= synthetic.LONG_TEXT_LENGTH[1]
    long_ones = sum(1 for length in texts if length >= synthetic.LONG_TEXT_LENGTH[0])
    normal = sum(1 for length in texts if length <= synthetic.TEXT_LENGTH[1])
    assert long_ones + normal == 1000
    assert 60 <= long_ones <= 140


def test_texts_use_the_domain_vocabulary():
    seed()
    assert Intervention.objects.filter(language="en", text_delivered__contains="trafficking").exists()
    assert Intervention.objects.filter(language="fr", text_delivered__contains="traite").exists()
    assert Intervention.objects.filter(language="es", text_delivered__contains="trata").exists()


def test_plants_the_benchmark_search_terms_in_their_share_of_texts():
    seed(1000)
    rare = Intervention.objects.filter(text_delivered__contains="ombudsperson").count()
    common = Intervention.objects.filter(text_delivered__contains="remediation").count()
    assert 20 <= rare <= 60
    assert 140 <= common <= 220


def test_marks_every_record_as_synthetic():
    seed()
    assert synthetic.non_synthetic_records() == {}
    assert not Intervention.objects.exclude(source_id__startswith=synthetic.SOURCE_PREFIX).exists()


def test_the_same_seed_builds_the_same_archive():
    seed(seed=7)
    first = snapshot()
    seed(seed=7)
    assert snapshot() == first


def test_another_seed_builds_another_archive():
    seed(seed=7)
    first = snapshot()
    seed(seed=8)
    assert snapshot() != first


def test_seeding_again_replaces_the_synthetic_archive_instead_of_adding_to_it():
    seed()
    seed()
    assert Intervention.objects.count() == SIZE
    assert Theme.objects.count() == 40


def test_the_synthetic_pages_render():
    seed()
    client = Client()
    intervention = Intervention.objects.published().first()
    assert client.get("/interventions/").status_code == 200
    assert client.get(intervention.get_absolute_url()).status_code == 200
    assert client.get(intervention.hearing.get_absolute_url()).status_code == 200
    assert client.get(intervention.organisation.get_absolute_url()).status_code == 200


def test_refuses_to_run_on_a_database_with_real_records():
    real = InterventionFactory(title="A real statement")
    with pytest.raises(CommandError, match="real records"):
        seed()
    assert list(Intervention.objects.all()) == [real]


def test_force_adds_synthetic_records_beside_real_ones_and_keeps_them():
    real = InterventionFactory(title="A real statement")
    seed(force=True)
    assert Intervention.objects.count() == SIZE + 1
    assert Intervention.objects.get(pk=real.pk).title == "A real statement"
    seed(force=True)
    assert Intervention.objects.count() == SIZE + 1
    assert Intervention.objects.filter(pk=real.pk).exists()


def test_rejects_a_size_below_one():
    with pytest.raises(CommandError, match="at least 1"):
        seed(0)


def searchable_titles(query):
    return set(search(Intervention.objects.published(), query).values_list("title", flat=True))


def published_titles_containing(word):
    return set(Intervention.objects.published().filter(text_delivered__contains=word).values_list("title", flat=True))


def test_a_seeded_archive_is_searchable_by_its_planted_terms():
    seed(500)
    found = searchable_titles("ombudsperson")
    assert found
    assert found == published_titles_containing("ombudsperson")
    assert found != set(Intervention.objects.published().values_list("title", flat=True))


@pytest.mark.django_db(transaction=True)
def test_a_committed_seed_is_searchable_from_the_list_page():
    # Committed rows: on PostgreSQL three threads, each on its own connection, share the indexing.
    seed(500, index_workers=3)
    assert searchable_titles("remediation") == published_titles_containing("remediation")
    intervention = Intervention.objects.published().filter(text_delivered__contains="ombudsperson").first()
    page = Client().get("/interventions/", {"q": "ombudsperson"})
    assert intervention.title in page.content.decode()


def test_seeding_again_with_another_seed_reindexes_the_new_texts():
    seed(300, seed=7)
    before = published_titles_containing("remediation")
    seed(300, seed=8)
    after = published_titles_containing("remediation")
    assert after != before
    assert searchable_titles("remediation") == after


def test_a_seeded_archive_keeps_every_interventions_sorted_lists_of_names():
    seed(300)
    rows = Intervention.objects.prefetch_related(
        Prefetch("themes", queryset=Theme.objects.order_by("name")),
        Prefetch("on_behalf_of", queryset=Organisation.objects.order_by("name")),
    )
    assert any(row.on_behalf_of_names for row in rows)
    for row in rows:
        assert row.theme_names == LIST_SEPARATOR.join(theme.name for theme in row.themes.all())
        assert row.on_behalf_of_names == LIST_SEPARATOR.join(partner.name for partner in row.on_behalf_of.all())


def test_a_seeded_archive_keeps_every_interventions_recording_cell():
    seed(300)
    rows = list(
        Intervention.objects.values_list(
            "recording_urls", "hearing_id", "session_id", "session__parent_id", "start_offset"
        )
    )
    lookup = RecordingLookup((hearing, session, parent) for _cell, hearing, session, parent, _start in rows)
    assert any(cell for cell, *_place in rows)
    for cell, hearing, session, parent, start in rows:
        assert cell == LIST_SEPARATOR.join(lookup.urls(hearing, session, parent, start))
