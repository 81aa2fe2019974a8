"""Facet counts on a synthetic archive agree with counting every result by hand."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.http import QueryDict

from interventions.facets import TOP_OPTIONS, facets
from interventions.filters import InterventionFilter
from interventions.models import Intervention, Organisation, Theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive():
    call_command("seed_synthetic", interventions=400, seed=3, no_progress=True, stdout=StringIO(), stderr=StringIO())
    largest = Counter(Intervention.objects.published().values_list("organisation__slug", flat=True)).most_common(1)
    return {
        "largest": largest[0][0],
        "broader": Theme.objects.filter(parent__isnull=True).order_by("pk").first().slug,
        "narrower": Theme.objects.filter(parent__isnull=False).order_by("pk").first().slug,
    }


def results(query, exclude):
    filterset = InterventionFilter(data=QueryDict(query), queryset=Intervention.objects.published())
    assert filterset.is_valid()
    return filterset.filter_queryset(filterset.queryset.all(), exclude=exclude).prefetch_related(
        "on_behalf_of", "themes__parent"
    )


def expected_organisations(query):
    counts = Counter()
    for intervention in results(query, {"organisation", "sort"}):
        slugs = {intervention.organisation.slug} | {org.slug for org in intervention.on_behalf_of.all()}
        counts.update(slugs)
    return counts


def expected_themes(query):
    counts = Counter()
    for intervention in results(query, {"sort"}):
        slugs = set()
        for theme in intervention.themes.all():
            slugs.add(theme.slug)
            if theme.parent:
                slugs.add(theme.parent.slug)
        counts.update(slugs)
    return counts


def shown(query, name):
    filterset = InterventionFilter(data=QueryDict(query), queryset=Intervention.objects.published().for_list())
    facet = next(facet for facet in facets(filterset) if facet.name == name)
    return {option.value: option.count for option in facet.options if not option.selected}


QUERIES = ["", "language=fr", "organisation={largest}", "theme={broader}", "theme={narrower}&type=ngo"]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize(("name", "expected"), [("organisation", expected_organisations), ("theme", expected_themes)])
def test_facet_shows_the_largest_options_with_their_exact_counts(archive, query, name, expected):
    query = query.format(**archive)
    selected = set(QueryDict(query).getlist(name))
    counts = {slug: n for slug, n in expected(query).items() if slug not in selected}
    options = shown(query, name)
    assert options == {slug: counts[slug] for slug in options}
    assert min(TOP_OPTIONS - len(selected), len(counts)) <= len(options) <= TOP_OPTIONS
    hidden = [n for slug, n in counts.items() if slug not in options]
    assert not hidden or min(options.values()) >= max(hidden)


def test_the_archive_has_co_sponsored_interventions_to_count(archive):
    assert Intervention.on_behalf_of.through.objects.exists()
    assert Organisation.objects.count() == 40
