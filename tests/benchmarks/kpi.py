"""Benchmarks of the KPI dashboard's figures (issue 5, "Speed") on a large desk.

    python -m tests.benchmarks.kpi --db /tmp/bench1m.db

The desk is a demo desk (``sportello demo --tickets 1000000 --no-tui``: a year of tickets with
SLA rules, measures, surveys and complaints). Times ``models.reports.kpi.kpi_report`` — everything the
dashboard shows — over the demo's whole year, as the dashboard asks for it (per agent) and per
organization, per segment and filtered to one queue; then the churn-risk list and one
organization's profile. Each is run 5 times in a fresh connection; target: the year's dashboard
under 2 s.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .core import machine

HERE = Path(__file__).parent
TARGET_S = 2.0
RUNS = 5


def _time(fn) -> list[float]:
    from models.store.db import close_database, database

    times = []
    for _ in range(RUNS):
        close_database()
        database.connect(reuse_if_open=True)
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def measure() -> tuple[dict[str, list[float]], dict]:
    from models.reports import churn, kpi, organizations
    from models.store.tables import Organization, Queue, Ticket

    # The demo's year ends when it was built (sportello demo --at …): measure the year up to its newest change.
    end = Ticket.select(Ticket.updated_at).order_by(Ticket.updated_at.desc()).limit(1).scalar()
    start = end - timedelta(days=365)
    queue = Queue.select().order_by(Queue.id).first().name
    org = Organization.select().order_by(Organization.id).first().id
    sample = kpi.kpi_report(start, end).totals
    runs = {
        "dashboard, one year, per agent": lambda: kpi.kpi_report(start, end, by="agent"),
        "one year, per organization": lambda: kpi.kpi_report(start, end, by="org"),
        "one year, per segment (tier)": lambda: kpi.kpi_report(start, end, by="segment"),
        f"one year, queue {queue} only": lambda: kpi.kpi_report(start, end, filters=kpi.Filters(queue=queue)),
        "last 30 days, per agent": lambda: kpi.kpi_report(end - timedelta(days=30), end),
        "churn-risk list": lambda: churn.at_risk(now=end),
        "one organization's profile": lambda: organizations.profile(org, now=end),
    }
    got = {}
    for name, fn in runs.items():
        got[name] = _time(fn)
        print(f"{name}: {', '.join(f'{t:.2f}' for t in got[name])} s", flush=True)
    return got, sample.as_dict()


def report(url: str, tickets: int, got: dict[str, list[float]], sample: dict) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    s = lambda x: f"{x:.2f} s"  # noqa: E731
    lines = [
        f"## KPIs (issue 5) — {url.split(':', 1)[0]}, {tickets:,} tickets — {stamp}",
        "",
        f"Machine: {machine()}",
        "",
        f"Command: `python -m tests.benchmarks.kpi --db {url.removeprefix('sqlite:///')}`",
        "",
        f"The year's figures: {sample['created']:,} created, {sample['resolved']:,} resolved, "
        f"SLA compliance {sample['sla_compliance_pct']}%, CSAT {sample['csat_average']} "
        f"({sample['answers']:,} answers), {sample['complaints']:,} complaints.",
        "",
        "| measure | runs | median | max | target | verdict |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, times in got.items():
        target = f"< {TARGET_S:.0f} s" if name.startswith("dashboard") else ""
        verdict = ("ok" if max(times) < TARGET_S else "**over**") if target else ""
        lines.append(
            f"| {name} | {len(times)} | {s(statistics.median(times))} | {s(max(times))} | {target} | {verdict} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="/tmp/bench1m.db")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    from models import open_database
    from models.store.tables import Ticket

    url = args.db if "://" in args.db else "sqlite:///" + str(Path(args.db).resolve())
    open_database(url)
    got, sample = measure()
    text = report(url, Ticket.select().count(), got, sample)
    print(text)
    if not args.no_write:
        with (HERE / "RESULTS.md").open("a") as out:
            out.write("\n" + text)


if __name__ == "__main__":
    main()
