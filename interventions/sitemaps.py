"""sitemap.xml and robots.txt: every public page, and nothing else, for search engines."""

from django.contrib.sitemaps import Sitemap
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from hearings.models import Hearing

from .models import Intervention, Organisation, Theme


class HearingSitemap(Sitemap):
    def items(self):
        return Hearing.objects.published().order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class OrganisationSitemap(Sitemap):
    def items(self):
        return Organisation.objects.public().order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class ThemeSitemap(Sitemap):
    def items(self):
        return Theme.objects.order_by("pk")


class InterventionSitemap(Sitemap):
    def items(self):
        return Intervention.objects.published().only("pk", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class PageSitemap(Sitemap):
    def items(self):
        return [
            "interventions:home",
            "interventions:list",
            "hearings:list",
            "interventions:organisation-list",
            "interventions:theme-list",
        ]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "pages": PageSitemap,
    "hearings": HearingSitemap,
    "organisations": OrganisationSitemap,
    "themes": ThemeSitemap,
    "interventions": InterventionSitemap,
}


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    # Exports and feeds repeat the pages' content in every filter combination: crawling them helps no one.
    lines = [
        "User-agent: *",
        "Allow: /",
        "Disallow: /admin/",
        f"Disallow: {reverse('interventions:export-csv')}",
        f"Disallow: {reverse('interventions:export-json')}",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
