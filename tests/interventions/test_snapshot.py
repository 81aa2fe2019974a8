"""The unfiltered list's kept counts (interventions.snapshot): always what a live count would show."""

import contextlib
import datetime
import io
import itertools

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backup.archive import archived_models
from hearings.models import PublicationStatus
from interventions import charts, snapshot
from interventions.facets import facets
from interventions.filters import DEFAULT_SORT, SORT_ORDERS, InterventionFilter
from interventions.models import FacetSnapshot, Intervention, Organisation
from interventions.sitemaps import InterventionSitemap
from tests.factories import HearingFactory, InterventionFactory, OrganisationFactory, SessionFactory, ThemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pages_rendered(settings):
    """These tests read the counts a page was rendered with, so pages are rendered, never read back whole."""
    settings.ARCHIVE_KEEP_PAGES = False


# The facet query of facets.py: one common table expression over the results.
COUNTING = "WITH r AS"


def list_page(client, query=""):
    response = client.get(f"{reverse('interventions:list')}?{query}")
    assert response.status_code == 200
    return response.context


def total(client) -> int:
    return list_page(client)["page_obj"].paginator.count


def shown(context) -> list[tuple[str, list[tuple[str, str, int]]]]:
    """The sidebar as a visitor reads it: each facet's options, labels and counts."""
    return [
        (facet.name, [(option.value, str(option.label), option.count) for option in facet.options])
        for facet in context["facets"]
    ]


def counts(client, name: str, query: str = "") -> dict[str, int]:
    facet = next(facet for facet in list_page(client, query)["facets"] if facet.name == name)
    return {option.value: option.count for option in facet.options}


def labels(client, name: str) -> dict[str, str]:
    facet = next(facet for facet in list_page(client)["facets"] if facet.name == name)
    return {option.value: str(option.label) for option in facet.options}


def live_count():
    """The total and facets of the whole public archive, counted now without any snapshot."""
    filterset = InterventionFilter(data={}, queryset=Intervention.objects.published())
    filterset.is_valid()
    return filterset.qs.count(), shown({"facets": facets(filterset)})


def shown_ids(client, query: str) -> list[int]:
    return [intervention.pk for intervention in list_page(client, query)["page_obj"].object_list]


def queries_of_a_view(client) -> tuple[list[str], dict]:
    with CaptureQueriesContext(connection) as captured:
        context = list_page(client)
    # Read now: the captured queries are a window on a log the next request empties.
    return [query["sql"] for query in captured.captured_queries], context


def time_passes_to(moment, monkeypatch):
    # snapshot.py and the visibility rule (hearings.curation) both ask django.utils.timezone.
    monkeypatch.setattr(timezone, "now", lambda: moment)


# ---------------------------------------------------------------- the same counts as a live count, read cheaply


def test_the_unfiltered_list_shows_the_total_and_facets_of_a_live_count(client, varied_archive):
    context = list_page(client)
    assert (context["page_obj"].paginator.count, shown(context)) == live_count()
    assert FacetSnapshot.objects.count() == 1


def test_a_second_view_reads_the_snapshot_instead_of_counting(client, varied_archive):
    first, _ = queries_of_a_view(client)
    second, context = queries_of_a_view(client)
    assert any(COUNTING in sql for sql in first)
    assert not any(COUNTING in sql for sql in second)
    assert (context["page_obj"].paginator.count, shown(context)) == live_count()


def some_interventions(n):
    organisations = [OrganisationFactory(type=kind) for kind in Organisation.Type.values[:3]]
    themes = [ThemeFactory() for _ in range(3)]
    hearings = [HearingFactory() for _ in range(2)]
    for index in range(n):
        InterventionFactory(
            hearing=hearings[index % 2],
            organisation=organisations[index % 3],
            on_behalf_of=[organisations[(index + 1) % 3]],
            themes=themes[: index % 4],
            language=["en", "fr", "es"][index % 3],
        )


def test_reading_the_snapshot_takes_as_few_queries_for_a_larger_archive(client, django_assert_num_queries):
    some_interventions(3)
    list_page(client)
    small, _ = queries_of_a_view(client)
    some_interventions(40)
    list_page(client)
    with django_assert_num_queries(len(small)):
        assert total(client) == 43


