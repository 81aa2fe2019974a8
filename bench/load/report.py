"""Turn run.sh's locust CSVs and probe log into bench/RESULTS.md (printed to stdout)."""

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
            moment, url, status, seconds = line.split()
            probes.append((float(moment), url, status, float(seconds)))
    down, up = events["stopped"], events["started"]
    during = [probe for probe in probes if down <= probe[0] < up]
    after = [probe for probe in probes if probe[0] >= up]
    first_ok = next((probe[0] - up for probe in after if probe[2] == "200"), None)
    statuses_during = sorted({probe[2] for probe in during})
    slowest_during = max((probe[3] for probe in during), default=0)
    failed_after = [probe for probe in after if probe[2] != "200" and probe[0] - up > 5]
    load_failures = int(next(row for row in load if row["Name"] == "Aggregated")["Failure Count"])

    out = [
        "# Load and fault results",
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
        f"## Load: {args.duration} s at {args.users} clients — "
        + (f"{load_failures} errors" if load_failures else "zero errors"),
        "",
        *table(load),
        "",
    ]
    for failure in failures(data, "load"):
        out.append(f"- {failure['Occurrences']} × {failure['Method']} {failure['Name']}: {failure['Error']}")
    out += [
        "",
        f"## Fault: PostgreSQL stopped {args.fault_at} s into the same load, for {args.fault_for} s",
        "",
        f"- While it was down, a probe beside the load got {', '.join(statuses_during) or 'no answer'} "
        f"from /healthz and /interventions/ ({len(during)} requests), the slowest in {slowest_during * 1000:.0f} ms.",
        f"- First 200 after PostgreSQL started again: {first_ok:.1f} s later."
        if first_ok is not None
        else "- No 200 after PostgreSQL started again.",
        f"- Errors more than 5 s after the restart: {len(failed_after)}.",
        f"- gunicorn master pid {args.master_before} before, {args.master_after} after: "
        + ("no restart." if args.master_before == args.master_after else "RESTARTED."),
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
