"""Benchmarks of SLA deadlines (issue 5, "Speed") on a large desk.

    python -m tests.benchmarks.sla --db /tmp/bench1m.db

Sets up a business calendar (Mon–Fri 09:00–13:00 and 14:00–18:00, Europe/Rome, two holidays)
and three policies (premium/high, premium, everyone else) if the desk has none, which re-evaluates
every open ticket (timed and reported once). Then:

1. *Due-time recomputation for one event*: ``sla.refresh`` (policy lookup, status history,
   the three clocks, the row update) for 300 random open tickets, in a transaction each, as the
   service layer runs it after every change; target p95 < 5 ms.
2. *A status change end to end* (lock, events, fold, full text, SLA refresh): 100 open → pending
   → open round trips, for scale.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from .core import machine, percentile

HERE = Path(__file__).parent
TARGET_MS = 5.0


def setup() -> float | None:
    """Create the rules if missing; return how long re-evaluating the open tickets took (ms)."""
    from models.directory import agents
    from models.sla import rules as sla

    if sla.policies():
        return None
    admin = agents.ensure_admin(agents.os_login())
    hours = {day: "09:00-13:00, 14:00-18:00" for day in ("mon", "tue", "wed", "thu", "fri")}
    sla.save_calendar(admin, "Office", timezone="Europe/Rome", hours=hours, holidays=["2026-12-25", "2026-12-26"])
    sla.save_policy(admin, "Premium high", tier="premium", priority="high", calendar="Office", first_response=60,
                    next_response=120, resolution=480, refresh=False)  # fmt: skip
    sla.save_policy(admin, "Premium", tier="premium", calendar="Office", first_response=240, next_response=480,
                    resolution=2400, refresh=False)  # fmt: skip
    sla.save_policy(admin, "Standard", calendar="Office", first_response=480, resolution=4800, refresh=False)
    start = time.perf_counter()
    sla.refresh_open()
    return (time.perf_counter() - start) * 1000


def measure(rng: random.Random) -> dict[str, list[float]]:
    from models.directory import agents
    from models.sla import rules as sla
    from models.store.db import write_transaction
    from models.store.tables import Ticket
    from models.tickets import changes as tickets

    open_ = [n for (n,) in Ticket.select(Ticket.number).where(Ticket.status.in_(["new", "open"])).tuples()]
    among = sla.policies()
    refresh = []
    for number in rng.sample(open_, 300):
        with write_transaction():  # as in the service: inside the change's own transaction
            start = time.perf_counter()
            sla.refresh(number, among=among)
            refresh.append((time.perf_counter() - start) * 1000)
    admin = agents.ensure_admin(agents.os_login())
    changes = []
    for number in rng.sample([n for n in open_ if Ticket.get_by_id(n).status == "open"], 50):
        for status in ("pending", "open"):
            start = time.perf_counter()
            tickets.set_status(admin, number, status)
            changes.append((time.perf_counter() - start) * 1000)
    return {"refresh": refresh, "change": changes}


def report(url: str, tickets: int, open_count: int, setup_ms: float | None, got: dict[str, list[float]]) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    ms = lambda x: f"{x:.2f} ms"  # noqa: E731
    refresh, change = got["refresh"], got["change"]
    p95 = percentile(refresh, 95)
    lines = [
        f"## SLA deadlines (issue 5) — {url.split(':', 1)[0]}, {tickets:,} tickets ({open_count:,} open) — {stamp}",
        "",
        f"Machine: {machine()}",
        "",
        f"Command: `python -m tests.benchmarks.sla --db {url.removeprefix('sqlite:///')}`",
        "",
        "| measure | runs | median | p95 | max | target | verdict |",
        "|---|---:|---:|---:|---:|---:|---|",
        f"| due-time recomputation for one event (`sla.refresh`) | {len(refresh)} | {ms(statistics.median(refresh))} "
        f"| {ms(p95)} | {ms(max(refresh))} | < {TARGET_MS:.0f} ms (p95) | {'ok' if p95 < TARGET_MS else '**over**'} |",
        f"| status change end to end (incl. refresh) | {len(change)} | {ms(statistics.median(change))} "
        f"| {ms(percentile(change, 95))} | {ms(max(change))} | | |",
    ]
    if setup_ms is not None:
        lines.append(f"| re-evaluating every open ticket after the rules were set (`refresh_open`) | 1 | "
                     f"{setup_ms / 1000:.1f} s | | | | |")  # fmt: skip
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
    setup_ms = setup()
    got = measure(random.Random("sportello-bench-sla"))
    open_count = Ticket.select().where(Ticket.status.in_(["new", "open", "pending", "on_hold"])).count()
    text = report(url, Ticket.select().count(), open_count, setup_ms, got)
    print(text)
    if not args.no_write:
        with (HERE / "RESULTS.md").open("a") as out:
            out.write("\n" + text)


if __name__ == "__main__":
    main()