def test_reading_the_snapshot_takes_a_handful_of_queries(client, varied_archive, django_assert_max_num_queries):
    list_page(client)
    # The snapshot, the page's ids, its rows and their prefetched relations: nothing counted.
    with django_assert_max_num_queries(8):
        list_page(client)


# ---------------------------------------------------------------- every change shows on the next view


@pytest.fixture
def on_the_list(client):
    """One public intervention, already viewed, so a snapshot is kept."""
    intervention = InterventionFactory(
        organisation=OrganisationFactory(slug="la-strada", name="La Strada", type=Organisation.Type.NGO),
        themes=[ThemeFactory(slug="prevention", name="Prevention")],
    )
    assert total(client) == 1
    return intervention


def test_publishing_a_draft_counts_it_on_the_next_view(client, on_the_list):
    draft = InterventionFactory(status=PublicationStatus.DRAFT)
    assert total(client) == 1
    draft.status = PublicationStatus.PUBLISHED
    draft.save()
    assert total(client) == 2


def test_unpublishing_an_intervention_drops_it_on_the_next_view(client, on_the_list):
    on_the_list.status = PublicationStatus.DRAFT
    on_the_list.save()
    assert total(client) == 0


def test_deleting_an_intervention_drops_it_on_the_next_view(client, on_the_list):
    on_the_list.delete()
    assert total(client) == 0


def test_unpublishing_its_hearing_drops_it_on_the_next_view(client, on_the_list):
    hearing = on_the_list.hearing
    hearing.status = PublicationStatus.DRAFT
    hearing.save()
    assert total(client) == 0
    assert counts(client, "hearing") == {}


def test_tagging_a_theme_counts_it_on_the_next_view(client, on_the_list):
    on_the_list.themes.add(ThemeFactory(slug="protection"))
    assert counts(client, "theme") == {"prevention": 1, "protection": 1}


def test_untagging_a_theme_drops_its_count_on_the_next_view(client, on_the_list):
    on_the_list.themes.clear()
    assert counts(client, "theme") == {}


def test_adding_a_co_sponsor_counts_it_on_the_next_view(client, on_the_list):
    on_the_list.on_behalf_of.add(OrganisationFactory(slug="freedom-fund"))
    assert counts(client, "organisation") == {"la-strada": 1, "freedom-fund": 1}


def test_renaming_an_organisation_shows_its_new_name_on_the_next_view(client, on_the_list):
    organisation = on_the_list.organisation
    organisation.name, organisation.acronym = "La Strada International", "LSI"
    organisation.save()
    assert labels(client, "organisation") == {"la-strada": "La Strada International (LSI)"}


def test_changing_an_organisations_type_moves_its_count_on_the_next_view(client, on_the_list):
    organisation = on_the_list.organisation
    organisation.type = Organisation.Type.NETWORK
    organisation.save()
    assert counts(client, "type") == {Organisation.Type.NETWORK: 1}


def test_renaming_a_theme_shows_its_new_name_on_the_next_view(client, on_the_list):
    theme = on_the_list.themes.get()
    theme.name = "Prevention of trafficking"
    theme.save()
    assert labels(client, "theme") == {"prevention": "Prevention of trafficking"}


def test_a_draft_is_never_counted(client):
    InterventionFactory(language="en")
    InterventionFactory(language="fr", status=PublicationStatus.DRAFT, themes=[ThemeFactory(slug="prevention")])
    assert total(client) == 1
    assert counts(client, "language") == {"en": 1}
    assert counts(client, "theme") == {}


# ---------------------------------------------------------------- embargoes lift without a write


@pytest.fixture
def embargoed(settings):
    # Kept far longer than the embargo, so only the embargo can end the snapshot.
    settings.ARCHIVE_FACET_SNAPSHOT_SECONDS = 3600
    InterventionFactory()
    return InterventionFactory(publish_at=timezone.now() + datetime.timedelta(minutes=5))


def test_an_embargoed_intervention_is_not_counted(client, embargoed):
    assert total(client) == 1


def test_the_snapshot_lasts_until_the_embargo_lifts(client, embargoed):
    list_page(client)
    assert FacetSnapshot.objects.get().valid_until == embargoed.publish_at


