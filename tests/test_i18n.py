"""The interface in English, French and Spanish; the content in its own language."""

import datetime
import re
from pathlib import Path

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


# The catalogues: a string added to the interface without its French and Spanish fails here.

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
CATALOGUES = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po"))


def po_entries(path):
    """(flags, msgid, msgstrs) for each entry of a .po file; the header (empty msgid) is left out."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        flags, strings, current = set(), {}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#~"):
                current = None  # an obsolete entry, kept by makemessages for reuse, not shown anywhere
                break
            elif line.startswith(("msgid", "msgstr")):
                current, _, text = line.partition(" ")
                strings[current] = text.strip('"')
            elif line.startswith('"') and current:
                strings[current] += line.strip('"')
        msgid = strings.get("msgid")
        if msgid:
            msgstrs = [text for key, text in strings.items() if key.startswith("msgstr")]
            entries.append((flags, msgid, msgstrs))
    return entries


def test_there_is_a_french_and_a_spanish_catalogue():
    assert [path.parts[-3] for path in CATALOGUES] == ["es", "fr"]


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parts[-3])
def test_every_interface_string_is_translated(path):
    entries = po_entries(path)
    assert len(entries) > 300
    untranslated = [msgid for _, msgid, msgstrs in entries if not msgstrs or not all(msgstrs)]
    assert untranslated == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parts[-3])
def test_no_translation_is_left_fuzzy(path):
    assert [msgid for flags, msgid, _ in po_entries(path) if "fuzzy" in flags] == []


def test_the_catalogue_check_sees_an_empty_or_fuzzy_translation(tmp_path):
    catalogue = tmp_path / "django.po"
    catalogue.write_text(
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n\n'
        'msgid "Search"\nmsgstr "Rechercher"\n\n'
        'msgid "Nothing found."\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Relevance"\nmsgstr "Pertinence"\n\n'
        'msgid "See the matching intervention"\nmsgid_plural "See all %(number)s"\n'
        'msgstr[0] "Voir l’intervention"\nmsgstr[1] ""\n',
        encoding="utf-8",
    )
    entries = po_entries(catalogue)
    assert [msgid for _, msgid, msgstrs in entries if not all(msgstrs)] == [
        "Nothing found.",
        "See the matching intervention",
    ]
    assert [msgid for flags, msgid, _ in entries if "fuzzy" in flags] == ["Relevance"]


# The pages merged after the first translation: search, exports, citations, the withdrawn notice.

SEARCH_URL = reverse("interventions:search")


def test_the_french_search_page_is_in_french(client):
    InterventionFactory(title="Recruitment fees", summary="")
    InterventionFactory(title="Climate finance", summary="")
    html = page(client, SEARCH_URL, "fr", {"q": "recruitment"})
    assert "<title>Recherche : recruitment – Archive des interventions</title>" in html
    assert "<h1>Rechercher dans l’archive</h1>" in html
    assert "Tous les mots doivent apparaître." in html
    assert "Voir l’intervention correspondante" in html
    assert "Recruitment fees" in html
    assert "Climate finance" not in html
    assert "Search the archive" not in html
    assert "All the words must appear" not in html


def test_a_french_search_with_no_results_says_so_in_french(client):
    html = page(client, SEARCH_URL, "fr", {"q": "nowhere"})
    assert "Aucun résultat." in html
    assert "Nothing found." not in html


def test_a_french_search_that_cannot_be_read_explains_why_in_french(client):
    html = page(client, SEARCH_URL, "fr", {"q": '"recruitment fees'})
    assert "Un guillemet n’est pas fermé" in html
    assert "A quotation mark is not closed" not in html


def test_the_french_withdrawn_notice_is_in_french(client):
    intervention = InterventionFactory(title="Retracted statement", status=PublicationStatus.WITHDRAWN)
    client.cookies["django_language"] = "fr"
    response = client.get(intervention.get_absolute_url())
    assert response.status_code == 410
    html = response.content.decode()
    assert "<h1>Cette intervention a été retirée</h1>" in html
    assert "« Retracted statement » a été publiée dans l’archive puis retirée." in html
    assert "Parcourir ce qui est public" in html
    assert "was withdrawn" not in html


def test_the_french_export_links_of_a_filtered_list_are_in_french(client):
    theme = ThemeFactory(slug="demand")
    InterventionFactory(themes=[theme])
    html = page(client, LIST_URL, "fr", {"theme": "demand"})
    downloads = re.search(r'<p class="downloads">(.*?)</p>', html, re.S).group(1)
    assert "Télécharger ces résultats :" in downloads
    assert ">Flux Atom</a>" in downloads
    assert 'href="/interventions/export.csv?theme=demand"' in downloads
    assert "Download these results" not in html
    assert "Nouvelles interventions correspondant à ces filtres (Atom)" in html


def test_the_french_citation_block_offers_the_reference_downloads_in_french(client):
    intervention = InterventionFactory()
    html = page(client, intervention.get_absolute_url(), "fr")
    assert "Télécharger la référence en" in html
    assert "Download the reference as" not in html


def test_the_french_footer_offers_the_feed_and_the_api_in_french(client):
    html = page(client, reverse("interventions:home"), "fr")
    assert "Flux des nouvelles interventions" in html
    assert "Feed of new interventions" not in html
