"""Record addresses built from a pattern reversed once are the addresses Django's reverse() gives."""

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, clear_script_prefix, include, path, reverse, set_script_prefix

from config.addresses import address
from tests.factories import HearingFactory, InterventionFactory, OrganisationFactory, ThemeFactory

# A URL configuration that mounts the public pages elsewhere: this module, for the test that uses it.
urlpatterns = [path("mirror/", include("interventions.urls"))]


@pytest.mark.parametrize(
    ("viewname", "kwargs"),
    [
        ("interventions:detail", {"pk": 7}),
        ("interventions:detail", {"pk": 2**63 - 1}),
        ("interventions:organisation-detail", {"slug": "la-strada-international"}),
        ("interventions:theme-detail", {"slug": "victims_rights-2"}),
        ("hearings:detail", {"slug": "unodc-2021"}),
        ("interventions:list", {}),
        ("interventions:cite-bibtex", {"pk": 12}),
    ],
)
def test_address_is_what_reverse_gives(viewname, kwargs):
    assert address(viewname, **kwargs) == reverse(viewname, kwargs=kwargs or None)


def test_addresses_follow_the_script_prefix_of_a_site_mounted_below_the_root():
    address("interventions:detail", pk=1)  # the pattern of the site at the root, kept
    set_script_prefix("/archive/")
    try:
        assert address("interventions:detail", pk=1) == "/archive/interventions/1/"
        assert address("interventions:list") == "/archive/interventions/"
    finally:
        clear_script_prefix()
    assert address("interventions:detail", pk=1) == "/interventions/1/"


def test_addresses_follow_a_changed_url_configuration():
    assert address("interventions:list") == "/interventions/"
    with override_settings(ROOT_URLCONF=__name__):
        assert address("interventions:list") == "/mirror/interventions/"
        assert address("interventions:detail", pk=3) == "/mirror/interventions/3/"
    assert address("interventions:detail", pk=3) == "/interventions/3/"


def test_a_value_that_reverse_would_quote_or_refuse_goes_through_reverse():
    with pytest.raises(NoReverseMatch):
        address("interventions:organisation-detail", slug="no spaces/or slashes")
    with pytest.raises(NoReverseMatch):
        address("interventions:detail", pk="")


@pytest.mark.django_db
def test_records_link_to_their_pages():
    intervention = InterventionFactory(pk=41, organisation=OrganisationFactory(slug="gaatw"))
    hearing = HearingFactory(slug="ctoc-2021")
    theme = ThemeFactory(slug="demand")
    assert intervention.get_absolute_url() == "/interventions/41/"
    assert intervention.organisation.get_absolute_url() == "/organisations/gaatw/"
    assert hearing.get_absolute_url() == "/hearings/ctoc-2021/"
    assert theme.get_absolute_url() == "/themes/demand/"
    assert theme.get_interventions_url() == "/interventions/?theme=demand"
