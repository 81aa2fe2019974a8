"""The API documentation (Swagger UI) works under our Content Security Policy: no inline script, nothing remote."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.DOTALL)
SOURCE = re.compile(r'src="([^"]*)"')


def scripts(page: str) -> list[tuple[str, str]]:
    """(src, inline code) of every script element."""
    found = []
    for attributes, code in SCRIPT_TAG.findall(page):
        source = SOURCE.search(attributes)
        found.append((source[1] if source else "", code.strip()))
    return found


def test_the_api_docs_page_has_no_inline_script(client):
    response = client.get(reverse("api:docs"))

    assert response.status_code == 200
    found = scripts(response.content.decode())
    assert len(found) >= 3
    assert [code for _src, code in found if code] == []
    assert all(src.startswith("/") for src, _code in found)


def test_the_content_security_policy_of_the_api_docs_forbids_inline_script(client):
    policy = client.get(reverse("api:docs"))["Content-Security-Policy"]

    script_src = next(directive for directive in policy.split(";") if directive.strip().startswith("script-src"))
    assert script_src.split() == ["script-src", "'self'"]


def test_the_api_docs_start_up_script_comes_from_our_own_address_and_loads_our_schema(client):
    page = client.get(reverse("api:docs")).content.decode()
    start_up = next(src for src, _code in scripts(page) if src.startswith(reverse("api:docs")))

    response = client.get(start_up)

    assert response.status_code == 200
    assert response["Content-Type"].startswith(("application/javascript", "text/javascript"))
    assert reverse("api:schema") in response.content.decode()
    assert "SwaggerUIBundle" in response.content.decode()


def test_the_api_docs_page_has_no_inline_style(client):
    page = client.get(reverse("api:docs")).content.decode()
    # The Content Security Policy allows styles from our own address only: an inline <style> would be dropped.
    assert "<style" not in page
    assert "/static/css/api-docs.css" in page
