"""Headers, admin protection and redirects: the defences a bot meets first."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def editor():
    return UserFactory(username="editor", is_staff=True, is_superuser=True)


def login(client, username="editor", password=PASSWORD, next_url=None):
    url = reverse("admin:login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": username, "password": password, "next": next_url or ""})


def test_pages_send_a_content_security_policy_without_inline_script(client):
    policy = client.get(reverse("interventions:home"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ],
)
def test_pages_send_security_headers(client, header, value):
    assert client.get(reverse("interventions:home"))[header] == value


def test_pages_deny_powerful_browser_features(client):
    policy = client.get(reverse("interventions:list"))["Permissions-Policy"]
    assert "camera=()" in policy
    assert "geolocation=()" in policy
    assert "microphone=()" in policy


def test_templates_hold_no_inline_script_or_style():
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=|javascript:", text, re.IGNORECASE):
            offenders.append(template.name)
    assert offenders == []


def test_the_admin_needs_a_login(client):
    response = client.get(reverse("admin:interventions_intervention_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_admin_refuses_visitors_who_are_not_staff(client):
    client.force_login(UserFactory(username="reader", is_staff=False))
    response = client.get(reverse("admin:interventions_intervention_changelist"))
    assert response.status_code == 302


def test_a_curator_can_log_in_to_the_admin(client, editor):
    response = login(client)
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_login_never_redirects_off_site(client, editor):
    response = login(client, next_url="https://evil.example/")
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    assert response["Location"] == reverse("admin:index")


def test_repeated_failed_logins_lock_the_account_out(client, editor, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        login(client, password="wrong")
    response = login(client)
    assert response.status_code == 429
    assert client.get(reverse("admin:index")).status_code == 302


def test_failed_logins_below_the_limit_do_not_lock_out(client, editor, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        assert login(client, password="wrong").status_code == 200
    assert login(client).status_code == 302


def test_a_lockout_of_one_account_leaves_others_alone(client, editor, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="colleague", is_staff=True)
    for _ in range(3):
        login(client, password="wrong")
    assert login(client, username="colleague").status_code == 302


def test_the_language_switcher_never_redirects_off_site(client):
    response = client.post(reverse("set_language"), {"language": "fr", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_the_test_clients_login_works_with_the_lockout_backend(client, editor):
    assert client.login(username="editor", password=PASSWORD)
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_test_clients_login_refuses_a_wrong_password(client, editor):
    assert not client.login(username="editor", password="wrong")


def test_plain_http_is_redirected_to_https_when_asked(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(reverse("interventions:list"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_healthz_is_not_redirected_so_a_local_monitor_can_reach_it(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(reverse("healthz")).status_code == 200


def test_https_pages_send_hsts(client, settings):
    settings.SECURE_HSTS_SECONDS = 3600
    response = client.get(reverse("interventions:home"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=3600")
