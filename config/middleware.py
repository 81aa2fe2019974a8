"""Project-wide request checks."""

import logging
from urllib.parse import unquote_plus

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse

from config.errors import DATABASE_DOWN_ERRORS, database_unavailable_response

logger = logging.getLogger(__name__)

NUL_MESSAGE = "Request parameters may not contain NUL characters."
API_PREFIX = "/api/"


class RejectNulCharactersMiddleware:
    """Answer 400 to a NUL character in the query string.

    PostgreSQL refuses NUL in text, so such a value would otherwise fail deep
    inside a query as a server error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query_string = request.META.get("QUERY_STRING", "")
        if "\x00" in unquote_plus(query_string, errors="replace"):
            if request.path.startswith(API_PREFIX):
                # Shaped as the API's other refused parameters are: {"name": ["message"]}.
                return JsonResponse({"query_string": [NUL_MESSAGE]}, status=400)
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Tell browsers the archive never uses the camera, microphone, location and the like."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class DatabaseUnavailableMiddleware:
    """Answer 503 at once when the database cannot be reached, instead of a 500 with a traceback.

    The next request tries again (CONN_HEALTH_CHECKS drops a dead connection), so the
    site recovers on its own when the database is back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_DOWN_ERRORS):
            logger.warning("Database unavailable for %s: %s", request.path, str(exception).strip())
            return database_unavailable_response()
        return None
