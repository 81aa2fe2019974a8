"""Benchmarks of the public pages on a synthetic archive: `make bench` (not a test; it prints tables).

    python bench/run.py --sizes 100k --engines postgresql,sqlite [--datasette bench/.venv/bin/datasette]

For each engine and size, a child process (Django is configured once per process) times every page in-process
with Django's test Client after warm-up, counts its queries, re-runs the page's SQL directly (the floor) and
saves EXPLAIN ANALYZE of the slowest query. On SQLite it also times Datasette serving the same file. The
parent prints the tables and writes bench/RESULTS.md.

Databases: PostgreSQL `<prefix>_<size>` on --pg (created by seeding), SQLite bench/data/archive_<size>.sqlite3.
Seed them first with --seed (or `make bench BENCH_ARGS="--seed"`).
"""

import argparse
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from results import write_section  # bench/results.py: this script runs from bench/

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "data"
EXPLAIN = BENCH / "explain"
RESULTS = BENCH / "RESULTS.md"
sys.path.insert(0, str(ROOT))


def size_value(label: str) -> int:
    label = label.lower()
    if label.endswith("m"):
        return int(float(label[:-1]) * 1_000_000)
    if label.endswith("k"):
        return int(float(label[:-1]) * 1_000)
    return int(label)


def database_url(engine, size, args) -> str:
    if engine == "sqlite":
        return f"sqlite:///{DATA / f'archive_{size}.sqlite3'}"
    return f"{args.pg.rstrip('/')}/{args.pg_prefix}_{size}"


# ---------------------------------------------------------------- child: one database


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(function, repeat, warmup, budget):
    """Median and p95 in ms of `function()`, after warm-up; a page slower than the budget is timed once more."""
    began = time.perf_counter()
    function()
    first = (time.perf_counter() - began) * 1000
    if first > budget * 1000:
        # Too slow to repeat: one more view, warm like the others (its counts now kept), is the measurement.
        began = time.perf_counter()
        function()
        once = (time.perf_counter() - began) * 1000
        return {"median": once, "p95": once, "n": 1}
    for _ in range(warmup - 1):
        function()
    samples = []
    started = time.perf_counter()
    while len(samples) < repeat and (len(samples) < 3 or time.perf_counter() - started < budget):
        began = time.perf_counter()
        function()
        samples.append((time.perf_counter() - began) * 1000)
    return {"median": statistics.median(samples), "p95": percentile(samples, 0.95), "n": len(samples)}


