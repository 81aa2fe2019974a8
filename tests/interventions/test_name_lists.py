"""Each intervention keeps the sorted names of its themes and co-sponsors, as the CSV export lists them, and
they follow every change to the relations or to the names."""

import importlib
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection

from interventions.models import Intervention, Organisation, Theme
from interventions.name_lists import LIST_SEPARATOR
from tests.factories import InterventionFactory, OrganisationFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def sorted_by_the_database(names_model, names) -> str:
    """The names as the export's own queries sort them: by the database's collation."""
    ordered = names_model.objects.filter(name__in=names).order_by("name").values_list("name", flat=True)
    return LIST_SEPARATOR.join(ordered)


def kept(intervention) -> tuple[str, str]:
    return tuple(Intervention.objects.filter(pk=intervention.pk).values_list("theme_names", "on_behalf_of_names")[0])


def live(intervention) -> tuple[str, str]:
    themes = intervention.themes.order_by("name").values_list("name", flat=True)
    partners = intervention.on_behalf_of.order_by("name").values_list("name", flat=True)
    return LIST_SEPARATOR.join(themes), LIST_SEPARATOR.join(partners)


def test_an_intervention_keeps_its_themes_names_sorted_as_the_database_sorts_them():
    names = ["Zeta rights", "asylum", "Émigration", "Alpha"]
    intervention = InterventionFactory()
    intervention.themes.set([ThemeFactory(name=name) for name in names])
    assert kept(intervention)[0] == sorted_by_the_database(Theme, names)
    assert set(kept(intervention)[0].split(LIST_SEPARATOR)) == set(names)


def test_an_intervention_keeps_its_co_sponsors_names_sorted_as_the_database_sorts_them():
    names = ["La Strada International", "GAATW", "anti-Slavery", "Équipe"]
    intervention = InterventionFactory()
    intervention.on_behalf_of.set([OrganisationFactory(name=name) for name in names])
    assert kept(intervention)[1] == sorted_by_the_database(Organisation, names)


def test_an_intervention_without_themes_or_co_sponsors_keeps_empty_lists():
    assert kept(InterventionFactory()) == ("", "")


def test_the_lists_follow_themes_added_and_removed_on_the_interventions_side():
    intervention = InterventionFactory()
    kept_theme, dropped_theme = ThemeFactory(name="Demand"), ThemeFactory(name="Borders")
    intervention.themes.add(kept_theme, dropped_theme)
    assert kept(intervention)[0] == sorted_by_the_database(Theme, ["Demand", "Borders"])
    intervention.themes.remove(dropped_theme)
    assert kept(intervention)[0] == "Demand"
    intervention.themes.clear()
    assert kept(intervention)[0] == ""


def test_the_lists_follow_interventions_added_and_cleared_on_the_themes_side():
    first, second = InterventionFactory(), InterventionFactory()
    theme = ThemeFactory(name="Remedies")
    theme.interventions.add(first, second)
    assert kept(first)[0] == kept(second)[0] == "Remedies"
    theme.interventions.clear()
    assert kept(first)[0] == kept(second)[0] == ""


def test_the_lists_follow_co_sponsors_added_on_the_organisations_side_and_removed():
    intervention = InterventionFactory()
    partner = OrganisationFactory(name="GAATW")
    partner.co_sponsored_interventions.add(intervention)
    assert kept(intervention)[1] == "GAATW"
    intervention.on_behalf_of.remove(partner)
    assert kept(intervention)[1] == ""


def test_renaming_a_theme_renames_it_in_every_interventions_list():
    theme, other = ThemeFactory(name="Labour"), ThemeFactory(name="Migration")
    interventions = [InterventionFactory(), InterventionFactory()]
    for intervention in interventions:
        intervention.themes.set([theme, other])
    theme.name = "Work"
    theme.save()
    for intervention in interventions:
        assert kept(intervention)[0] == sorted_by_the_database(Theme, ["Work", "Migration"])


def test_renaming_a_co_sponsor_renames_it_in_the_list():
    intervention = InterventionFactory()
    partner = OrganisationFactory(name="Old name")
    intervention.on_behalf_of.add(partner)
    partner.name = "New name"
    partner.save()
    assert kept(intervention)[1] == "New name"


def test_deleting_a_theme_takes_it_off_the_lists():
    intervention = InterventionFactory()
    gone = ThemeFactory(name="Gone")
    intervention.themes.set([gone, ThemeFactory(name="Stays")])
    gone.delete()
    assert kept(intervention)[0] == "Stays"


def test_deleting_a_co_sponsor_takes_it_off_the_list():
    intervention = InterventionFactory()
    gone = OrganisationFactory(name="Gone")
    intervention.on_behalf_of.set([gone, OrganisationFactory(name="Stays")])
    gone.delete()
    assert kept(intervention)[1] == "Stays"


def test_rebuilding_the_search_index_repairs_lists_changed_behind_its_back():
    intervention = InterventionFactory()
    intervention.themes.set([ThemeFactory(name="Demand")])
    Intervention.objects.update(theme_names="stale", on_behalf_of_names="stale")
    call_command("rebuild_search_index", stdout=StringIO())
    assert kept(intervention) == ("Demand", "")


def test_the_migration_fills_the_lists_of_an_existing_archive():
    interventions = [InterventionFactory() for _ in range(3)]
    interventions[0].themes.set([ThemeFactory(name="Zeta"), ThemeFactory(name="alpha")])
    interventions[1].on_behalf_of.set([OrganisationFactory(name="GAATW"), OrganisationFactory(name="Équipe")])
    Intervention.objects.update(theme_names="", on_behalf_of_names="")
    migration = importlib.import_module("interventions.migrations.0017_kept_name_lists")
    migration.fill_name_lists(django_apps, SimpleNamespace(connection=connection))
    for intervention in interventions:
        assert kept(intervention) == live(intervention)
    assert kept(interventions[0])[0]
    assert kept(interventions[1])[1]
