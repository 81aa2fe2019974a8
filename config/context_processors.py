from django.conf import settings
from django.utils.translation import gettext as _

DEFAULT_ARCHIVE_NAME = "Interventions Archive"


def archive(request):
    """The archive's name, which deployments may change, and the language its curators write in."""
    # The default name is translated with the interface; a deployment's own name is shown as given.
    name = _("Interventions Archive") if settings.ARCHIVE_NAME == DEFAULT_ARCHIVE_NAME else settings.ARCHIVE_NAME
    return {"ARCHIVE_NAME": name, "CONTENT_LANGUAGE": settings.ARCHIVE_CONTENT_LANGUAGE}