def pick_subjects():
    """The organisations, themes and records each page is measured on, chosen from the data itself."""
    from django.db.models import Count

    from interventions.facets import count_results
    from interventions.filters import InterventionFilter
    from interventions.models import Intervention, Organisation, Theme

    published = Intervention.objects.published()
    total = published.count()
    by_organisation = list(
        published.order_by()
        .values("organisation")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("organisation", "n")
    )
    largest_org = Organisation.objects.get(pk=by_organisation[0][0])
    # Mid-sized: about 0.5% of the archive, like a well-known NGO among thousands.
    target = max(1, total // 200)
    mid_pk = min(by_organisation, key=lambda row: abs(row[1] - target))[0]
    mid_org = Organisation.objects.get(pk=mid_pk)
    # Interventions per theme, a broader theme counting its narrower ones', as the list's theme facet counts them.
    filterset = InterventionFilter(data={}, queryset=published)
    filterset.is_valid()
    counts = count_results(filterset, ["theme"])["theme"]
    commonest = Theme.objects.get(pk=max(counts, key=counts.get))
    narrower = {pk: n for pk, n in counts.items() if Theme.objects.filter(pk=pk, parent__isnull=False).exists()}
    median_count = statistics.median(narrower.values())
    mid_theme = Theme.objects.get(pk=min(narrower, key=lambda pk: abs(narrower[pk] - median_count)))
    detail = published.order_by("pk")[total // 2]
    hearing = detail.hearing
    return {
        "total": total,
        "largest_org": (largest_org.slug, by_organisation[0][1]),
        "mid_org": (mid_org.slug, dict(by_organisation)[mid_pk]),
        "commonest_theme": (commonest.slug, counts[commonest.pk]),
        "mid_theme": (mid_theme.slug, counts[mid_theme.pk]),
        "detail": detail.get_absolute_url(),
        "hearing": hearing.get_absolute_url(),
        "largest_org_url": largest_org.get_absolute_url(),
        "commonest_theme_url": commonest.get_absolute_url(),
    }


def pages(subjects):
    from django.urls import NoReverseMatch, reverse

    list_url = reverse("interventions:list")
    mid_org, largest_org = subjects["mid_org"][0], subjects["largest_org"][0]
    mid_theme, commonest = subjects["mid_theme"][0], subjects["commonest_theme"][0]
    cases = [
        ("list, page 1 (with its facets)", list_url),
        ("list, mid org + mid theme", f"{list_url}?organisation={mid_org}&theme={mid_theme}"),
        ("list, largest org + commonest theme", f"{list_url}?organisation={largest_org}&theme={commonest}"),
        ("list, language + type facets", f"{list_url}?language=fr&type=ngo"),
        ("list, page 2000", f"{list_url}?page=2000"),
        ("search q (rare term, ~4%)", f"{list_url}?q=ombudsperson"),
        ("search q (common term, ~18%)", f"{list_url}?q=remediation"),
        # A theme's name: synthetic titles name a theme, so ~2.5% of titles hold it (and ~7.6% of interventions).
        ("search q (a word in ~2.5% of titles)", f"{list_url}?q=corruption"),
        ("detail page", subjects["detail"]),
        ("organisation page (largest)", subjects["largest_org_url"]),
        # Each row counts its organisation's public interventions: 1.1 s on SQLite at 100k until item 36.
        ("organisation list", reverse("interventions:organisation-list")),
        ("hearing page", subjects["hearing"]),
        # The interventions on a theme or its narrower ones: the commonest holds ~65% of the archive.
        ("theme page (commonest)", subjects["commonest_theme_url"]),
    ]
    try:
        cases.append(
            ("CSV export (filtered: mid org)", f"{reverse('interventions:export-csv')}?organisation={mid_org}")
        )
    except NoReverseMatch:
        pass
    return cases


def measure_exports(client):
    """The whole published archive exported once per format, every streamed chunk read: rows/s and peak RSS.

    Run before the pages, so the peak RSS is the export's (plus Django's own start-up), not a page's.
    """
    from django.urls import reverse

    results = {}
    csv_url, json_url = reverse("interventions:export-csv"), reverse("interventions:export-json")
    for name, url in (("CSV", csv_url), ("CSV with full texts", f"{csv_url}?texts=1"), ("JSON", json_url)):
        started = time.perf_counter()
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        size = 0
        for chunk in response.streaming_content:
            size += len(chunk)
        seconds = time.perf_counter() - started
        results[name] = {
            "status": response.status_code,
            "seconds": seconds,
            "mib": size / 2**20,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
        print(f"  export {name}: {seconds:.1f} s", file=sys.stderr, flush=True)
    return results


def explain(connection, sql):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            return "\n".join(row[0] for row in cursor.fetchall())
        # SQLite 3.40 has no EXPLAIN ANALYZE: the plan, with the time measured beside it.
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(f"{row[0]:>4} {row[1]:>4} {row[3]}" for row in cursor.fetchall())


def run_sql(connection, sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        cursor.fetchall()


def measure_page(client, connection, url, args, slug):
    from django.conf import settings
    from django.test.utils import CaptureQueriesContext

    def get():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        if response.streaming:
            for _ in response.streaming_content:
                pass
        return response

    # The first view after a change to the archive: nothing counted is kept yet (interventions/snapshot.py).
    from django.urls import reverse

    from interventions.snapshot import bump_version

    bump_version()
    began = time.perf_counter()
    get()
    cold = (time.perf_counter() - began) * 1000
    # Then as visitors find it: the unfiltered list has been viewed (counting the archive's snapshot) and each
    # page's own counts are kept until the next change.
    client.get(reverse("interventions:list"))
    # Rendered for each view (as for a logged-in curator), then read back whole from the kept pages (as for every
    # visitor without a session while the archive is unchanged: config/pagecache.py).
    settings.ARCHIVE_KEEP_PAGES = False
    page = timed(get, args.repeat, args.warmup, args.budget)
    with CaptureQueriesContext(connection) as captured:
        get()
    # Only the reads can be re-run alone: not BEGIN, SET LOCAL or the CSV export's COPY (timed with the page).
    # Read now: the next request empties the connection's query log.
    queries = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
    ]
    settings.ARCHIVE_KEEP_PAGES = True
    kept = timed(get, args.repeat, args.warmup, args.budget)
    per_query = [(timed(lambda sql=sql: run_sql(connection, sql), 3, 1, 1.0)["median"], sql) for sql in queries]
    slowest_time, slowest_sql = max(per_query) if per_query else (0.0, "")
    floor_total = sum(ms for ms, _ in per_query)
    slowest = {"median": slowest_time} if slowest_sql else None
    plan = explain(connection, slowest_sql) if slowest_sql else ""
    EXPLAIN.mkdir(exist_ok=True)
    (EXPLAIN / f"{args.label}-{slug}.txt").write_text(
        f"-- {url}\n-- slowest of the page's {len(queries)} queries, re-run alone: "
        f"median {slowest['median'] if slowest else 0:.1f} ms\n{slowest_sql}\n\n{plan}\n"
    )
    return {
        "url": url,
        "page": page,
        "kept": kept,
        "cold": cold,
        "queries": len(queries),
        "floor_all": floor_total,
        "floor_slowest": slowest["median"] if slowest else 0.0,
    }


class Datasette:
    """Datasette serving the same SQLite file, on a loopback port, for the length of the run."""

    def __init__(self, executable, path):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.database = Path(path).stem
        self.process = subprocess.Popen(  # noqa: S603 - our own executable and arguments
            [
                executable,
                "serve",
                str(path),
                "--port",
                str(self.port),
                "--host",
                "127.0.0.1",
                # Without these, slow facets are dropped after 200 ms and the comparison would be unfair to us.
                "--setting",
                "sql_time_limit_ms",
                "120000",
                "--setting",
                "facet_time_limit_ms",
                "120000",
                "--setting",
                "suggest_facets",
                "off",
                "--setting",
                "num_sql_threads",
                "2",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/versions.json", timeout=1).read()  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        self.version = json.loads(
            urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/versions.json", timeout=5).read()  # noqa: S310
        )["datasette"]["version"]

    def url(self, table, params):
        return f"http://127.0.0.1:{self.port}/{self.database}/{table}.json?{urllib.parse.urlencode(params)}"

    def get(self, url):
        with urllib.request.urlopen(url, timeout=300) as response:  # noqa: S310 - loopback only
            body = json.loads(response.read())
        if body.get("ok") is False or "error" in body and body["error"]:
            raise RuntimeError(f"Datasette: {body.get('error')}")
        return body

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def datasette_cases(subjects):
    """Datasette's nearest equivalents: the same published filter, the same facets, the same LIKE search."""
    from interventions.models import Organisation, Theme

    table = "interventions_intervention"
    facets = [("_facet", "organisation_id"), ("_facet", "hearing_id"), ("_facet", "language")]
    base = [("status__exact", "published"), ("_sort_desc", "date"), ("_size", "20")]
    mid_org = Organisation.objects.get(slug=subjects["mid_org"][0]).pk
    mid_theme = Theme.objects.get(slug=subjects["mid_theme"][0]).pk
    largest = Organisation.objects.get(slug=subjects["largest_org"][0]).pk
    commonest = Theme.objects.get(slug=subjects["commonest_theme"][0]).pk

    def org_theme(org, theme):
        return (
            f"(organisation_id = {org} or id in (select intervention_id from interventions_intervention_on_behalf_of "
            f"where organisation_id = {org})) and id in (select intervention_id from interventions_intervention_themes "
            f"t join interventions_theme th on th.id = t.theme_id where th.id = {theme} or th.parent_id = {theme})"
        )

    def search(term):
        columns = ["title", "summary", "text_delivered", "text_submitted"]
        return " or ".join(f"{column} like '%{term}%'" for column in columns)

    return {
        "list, page 1 (with its facets)": (table, base + facets),
        "list, mid org + mid theme": (table, [*base, *facets, ("_where", org_theme(mid_org, mid_theme))]),
        "list, largest org + commonest theme": (table, [*base, *facets, ("_where", org_theme(largest, commonest))]),
        "list, language + type facets": (
            table,
            [
                *base,
                *facets,
                ("language__exact", "fr"),
                ("_where", "organisation_id in (select id from interventions_organisation where type = 'ngo')"),
            ],
        ),
        "search q (rare term, ~4%)": (table, [*base, ("_where", search("ombudsperson"))]),
        "search q (common term, ~18%)": (table, [*base, ("_where", search("remediation"))]),
        "search q (a word in ~2.5% of titles)": (table, [*base, ("_where", search("corruption"))]),
    }


def child(args):
    os.environ["DATABASE_URL"] = args.url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    # Measure every page to the end: the web's statement timeout would turn a slow page into a fast 503.
    os.environ.setdefault("DB_STATEMENT_TIMEOUT_MS", "0")
    # The test client speaks plain HTTP; production settings would redirect every request to HTTPS.
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    import django
    from django.conf import settings

    # Production settings (DEBUG off: no query log), but static URLs without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    django.setup()
    from django.db import connection
    from django.test import Client

    client = Client()
    subjects = pick_subjects()
    results = {"subjects": subjects, "vendor": connection.vendor, "pages": {}, "datasette": {}}
    with connection.cursor() as cursor:
        cursor.execute("select version()" if connection.vendor == "postgresql" else "select sqlite_version()")
        results["db_version"] = cursor.fetchone()[0]
    if not args.no_exports:
        results["exports"] = measure_exports(client)
    for title, url in pages(subjects):
        slug = "".join(ch if ch.isalnum() else "-" for ch in title.lower()).strip("-")
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        results["pages"][title] = measure_page(client, connection, url, args, slug)
        results["pages"][title]["rss_mb"] = max(rss_before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024
        print(f"  {title}: {results['pages'][title]['page']['median']:.1f} ms", file=sys.stderr, flush=True)
    if connection.vendor == "sqlite" and args.datasette:
        datasette = Datasette(args.datasette, args.url.removeprefix("sqlite:///"))
        results["datasette_version"] = datasette.version
        try:
            for title, (table, params) in datasette_cases(subjects).items():
                url = datasette.url(table, params)
                results["datasette"][title] = timed(
                    lambda url=url: datasette.get(url), args.repeat, args.warmup, args.budget
                )
                print(f"  datasette {title}: {results['datasette'][title]['median']:.1f} ms", file=sys.stderr)
        finally:
            datasette.stop()
    json.dump(results, sys.stdout)


# ---------------------------------------------------------------- parent: seed, run, report


def machine():
    def command(*words):
        try:
            return subprocess.run(words, capture_output=True, text=True, timeout=10).stdout.strip()  # noqa: S603
        except OSError:
            return "?"

    memory = command("free", "-g").splitlines()
    import django

    return {
        "cpus": os.cpu_count(),
        "cpu": next(
            (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?"
        ),
        "memory": memory[1].split()[1] + " GiB" if len(memory) > 1 else "?",
        "python": platform.python_version(),
        "django": django.get_version(),
        "os": platform.platform(),
    }


def seed(engine, size_label, args):
    url = database_url(engine, size_label, args)
    env = {**os.environ, "DATABASE_URL": url}
    if engine == "postgresql":
        name = url.rsplit("/", 1)[1]
        admin = urllib.parse.urlparse(args.pg)
        psql = ["psql", "-h", admin.hostname or "127.0.0.1", "-p", str(admin.port or 5432), "-U", admin.username]
        subprocess.run([*psql, "-q", "-c", f"DROP DATABASE IF EXISTS {name}"], check=True)  # noqa: S603
        subprocess.run([*psql, "-q", "-c", f"CREATE DATABASE {name}"], check=True)  # noqa: S603
    else:
        DATA.mkdir(exist_ok=True)
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)  # noqa: S603
    began = time.perf_counter()
    subprocess.run(  # noqa: S603
        [*manage, "seed_synthetic", "--interventions", str(size_value(size_label)), "--seed", str(args.seed_value)],
        env=env,
        check=True,
    )
    return time.perf_counter() - began


def fmt(value, digits=0):
    return "–" if value is None else f"{value:,.{digits}f}"


def report(runs, info, seeding, args):
    lines = [
        f"## Pages{'' if args.section == 'pages' else ' (' + args.section + ')'}",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `make bench` (bench/run.py). What the numbers "
        "mean, the targets missed and what would close them: bench/README.md.",
        "",
        "### Machine",
        "",
        f"- {info['cpus']} CPUs ({info['cpu']}), {info['memory']} memory, shared with other engineers' test runs:",
        "  absolute numbers are noisy; compare ratios measured within one run.",
        f"- Python {info['python']}, Django {info['django']}, {info['os']}",
    ]
    for run in runs:
        lines.append(f"- {run['label']}: {run['db_version'][:80]}")
        if run.get("datasette_version"):
            lines.append(f"- Datasette {run['datasette_version']} (bench/.venv only), serving the same SQLite file")
    if seeding:
        lines += ["", "### Seeding", "", "| database | seconds | interventions/s |", "|---|---:|---:|"]
        for label, seconds, size in seeding:
            lines.append(f"| {label} | {seconds:.0f} | {size / seconds:,.0f} |")
    for run in runs:
        subjects = run["subjects"]
        lines += [
            "",
            f"### {run['label']}",
            "",
            f"{subjects['total']:,} published interventions. Largest organisation `{subjects['largest_org'][0]}` "
            f"({subjects['largest_org'][1]:,}), mid-sized `{subjects['mid_org'][0]}` ({subjects['mid_org'][1]:,}); "
            f"commonest theme `{subjects['commonest_theme'][0]}` ({subjects['commonest_theme'][1]:,}), "
            f"mid theme `{subjects['mid_theme'][0]}` ({subjects['mid_theme'][1]:,}).",
            "",
            "Times in ms. *median*, *p95*: repeated views, each rendered (kept pages off), once the unfiltered list "
            "has been viewed since the last change (its snapshot counted) and the page's own counts kept; *kept*: the "
            "same views read back whole from the kept pages, as every visitor without a session gets them until the "
            "next change (config/pagecache.py); *first view after a change*: one view right after a change to the "
            "archive, nothing kept. *floor* = the rendered page's own SQL re-run directly (all of its queries; the "
            "slowest alone); *ours* = rendered median minus the floor (Python, ORM, templates). The Datasette ratios "
            "compare the rendered page, then the kept one.",
            "",
            "| page | median | p95 | n | kept median | kept p95 | first view after a change | queries "
            "| floor (all SQL) | slowest query | ours | Datasette median | ours/Datasette | kept/Datasette |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        if run.get("exports"):
            total = subjects["total"]
            table = [
                "",
                "Whole-archive exports (every published row, through the view, read to the end):",
                "",
            ]
            table += ["| export | seconds | rows/s | MiB out | peak RSS MiB |", "|---|---:|---:|---:|---:|"]
            for name, export in run["exports"].items():
                table.append(
                    f"| {name} | {export['seconds']:.1f} | {total / export['seconds']:,.0f} | {export['mib']:.0f} "
                    f"| {export['rss_mb']:.0f} |"
                )
            lines[-4:-4] = table + [""]
        for title, page in run["pages"].items():
            datasette = run["datasette"].get(title)
            kept = page.get("kept") or {}
            ratio = page["page"]["median"] / datasette["median"] if datasette else None
            kept_ratio = kept["median"] / datasette["median"] if datasette and kept else None
            lines.append(
                f"| {title} | {fmt(page['page']['median'], 1)} | {fmt(page['page']['p95'], 1)} | {page['page']['n']} "
                f"| {fmt(kept.get('median'), 1)} | {fmt(kept.get('p95'), 1)} "
                f"| {fmt(page.get('cold'), 1)} | {page['queries']} | {fmt(page['floor_all'], 1)} "
                f"| {fmt(page['floor_slowest'], 1)} "
                f"| {fmt(page['page']['median'] - page['floor_all'], 1)} "
                f"| {fmt(datasette['median'], 1) if datasette else '–'} | {fmt(ratio, 2) if ratio else '–'} "
                f"| {fmt(kept_ratio, 3) if kept_ratio else '–'} |"
            )
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100k", help="Comma-separated sizes: 10k, 100k, 1m.")
    parser.add_argument("--engines", default="postgresql,sqlite")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server address.")
    parser.add_argument("--pg-prefix", default="archive_bench", help="PostgreSQL database names: PREFIX_SIZE.")
    parser.add_argument("--seed", action="store_true", help="(Re)build the databases with seed_synthetic first.")
    parser.add_argument("--seed-value", type=int, default=1)
    parser.add_argument("--datasette", default=str(BENCH / ".venv" / "bin" / "datasette"))
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--budget", type=float, default=20.0, help="Seconds at most per measurement (min 3 runs).")
    parser.add_argument("--output", default=str(RESULTS))
    parser.add_argument("--section", default="pages", help="The section of RESULTS.md this run replaces.")
    parser.add_argument("--no-exports", action="store_true", help="Skip the whole-archive CSV and JSON exports.")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--label", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    runs, seeding = [], []
    for size in args.sizes.split(","):
        for engine in args.engines.split(","):
            label = f"{engine}-{size}"
            if args.seed:
                seconds = seed(engine, size, args)
                seeding.append((label, seconds, size_value(size)))
            url = database_url(engine, size, args)
            datasette = args.datasette if engine == "sqlite" and Path(args.datasette).exists() else ""
            print(f"== {label}", file=sys.stderr, flush=True)
            output = subprocess.run(  # noqa: S603
                [
                    sys.executable,
                    __file__,
                    "--child",
                    "--url",
                    url,
                    "--label",
                    label,
                    "--datasette",
                    datasette,
                    "--repeat",
                    str(args.repeat),
                    "--warmup",
                    str(args.warmup),
                    "--budget",
                    str(args.budget),
                    # SQLite exports in Python, at a few hundred rows a second here: bench-export measures those.
                    *(["--no-exports"] if args.no_exports or engine == "sqlite" else []),
                ],
                stdout=subprocess.PIPE,
                text=True,
                check=False,
            )
            if output.returncode:
                raise SystemExit(f"{label} failed")
            run = json.loads(output.stdout)
            run["label"] = f"{'PostgreSQL' if engine == 'postgresql' else 'SQLite'}, {size} interventions"
            runs.append(run)
    import django

    django.setup()
    text = report(runs, machine(), seeding, args)
    print(text)
    # Only this script's section: the export and load benchmarks keep theirs.
    write_section(args.section, text, args.output)


if __name__ == "__main__":
    main()
