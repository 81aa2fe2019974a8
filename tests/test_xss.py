"""Every curated text holds a script-injection payload, and every page shows it as harmless text."""

import csv
import io
import json
from collections import deque
from xml.etree import ElementTree

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse

from hearings.models import Hearing, PublicationStatus, Recording, Session
from interventions.models import Intervention, Organisation, Theme
from tests.factories import (
    HearingFactory,
    InterventionFactory,
    OrganisationFactory,
    RecordingFactory,
    SessionFactory,
    ThemeFactory,
)
from tests.test_drafts_never_leak import internal_links

pytestmark = pytest.mark.django_db

PAYLOAD = "\"'><script>alert(1)</script><img src=x onerror=alert(2)>"
SHORT_PAYLOAD = '"><script>alert(1)</script>'
URL_PAYLOAD = "https://example.org/?q=\"'><script>alert(1)</script>"
LIVE_MARKUP = ("<script>alert", "<img src=x onerror")
CURATED_MODELS = [Hearing, Session, Recording, Organisation, Theme, Intervention]


def poisoned(model) -> dict:
    """A payload in every free-text field of the model: titles, names, descriptions, texts, addresses."""
    values = {}
    for field in model._meta.concrete_fields:
        if isinstance(field, models.URLField):
            values[field.name] = URL_PAYLOAD
        elif isinstance(field, models.CharField | models.TextField) and not (
            field.choices or isinstance(field, models.SlugField)
        ):
            payload = PAYLOAD if not field.max_length or field.max_length >= len(PAYLOAD) + 4 else SHORT_PAYLOAD
            values[field.name] = payload
    return values


def unique(values: dict, n: int) -> dict:
    return {name: f"{value} {n}" if name in {"name", "title"} else value for name, value in values.items()}


@pytest.fixture
def poisoned_archive():
    hearing = HearingFactory(slug="hearing", **poisoned(Hearing))
    session = SessionFactory(hearing=hearing, **poisoned(Session))
    RecordingFactory(session=session, provider=Recording.Provider.OTHER, **poisoned(Recording))
    broad = ThemeFactory(slug="broad", **unique(poisoned(Theme), 1))
    narrow = ThemeFactory(slug="narrow", parent=broad, **unique(poisoned(Theme), 2))
    network = OrganisationFactory(slug="network", **unique(poisoned(Organisation), 1))
    member = OrganisationFactory(slug="member", parent=network, **unique(poisoned(Organisation), 2))
    return InterventionFactory(
        hearing=hearing,
        session=session,
        order=1,
        organisation=member,
        on_behalf_of=[network],
        themes=[broad, narrow],
        start_offset=10,
        end_offset=20,
        **poisoned(Intervention),
    )


def assert_inert(page: str, url: str):
    for markup in LIVE_MARKUP:
        assert markup not in page, f"{url} renders {markup!r} as markup"


def test_every_curated_text_field_is_poisoned():
    for model in CURATED_MODELS:
        assert poisoned(model), model
    assert {"title", "summary", "text_delivered", "text_submitted", "speaker_name"} <= set(poisoned(Intervention))
    assert {"title", "description", "location", "official_url"} <= set(poisoned(Hearing))


def test_every_public_page_renders_the_payloads_inert(client, poisoned_archive):
    start = reverse("interventions:home")
    seen, queue = {start}, deque([start])
    while queue:
        url = queue.popleft()
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        page = body.decode()
        if not response["Content-Type"].startswith(("text/html", "application/atom+xml", "application/rss+xml")):
            # Downloads (CSV, JSON, BibTeX...) carry the curated text as data: never served as a page to render.
            assert response["X-Content-Type-Options"] == "nosniff", url
            continue
        assert_inert(page, url)
        for link in internal_links(page, url) - seen:
            seen.add(link)
            queue.append(link)
        assert len(seen) < 400
    assert poisoned_archive.get_absolute_url() in seen


def test_the_payload_is_shown_as_text(client, poisoned_archive):
    page = client.get(poisoned_archive.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_payloads_in_addresses_cannot_break_out_of_links(client, poisoned_archive):
    page = client.get(poisoned_archive.hearing.get_absolute_url()).content.decode()
    assert 'href="https://example.org/?q=&quot;&#x27;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page
    assert_inert(page, "hearing")


def test_search_terms_are_echoed_inert(client, poisoned_archive):
    response = client.get(reverse("interventions:list"), {"q": PAYLOAD, "organisation": PAYLOAD, "hearing": PAYLOAD})
    assert response.status_code == 200
    assert_inert(response.content.decode(), "search")


@pytest.mark.parametrize("model", CURATED_MODELS, ids=lambda model: model.__name__)
def test_admin_changelists_and_forms_render_the_payloads_inert(curator_client, poisoned_archive, model):
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[model.objects.first().pk])
    for url in (changelist, change, f"{changelist}?q=%3Cscript%3E"):
        response = curator_client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content.decode(), url)


def test_every_curated_model_is_in_the_admin():
    assert set(CURATED_MODELS) <= set(admin.site._registry)


