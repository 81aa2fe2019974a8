from django.core.management.base import BaseCommand

from backup.archive import export_archive
from backup.progress import ProgressBar


class Command(BaseCommand):
    help = "Write every record, drafts included, to one versioned JSON file that import_archive can restore."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write the archive, e.g. archive-2026-11-28.json; - for stdout.")
        parser.add_argument("--include-users", action="store_true", help="Also write users, groups and their rights.")
        parser.add_argument("--include-history", action="store_true", help="Also write the admin's change history.")

    def handle(self, *args, file, include_users, include_history, **options):
        bar = ProgressBar(self.stderr, enabled=options["verbosity"] > 0)
        if file == "-":
            counts = export_archive(self.stdout._out, include_users, include_history, progress=bar.update)
        else:
            with open(file, "w", encoding="utf-8") as stream:
                counts = export_archive(stream, include_users, include_history, progress=bar.update)
        bar.finish()
        if file != "-":
            self.stdout.write(f"Wrote {sum(counts.values())} rows of {len(counts)} models to {file}.")