def test_an_embargoed_intervention_is_counted_once_the_embargo_lifts(client, embargoed, monkeypatch):
    assert total(client) == 1
    time_passes_to(embargoed.publish_at, monkeypatch)
    assert total(client) == 2


def test_an_embargoed_hearings_interventions_are_counted_once_the_embargo_lifts(client, embargoed, monkeypatch):
    hearing = HearingFactory(publish_at=timezone.now() + datetime.timedelta(minutes=2))
    InterventionFactory(hearing=hearing)
    assert total(client) == 1
    time_passes_to(hearing.publish_at, monkeypatch)
    assert total(client) == 2


def test_a_change_made_without_signals_shows_once_the_snapshot_expires(client, settings, monkeypatch):
    settings.ARCHIVE_FACET_SNAPSHOT_SECONDS = 600
    intervention = InterventionFactory()
    assert total(client) == 1
    Intervention.objects.filter(pk=intervention.pk).update(status=PublicationStatus.DRAFT)
    assert total(client) == 1
    time_passes_to(timezone.now() + datetime.timedelta(seconds=601), monkeypatch)
    assert total(client) == 0


# ---------------------------------------------------------------- versions


def test_a_snapshot_of_an_older_version_is_not_used(client):
    intervention = InterventionFactory()
    assert total(client) == 1
    # A change behind Django's back: the kept count still shows it, until the version moves on.
    Intervention.objects.filter(pk=intervention.pk).update(status=PublicationStatus.DRAFT)
    assert total(client) == 1
    snapshot.bump_version()
    assert total(client) == 0


def test_a_snapshot_counted_while_a_change_was_committed_is_not_used(client):
    InterventionFactory()
    # A reader takes the version and counts; a writer commits a change meanwhile; the reader then stores its count.
    counted_before = snapshot.compute(snapshot.current_version(), timezone.now())
    InterventionFactory()
    counted_before.save()
    assert total(client) == 2


def test_no_snapshot_is_kept_when_its_lifetime_is_zero(client, settings):
    settings.ARCHIVE_FACET_SNAPSHOT_SECONDS = 0
    intervention = InterventionFactory()
    assert total(client) == 1
    Intervention.objects.filter(pk=intervention.pk).update(status=PublicationStatus.DRAFT)
    assert total(client) == 0
    assert not FacetSnapshot.objects.exists()


# ---------------------------------------------------------------- deep pages


@pytest.fixture
def long_archive(monkeypatch):
    """A few hundred public interventions over many dates, several a day, some in sessions; drafts among them."""
    monkeypatch.setattr(snapshot, "ANCHOR_SPACING", 7)
    hearings = [HearingFactory() for _ in range(3)]
    sessions = [SessionFactory(hearing=hearing, order=order) for hearing in hearings for order in (2, 1)]
    organisations = [OrganisationFactory() for _ in range(3)]
    first_day = datetime.date(2020, 1, 1)
    for index in range(260):
        hearing = hearings[index % 3]
        in_session = index % 4 != 0
        InterventionFactory(
            hearing=hearing,
            session=sessions[(index % 3) * 2 + index % 2] if in_session else None,
            # Against the ids, so the order is not the insertion order; unique within a session.
            order=1000 - index if index % 3 else None,
            organisation=organisations[index % 3],
            language="fr" if index % 2 else "en",
            # Runs of one to eleven interventions share a date.
            date=first_day + datetime.timedelta(days=(index * index) % 97),
            status=PublicationStatus.DRAFT if index % 13 == 0 else PublicationStatus.PUBLISHED,
        )
    return Intervention.objects.published()


def expected_ids(queryset, number, page_size) -> list[int]:
    start = (number - 1) * page_size
    return list(queryset.values_list("pk", flat=True)[start : start + page_size])


@pytest.mark.parametrize(
    ("number", "page_size"),
    [(2, 20), (12, 20), (17, 7), (34, 7), (9, 13), (3, 100)],
)
def test_a_deep_page_of_the_unfiltered_list_shows_the_rows_plain_slicing_would(client, long_archive, number, page_size):
    public = long_archive.order_by(*SORT_ORDERS[DEFAULT_SORT])
    assert shown_ids(client, f"page={number}&page_size={page_size}") == expected_ids(public, number, page_size)