@pytest.mark.parametrize("address", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:x"])
def test_addresses_that_run_code_are_refused(address):
    url_fields = [
        field
        for model in list(apps.get_app_config("hearings").get_models())
        + list(apps.get_app_config("interventions").get_models())
        for field in model._meta.concrete_fields
        if isinstance(field, models.URLField)
    ]
    assert len(url_fields) >= 5
    for field in url_fields:
        with pytest.raises(ValidationError):
            field.clean(address, None)


def body_of(response) -> str:
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode()


@pytest.mark.parametrize("basename", ["hearing", "session", "organisation", "theme", "intervention"])
def test_the_api_sends_the_payloads_as_escaped_json_that_no_browser_renders(client, poisoned_archive, basename):
    model = {"hearing": Hearing, "session": Session, "organisation": Organisation, "theme": Theme}.get(
        basename, Intervention
    )
    record = model.objects.order_by("pk").first()
    for url in (reverse(f"api:{basename}-list"), reverse(f"api:{basename}-detail", args=[record.pk])):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/json"
        assert response["X-Content-Type-Options"] == "nosniff"
        body = response.content.decode()
        assert "<" not in body and ">" not in body, url
        assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in body, url
    # Escaped, not mangled: a client reading the JSON gets the curated text back exactly.
    assert PAYLOAD in json.dumps(client.get(url).json(), ensure_ascii=False)


@pytest.mark.parametrize("name", ["interventions:feed", "interventions:feed-rss"])
def test_feeds_carry_the_payloads_as_escaped_xml_text(client, poisoned_archive, name):
    response = client.get(reverse(name))
    body = body_of(response)

    assert response.status_code == 200
    assert_inert(body, name)
    feed = ElementTree.fromstring(body.encode())
    titles = [element.text for element in feed.iter() if element.tag.rsplit("}", 1)[-1] == "title"]
    assert f"{PAYLOAD}" in " ".join(title or "" for title in titles)
    assert not [element for element in feed.iter() if element.tag in {"script", "img"}]


FORMULAS = {"title": '=HYPERLINK("https://evil.example","x")', "summary": "+1+cmd|' /C calc'!A0"}
FORMULAS |= {"speaker_name": "@SUM(1+1)*cmd|' /C calc'!A0"}


def test_the_csv_export_neutralises_formulas_in_every_curated_cell(client):
    InterventionFactory(organisation=OrganisationFactory(name="-2+3+cmd|' /C calc'!A0"), **FORMULAS)
    InterventionFactory(title="A plain title", summary="-")

    response = client.get(reverse("interventions:export-csv"))

    assert response["X-Content-Type-Options"] == "nosniff"
    rows = list(csv.DictReader(io.StringIO(body_of(response).lstrip("\ufeff"))))
    cells = [cell for row in rows for cell in row.values() if cell]
    assert {f"'{formula}" for formula in FORMULAS.values()} | {"'-2+3+cmd|' /C calc'!A0"} <= set(cells)
    assert not [cell for cell in cells if cell[0] in "=+@\t\r" or (cell[0] == "-" and cell[1:2].isdigit())]
    assert "A plain title" in cells


def test_bibtex_citations_escape_what_would_end_a_field(client):
    breakout = "Title}, note = {injected"
    intervention = InterventionFactory(title=breakout, summary="50% of $x & #y\\end{document}")

    body = body_of(client.get(reverse("interventions:cite-bibtex", args=[intervention.pk])))

    assert "injected" in body
    assert "note = {injected" not in body
    assert r"Title\}, note = \{injected" in body
    assert r"50\% of \$x \& \#y\textbackslash{}end\{document\}" in body
    assert body.count("{") - body.count(r"\{") == body.count("}") - body.count(r"\}")


def test_ris_citations_keep_a_payload_on_its_own_line(client):
    intervention = InterventionFactory(title="Title\r\nTY  - JOUR\nAU  - Injected", summary=PAYLOAD)

    body = body_of(client.get(reverse("interventions:cite-ris", args=[intervention.pk])))

    tags = [line[:6] for line in body.split("\r\n") if line]
    assert tags.count("TY  - ") == 1
    assert "TI  - Title TY - JOUR AU - Injected\r\n" in body
    assert "AU  - Injected" not in body
    assert f"AB  - {PAYLOAD}\r\n" in body


def test_the_admin_import_preview_renders_the_payloads_inert(curator_client):
    HearingFactory(title="Hearing on trafficking")
    OrganisationFactory(name="GAATW")
    rows = [["source_id", "hearing", "organisation", "speaker", "title", "summary"]]
    rows += [["X1", "Hearing on trafficking", "GAATW", SHORT_PAYLOAD, PAYLOAD, PAYLOAD]]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    upload = SimpleUploadedFile("payload.csv", buffer.getvalue().encode(), content_type="text/csv")

    response = curator_client.post(
        reverse("admin:interventions_intervention_import"), {"import_file": upload, "format": "0"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert_inert(page, "import preview")


def test_the_withdrawn_notice_shows_the_title_as_text(client):
    intervention = InterventionFactory(title=PAYLOAD, status=PublicationStatus.WITHDRAWN)

    response = client.get(intervention.get_absolute_url())

    page = response.content.decode()
    assert response.status_code == 410
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert_inert(page, "withdrawn notice")


def test_the_staff_preview_of_a_draft_renders_the_payloads_inert(curator_client, poisoned_archive):
    Intervention.objects.filter(pk=poisoned_archive.pk).update(status=PublicationStatus.DRAFT)

    response = curator_client.get(poisoned_archive.get_absolute_url())

    page = response.content.decode()
    assert response.status_code == 200
    assert "preview-banner" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert_inert(page, "staff preview")
