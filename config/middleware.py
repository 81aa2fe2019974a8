"""Project-wide request checks."""

from urllib.parse import unquote_plus

from django.http import HttpResponseBadRequest

NUL_MESSAGE = "Request parameters may not contain NUL characters."


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
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
