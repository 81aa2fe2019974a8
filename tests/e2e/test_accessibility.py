"""WCAG 2.1 AA in the browser: axe-core on every public page type, and the filters by keyboard alone."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .data import build_archive, withdrawn_intervention

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Axe()
BLOCKING = {"serious", "critical"}


def public_pages(archive):
    return {
        "home": "/",
        "hearing list": "/hearings/",
        "hearing detail": archive.hearing.get_absolute_url(),
        "organisation list": "/organisations/",
        "organisation detail": archive.lsi.get_absolute_url(),
        "theme list": "/themes/",
        "theme detail": archive.demand.get_absolute_url(),
        "intervention list with filters": "/interventions/?organisation=la-strada-international&theme=demand",
        "intervention detail": archive.union_speech.get_absolute_url(),
        "not found": "/interventions/999999/",
        "search results": "/search/?q=demand",
        "withdrawn notice": withdrawn_intervention(archive).get_absolute_url(),
    }


def blocking_violations(page):
    results = AXE.run(
        page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    )
    return [
        f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes']]}"
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_public_page_type_has_no_serious_or_critical_axe_violation(page, url, language):
    archive = build_archive()
    page.context.add_cookies([{"name": "django_language", "value": language, "url": url("/")}])
    found = {}
    for name, path in public_pages(archive).items():
        page.goto(url(path))
        expect(page.locator("html")).to_have_attribute("lang", language)
        violations = blocking_violations(page)
        if violations:
            found[name] = violations
    assert found == {}


def test_the_filter_form_opened_on_a_phone_has_no_serious_or_critical_axe_violation(page, url):
    build_archive()
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(url("/interventions/"))
    page.locator(".filters-disclosure__summary").click()
    assert blocking_violations(page) == []


def focused(page):
    return page.evaluate("() => document.activeElement.outerHTML.slice(0, 200)")


def tab_to(page, locator, limit=60):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{locator} never took the focus; last focused: {focused(page)}")


def has_visible_focus(locator):
    style = locator.evaluate(
        "element => { const s = getComputedStyle(element); return [s.outlineStyle, s.outlineWidth, s.boxShadow]; }"
    )
    outline_style, outline_width, box_shadow = style
    return (outline_style != "none" and outline_width != "0px") or box_shadow != "none"


def test_the_skip_link_is_the_first_stop_and_shows_when_focused(page, url):
    page.goto(url("/interventions/"))
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["y"] >= 0
    assert has_visible_focus(skip)
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_filters_and_results_work_with_the_keyboard_alone_and_show_the_focus(page, url):
    archive = build_archive()
    page.goto(url("/interventions/"))
    union = page.get_by_role("checkbox", name=re.compile("Building Workers Union"))
    tab_to(page, union)
    assert has_visible_focus(union)
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile("organisation=building-workers-union"))
    expect(page.locator(".result-count")).to_have_text("1 intervention")
    # The focus stays where it was while the results change beside it.
    expect(union).to_be_focused()

    result = page.locator("#results").get_by_role("link", name=archive.union_speech.title)
    tab_to(page, result)
    assert has_visible_focus(result)
    page.keyboard.press("Enter")
    expect(page).to_have_url(url(archive.union_speech.get_absolute_url()))


def test_pages_have_landmarks_and_labelled_controls(page, url):
    build_archive()
    page.goto(url("/interventions/"))
    expect(page.get_by_role("banner")).to_have_count(1)
    expect(page.get_by_role("main")).to_have_count(1)
    expect(page.get_by_role("contentinfo")).to_have_count(1)
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("search", name="Filter the interventions")).to_be_visible()
    for control in page.locator("main input:not([type=hidden]), main select, header select").all():
        assert control.evaluate("element => element.labels && element.labels.length > 0"), control


def test_text_in_another_language_than_the_interface_is_marked_with_its_own(page, url):
    archive = build_archive()
    page.goto(url(archive.union_speech.get_absolute_url()))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_attribute("lang", "fr")
    expect(page.locator(".prose").first).to_have_attribute("lang", "fr")
