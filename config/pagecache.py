"""Whole public pages kept per archive version, so a page read again costs a cache lookup, not its queries and
templates.

An intervention's page takes about 13 ms to render and a hearing's 50-65 ms at a million interventions; served
from here, either takes well under a millisecond plus the one query that names the archive's version. A page is
kept under that version's token, so every change to the archive (which bumps the version in its own transaction,
interventions.snapshot) makes every kept page unreachable at once: nothing stale is ever served, and nothing
needs to know which pages a change touched. Kept pages also end when the next embargo lifts and after
ARCHIVE_FACET_SNAPSHOT_SECONDS, like the kept counts.

Only visitors without a session or pending messages are served kept pages: anyone logged in (a curator
previewing a draft) always gets a page rendered for them. The one part of a public page that differs between
visitors, the CSRF token of the language switcher, is kept as a marker and filled in for each request.
"""

import hashlib
import re
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import get_language

CSRF_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
# Autoescaping turns any "<" of the archive's texts into "&lt;", so no text of a page can spell this.
CSRF_MARKER = b"<kept-csrf-token>"
# Headers that pick one of several answers at the same address (htmx asks some pages for their results alone).
VARIANT_HEADERS = ("HX-Request", "HX-History-Restore-Request", "HX-Target")


def archive_state():
    """(version token, valid until) of the archive, or None: settings.ARCHIVE_STATE names the function, so that
    the hearings app keeps its pages without importing the interventions app."""
    return import_string(settings.ARCHIVE_STATE)()


def _cacheable_request(request) -> bool:
    if not settings.ARCHIVE_KEEP_PAGES or settings.ARCHIVE_FACET_SNAPSHOT_SECONDS <= 0:
        return False
    if request.method not in ("GET", "HEAD"):
        return False
    # A session may hold a login (previews) and a message to show once: such visitors get their own page.
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and CookieStorage.cookie_name not in cookies


def _cacheable_response(response) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-cache" not in cache_control
    )


def _key(request, token: str) -> str:
    variant = "|".join(request.headers.get(name, "") for name in VARIANT_HEADERS)
    # The host and scheme are in the page (canonical address); today's date is in a citation's "accessed".
    address = f"{request.scheme}|{request.get_host()}|{request.get_full_path()}|{variant}|{timezone.localdate()}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"archive-page:{token}:{get_language()}:{digest}"


def _served(request, kept: dict) -> HttpResponse:
    content = kept["content"]
    if CSRF_MARKER in content:
        content = content.replace(CSRF_MARKER, get_token(request).encode())
    response = HttpResponse(content, status=kept["status"])
    for name, value in kept["headers"]:
        response[name] = value
    return response


def kept_page(view):
    """Serve `view`'s public page from the cache while the archive is unchanged (see the module's docstring)."""

    @wraps(view)
    def kept_view(request, *args, **kwargs):
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        # Taken before rendering: a change committed meanwhile bumps the version, so this page is never served
        # once that change is visible.
        state = archive_state()
        if state is None:
            return view(request, *args, **kwargs)
        token, valid_until = state
        key = _key(request, token)
        kept = caches["pages"].get(key)
        if kept is not None and kept["valid_until"] > timezone.now():
            return _served(request, kept)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render"):
            response.render()
        if _cacheable_response(response):
            headers = [(name, value) for name, value in response.items() if name.lower() != "content-length"]
            kept = {
                "content": CSRF_FIELD.sub(rb"\1" + CSRF_MARKER + rb"\2", response.content),
                "status": response.status_code,
                "headers": headers,
                "valid_until": valid_until,
            }
            caches["pages"].set(key, kept, timeout=max(1, int((valid_until - timezone.now()).total_seconds())))
        return response

    return kept_view
