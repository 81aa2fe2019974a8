"""With DEBUG off the settings refuse to start half-configured, and Django's deploy checks find nothing."""

import json
import re

import pytest

from tests.commands import manage

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-checks-0123456789abcdefghijklmnop",
    "ALLOWED_HOSTS": "archive.example.org",
}
SHOW_SETTINGS = (
    "import json; from django.conf import settings as s; print(json.dumps({name: getattr(s, name, None) for name in "
    "['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'CSRF_COOKIE_HTTPONLY', "
    "'SECURE_HSTS_SECONDS', 'SECURE_SSL_REDIRECT', 'SECURE_PROXY_SSL_HEADER', 'X_FRAME_OPTIONS', 'CACHES', "
    "'DATABASES', 'ADMIN_PATH']}, default=str))"
)


def production_settings(**env):
    result = manage("shell", "-c", SHOW_SETTINGS, **PRODUCTION, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_reports_nothing_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("missing", "message"), [("SECRET_KEY", "SECRET_KEY must be set"), ("ALLOWED_HOSTS", "ALLOWED_HOSTS must be set")]
)
def test_production_refuses_to_start_without(missing, message):
    result = manage("check", **{**PRODUCTION, missing: ""})
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {message}" in result.stderr


def test_production_cookies_are_secure_and_http_only():
    values = production_settings()
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"] and values["CSRF_COOKIE_HTTPONLY"]


def test_production_redirects_to_https_and_sends_hsts_for_a_year_by_default():
    values = production_settings()
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31536000


def test_hsts_and_the_https_redirect_are_configurable():
    values = production_settings(SECURE_HSTS_SECONDS="600", SECURE_SSL_REDIRECT="0")
    assert values["SECURE_HSTS_SECONDS"] == 600
    assert values["SECURE_SSL_REDIRECT"] is False


def test_the_proxy_header_is_trusted_only_behind_a_proxy():
    assert production_settings()["SECURE_PROXY_SSL_HEADER"] is None
    assert production_settings(BEHIND_PROXY="1")["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_the_admin_path_is_configurable():
    assert production_settings(ADMIN_PATH="/curation-desk/")["ADMIN_PATH"] == "curation-desk/"
    result = manage("shell", "-c", "from django.urls import reverse; print(reverse('admin:index'))", ADMIN_PATH="desk")
    assert result.stdout.strip().endswith("/desk/")


def test_the_cache_is_per_process_unless_a_redis_url_is_given():
    assert production_settings()["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")
    redis = production_settings(CACHE_URL="redis://cache.internal:6379/1")["CACHES"]["default"]
    assert redis == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache.internal:6379/1",
    }


def test_kept_pages_have_a_store_of_their_own():
    pages = production_settings()["CACHES"]["pages"]
    assert pages["BACKEND"].endswith("LocMemCache")
    assert pages["LOCATION"] == "kept-pages"
    redis = production_settings(CACHE_URL="redis://cache.internal:6379/1")["CACHES"]["pages"]
    assert redis["LOCATION"] == "redis://cache.internal:6379/1"
    assert redis["KEY_PREFIX"] == "kept-pages"


def test_kept_rows_have_a_store_of_their_own():
    rows = production_settings()["CACHES"]["rows"]
    assert rows["BACKEND"].endswith("LocMemCache")
    assert rows["LOCATION"] == "kept-rows"
    redis = production_settings(CACHE_URL="redis://cache.internal:6379/1")["CACHES"]["rows"]
    assert redis["LOCATION"] == "redis://cache.internal:6379/1"
    assert redis["KEY_PREFIX"] == "kept-rows"


def test_an_unknown_cache_url_is_refused():
    result = manage("check", **PRODUCTION, CACHE_URL="memcached://somewhere")
    assert "ImproperlyConfigured: CACHE_URL must start with" in result.stderr


def test_postgresql_connections_give_up_quickly():
    databases = production_settings(DATABASE_URL="postgres://archive@db.internal:5432/archive")["DATABASES"]
    options = databases["default"]["OPTIONS"]
    assert options["connect_timeout"] == 3
    assert options["options"] == "-c statement_timeout=15000 -c work_mem=16MB"


def test_postgresql_work_memory_is_configurable():
    url = "postgres://archive@db.internal:5432/archive"
    databases = production_settings(DATABASE_URL=url, DB_WORK_MEM_MB="64")["DATABASES"]
    assert "-c work_mem=64MB" in databases["default"]["OPTIONS"]["options"]


def test_production_serves_hashed_compressed_static_files_after_collectstatic(tmp_path):
    static = {"STATIC_ROOT": str(tmp_path), "SECURE_SSL_REDIRECT": "0", "ALLOWED_HOSTS": "testserver"}
    assert manage("collectstatic", "--noinput", **{**PRODUCTION, **static}).returncode == 0
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("css/site.*.css.gz"))
    script = "from django.test import Client; print(Client().get('/no-such-page/').content.decode())"
    result = manage("shell", "-c", script, **{**PRODUCTION, **static})
    assert "Page not found" in result.stdout
    assert re.search(r'href="/static/css/site\.[0-9a-f]{12}\.css"', result.stdout), result.stderr
