"""Our own error pages, rendered without touching the database."""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader

DATABASE_DOWN_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def _render(template_name: str) -> str:
    # No request, so no context processors: the page must render even when nothing else works.
    return loader.render_to_string(template_name, {"ARCHIVE_NAME": settings.ARCHIVE_NAME})


def database_unavailable_response() -> HttpResponse:
    response = HttpResponse(_render("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request):
    """handler500: a database outage met outside a view (in a middleware) is still a 503."""
    if isinstance(sys.exc_info()[1], DATABASE_DOWN_ERRORS):
        return database_unavailable_response()
    return HttpResponseServerError(_render("500.html"))
