"""Phone and desktop layouts, filters that update in place, work without JavaScript, and print."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE
from .data import build_archive, withdrawn_intervention

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def pages(archive):
    return {
        "home": "/",
        "list": "/interventions/?theme=demand",
        "detail": archive.timed.get_absolute_url(),
        "hearing": archive.hearing.get_absolute_url(),
        "organisation": archive.lsi.get_absolute_url(),
        "search": "/search/?q=demand",
        "withdrawn": withdrawn_intervention(archive).get_absolute_url(),
    }


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["375x812", "1280x800"])
def test_pages_fit_the_screen_and_are_photographed(page, url, screenshots, size):
    archive = build_archive()
    page.set_viewport_size(size)
    for name, path in pages(archive).items():
        page.goto(url(path))
        page.screenshot(path=screenshots / f"{name}-{size['width']}x{size['height']}.png", full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"{name} scrolls sideways at {size['width']}px: {width}px wide"


def test_filters_fold_into_a_disclosure_on_a_phone_and_stay_open_on_a_desktop(page, url):
    build_archive()
    page.set_viewport_size(PHONE)
    page.goto(url("/interventions/"))
    disclosure = page.locator("details.filters-disclosure")
    expect(disclosure).not_to_have_attribute("open", "")
    expect(page.get_by_role("checkbox").first).to_be_hidden()
    page.locator(".filters-disclosure__summary").click()
    expect(page.get_by_role("checkbox").first).to_be_visible()

    page.set_viewport_size(DESKTOP)
    page.goto(url("/interventions/"))
    expect(disclosure).to_have_attribute("open", "")
    expect(page.locator(".filters-disclosure__summary")).to_be_hidden()


def test_results_update_in_place_the_address_follows_and_back_returns(page, url):
    build_archive()
    page.goto(url("/interventions/"))
    page.evaluate("window.__samePage = true")
    page.get_by_role("checkbox", name=re.compile("La Strada International")).check()
    expect(page.locator(".result-count")).to_have_text("3 interventions")
    page.get_by_role("checkbox", name=re.compile("^Demand")).check()
    expect(page.locator(".result-count")).to_have_text("2 interventions")
    expect(page).to_have_url(re.compile(r"organisation=la-strada-international&theme=demand"))
    # No page load happened: htmx swapped the results in.
    assert page.evaluate("window.__samePage") is True

    shared = page.url
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?organisation=la-strada-international&sort=-date$"))
    expect(page.locator(".result-count")).to_have_text("3 interventions")
    expect(page.get_by_role("checkbox", name=re.compile("^Demand"))).not_to_be_checked()

    page.goto(shared)
    expect(page.locator(".result-count")).to_have_text("2 interventions")


def test_the_language_switcher_keeps_filters_changed_in_place(page, url):
    build_archive()
    page.goto(url("/interventions/"))
    page.get_by_role("checkbox", name=re.compile("La Strada International")).check()
    expect(page).to_have_url(re.compile("organisation=la-strada-international"))
    page.get_by_label("Language").select_option(label="Español")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page).to_have_url(re.compile("organisation=la-strada-international"))
    expect(page.locator(".result-count")).to_have_text("3 intervenciones")


def test_filters_work_without_javascript(browser, url):
    build_archive()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(url("/interventions/"))
    page.get_by_role("checkbox", name=re.compile("La Strada International")).check()
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile("organisation=la-strada-international"))
    expect(page.locator(".result-count")).to_have_text("3 interventions")
    context.close()


def test_an_intervention_prints_its_citation_and_permalink_without_navigation(page, url, screenshots):
    archive = build_archive()
    page.goto(url(archive.timed.get_absolute_url()))
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".neighbours")).to_have_count(1)
    expect(page.locator(".neighbours")).to_be_hidden()
    expect(page.locator(".citation")).to_be_visible()
    expect(page.locator(".permalink")).to_contain_text(url(archive.timed.get_absolute_url()))
    page.screenshot(path=screenshots / "detail-print.png", full_page=True)
