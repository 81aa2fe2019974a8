"""Atom and RSS feeds of newly published interventions, for the whole archive or any filtered list."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from .exports import filter_errors, filtered_interventions

FEED_LENGTH = 50


class InterventionAtomFeed(Feed):
    feed_type = Atom1Feed
    description_template = None

    def __call__(self, request, *args, **kwargs):
        filterset = filtered_interventions(request)
        if not filterset.is_valid():
            message = "Some filters could not be used:\n" + "\n".join(filter_errors(filterset)) + "\n"
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        # The validated filterset reaches get_object(), and from there every method below, as `obj`.
        return super().__call__(request, filterset=filterset)

    def get_object(self, request, filterset):
        return filterset

    def title(self, obj):
        return f"{settings.ARCHIVE_NAME}: newly published interventions"

    def subtitle(self, obj):
        return "Interventions as they are published, newest first."

    description = subtitle

    def link(self, obj):
        query = obj.request.GET.urlencode()
        return f"{reverse('interventions:list')}?{query}" if query else reverse("interventions:list")

    def feed_url(self, obj):
        return obj.request.get_full_path()

    def items(self, obj):
        # The feed follows publication, whatever order the list page was sorted in.
        return obj.qs.order_by("-published_at", "-pk")[:FEED_LENGTH]

    def item_title(self, item):
        return f"{item.organisation.name}: {item.title}"

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        return item.get_absolute_url()

    def item_author_name(self, item):
        return item.organisation.name

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [theme.name for theme in item.theme_list]


class InterventionRssFeed(InterventionAtomFeed):
    feed_type = Rss201rev2Feed
