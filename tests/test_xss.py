"""Every curated text holds a script-injection payload, and every page shows it as harmless text."""

from collections import deque

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from hearings.models import Hearing, Recording, Session
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
