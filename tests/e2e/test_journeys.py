"""A researcher and a curator, each going about their work in the browser."""

import csv
import re

import pytest
from playwright.sync_api import expect

from hearings.models import PublicationStatus
from tests.factories import HearingFactory, InterventionFactory, OrganisationFactory, ThemeFactory, UserFactory

from .conftest import PHONE
from .data import build_archive, editorial_group

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def switch_language(page, name, button):
    page.get_by_label(re.compile("Language|Langue|Idioma")).select_option(label=name)
    page.get_by_role("button", name=button).click()


def test_researcher_filters_opens_an_intervention_at_its_moment_and_reads_it_in_french(page, url):
    archive = build_archive()
    page.goto(url("/"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Interventions").click()
    expect(page.locator(".result-count")).to_have_text("5 interventions")

    page.get_by_role("checkbox", name=re.compile("La Strada International")).check()
    expect(page).to_have_url(re.compile(r"organisation=la-strada-international"))
    expect(page.locator(".result-count")).to_have_text("3 interventions")
    expect(page.locator(".chips")).to_contain_text("Organisation: La Strada International")

    page.get_by_role("checkbox", name=re.compile("^Demand")).check()
    expect(page).to_have_url(re.compile(r"theme=demand"))
    expect(page.locator(".result-count")).to_have_text("2 interventions")
    expect(page.locator(".chips")).to_contain_text("Theme: Demand")
    expect(page.get_by_role("link", name="Access to residence")).to_have_count(0)

    # The CSV holds the same two interventions as the page it was downloaded from.
    with page.expect_download() as download_info:
        page.locator(".downloads").get_by_role("link", name="CSV", exact=True).click()
    with open(download_info.value.path(), encoding="utf-8-sig", newline="") as downloaded:
        rows = list(csv.DictReader(downloaded))
    assert sorted(int(row["id"]) for row in rows) == sorted(archive.demand_by_lsi_ids)
    assert {row["organisation"] for row in rows} == {"La Strada International"}
    assert archive.timed.title in {row["title"] for row in rows}
    assert "Access to residence" not in {row["title"] for row in rows}

    # With full texts: the same rows, each with its texts after the usual columns.
    with page.expect_download() as download_info:
        page.locator(".downloads").get_by_role("link", name="CSV with full texts").click()
    assert download_info.value.suggested_filename.endswith("-with-texts.csv")
    with open(download_info.value.path(), encoding="utf-8-sig", newline="") as downloaded:
        rows_with_texts = list(csv.DictReader(downloaded))
    assert sorted(int(row["id"]) for row in rows_with_texts) == sorted(archive.demand_by_lsi_ids)
    assert list(rows_with_texts[0])[-3:] == ["text_delivered", "text_is_excerpt", "text_submitted"]

    page.get_by_role("link", name=archive.timed.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(archive.timed.title)
    watch = page.get_by_role("link", name="Watch from 12:34")
    expect(watch).to_have_attribute("href", "https://www.youtube.com/watch?v=abc&t=754s")

    switch_language(page, "Français", "Change")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page).to_have_url(url(archive.timed.get_absolute_url()))
    expect(page.get_by_role("heading", name="Enregistrement")).to_be_visible()
    expect(page.get_by_role("link", name="Regarder à partir de 12:34")).to_be_visible()
    # The intervention keeps its own language, whatever the interface's.
    expect(page.get_by_role("heading", level=1)).to_have_attribute("lang", "en")


def test_curator_creates_a_hearing_with_sessions_adds_an_intervention_and_publishes_it(page, url):
    UserFactory(username="editor", is_staff=True, is_superuser=True)
    OrganisationFactory(name="Global Alliance against Traffic in Women", acronym="GAATW", slug="gaatw")
    ThemeFactory(name="Migration policy", slug="migration-policy")

    page.goto(url("/admin/"))
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()

    page.goto(url("/admin/hearings/hearing/add/"))
    page.locator("#id_title").fill("Regional hearing on safe migration")
    page.locator("#id_title").blur()
    expect(page.locator("#id_slug")).to_have_value("regional-hearing-on-safe-migration")
    page.locator("#id_start_date").fill("2024-05-06")
    for index, title in enumerate(["Morning session", "Afternoon session"]):
        page.locator("#sessions-group .add-row").get_by_text("Add another Session").click()
        page.locator(f"#id_sessions-{index}-order").fill(str(index + 1))
        page.locator(f"#id_sessions-{index}-title").fill(title)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    page.goto(url("/admin/interventions/intervention/add/"))
    pick(page, "hearing", "Regional", "Regional hearing on safe migration")
    pick(page, "organisation", "GAATW", "Global Alliance against Traffic in Women (GAATW)")
    pick(page, "themes", "Migr", "Migration policy")
    page.locator("#id_title").fill("Safe and regular pathways")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    publish(page, url("/admin/interventions/intervention/"), "Publish selected interventions")
    publish(page, url("/admin/hearings/hearing/"), "Publish selected hearings")

    page.goto(url("/interventions/"))
    expect(page.get_by_role("link", name="Safe and regular pathways")).to_be_visible()


def test_a_contributor_cannot_publish_and_is_told_why(page, url):
    contributor = UserFactory(username="contributor", is_staff=True)
    contributor.groups.add(editorial_group("Contributor"))
    InterventionFactory(title="Draft awaiting review", status=PublicationStatus.IN_REVIEW)
    hearing = HearingFactory(title="Regional hearing on safe migration")
    OrganisationFactory(name="Global Alliance against Traffic in Women", acronym="GAATW", slug="gaatw")
    log_in(page, url, "contributor")

    page.goto(url("/admin/interventions/intervention/"))
    actions = page.locator("select[name=action] option").all_inner_texts()
    assert "Send selected interventions for review" in actions
    assert not [action for action in actions if action.startswith(("Publish", "Unpublish", "Withdraw"))]

    page.goto(url("/admin/interventions/intervention/add/"))
    pick(page, "hearing", "Regional", hearing.title)
    pick(page, "organisation", "GAATW", "Global Alliance against Traffic in Women (GAATW)")
    page.locator("#id_title").fill("Published without an editor")
    page.locator("#id_status").select_option("published")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".errornote, .errorlist").first).to_be_visible()
    expect(page.locator("#content")).to_contain_text("Only editors can publish, unpublish or withdraw.")

    page.goto(url("/interventions/"))
    expect(page.get_by_role("link", name="Published without an editor")).to_have_count(0)
    expect(page.get_by_role("link", name="Draft awaiting review")).to_have_count(0)


