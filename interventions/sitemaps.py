"""sitemap.xml and robots.txt: every public page, and nothing else, for search engines.

sitemap.xml is an index of one sitemap per kind of page, each in pages of at most 50,000 addresses (the
sitemap protocol's limit): a million interventions are twenty pages of sitemap-interventions.xml.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from hearings.models import Hearing

from .models import Intervention, Organisation, Theme


class UpdatedRecordsSitemap(Sitemap):
    """Records whose `updated_at` is their last modification."""

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        # For the index. Django's own way reads every item, a million interventions, to find the newest.
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class HearingSitemap(UpdatedRecordsSitemap):
    def items(self):
        return Hearing.objects.published().order_by("pk")


class OrganisationSitemap(UpdatedRecordsSitemap):
    def items(self):
        return Organisation.objects.public().order_by("pk")


class ThemeSitemap(Sitemap):
    def items(self):
        return Theme.objects.order_by("pk")


class InterventionSitemap(UpdatedRecordsSitemap):
    def items(self):
        return Intervention.objects.published().only("pk", "updated_at").order_by("pk")


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
