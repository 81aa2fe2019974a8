"""Import a CSV or XLSX file of interventions (or organisations, or hearings with sessions)."""

import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from interventions.importing import Mapping, MappingError, read_dataset, run_import, summary
from interventions.models import ImportMapping
from interventions.resources import RESOURCES


class ProgressBar:
    """`[#####.....] 212/425` on one terminal line, redrawn as rows are imported."""

    def __init__(self, stream, width=30):
        self.stream, self.width, self.shown = stream, width, -1

    def __call__(self, done, total):
        filled = self.width * done // max(total, 1)
        if filled == self.shown and done != total:
            return
        self.shown = filled
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total}")
        if done == total:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "Import a CSV or XLSX file. Nothing is written if any row fails. See docs/import.md."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .csv (UTF-8) or .xlsx file.")
        parser.add_argument("--mapping", help="A mapping file (JSON) or the name of a mapping saved in the admin.")
        parser.add_argument("--dry-run", action="store_true", help="Check every row and report, writing nothing.")
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="Create the organisations, themes and hearings the file names but the archive does not have.",
        )
        parser.add_argument(
            "--target",
            choices=[choice for choice, _label in ImportMapping.Target.choices],
            help="What the file holds (default: the mapping's target, else interventions).",
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="The account the history names as the author of every change (default: none recorded).",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        mapping = self.load_mapping(options["mapping"])
        user = self.load_user(options["user"])
        target = options["target"] or mapping.target or ImportMapping.Target.INTERVENTIONS
        try:
            dataset = read_dataset(path.read_bytes(), path.name)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
        except ValueError as error:
            raise CommandError(str(error)) from error

        resource = RESOURCES[target](mapping=mapping, create_missing=options["create_missing"], user=user)
        if options["verbosity"] > 0:
            resource.progress = ProgressBar(self.stderr._out if hasattr(self.stderr, "_out") else sys.stderr)
        started = time.monotonic()
        result = run_import(resource, dataset, dry_run=options["dry_run"], user=user)
        elapsed = time.monotonic() - started

        counts = summary(result)
        report = result.report
        for kind, names in report.unknown.items():
            label = "created" if kind in report.created else "not in the archive"
            self.stdout.write(f"{kind.capitalize()} {label}: {', '.join(names)}")
        if report.ignored_columns:
            self.stdout.write(f"Columns ignored: {', '.join(report.ignored_columns)}")
        for duplicate in report.duplicates:
            self.stdout.write(f"Likely duplicate: {duplicate}")
        for problem in report.problems:
            self.stderr.write(problem)
        failed = bool(report.problems)
        verb = "Checked" if options["dry_run"] or failed else "Imported"
        self.stdout.write(
            f"{verb} {len(dataset)} rows in {elapsed:.1f} s: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged, {counts['failed']} failed."
        )
        if failed:
            raise CommandError("Nothing was written: correct the rows above and run the import again.")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")

    def load_user(self, username):
        if not username:
            return None
        User = get_user_model()
        try:
            return User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist as error:
            raise CommandError(f"No account is called “{username}”; give an existing username to --user.") from error

    def load_mapping(self, value):
        if not value:
            return Mapping()
        try:
            if Path(value).is_file():
                return Mapping.from_file(value)
            saved = ImportMapping.objects.filter(name=value).first()
            if saved is None:
                raise CommandError(f"No mapping file or saved mapping is called “{value}”.")
            return Mapping.from_dict(saved.as_dict())
        except MappingError as error:
            raise CommandError(str(error)) from error