def log_in(page, url, username):
    page.goto(url("/admin/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Log out").or_(page.get_by_role("button", name="Log out"))).to_be_visible()


def pick(page, field, typed, choice):
    """Choose in one of the admin's autocompletes (select2)."""
    page.locator(f"#id_{field} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(typed)
    page.locator(".select2-results__option", has_text=choice).click()
    expect(page.locator(f"#id_{field} + .select2")).to_contain_text(choice)


def publish(page, changelist, action):
    page.goto(changelist)
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option(label=action)
    page.locator(".actions button[type=submit]").click()
    expect(page.locator(".messagelist")).to_contain_text("published")


def test_in_french_on_a_phone_a_new_user_finds_gaatw_and_reaches_its_recording(page, url, screenshots):
    build_archive()
    page.set_viewport_size(PHONE)
    page.goto(url("/"))
    switch_language(page, "Français", "Change")
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    page.get_by_role("navigation", name="Principale").get_by_role("link", name="Interventions").click()
    disclosure = page.locator("details.filters-disclosure")
    expect(disclosure).not_to_have_attribute("open", "")
    page.get_by_text("Filtrer", exact=True).first.click()
    page.get_by_role("checkbox", name=re.compile("GAATW")).check()
    expect(page).to_have_url(re.compile(r"organisation=global-alliance-against-traffic-in-women"))
    expect(page.locator(".result-count")).to_have_text("1 intervention")

    page.get_by_role("link", name="Intervention by the Global Alliance against Traffic in Women (GAATW)").click()
    expect(page.get_by_role("heading", name="Enregistrement")).to_be_visible()
    page.screenshot(path=screenshots / "acceptance-fr-gaatw-375x812.png", full_page=True)
    recording = page.get_by_role("link", name="UN Web TV – morning session")
    expect(recording).to_have_attribute("href", re.compile(r"^https://webtv\.un\.org/"))
    recording.click()
    expect(page).to_have_url(re.compile(r"^https://webtv\.un\.org/"))
    expect(page.get_by_text("Recording")).to_be_visible()