def test_the_unfiltered_list_seeks_from_many_anchors(client, long_archive):
    context = list_page(client, "page=5")
    assert context["page_obj"].paginator.seek is not None
    assert len(FacetSnapshot.objects.get().pages) > 20


def test_every_page_of_the_unfiltered_list_together_shows_each_public_intervention_once(client, long_archive):
    pages = [shown_ids(client, f"page={number}&page_size=9") for number in range(1, 28)]
    shown_in_order = list(itertools.chain.from_iterable(pages))
    assert shown_in_order == list(long_archive.order_by(*SORT_ORDERS[DEFAULT_SORT]).values_list("pk", flat=True))


@pytest.mark.parametrize("number", [1, 3, 6])
def test_a_filtered_list_pages_without_seeking(client, long_archive, number):
    context = list_page(client, f"language=fr&page={number}&page_size=20")
    filtered = long_archive.filter(language="fr").order_by(*SORT_ORDERS[DEFAULT_SORT])
    assert context["page_obj"].paginator.seek is None
    assert [row.pk for row in context["page_obj"].object_list] == expected_ids(filtered, number, 20)


@pytest.mark.parametrize("number", [1, 4, 12])
def test_another_order_pages_without_seeking(client, long_archive, number):
    context = list_page(client, f"sort=title&page={number}&page_size=20")
    by_title = long_archive.order_by(*SORT_ORDERS["title"])
    assert context["page_obj"].paginator.seek is None
    assert [row.pk for row in context["page_obj"].object_list] == expected_ids(by_title, number, 20)


# ---------------------------------------------------------------- backups


def test_backups_leave_out_the_kept_counts():
    labels = {model._meta.label_lower for model in archived_models(include_users=True, include_history=True)}
    assert "interventions.archiveversion" not in labels
    assert "interventions.facetsnapshot" not in labels
    assert "interventions.intervention" in labels


# ---------------------------------------------------------------- whole-archive values kept beside the snapshot


def home_page(client):
    response = client.get(reverse("interventions:home"))
    assert response.status_code == 200
    return response.context


def test_the_home_pages_counts_follow_a_publication(client):
    draft = InterventionFactory(status=PublicationStatus.DRAFT)
    InterventionFactory()
    assert home_page(client)["intervention_count"] == 1
    draft.status = PublicationStatus.PUBLISHED
    draft.save()
    assert home_page(client)["intervention_count"] == 2


def test_a_second_home_page_view_counts_nothing_again(client):
    InterventionFactory(themes=[ThemeFactory()])
    home_page(client)
    with CaptureQueriesContext(connection) as queries:
        context = home_page(client)
    assert context["intervention_count"] == 1
    # The snapshot's row and the latest hearings; the counts, theme tree and charts come from the cache.
    assert len(queries) == 2
    assert "interventions_facetsnapshot" in queries.captured_queries[0]["sql"]


def test_the_snapshot_counts_exactly_the_public_organisations(client):
    delivering, co_sponsor, both = (OrganisationFactory(name=name) for name in ("Delivering", "Co-sponsor", "Both"))
    InterventionFactory(organisation=delivering, on_behalf_of=[co_sponsor])
    InterventionFactory(organisation=both, on_behalf_of=[both])
    InterventionFactory(organisation=OrganisationFactory(name="Drafts only"), status=PublicationStatus.DRAFT)
    InterventionFactory(organisation=delivering, on_behalf_of=[OrganisationFactory(name="Draft co-sponsor")]).delete()

    assert home_page(client)["organisation_count"] == Organisation.objects.public().count() == 3
    assert FacetSnapshot.objects.get().public_organisations == 3
    response = client.get(reverse("interventions:organisation-list"))
    assert response.context["paginator"].count == 3


