"""JSON that stays inert even if some page or proxy ever treats it as HTML."""

from rest_framework.renderers import JSONRenderer

# Outside strings JSON never uses these characters, so escaping them inside strings is always safe.
HTML_SENSITIVE = {b"<": rb"\u003c", b">": rb"\u003e", b"&": rb"\u0026"}


class EscapedJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        body = super().render(data, accepted_media_type, renderer_context)
        for character, escaped in HTML_SENSITIVE.items():
            body = body.replace(character, escaped)
        return body
