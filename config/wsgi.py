import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# A serving process counts the archive again after each change it commits, so visitors do not wait for the count.
from interventions import recount  # noqa: E402 (needs the apps loaded above)

recount.serve()