def public_organisations_of_every_kind():
    """Organisations that deliver or back public interventions, and two that only drafts know."""
    ngo, network = Organisation.Type.NGO, Organisation.Type.NETWORK
    InterventionFactory(
        organisation=OrganisationFactory(name="Anti-Slavery International", type=ngo),
        on_behalf_of=[OrganisationFactory(name="amnesty", type=ngo), OrganisationFactory(name="GAATW", type=network)],
    )
    InterventionFactory(organisation=OrganisationFactory(name="ECPAT", type=ngo))
    InterventionFactory(organisation=OrganisationFactory(name="Drafts only", type=network), status="draft")
    InterventionFactory(on_behalf_of=[OrganisationFactory(name="Backing a draft", type=ngo)], status="draft")


def organisation_list(client, query=""):
    response = client.get(f"{reverse('interventions:organisation-list')}?{query}")
    assert response.status_code == 200
    return response.context


def test_the_snapshot_keeps_the_public_organisations_initials_per_type(client):
    public_organisations_of_every_kind()
    list_page(client)

    expected = [["network", "G", 1], ["ngo", "A", 2], ["ngo", "E", 1]]
    assert FacetSnapshot.objects.get().organisation_initials == expected
    # What the database counts when it is asked which organisations are public.
    assert [list(row) for row in snapshot.public_organisation_initials(renew=False)] == expected


def test_the_organisation_lists_letters_and_counts_per_type_come_from_the_snapshot(client):
    public_organisations_of_every_kind()
    list_page(client)

    with CaptureQueriesContext(connection) as queries:
        every_type, networks, ngos = (organisation_list(client, query) for query in ("", "type=network", "type=ngo"))

    assert (every_type["letters"], every_type["paginator"].count) == (["A", "E", "G"], 4)
    assert (networks["letters"], networks["paginator"].count) == (["G"], 1)
    assert (ngos["letters"], ngos["paginator"].count) == (["A", "E"], 3)
    assert not [query for query in queries.captured_queries if "SUBSTR" in query["sql"].upper()]


def test_a_letters_count_on_the_organisation_list_is_what_the_list_holds(client):
    public_organisations_of_every_kind()
    list_page(client)

    page = organisation_list(client, "type=ngo&letter=a")

    assert {organisation.name for organisation in page["object_list"]} == {"amnesty", "Anti-Slavery International"}
    assert (page["letters"], page["paginator"].count) == (["A", "E"], 2)


def test_without_kept_counts_the_organisation_list_counts_the_same(client, settings):
    public_organisations_of_every_kind()
    settings.ARCHIVE_FACET_SNAPSHOT_SECONDS = 0

    pages = [organisation_list(client, query) for query in ("", "type=network", "type=ngo&letter=a")]

    assert [(page["letters"], page["paginator"].count) for page in pages] == [
        (["A", "E", "G"], 4),
        (["G"], 1),
        (["A", "E"], 2),
    ]
    assert not FacetSnapshot.objects.exists()


def test_the_home_page_reads_its_totals_from_the_lists_snapshot(client):
    InterventionFactory.create_batch(2)
    list_page(client)

    with CaptureQueriesContext(connection) as queries:
        context = home_page(client)

    assert (context["intervention_count"], context["organisation_count"]) == (2, 2)
    # The hearings' count and the latest hearings'; the charts' rows come from the snapshot too.
    assert len([query for query in queries.captured_queries if "COUNT(" in query["sql"]]) == 2


def test_the_home_pages_theme_chart_ranks_themes_as_a_live_count(client, settings):
    # Equal counts are ranked by name, as the chart's own query orders them.
    prevention, labour, justice = (ThemeFactory(name=name) for name in ("Prevention", "Labour exploitation", "Justice"))
    InterventionFactory(themes=[prevention, labour])
    InterventionFactory(themes=[justice, labour])
    InterventionFactory(themes=[prevention, justice], status=PublicationStatus.DRAFT)

    [shown_chart] = [chart for chart in home_page(client)["charts"] if chart.slug == "by-theme"]
    live = charts.by_theme(Intervention.objects.published(), content_language=settings.ARCHIVE_CONTENT_LANGUAGE)

    assert [(bar.label, bar.value) for bar in shown_chart.bars] == [
        ("Labour exploitation", 2),
        ("Justice", 1),
        ("Prevention", 1),
    ]
    assert shown_chart == live


