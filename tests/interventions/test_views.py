import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hearings.models import PublicationStatus
from interventions.models import Intervention, Organisation
from tests.factories import (
    HearingFactory,
    InterventionFactory,
    OrganisationFactory,
    RecordingFactory,
    SessionFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("interventions:list")


def html(client, url, params=None):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


# Home


def test_home_explains_the_archive_and_counts_what_is_public(client):
    org = OrganisationFactory()
    first = InterventionFactory(organisation=org)
    InterventionFactory(organisation=org)
    InterventionFactory(hearing=first.hearing, status=PublicationStatus.DRAFT)
    HearingFactory(status=PublicationStatus.DRAFT)
    page = html(client, reverse("interventions:home"))
    assert "permanent, searchable record of what civil society says at intergovernmental hearings" in page
    assert "<strong>2</strong> interventions" in page
    assert "<strong>2</strong> hearings" in page
    assert "<strong>1</strong> organisation" in page


def test_home_lists_latest_hearings_and_themes(client):
    old = HearingFactory(title="Old hearing", start_date=datetime.date(2019, 1, 1))
    new = HearingFactory(title="New hearing", start_date=datetime.date(2023, 1, 1))
    InterventionFactory(hearing=old, themes=[ThemeFactory(name="Forced labour")])
    page = html(client, reverse("interventions:home"))
    assert page.index("New hearing") < page.index("Old hearing")
    assert new.get_absolute_url() in page
    assert "Forced labour" in page


def test_home_counts_the_archive_once_for_every_language(client, monkeypatch):
    from interventions import views

    InterventionFactory(themes=[ThemeFactory(name="Forced labour")])
    assert "Interventions per year" in html(client, reverse("interventions:home"))

    def counted_again():
        raise AssertionError("the French page counted the archive again")

    monkeypatch.setattr(views, "whole_archive_counts", counted_again)
    client.cookies["django_language"] = "fr"
    page = html(client, reverse("interventions:home"))
    assert "Interventions par année" in page  # the charts are drawn in French from the counted rows
    assert "Forced labour" in page


def test_home_search_box_sends_q_to_the_intervention_list(client):
    page = html(client, reverse("interventions:home"))
    assert f'action="{LIST_URL}"' in page
    assert 'name="q"' in page


# Intervention list


def test_list_shows_published_interventions(client):
    InterventionFactory(title="Public statement")
    InterventionFactory(title="Pending statement", status=PublicationStatus.DRAFT)
    page = html(client, LIST_URL)
    assert "Public statement" in page
    assert "Pending statement" not in page


def test_list_result_count_is_singular_for_one(client):
    InterventionFactory()
    assert "1 intervention<" in html(client, LIST_URL)


def test_list_result_count_uses_thousands_separators(client):
    hearing, org = HearingFactory(), OrganisationFactory()
    Intervention.objects.bulk_create(
        Intervention(
            hearing=hearing,
            organisation=org,
            title=f"Bulk {n}",
            date=hearing.start_date,
            status=PublicationStatus.PUBLISHED,
        )
        for n in range(1001)
    )
    assert "1,001 interventions" in html(client, LIST_URL)


def test_list_filters_by_query_string(client):
    InterventionFactory(title="In French", language="fr")
    InterventionFactory(title="In English", language="en")
    page = html(client, LIST_URL, {"language": "fr"})
    assert "In French" in page
    assert "In English" not in page


def test_active_filters_show_as_chips_that_remove_one_value(client):
    InterventionFactory(organisation=OrganisationFactory(slug="a", name="Alpha"), language="fr")
    InterventionFactory(organisation=OrganisationFactory(slug="b", name="Beta"))
    page = html(client, LIST_URL + "?organisation=a&organisation=b&language=fr&page=2")
    assert "Organisation: Alpha" in page
    assert "Organisation: Beta" in page
    assert "Language: French" in page
    # Removing Alpha keeps Beta and the language, and goes back to the first page.
    assert 'href="/interventions/?organisation=b&amp;language=fr"' in page
    assert 'href="/interventions/?organisation=a&amp;organisation=b"' in page


def test_facets_show_options_with_counts_as_form_controls(client):
    InterventionFactory(organisation=OrganisationFactory(slug="gaatw", name="GAATW"))
    page = html(client, LIST_URL)
    assert 'type="checkbox" name="organisation" value="gaatw"' in page
    assert '<span class="count">1</span>' in page
    assert 'type="radio" name="language" value="en"' in page


def test_selected_facet_option_is_checked(client):
    InterventionFactory(organisation=OrganisationFactory(slug="gaatw"))
    page = html(client, LIST_URL, {"organisation": "gaatw"})
    assert 'name="organisation" value="gaatw" checked' in page


def test_pagination_links_keep_every_parameter(client):
    org = OrganisationFactory(slug="gaatw")
    InterventionFactory.create_batch(3, organisation=org, language="fr")
    page = html(client, LIST_URL + "?organisation=gaatw&language=fr&page_size=2")
    assert 'href="?organisation=gaatw&amp;language=fr&amp;page_size=2&amp;page=2"' in page


def test_page_size_limits_the_rows(client):
    InterventionFactory.create_batch(3)
    page = html(client, LIST_URL, {"page_size": "2"})
    assert page.count('class="intervention-row"') == 2


# Intervention detail


@pytest.fixture
def intervention():
    session = SessionFactory(title="Morning session")
    RecordingFactory(session=session, url="https://www.youtube.com/watch?v=abc")
    return InterventionFactory(
        hearing=session.hearing,
        session=session,
        order=2,
        title="Protect survivors",
        organisation=OrganisationFactory(name="La Strada International"),
        on_behalf_of=[OrganisationFactory(name="Partner Network")],
        speaker_name="Ana Example",
        speaker_title="Director",
        hearing_role=Intervention.HearingRole.PANELLIST,
        language="fr",
        summary="Résumé de l’intervention.",
        text_delivered="Texte prononcé.",
        text_submitted="Texte soumis.",
        themes=[ThemeFactory(name="Survivor support", slug="survivor-support")],
        start_offset=5025,
        source_url="https://example.org/statement.pdf",
    )


@pytest.mark.parametrize("page", ["detail", "list", "hearing", "organisation", "search", "export-json"])
def test_pages_never_read_the_search_index(client, intervention, page):
    # The index is a row's largest column after the texts, and nothing shows it: reading it cost the list page
    # a fifth of PostgreSQL's time at a million interventions.
    url = {
        "detail": intervention.get_absolute_url(),
        "list": LIST_URL,
        "hearing": intervention.hearing.get_absolute_url(),
        "organisation": intervention.organisation.get_absolute_url(),
        "search": f"{LIST_URL}?q=survivors",
        "export-json": reverse("interventions:export-json"),
    }[page]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    selected = [query["sql"].split(" FROM ")[0] for query in queries]
    assert not [columns for columns in selected if "search_vector" in columns]


def test_detail_shows_who_spoke_for_whom(client, intervention):
    page = html(client, intervention.get_absolute_url())
    assert "Protect survivors" in page
    assert "La Strada International" in page
    assert "Partner Network" in page
    assert "Ana Example, Director" in page
    assert "Panellist" in page


def test_detail_shows_hearing_and_session_breadcrumb(client, intervention):
    page = html(client, intervention.get_absolute_url())
    assert intervention.hearing.get_absolute_url() in page
    assert "Morning session" in page


def test_detail_marks_the_texts_with_their_language(client, intervention):
    page = html(client, intervention.get_absolute_url())
    assert '<div class="prose" lang="fr"><p>Texte prononcé.</p></div>' in page
    assert '<div class="prose" lang="fr"><p>Texte soumis.</p></div>' in page
    assert '<div class="prose" lang="fr"><p>Résumé de l’intervention.</p></div>' in page


def test_detail_links_themes_to_the_filtered_list(client, intervention):
    assert 'href="/interventions/?theme=survivor-support"' in html(client, intervention.get_absolute_url())


def test_detail_links_the_recording_at_the_start_offset(client, intervention):
    page = html(client, intervention.get_absolute_url())
    assert 'href="https://www.youtube.com/watch?v=abc&amp;t=5025s"' in page
    assert "Watch from 1:23:45" in page


def test_detail_without_offset_says_watch_the_recording(client, intervention):
    intervention.start_offset = None
    intervention.save()
    page = html(client, intervention.get_absolute_url())
    assert "Watch the recording" in page
    assert "Watch from" not in page


def test_detail_without_session_lists_the_hearings_recordings(client):
    session = SessionFactory()
    RecordingFactory(session=session, url="https://example.org/full-hearing.mp4", note="Exact address unknown")
    intervention = InterventionFactory(hearing=session.hearing)
    page = html(client, intervention.get_absolute_url())
    assert "The archive does not record in which session this was delivered" in page
    assert "https://example.org/full-hearing.mp4" in page
    assert "Exact address unknown" in page


def test_detail_links_the_written_statement(client, intervention):
    assert 'href="https://example.org/statement.pdf"' in html(client, intervention.get_absolute_url())


def test_detail_shows_a_plain_text_citation_with_permalink(client, intervention):
    page = html(client, intervention.get_absolute_url())
    assert (
        f"La Strada International. Ana Example. “Protect survivors”. {intervention.hearing.title}, Morning session"
        in page
    )
    assert f"http://testserver/interventions/{intervention.pk}/" in page


def test_detail_links_previous_and_next_published_in_the_session(client, intervention):
    session = intervention.session
    before = InterventionFactory(hearing=session.hearing, session=session, order=1, title="Before")
    InterventionFactory(
        hearing=session.hearing, session=session, order=3, title="Draft between", status=PublicationStatus.DRAFT
    )
    after = InterventionFactory(hearing=session.hearing, session=session, order=4, title="After")
    InterventionFactory(hearing=session.hearing, order=5, title="Other session")
    page = html(client, intervention.get_absolute_url())
    assert f'rel="prev" href="{before.get_absolute_url()}"' in page
    assert f'rel="next" href="{after.get_absolute_url()}"' in page
    assert "Draft between" not in page
    assert "Other session" not in page


def test_detail_without_session_links_neighbours_in_the_hearing(client):
    hearing = HearingFactory()
    first = InterventionFactory(hearing=hearing, order=1)
    second = InterventionFactory(hearing=hearing, order=2)
    assert f'rel="prev" href="{first.get_absolute_url()}"' in html(client, second.get_absolute_url())


def test_detail_page_reads_the_hearing_once_for_the_hearing_and_the_session_links(client, intervention):
    with CaptureQueriesContext(connection) as queries:
        page = html(client, intervention.get_absolute_url())
    assert f'href="{intervention.session.get_absolute_url()}"' in page
    assert not [query for query in queries if query["sql"].startswith('SELECT "hearings_hearing"')]


def test_first_and_last_of_a_session_link_only_inwards(client):
    hearing = HearingFactory()
    first = InterventionFactory(hearing=hearing, order=1)
    last = InterventionFactory(hearing=hearing, order=2)
    first_page, last_page = html(client, first.get_absolute_url()), html(client, last.get_absolute_url())
    assert 'rel="prev"' not in first_page
    assert f'rel="next" href="{last.get_absolute_url()}"' in first_page
    assert f'rel="prev" href="{first.get_absolute_url()}"' in last_page
    assert 'rel="next"' not in last_page


def test_detail_of_unknown_intervention_is_404(client):
    assert client.get(reverse("interventions:detail", kwargs={"pk": 999})).status_code == 404


# Organisations


def test_organisation_list_is_alphabetical_with_counts(client):
    InterventionFactory(organisation=OrganisationFactory(name="Zeta Watch"))
    InterventionFactory(on_behalf_of=[OrganisationFactory(name="Alpha Aid")])
    page = html(client, reverse("interventions:organisation-list"))
    assert page.index("Alpha Aid") < page.index("Zeta Watch")
    assert "1 intervention<" in page


def test_organisation_list_filters_by_type(client):
    InterventionFactory(organisation=OrganisationFactory(name="Rights Commission", type=Organisation.Type.NHRI))
    InterventionFactory(organisation=OrganisationFactory(name="Grassroots Group"))
    page = html(client, reverse("interventions:organisation-list"), {"type": "nhri"})
    assert "Rights Commission" in page
    assert "Grassroots Group" not in page


def test_organisation_list_filters_by_letter(client):
    InterventionFactory(organisation=OrganisationFactory(name="Rights Commission"))
    InterventionFactory(organisation=OrganisationFactory(name="Grassroots Group"))
    page = html(client, reverse("interventions:organisation-list"), {"letter": "g"})
    assert "Grassroots Group" in page
    assert "Rights Commission" not in page
    assert 'href="?letter=R"' in page


def test_organisation_list_filters_by_a_letter_python_upper_cases_to_two(client):
    InterventionFactory(organisation=OrganisationFactory(name="ßtraße Initiative"))
    InterventionFactory(organisation=OrganisationFactory(name="Grassroots Group"))
    response = client.get(reverse("interventions:organisation-list"), {"letter": "ß"})
    assert response.status_code == 200
    assert [organisation.name for organisation in response.context["object_list"]] == ["ßtraße Initiative"]


def test_organisation_detail_shows_its_facts(client):
    network = OrganisationFactory(name="Global Network", type=Organisation.Type.NETWORK)
    InterventionFactory(organisation=network)
    org = OrganisationFactory(
        name="La Strada International",
        acronym="LSI",
        country="Netherlands",
        website="https://lastradainternational.org",
        ecosoc_status=Organisation.EcosocStatus.SPECIAL,
        parent=network,
    )
    InterventionFactory(organisation=org)
    page = html(client, org.get_absolute_url())
    for text in ("LSI", "Netherlands", "https://lastradainternational.org", "Special", network.get_absolute_url()):
        assert text in page


def test_organisation_detail_lists_only_public_members(client):
    network = OrganisationFactory()
    InterventionFactory(organisation=network)
    InterventionFactory(organisation=OrganisationFactory(name="Public Member", parent=network))
    OrganisationFactory(name="Silent Member", parent=network)
    page = html(client, network.get_absolute_url())
    assert "Public Member" in page
    assert "Silent Member" not in page


def test_organisation_detail_lists_delivered_and_co_sponsored_interventions(client):
    org = OrganisationFactory()
    InterventionFactory(title="Delivered", organisation=org)
    InterventionFactory(title="Co-sponsored", on_behalf_of=[org])
    InterventionFactory(title="Unrelated")
    page = html(client, org.get_absolute_url())
    assert "Delivered" in page
    assert "Co-sponsored" in page
    assert "Unrelated" not in page


def test_organisation_detail_links_its_themes_with_counts(client):
    org = OrganisationFactory(slug="lsi")
    theme = ThemeFactory(name="Labour", slug="labour")
    InterventionFactory(organisation=org, themes=[theme])
    InterventionFactory(on_behalf_of=[org], themes=[theme])
    page = html(client, org.get_absolute_url())
    assert (
        'href="/interventions/?organisation=lsi&amp;theme=labour" lang="en">Labour</a> <span class="count">2</span>'
        in page
    )


def test_organisation_without_public_interventions_is_404(client):
    org = OrganisationFactory()
    assert client.get(org.get_absolute_url()).status_code == 404


# Themes


def test_theme_list_nests_narrower_themes_and_counts_them_in_the_broader(client):
    broader = ThemeFactory(name="Exploitation")
    narrower = ThemeFactory(name="Forced labour", parent=broader)
    InterventionFactory(themes=[broader])
    InterventionFactory(themes=[narrower])
    InterventionFactory(themes=[broader, narrower])
    page = html(client, reverse("interventions:theme-list"))
    assert f'{broader.name}</a> <span class="count">3</span>' in page
    assert f'{narrower.name}</a> <span class="count">2</span>' in page
    assert page.index("Exploitation") < page.index("Forced labour")


def test_theme_detail_lists_interventions_on_it_and_its_narrower_themes(client):
    broader = ThemeFactory(description="Severe forms of exploitation.")
    narrower = ThemeFactory(name="Forced labour", parent=broader)
    InterventionFactory(title="On broader", themes=[broader])
    InterventionFactory(title="On narrower", themes=[narrower])
    InterventionFactory(title="Off topic", themes=[ThemeFactory()])
    page = html(client, broader.get_absolute_url())
    assert "Severe forms of exploitation." in page
    assert "Forced labour" in page
    assert "On broader" in page
    assert "On narrower" in page
    assert "Off topic" not in page
    assert f'href="/interventions/?theme={broader.slug}"' in page


def test_unknown_theme_is_404(client):
    assert client.get(reverse("interventions:theme-detail", kwargs={"slug": "nothing"})).status_code == 404


def test_an_intervention_at_a_hearing_dated_by_year_shows_the_year_only(client):
    hearing = HearingFactory(start_date=datetime.date(1946, 1, 1), date_precision="year")
    intervention = InterventionFactory(hearing=hearing)

    detail = client.get(intervention.get_absolute_url()).content.decode()
    listing = client.get(reverse("interventions:list")).content.decode()

    for page in (detail, listing):
        assert '<time datetime="1946">1946</time>' in page
        assert "1 January 1946" not in page
    assert intervention.citation().endswith("1946")


def test_a_theme_filtered_pages_rows_are_read_by_id_not_through_the_filter_again(client):
    theme = ThemeFactory(slug="demand")
    for _ in range(3):
        InterventionFactory(themes=[theme])
    InterventionFactory()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("interventions:list"), {"theme": "demand"})
    assert len(response.context["page_obj"].object_list) == 3
    row_queries = [query["sql"] for query in captured if '"interventions_intervention"."summary"' in query["sql"]]
    assert row_queries
    assert not any("interventions_intervention_themes" in sql for sql in row_queries)
