"""Turn run.sh's locust CSVs and probe log into its section of bench/RESULTS.md (printed to stdout).

run.sh stores it with bench/results.py as section `load-N` (N interventions), so a run at one size keeps
the other sizes' runs, the other benchmarks' sections and the notes written by hand (`load-notes`).
"""

import argparse
import csv
import datetime
import json
import os
import platform
from pathlib import Path

PERCENTILES = ["50%", "90%", "95%", "99%", "100%"]


def stats(data: Path, prefix: str) -> list[dict]:
    with open(data / f"{prefix}_stats.csv", newline="") as stream:
        return list(csv.DictReader(stream))


def failures(data: Path, prefix: str) -> list[dict]:
    path = data / f"{prefix}_failures.csv"
    if not path.exists():
        return []
    with open(path, newline="") as stream:
        return list(csv.DictReader(stream))


def history(data: Path, prefix: str) -> list[tuple[float, int, int]]:
    """(time, requests so far, failures so far) each second, from locust's --csv history."""
    with open(data / f"{prefix}_stats_history.csv", newline="") as stream:
        return [
            (float(row["Timestamp"]), int(row["Total Request Count"]), int(row["Total Failure Count"]))
            for row in csv.DictReader(stream)
            if row["Name"] == "Aggregated"
        ]


def table(rows: list[dict]) -> list[str]:
    lines = [
        "| Request | Count | Failures | req/s | median ms | p90 ms | p95 ms | p99 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        name = "**All**" if row["Name"] == "Aggregated" else f"`{row['Name']}`"
        values = [row[p] for p in PERCENTILES]
        lines.append(
            f"| {name} | {row['Request Count']} | {row['Failure Count']} | {float(row['Requests/s']):.1f} | "
            + " | ".join(values)
            + " |"
        )
    return lines


def main():
    parser = argparse.ArgumentParser()
    for name in ("data", "users", "duration", "fault-at", "fault-for", "master-before", "master-after"):
        parser.add_argument(f"--{name}", required=True)
    args = parser.parse_args()
    data = Path(args.data)
    size = json.loads((data / "targets.json").read_text())["size"]
    load, fault = stats(data, "load"), stats(data, "fault")
    events = {}
    for line in (data / "fault-times.txt").read_text().split("\n"):
        if line.strip():
            moment, event = line.split()
            events[event] = float(moment)
    probes = []
    for line in (data / "probe.txt").read_text().split("\n"):
        if line.strip():
            moment, url, status, seconds = line.split()[:4]
            probes.append((float(moment), url, status, float(seconds)))
    down, up = events["stopped"], events["started"]
    answered_during = [probe for probe in probes if down <= probe[0] + probe[3] < up + 1]
    seconds = history(data, "fault")
    before = max((point for point in seconds if point[0] <= down), default=(down, 0, 0))
    at_restart = max((point for point in seconds if point[0] <= up), default=(up, 0, 0))
    final = seconds[-1] if seconds else (up, 0, 0)
    recovered_at = next(
        (
            later[0] - up
            for earlier, later in zip(seconds, seconds[1:], strict=False)
            if later[0] > up and later[1] > earlier[1] and later[2] == earlier[2]
        ),
        None,
    )
    last_failure = max(
        (later[0] for earlier, later in zip(seconds, seconds[1:], strict=False) if later[2] > earlier[2]), default=None
    )
    outage = up - down
    load_failures = int(next(row for row in load if row["Name"] == "Aggregated")["Failure Count"])

    out = [
        f"### Run at {size['interventions']:,} interventions",
        "",
        f"Written by `bench/load/run.sh` on {datetime.date.today():%Y-%m-%d}. A benchmark, not a test:",
        "numbers depend on the machine and on what else runs on it.",
        "",
        f"- Archive: **{size['interventions']:,} interventions** ({size['public']:,} public) in PostgreSQL.",
        f"- Server: gunicorn on 127.0.0.1, {os.cpu_count()} CPUs, config/gunicorn.conf.py defaults "
        f"({os.cpu_count() * 2 + 1} sync workers), DEBUG off; machine load average before the report "
        f"{os.getloadavg()[0]:.1f} ({platform.python_version()}, {platform.machine()}).",
        f"- Load: locust, {args.users} concurrent clients, each waiting 0.1–0.5 s between requests, {args.duration} s; "
        "the mix of bench/load/locustfile.py (lists, filters, searches, detail pages).",
        "",
        f"#### Load: {args.duration} s at {args.users} clients — "
        + (f"{load_failures} errors" if load_failures else "zero errors"),
        "",
        *table(load),
        "",
    ]
    for failure in failures(data, "load"):
        out.append(f"- {failure['Occurrences']} × {failure['Method']} {failure['Name']}: {failure['Error']}")
    out += [
        "",
        f"#### Fault: PostgreSQL stopped {args.fault_at} s into the same load, for {args.fault_for} s",
        "",
        f"- Before the stop: {before[1]} requests, {before[2]} failures.",
        f"- During the {outage:.1f} s outage: {at_restart[1] - before[1]} requests answered "
        f"({(at_restart[1] - before[1]) / outage:.1f}/s), {at_restart[2] - before[2]} of them with the 503 page.",
        "- Service back: "
        + (
            f"first requests answered without failure {recovered_at:.0f} s after PostgreSQL started."
            if recovered_at is not None
            else "NOT within the run."
        ),
        "- Last failure: " + (f"{last_failure - up:+.0f} s from the restart." if last_failure is not None else "none."),
        f"- After the restart: {final[1] - at_restart[1]} requests, {final[2] - at_restart[2]} failures.",
        f"- gunicorn master pid {args.master_before} before, {args.master_after} after: "
        + ("no restart." if args.master_before == args.master_after else "RESTARTED."),
        "- A probe beside the load (curl, 30 s timeout) got "
        + (", ".join(f"{p[2]} in {p[3]:.1f} s" for p in answered_during) or "no answer")
        + " for answers that arrived while the database was down; under this load a request first waits for a "
        "free worker, so its time is mostly queueing.",
        "",
        "Locust's view of the whole fault run (the failures are the 503 pages served while the database was down):",
        "",
        *table(fault),
        "",
    ]
    for failure in failures(data, "fault"):
        out.append(f"- {failure['Occurrences']} × {failure['Method']} {failure['Name']}: {failure['Error']}")
    print("\n".join(out))


if __name__ == "__main__":
    main()