@pytest.fixture
def years_and_types():
    """Public interventions over three years and three types of organisation, with two types tied; and a draft,
    an embargoed intervention and one in a draft hearing, which no chart counts."""
    ngo, igo, network = (OrganisationFactory(type=kind) for kind in ("ngo", "igo", "network"))
    for organisation, year in [(ngo, 2019), (ngo, 2021), (network, 2021), (igo, 2023)]:
        InterventionFactory(organisation=organisation, date=datetime.date(year, 7, 13))
    InterventionFactory(organisation=igo, date=datetime.date(2020, 1, 1), status=PublicationStatus.DRAFT)
    InterventionFactory(
        organisation=network, date=datetime.date(2020, 1, 1), publish_at=timezone.now() + datetime.timedelta(days=1)
    )
    InterventionFactory(
        organisation=igo, date=datetime.date(2020, 1, 1), hearing=HearingFactory(status=PublicationStatus.DRAFT)
    )


def home_chart(client, slug):
    [chart] = [chart for chart in home_page(client)["charts"] if chart.slug == slug]
    return chart


def test_the_snapshot_counts_the_home_pages_chart_per_year(client, settings, years_and_types):
    chart = home_chart(client, "per-year")

    assert [(bar.label, bar.value) for bar in chart.bars] == [("2019", 1), ("2021", 2), ("2023", 1)]
    assert FacetSnapshot.objects.get().year_counts == [[2019, 1], [2021, 2], [2023, 1]]
    live = charts.per_year(Intervention.objects.published(), content_language=settings.ARCHIVE_CONTENT_LANGUAGE)
    assert chart == live


def test_the_home_pages_chart_by_type_ranks_tied_types_as_a_live_count(client, settings, years_and_types):
    chart = home_chart(client, "by-type")

    # Equal counts are ranked by the type's code, as the chart's own query orders them: igo before network.
    assert [(bar.label, bar.value) for bar in chart.bars] == [
        ("NGO", 2),
        ("Intergovernmental organisation", 1),
        ("Network or platform", 1),
    ]
    live = charts.by_organisation_type(
        Intervention.objects.published(), content_language=settings.ARCHIVE_CONTENT_LANGUAGE
    )
    assert chart == live


def test_with_nothing_kept_the_home_pages_charts_are_counted_live(client, settings, years_and_types):
    settings.ARCHIVE_FACET_SNAPSHOT_SECONDS = 0
    published = Intervention.objects.published()
    language = settings.ARCHIVE_CONTENT_LANGUAGE

    assert home_chart(client, "per-year") == charts.per_year(published, content_language=language)
    assert home_chart(client, "by-type") == charts.by_organisation_type(published, content_language=language)
    assert not FacetSnapshot.objects.exists()


def test_the_home_pages_chart_per_year_follows_a_publication(client, years_and_types):
    assert [bar.label for bar in home_chart(client, "per-year").bars] == ["2019", "2021", "2023"]

    draft = Intervention.objects.get(status=PublicationStatus.DRAFT)
    draft.status = PublicationStatus.PUBLISHED
    draft.save()

    assert [(bar.label, bar.value) for bar in home_chart(client, "per-year").bars][1] == ("2020", 1)


def test_the_home_pages_charts_are_kept_per_language(client):
    InterventionFactory(themes=[ThemeFactory()])
    english = home_page(client)["charts"][0].title
    client.cookies["django_language"] = "fr"
    french = home_page(client)["charts"][0].title
    assert english != french


def test_the_theme_list_follows_a_new_tag(client):
    theme = ThemeFactory(name="Forced labour")
    intervention = InterventionFactory()
    assert client.get(reverse("interventions:theme-list")).context["themes"][0].total_count == 0
    intervention.themes.add(theme)
    assert client.get(reverse("interventions:theme-list")).context["themes"][0].total_count == 1


def theme_list(client) -> list:
    response = client.get(reverse("interventions:theme-list"))
    assert response.status_code == 200
    return response.context["themes"]


