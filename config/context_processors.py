from django.conf import settings
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _

DEFAULT_ARCHIVE_NAME = "Interventions Archive"


def archive(request):
    """The archive's name, the language its curators write in, and the page's canonical address."""
    # The default name is translated with the interface; a deployment's own name is shown as given.
    name = _("Interventions Archive") if settings.ARCHIVE_NAME == DEFAULT_ARCHIVE_NAME else settings.ARCHIVE_NAME
    return {
        "ARCHIVE_NAME": name,
        "CONTENT_LANGUAGE": settings.ARCHIVE_CONTENT_LANGUAGE,
        # Without its query string: filtered and paginated variants of a page are not separate pages.
        # Joined by hand: build_absolute_uri() would read a path such as "//]/" as a host, and fail.
        "canonical_url": request.build_absolute_uri("/").removesuffix("/") + escape_uri_path(request.path),
    }
