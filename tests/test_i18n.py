"""The interface in English, French and Spanish; the content in its own language."""

import datetime

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse
from django.utils import translation

from hearings.models import PublicationStatus
from tests.factories import HearingFactory, InterventionFactory, OrganisationFactory, ThemeFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("interventions:list")


def page(client, url, language, params=None):
    client.cookies["django_language"] = language
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_french_interface_shows_french_strings_and_lang_fr(client):
    InterventionFactory()
    html = page(client, LIST_URL, "fr")
    assert '<html lang="fr">' in html
    assert "Aller au contenu principal" in html
    assert "Trier par" in html
    assert "1 intervention<" in html
    assert "Skip to main content" not in html


def test_spanish_interface_shows_spanish_strings(client):
    InterventionFactory()
    InterventionFactory()
    html = page(client, LIST_URL, "es")
    assert '<html lang="es">' in html
    assert "Saltar al contenido principal" in html
    assert "2 intervenciones" in html


def test_english_is_the_default_interface(client):
    html = page(client, reverse("interventions:home"), "")
    assert '<html lang="en">' in html
    assert "Skip to main content" in html


def test_dates_and_numbers_follow_the_interface_language(client):
    hearing = HearingFactory(start_date=datetime.date(2021, 7, 13))
    InterventionFactory(hearing=hearing)
    assert "13 July 2021" in page(client, hearing.get_absolute_url(), "en")
    assert "13 juillet 2021" in page(client, hearing.get_absolute_url(), "fr")
    assert "13 de julio de 2021" in page(client, hearing.get_absolute_url(), "es")


def test_large_counts_use_the_languages_thousands_separator():
    with translation.override("fr"):
        assert intcomma(1234) == "1\xa0234"
    with translation.override("en"):
        assert intcomma(1234) == "1,234"


def test_a_french_intervention_is_marked_lang_fr_in_an_english_interface(client):
    intervention = InterventionFactory(language="fr", title="Les frais de recrutement", summary="Les frais.")
    html = page(client, intervention.get_absolute_url(), "en")
    assert '<h1 lang="fr">Les frais de recrutement</h1>' in html
    assert '<div class="prose" lang="fr">' in html


def test_an_english_intervention_is_marked_lang_en_in_a_french_interface(client):
    intervention = InterventionFactory(language="en", title="Root causes")
    html = page(client, LIST_URL, "fr")
    assert f'<h3 class="intervention-row__title" lang="en"><a href="{intervention.get_absolute_url()}">' in html


def test_theme_names_and_hearing_titles_carry_the_curators_language_in_a_french_interface(client):
    theme = ThemeFactory(name="Demand")
    intervention = InterventionFactory(themes=[theme])
    html = page(client, intervention.get_absolute_url(), "fr")
    assert f'lang="en">{theme.name}</a>' in html
    assert f'lang="en">{intervention.hearing.title}</a>' in html


def test_the_language_switcher_offers_each_language_named_in_itself(client):
    html = page(client, reverse("interventions:home"), "en")
    assert f'action="{reverse("set_language")}"' in html
    assert '<option value="fr" lang="fr">Français</option>' in html
    assert '<option value="es" lang="es">Español</option>' in html


def test_the_language_switcher_sends_the_reader_back_to_the_same_page_and_filters(client):
    url = f"{LIST_URL}?organisation=lsi&theme=demand&sort=title"
    html = page(client, url, "en")
    assert 'name="next" value="/interventions/?organisation=lsi&amp;theme=demand&amp;sort=title"' in html
    response = client.post(reverse("set_language"), {"language": "fr", "next": url})
    assert response.status_code == 302
    assert response["Location"] == url
    assert client.cookies["django_language"].value == "fr"


def test_the_language_switcher_refuses_to_send_the_reader_to_another_site(client):
    response = client.post(reverse("set_language"), {"language": "fr", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_admin_labels_are_translated(admin_client):
    admin_client.cookies["django_language"] = "fr"
    html = admin_client.get(reverse("admin:interventions_intervention_add")).content.decode()
    assert "Organisation qui intervient" in html
    assert "Texte prononcé" in html
    assert "Archive des interventions – édition" in html


def test_a_french_page_of_a_draft_is_still_not_found(client):
    intervention = InterventionFactory(status=PublicationStatus.DRAFT)
    client.cookies["django_language"] = "fr"
    response = client.get(intervention.get_absolute_url())
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_the_chart_links_keep_the_organisation_pages_filter(client):
    org = OrganisationFactory(slug="lsi")
    InterventionFactory(organisation=org, date=datetime.date(2021, 7, 13))
    html = page(client, org.get_absolute_url(), "fr")
    assert "Interventions par année" in html
    assert 'href="/interventions/?date_from=2021-01-01&amp;date_to=2021-12-31&amp;organisation=lsi"' in html


def test_a_theme_chip_marks_the_theme_name_with_the_curators_language(client):
    InterventionFactory(themes=[ThemeFactory(name="Demand", slug="demand")])
    html = page(client, LIST_URL, "fr", {"theme": "demand"})
    assert 'Thème: <span lang="en">Demand</span>' in html


def test_the_archives_default_name_is_translated(client):
    assert "<title>Archive des interventions</title>" in page(client, reverse("interventions:home"), "fr")


def test_a_deployments_own_archive_name_is_shown_as_given(client, settings):
    settings.ARCHIVE_NAME = "Trafficking Hearings Record"
    assert "<title>Trafficking Hearings Record</title>" in page(client, reverse("interventions:home"), "fr")