def test_themes_count_an_intervention_tagged_twice_in_one_tree_once(client):
    prevention = ThemeFactory(name="Prevention", slug="prevention")
    labour = ThemeFactory(name="Labour exploitation", slug="labour", parent=prevention)
    InterventionFactory(themes=[prevention, labour])
    InterventionFactory(themes=[labour])
    InterventionFactory(themes=[prevention], status=PublicationStatus.DRAFT)

    assert counts(client, "theme") == {"prevention": 2, "labour": 2}
    assert (total(client), shown(list_page(client))) == live_count()
    [broader] = theme_list(client)
    assert (broader.intervention_count, broader.total_count) == (1, 2)
    assert [(theme.name, theme.intervention_count) for theme in broader.narrower] == [("Labour exploitation", 2)]


def test_the_theme_list_reads_the_counts_the_lists_snapshot_made(client):
    InterventionFactory(themes=[ThemeFactory(name="Forced labour")])
    list_page(client)

    with CaptureQueriesContext(connection) as queries:
        themes = theme_list(client)

    assert [(theme.name, theme.total_count) for theme in themes] == [("Forced labour", 1)]
    assert not [query for query in queries.captured_queries if "interventions_intervention_themes" in query["sql"]]


def test_with_nothing_kept_the_theme_list_is_counted_live(client, settings):
    settings.ARCHIVE_FACET_SNAPSHOT_SECONDS = 0
    theme = ThemeFactory(name="Forced labour")
    intervention = InterventionFactory()
    assert theme_list(client)[0].total_count == 0

    intervention.themes.add(theme)

    assert theme_list(client)[0].total_count == 1
    assert not FacetSnapshot.objects.exists()


def test_recount_shows_a_change_made_without_signals(client):
    intervention = InterventionFactory()
    assert total(client) == 1
    Intervention.objects.filter(pk=intervention.pk).update(status=PublicationStatus.DRAFT)
    out = io.StringIO()
    call_command("recount", stdout=out)
    assert "Counted 0 public interventions" in out.getvalue()
    assert total(client) == 0


def test_the_organisation_list_follows_a_new_organisation(client):
    InterventionFactory(organisation=OrganisationFactory(name="Anti-Slavery International"))
    url = reverse("interventions:organisation-list")
    assert client.get(url).context["paginator"].count == 1
    InterventionFactory(organisation=OrganisationFactory(name="GAATW"))
    response = client.get(url)
    assert response.context["paginator"].count == 2
    assert response.context["letters"] == ["A", "G"]


def test_an_organisations_page_follows_its_new_intervention(client):
    organisation = OrganisationFactory()
    theme = ThemeFactory(name="Forced labour")
    InterventionFactory(organisation=organisation, themes=[theme])
    url = organisation.get_absolute_url()
    assert client.get(url).context["themes"][0]["count"] == 1
    InterventionFactory(on_behalf_of=[organisation], themes=[theme])
    response = client.get(url)
    assert response.context["themes"][0]["count"] == 2
    assert response.context["paginator"].count == 2


def test_a_filtered_lists_counts_are_kept_until_the_archive_changes(client):
    InterventionFactory(language="fr")
    total(client)  # the unfiltered list counts the snapshot that filtered counts are kept under
    assert list_page(client, "language=fr")["page_obj"].paginator.count == 1
    with CaptureQueriesContext(connection) as queries:
        list_page(client, "language=fr")
    assert not [query for query in queries.captured_queries if query["sql"].startswith(COUNTING)]
    InterventionFactory(language="fr")
    total(client)
    assert list_page(client, "language=fr")["page_obj"].paginator.count == 2


# ---------------------------------------------------------------- edits that change no count


def test_correcting_a_text_keeps_the_counted_snapshot(client, on_the_list):
    kept = FacetSnapshot.objects.get()
    on_the_list.title = "A corrected title"
    on_the_list.text_delivered = "A corrected statement on prevention."
    on_the_list.save()
    assert total(client) == 1
    assert FacetSnapshot.objects.get() == kept


def test_correcting_a_text_renews_the_kept_pages(on_the_list):
    before = snapshot.archive_state()[0]
    on_the_list.summary = "A corrected summary."
    on_the_list.save()
    assert snapshot.archive_state()[0] != before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("status", PublicationStatus.DRAFT),
        ("language", "fr"),
        ("date", datetime.date(2020, 1, 1)),
        ("publish_at", datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC)),
    ],
)
def test_an_edit_to_a_counted_field_counts_again(client, on_the_list, field, value):
    kept = FacetSnapshot.objects.get()
    setattr(on_the_list, field, value)
    on_the_list.save()
    total(client)
    assert FacetSnapshot.objects.get().version > kept.version


