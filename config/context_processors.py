from django.conf import settings


def archive(request):
    """The archive's name, which deployments may change through ARCHIVE_NAME, and the page's canonical address."""
    return {
        "ARCHIVE_NAME": settings.ARCHIVE_NAME,
        # Without its query string: filtered and paginated variants of a page are not separate pages.
        "canonical_url": request.build_absolute_uri(request.path),
    }
