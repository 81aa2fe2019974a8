from django.core.management.base import BaseCommand

from interventions.snapshot import bump_version, unfiltered_snapshot


class Command(BaseCommand):
    help = (
        "Recount the whole archive's kept counts (the unfiltered list's facets, the home page's charts) now: "
        "after changing rows directly in SQL, or to spare the next visitor the counting."
    )

    def handle(self, *args, **options):
        bump_version()
        snapshot = unfiltered_snapshot()
        self.stdout.write(
            self.style.SUCCESS(
                f"Counted {snapshot.total:,} public interventions (archive version {snapshot.version}); kept until "
                f"the next change, or {snapshot.valid_until:%Y-%m-%d %H:%M %Z} at the latest."
            )
        )