def test_moving_to_another_organisation_counts_again(client, on_the_list):
    gaatw = OrganisationFactory(slug="gaatw")
    total(client)  # Counted again since the organisation was added.
    on_the_list.organisation = gaatw
    on_the_list.save()
    assert counts(client, "organisation") == {"gaatw": 1}


def test_a_save_of_named_text_fields_keeps_the_counted_snapshot(client, on_the_list):
    kept = FacetSnapshot.objects.get()
    on_the_list.title = "A corrected title"
    on_the_list.save(update_fields=["title"])
    total(client)
    assert FacetSnapshot.objects.get() == kept


def test_a_search_counts_a_corrected_text_on_the_next_view(client, on_the_list):
    searched = "q=ombudsperson"
    assert list_page(client, searched)["page_obj"].paginator.count == 0
    on_the_list.text_delivered = "The ombudsperson's report."
    on_the_list.save()
    assert list_page(client, searched)["page_obj"].paginator.count == 1
    assert counts(client, "organisation", searched) == {"la-strada": 1}


def test_a_search_with_no_edit_since_is_not_counted_again(client, on_the_list):
    searched = "q=prevention"
    list_page(client, searched)
    with CaptureQueriesContext(connection) as queries:
        list_page(client, searched)
    assert not [query for query in queries.captured_queries if query["sql"].startswith(COUNTING)]


def test_the_sitemaps_latest_modification_follows_a_corrected_text(on_the_list, monkeypatch):
    assert InterventionSitemap().get_latest_lastmod() == on_the_list.updated_at
    time_passes_to(timezone.now() + datetime.timedelta(seconds=60), monkeypatch)
    on_the_list.title = "A corrected title"
    on_the_list.save()
    assert FacetSnapshot.objects.filter(valid_until__gt=timezone.now()).exists()  # still the counts of before
    assert InterventionSitemap().get_latest_lastmod() == on_the_list.updated_at


def test_without_a_current_snapshot_a_filtered_list_is_counted_live(client):
    InterventionFactory(language="fr")
    list_page(client, "language=fr")
    InterventionFactory(language="fr")
    # No unfiltered view has counted the archive since the change: nothing kept is used.
    assert list_page(client, "language=fr")["page_obj"].paginator.count == 2
    assert not FacetSnapshot.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: advisory locks")
def test_counting_the_archive_releases_its_lock(client):
    InterventionFactory()
    total(client)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s", [snapshot.COUNTING_LOCK]
        )
        assert cursor.fetchone()[0] == 0


def test_a_visitor_who_waited_for_the_count_uses_the_snapshot_stored_meanwhile(monkeypatch):
    InterventionFactory()
    stored = snapshot.unfiltered_snapshot()
    FacetSnapshot.objects.all().delete()
    calls = []

    @contextlib.contextmanager
    def another_process_counts_meanwhile():
        # While this visitor waited for the lock, another process stored its snapshot.
        FacetSnapshot.objects.bulk_create([stored])
        calls.append("waited")
        yield

    monkeypatch.setattr(snapshot, "counting_alone", another_process_counts_meanwhile)
    monkeypatch.setattr(snapshot, "compute", lambda *args: pytest.fail("counted again"))
    assert snapshot.unfiltered_snapshot().token == stored.token
    assert calls == ["waited"]


def test_a_themes_page_is_counted_once_per_change_and_follows_a_new_intervention(client):
    broader = ThemeFactory(name="Protection")
    narrower = ThemeFactory(name="Shelters", parent=broader)
    InterventionFactory(themes=[narrower])
    total(client)  # counts the snapshot that the theme page's counts are kept under
    url = broader.get_absolute_url()
    page = client.get(url).context
    assert (page["paginator"].count, page["narrower"][0].intervention_count) == (1, 1)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert not [query["sql"] for query in queries.captured_queries if "COUNT(" in query["sql"]]
    InterventionFactory(themes=[narrower])
    total(client)
    page = client.get(url).context
    assert (page["paginator"].count, page["narrower"][0].intervention_count) == (2, 2)
