"""The OpenAPI description of the answers every endpoint can give besides its records: errors and the rate limit."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

DETAIL = inline_serializer("Detail", fields={"detail": serializers.CharField()})
# django-filter names each refused parameter: {"date_from": ["Enter a valid date."]}.
INVALID_PARAMETERS = {
    "type": "object",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}


class ArchiveAutoSchema(AutoSchema):
    def get_response_serializers(self):
        responses = {200: super().get_response_serializers()}
        # A page past the end is a 404 too ("Invalid page."), as on the list pages.
        responses[404] = OpenApiResponse(DETAIL, description="No such public record, or no such page.")
        responses[429] = OpenApiResponse(DETAIL, description="Too many requests from this address: wait, or export.")
        # The site refuses a NUL character in any query string before the API sees it (config/middleware.py), naming
        # `query_string` as the refused parameter.
        if getattr(self.view, "action", None) == "list" and getattr(self.view, "filterset_class", None):
            description = "A filter parameter is not valid, or the query string holds a NUL character."
        else:
            description = "The query string holds a NUL character."
        responses[400, "application/json"] = OpenApiResponse(INVALID_PARAMETERS, description=description)
        return responses
