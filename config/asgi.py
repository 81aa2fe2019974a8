import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()

# A serving process counts the archive again after each change it commits, so visitors do not wait for the count.
from interventions import recount  # noqa: E402 (needs the apps loaded above)

recount.serve()
