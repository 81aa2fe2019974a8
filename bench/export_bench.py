"""Export benchmark: rows per second and peak memory of the CSV and JSON exports at 10k and 100k rows.

Run with `make bench-export` (or `.venv/bin/python bench/export_bench.py [SIZES...]`). It builds a
scratch SQLite database in a temporary folder, fills it with synthetic published interventions,
prints a table and stores it as the `exports` section of bench/RESULTS.md (bench/results.py), keeping the
other sections. It is not a test: nothing is asserted.
"""

import datetime
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRATCH = Path(tempfile.mkdtemp(prefix="export-bench-"))
os.environ["DATABASE_URL"] = f"sqlite:///{SCRATCH / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from results import write_section  # noqa: E402  (bench/results.py: this script runs from bench/)

from hearings.models import Hearing, PublicationStatus, Recording, Session  # noqa: E402
from interventions.exports import export_csv, export_json  # noqa: E402
from interventions.models import Intervention, Organisation, Theme  # noqa: E402

DEFAULT_SIZES = [10_000, 100_000]
BATCH = 5_000
SUMMARY = (
    "Calls on States to address the root causes of trafficking, to protect survivors and to guarantee access to "
    "residence and international protection, with a human-rights-based approach."
)


def fill(total: int) -> None:
    """Grow the archive to `total` published interventions, with themes, co-sponsors and recordings."""
    if not Hearing.objects.exists():
        hearing = Hearing.objects.create(
            title="Benchmark hearing", slug="bench", start_date=datetime.date(2021, 7, 13), status="published"
        )
        session = Session.objects.create(hearing=hearing, title="Morning session", order=1)
        Recording.objects.create(session=session, provider="youtube", url="https://www.youtube.com/watch?v=b")
        Organisation.objects.bulk_create(
            Organisation(name=f"Organisation {n}", slug=f"organisation-{n}", type="ngo") for n in range(200)
        )
        Theme.objects.bulk_create(Theme(name=f"Theme {n}", slug=f"theme-{n}") for n in range(20))
    hearing = Hearing.objects.get()
    session = hearing.sessions.get()
    organisations = list(Organisation.objects.values_list("pk", flat=True))
    themes = list(Theme.objects.values_list("pk", flat=True))
    now = datetime.datetime.now(datetime.UTC)
    start = Intervention.objects.count()
    for offset in range(start, total, BATCH):
        created = Intervention.objects.bulk_create(
            Intervention(
                hearing=hearing,
                session=session if n % 2 else None,
                organisation_id=organisations[n % len(organisations)],
                title=f"=Intervention {n} on trafficking",
                summary=SUMMARY,
                speaker_name=f"Speaker {n}",
                withhold_speaker_name=n % 10 == 0,
                language="en",
                date=hearing.start_date,
                start_offset=n,
                status=PublicationStatus.PUBLISHED,
                published_at=now,
            )
            for n in range(offset, min(offset + BATCH, total))
        )
        Intervention.themes.through.objects.bulk_create(
            Intervention.themes.through(intervention_id=i.pk, theme_id=themes[(i.pk + k) % len(themes)])
            for i in created
            for k in range(2)
        )
        Intervention.on_behalf_of.through.objects.bulk_create(
            Intervention.on_behalf_of.through(
                intervention_id=i.pk, organisation_id=organisations[(i.pk + 7) % len(organisations)]
            )
            for i in created
            if i.pk % 3 == 0
        )


def consume(view) -> tuple[int, int]:
    """Run the export for the whole archive; return the number of bytes and of lines."""
    response = view(RequestFactory().get("/interventions/export"))
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    return size, lines


def measure(view) -> tuple[float, float, int]:
    """Seconds (without tracing) and peak traced memory in MiB (a second run, traced), and bytes written."""
    started = time.perf_counter()
    size, _ = consume(view)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    consume(view)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 2**20, size


def main(sizes: list[int]) -> None:
    call_command("migrate", verbosity=0)
    lines = [
        "## Exports",
        "",
        f"`make bench-export` (bench/export_bench.py), run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: "
        "one whole-archive export through the real views, every streamed chunk consumed; *peak MiB* is the peak "
        "of Python allocations (tracemalloc) during a second, traced run.",
        "",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs; load average "
        f"{os.getloadavg()[0]:.1f} at the start. Database: SQLite (a scratch file).",
        "",
        "| rows | format | seconds | rows/s | MiB out | peak MiB |",
        "|-----:|--------|--------:|-------:|--------:|---------:|",
    ]
    print("\n".join(lines), flush=True)
    for total in sorted(sizes):
        fill(total)
        for name, view in (("CSV", export_csv), ("JSON", export_json)):
            seconds, peak, size = measure(view)
            lines.append(
                f"| {total:,} | {name} | {seconds:.2f} | {total / seconds:,.0f} | {size / 2**20:.1f} | {peak:.1f} |"
            )
            print(lines[-1], flush=True)
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines += ["", f"The process's peak RSS, including building the synthetic data, was {max_rss:.0f} MiB."]
    print(lines[-1])
    write_section("exports", "\n".join(lines))


if __name__ == "__main__":
    try:
        main([int(arg) for arg in sys.argv[1:]] or DEFAULT_SIZES)
    finally:
        shutil.rmtree(SCRATCH, ignore_errors=True)
