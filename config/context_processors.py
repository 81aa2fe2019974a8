from django.conf import settings


def archive(request):
    """The archive's name, which deployments may change, and the language its curators write in."""
    return {"ARCHIVE_NAME": settings.ARCHIVE_NAME, "CONTENT_LANGUAGE": settings.ARCHIVE_CONTENT_LANGUAGE}
