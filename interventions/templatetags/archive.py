from django import template

from interventions import search
from interventions.models import format_offset

register = template.Library()


@register.filter
def offset(seconds):
    """Seconds into a recording as 1:23:45 (or 23:45 under an hour)."""
    return format_offset(seconds)


@register.filter
def highlight(snippet):
    """A search snippet, escaped, with the matched words in <mark>."""
    return search.highlight(snippet or "")
