from django.conf import settings


def archive(request):
    """The archive's name, which deployments may change through ARCHIVE_NAME."""
    return {"ARCHIVE_NAME": settings.ARCHIVE_NAME}
