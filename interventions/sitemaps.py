"""sitemap.xml and robots.txt: every public page, and nothing else, for search engines.

sitemap.xml is an index of one sitemap per kind of page, each in pages of at most PAGE_SIZE addresses (the
protocol allows 50,000): a million interventions are a hundred pages of sitemap-interventions.xml.

At a million interventions the index took 3.6 s (counting the public organisations and interventions and finding
their latest changes) and a page of 50,000 addresses 3.3-5.3 s, for every crawler's request. Their counts and
latest dates are now kept per change to the archive (snapshot.kept), the index is kept whole like the public pages
(config/urls.py), and a page holds 10,000 addresses.
"""

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from hearings.models import Hearing

from .models import Intervention, Organisation, Theme
from .snapshot import kept, public_intervention_count, public_organisation_count

# Addresses per sitemap page: one page's rendering grows with it (2.6 s of Python for 50,000).
PAGE_SIZE = 10_000


class KeptCountSitemap(Sitemap):
    limit = PAGE_SIZE

    @property
    def paginator(self):
        # How many pages a sitemap has is asked by the index and by each of its pages: counted once per change.
        paginator = Paginator(self._items(), self.limit)
        paginator.count = kept(f"sitemap-count:{type(self).__name__}", self.count, per_language=False)
        return paginator

    def count(self) -> int:
        return self.items().count()


class UpdatedRecordsSitemap(KeptCountSitemap):
    """Records whose `updated_at` is their last modification."""

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        # For the index. Django's own way reads every item, a million interventions, to find the newest.
        return kept(
            f"sitemap-lastmod:{type(self).__name__}",
            lambda: self.items().aggregate(latest=Max("updated_at"))["latest"],
            per_language=False,
            per_edit=True,
        )


class HearingSitemap(UpdatedRecordsSitemap):
    def items(self):
        return Hearing.objects.published().order_by("pk")


class OrganisationSitemap(UpdatedRecordsSitemap):
    def items(self):
        return Organisation.objects.public().order_by("pk")

    def count(self) -> int:
        # The snapshot's, if the list has been counted since the last change: a crawler does not count it first.
        return public_organisation_count(renew=False)


class ThemeSitemap(KeptCountSitemap):
    def items(self):
        return Theme.objects.order_by("pk")


class InterventionSitemap(UpdatedRecordsSitemap):
    def items(self):
        return Intervention.objects.published().only("pk", "updated_at").order_by("pk")

    def count(self) -> int:
        return public_intervention_count(renew=False)


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


def warm_sitemaps():
    """Count what the index shows (each sitemap's number of pages and latest change), under the keys it reads:
    2.8 s at a million interventions, which the background count after a change (recount.py) spares a crawler."""
    for sitemap_class in SITEMAPS.values():
        sitemap = sitemap_class()
        if isinstance(sitemap, KeptCountSitemap):
            sitemap.paginator.count  # noqa: B018 - read to be kept
        if isinstance(sitemap, UpdatedRecordsSitemap):
            sitemap.get_latest_lastmod()


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
