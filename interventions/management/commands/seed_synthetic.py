import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from interventions import synthetic
from interventions.snapshot import bump_version


class ProgressBar:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, stream, enabled=True):
        self.stream = stream
        self.enabled = enabled
        self.started = time.monotonic()
        self.drawn = 0.0

    def __call__(self, label, done, total):
        now = time.monotonic()
        if not self.enabled or (done < total and now - self.drawn < 0.1):
            return
        self.drawn = now
        width = 30
        filled = width * done // total
        rate = done / max(now - self.started, 1e-6)
        end = "\n" if done == total else ""
        self.stream.write(
            f"\r{label:<14} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} ({rate:,.0f}/s){end}", ending=""
        )
        self.stream.flush()
        if done == total:
            self.started = time.monotonic()


class Command(BaseCommand):
    help = (
        "Fill the database with a synthetic archive of N interventions for benchmarks. Refuses to run on a database "
        "holding real (non-synthetic) records unless --force; replaces any synthetic records already there."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interventions", type=int, required=True, help="How many interventions (N).")
        parser.add_argument("--seed", type=int, default=1, help="The same seed always builds the same archive.")
        parser.add_argument(
            "--force", action="store_true", help="Add synthetic records even beside real ones (never in production)."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")
        parser.add_argument(
            "--index-workers",
            type=int,
            default=None,
            help="Threads building the search index on PostgreSQL (default: one per CPU; SQLite uses one).",
        )

    def handle(self, *args, **options):
        size = options["interventions"]
        if size < 1:
            raise CommandError("--interventions must be at least 1.")
        real = synthetic.non_synthetic_records()
        if real and not options["force"]:
            found = ", ".join(f"{count} {name}" for name, count in real.items())
            raise CommandError(
                f"This database holds real records ({found}): seed_synthetic only fills a database of its own. "
                "Use another DATABASE_URL, or --force to add synthetic records beside them."
            )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Bulk COPY of a million rows takes minutes: far beyond the web's statement timeout.
                cursor.execute("SET statement_timeout = 0")
        started = time.monotonic()
        synthetic.delete_synthetic()
        progress = ProgressBar(self.stderr, enabled=not options["no_progress"] and sys.stderr.isatty())
        counts = synthetic.SyntheticArchive(size, seed=options["seed"], progress=progress).build()
        built = time.monotonic() - started
        with connection.cursor() as cursor:
            # Fresh statistics, as autovacuum would gather on a live PostgreSQL, so query plans are realistic.
            cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {counts} in {built:.1f} s ({size / max(built, 1e-6):,.0f} interventions/s, "
                f"{counts.text_bytes / 1e6 / max(built, 1e-6):.1f} MB/s of text)."
            )
        )
        # The search benchmarks must measure the real search, so the archive is indexed as a live one is.
        started = time.monotonic()
        indexed = synthetic.build_search_index(workers=options["index_workers"], progress=progress)
        took = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {indexed} interventions for search in {took:.1f} s ({indexed / max(took, 1e-6):,.0f}/s)."
            )
        )
        if connection.vendor == "postgresql" and not connection.in_atomic_block:  # VACUUM cannot run in one
            with connection.cursor() as cursor:
                # Indexing rewrote every row: reclaim the old versions and mark the pages all-visible, as autovacuum
                # would on a live database, so the narrow indexes can answer without visiting the table.
                cursor.execute("VACUUM (ANALYZE) interventions_intervention")
                cursor.execute("VACUUM (ANALYZE) interventions_intervention_themes")
                cursor.execute("VACUUM (ANALYZE) interventions_intervention_on_behalf_of")
        # The rows were copied in without signals: counts kept from before must not be used.
        bump_version()
