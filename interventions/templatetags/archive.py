from django import template
from django.conf import settings

from interventions import charts, search
from interventions.models import Intervention, format_offset

register = template.Library()


@register.filter
def offset(seconds):
    """Seconds into a recording as 1:23:45 (or 23:45 under an hour)."""
    return format_offset(seconds)


@register.simple_tag
def hearing_charts(hearing):
    """A hearing's charts, drawn here because the hearings app may not import interventions."""
    interventions = Intervention.objects.published().filter(hearing=hearing)
    language = settings.ARCHIVE_CONTENT_LANGUAGE
    drawn = [
        charts.by_theme(interventions, language, hearing=hearing.slug),
        charts.by_organisation_type(interventions, language, hearing=hearing.slug),
    ]
    return [chart for chart in drawn if chart]


@register.filter
def highlight(snippet):
    """A search snippet, escaped, with the matched words in <mark>."""
    return search.highlight(snippet or "")
