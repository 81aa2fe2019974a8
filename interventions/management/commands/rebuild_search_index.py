from django.core.management.base import BaseCommand

from interventions.models import Intervention
from interventions.search import refresh_search_index

BAR_WIDTH = 40


class Command(BaseCommand):
    help = (
        "Rebuild the full-text search index of every intervention, its kept lists of theme and co-sponsor names "
        "and its kept recording cell (after bulk changes or loading fixtures)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="Interventions indexed per batch.")

    def handle(self, *args, batch_size, **options):
        total = Intervention.objects.count()
        done = 0

        def progress(count):
            nonlocal done
            done += count
            filled = BAR_WIDTH * done // total
            self.stdout.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total}", ending="")
            self.stdout.flush()

        refresh_search_index(batch_size=max(batch_size, 1), progress=progress)
        if total:
            self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Indexed {total} interventions."))
