"""The first visitor after a change: how long the list and the home page take, with and without the count made in
the background right after the change commits (interventions/recount.py). A benchmark: nothing is asserted.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/archive_bench_1m .venv/bin/python bench/after_change.py

Each trial edits one public intervention as a curator would (its signals renew the search index and the archive's
version), waits, then times one view of one page in a process that serves visitors. With the background count
off, that view counts the whole archive itself; with it on, it finds what the background counted, or waits for
the count in progress. Between trials the background count is let finish. Writes the `after-change` section of
bench/RESULTS.md.

`--edit counted` (the default) moves the intervention's date by a day and back, which the counts follow.
`--edit text` corrects its title instead, which changes no count: the archive keeps its counts and renews only its
kept pages (Intervention.COUNT_NEUTRAL_FIELDS), and the section written is `after-a-text-edit`.
"""

import argparse
import datetime
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from results import write_section  # noqa: E402  (bench/results.py: this script runs from bench/)

from interventions import recount  # noqa: E402
from interventions.models import Intervention  # noqa: E402


def first_view(client, url) -> float:
    began = time.perf_counter()
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return time.perf_counter() - began


def edit(intervention, kind, original_date):
    """One curator's edit of the kind asked for, undone by the next edit of that kind."""
    if kind == "counted":
        moved = intervention.date != original_date
        intervention.date = original_date if moved else original_date - datetime.timedelta(days=1)
    else:
        intervention.title = (
            intervention.title.removesuffix(" (corrected)")
            if intervention.title.endswith(" (corrected)")
            else f"{intervention.title} (corrected)"
        )
    intervention.save()


def trial(client, intervention, url, wait, background, kind, original_date) -> tuple[float, float]:
    """(seconds the first view took, seconds the background count took from the change to its end)."""
    settings.ARCHIVE_RECOUNT_AFTER_CHANGES = background
    # A change after a quiet spell: the background count has rested as long as its last count took.
    time.sleep(max(0.0, recount._rested_at - time.monotonic()))
    changed = time.perf_counter()
    edit(intervention, kind, original_date)
    time.sleep(wait)
    seconds = first_view(client, url)
    recount.wait(timeout=600)
    return seconds, time.perf_counter() - changed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--waits", default="0,5,15,30", help="seconds between the change and the first view")
    parser.add_argument("--edit", choices=["counted", "text"], default="counted", help="what each trial changes")
    parser.add_argument("--write", action=argparse.BooleanOptionalAction, default=True, help="update RESULTS.md")
    args = parser.parse_args()
    waits = [float(wait) for wait in args.waits.split(",")]

    recount.serve()
    intervention = Intervention.objects.published().order_by("pk").first()
    original_date = intervention.date
    total = Intervention.objects.published().count()
    in_french = Client()
    in_french.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    pages = [
        ("the list", Client(), reverse("interventions:list")),
        ("the home page", Client(), reverse("interventions:home")),
        ("the home page in French", in_french, reverse("interventions:home")),
        ("the organisation list", Client(), reverse("interventions:organisation-list")),
    ]
    for _name, client, url in pages:  # imports, templates and the cache's first entries
        first_view(client, url)

    rows = []
    for name, client, url in pages:
        for wait in waits:
            off, _ = trial(client, intervention, url, wait, False, args.edit, original_date)
            on, counted = trial(client, intervention, url, wait, True, args.edit, original_date)
            rows.append((name, wait, off, on, counted))
            print(
                f"{name:14s} {wait:5.0f} s after: without {off:7.2f} s, with {on:7.2f} s (count ended {counted:.1f} s)"
            )

    lines = [
        f"## The first visitor after a change ({args.edit} edit)",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `bench/after_change.py` on "
        f"{connection.vendor} ({total:,} public interventions), {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}. Each row: one public intervention edited through the ORM ({args.edit} edit: "
        f"{'its date moved by a day' if args.edit == 'counted' else 'its title corrected'}), a wait, then one "
        "view of the page in the same process, timed; with the background count (interventions/recount.py) off "
        "and on. The last column is how long after the change the background count (the list's snapshot with "
        "every theme's counts, then the home page's counts and charts' rows, the organisation list's counts, once "
        "for every language, and the sitemaps' counts) had finished.",
        "",
        "| page | view this long after the change | first view without (s) | with the background count (s) "
        "| background count done after (s) |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {name} | {wait:.0f} s | {off:.2f} | {on:.2f} | {counted:.1f} |" for name, wait, off, on, counted in rows
    ]
    if args.write:
        write_section("after-change" if args.edit == "counted" else "after-a-text-edit", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
