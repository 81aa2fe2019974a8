from django.core.management.base import BaseCommand, CommandError

from backup.archive import ArchiveError, import_archive, read_document
from backup.progress import ProgressBar


class Command(BaseCommand):
    help = "Restore a file written by export_archive into an empty, migrated database: all of it or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", help="An archive file written by export_archive.")

    def handle(self, *args, file, **options):
        bar = ProgressBar(self.stderr, enabled=options["verbosity"] > 0)
        try:
            with open(file, encoding="utf-8") as stream:
                document = read_document(stream)
            counts = import_archive(document, progress=bar.update)
        except FileNotFoundError:
            raise CommandError(f"No file called {file}.") from None
        except ArchiveError as error:
            raise CommandError(str(error)) from None
        finally:
            bar.finish()
        self.stdout.write(f"Restored {sum(counts.values())} rows of {len(counts)} models from {file}.")
