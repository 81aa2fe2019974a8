from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def refresh_sqlite_statistics(sender, using, plan=None, **kwargs):
    """After migrations that changed something, give SQLite's planner statistics for every index.

    Without them SQLite guesses between our covering indexes, and a guess made the unfiltered list read a whole
    index instead of a range of dates (32 ms became 56 ms at 100,000 interventions; Datasette's page on the same
    file, 42 ms became 447 ms). PostgreSQL gathers its own statistics (autovacuum).
    """
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "sqlite" and plan:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


class InterventionsConfig(AppConfig):
    name = "interventions"
    verbose_name = _("Interventions")

    def ready(self):
        from . import signals  # noqa: F401 - connects the search index receivers

        # Once, after the last app's migrations: sent per app, so keyed to this one.
        post_migrate.connect(refresh_sqlite_statistics, sender=self, dispatch_uid="interventions_sqlite_statistics")
