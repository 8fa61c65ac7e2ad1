"""Benchmarks of the desk core on a large demo desk (issue: the desk core, "Speed").

    python -m tests.benchmarks.core --tickets 1000000 --backend sqlite
    python -m tests.benchmarks.core --tickets 1000000 --backend postgres

Measures, on one desk built by ``sportello demo --tickets N --no-tui`` (run as a real subprocess,
timed end to end): a 50-row page of every built-in saved view, the next page of each (keyset),
full-text top-50 over words drawn from the desk's own vocabulary by frequency, and loading one
ticket with 1,000 events. Appends a section to ``tests/benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).parent
DATA = HERE / ".data"
PG_URL = os.environ.get("SPORTELLO_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
TARGETS = {"demo": 180_000.0, "view page": 5.0, "full-text top 50": 50.0, "1,000-event ticket": 50.0}


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.node()}: {os.cpu_count()} cores, {cpu}, {mem:.0f} GiB RAM, Python {platform.python_version()}"


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(fn, repeat: int) -> list[float]:
    fn()  # warm the cache: a desk in use has its hot pages in memory
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def prepare(backend: str, tickets: int) -> tuple[str, callable]:
    """A database URL for a fresh desk, and a function that removes it afterwards."""
    DATA.mkdir(exist_ok=True)
    if backend == "sqlite":
        path = DATA / f"bench-{tickets}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}", lambda: [Path(f"{path}{s}").unlink(missing_ok=True) for s in ("", "-wal", "-shm")]
    sys.path.insert(0, str(HERE.parent))
    from support.databases import drop_postgres_schema, postgres_schema_url

    schema, url = postgres_schema_url()
    return url, lambda: drop_postgres_schema(schema)


def build(url: str, tickets: int) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "tui", "--db", url, "demo", "--tickets", str(tickets), "--no-tui"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def vocabulary(sample: int = 3000) -> list[tuple[str, int]]:
    """Words of the desk's own messages with their frequency, from a sample of events."""
    from models.store.tables import TicketEvent

    counts: Counter[str] = Counter()
    rows = TicketEvent.select(TicketEvent.body).where(TicketEvent.body.is_null(False)).limit(sample).tuples()
    for (body,) in rows:
        counts.update(w.lower() for w in body.split() if w.isalpha() and len(w) > 3)
    return counts.most_common(400)


def thousand_event_ticket(actor) -> int:
    from models.tickets import changes as tickets

    ticket = tickets.create_ticket(actor, subject="A very long conversation", body="It starts here.")
    for i in range(999):
        tickets.add_note(actor, ticket.number, f"Note {i}: still looking into it, checked the logs again.")
    return ticket.number


def run(backend: str, tickets: int, repeat: int, keep: bool) -> list[tuple[str, str, float, float]]:
    from models import close_database, open_database
    from models.directory import agents
    from models.search.tickets import saved_view_queries, search_tickets
    from models.tickets.changes import get_ticket, state_of
    from models.tickets.timeline import events_of

    url, cleanup = prepare(backend, tickets)
    rows: list[tuple[str, str, float, float]] = []
    try:
        seconds = build(url, tickets)
        rows.append(("demo", f"`sportello demo --tickets {tickets:,} --no-tui`", seconds * 1000, seconds * 1000))
        open_database(url)
        me = agents.get_agent(agents.os_login())
        for name, query in saved_view_queries().items():
            first = search_tickets(query, me=me, limit=50)
            samples = timed(lambda: search_tickets(query, me=me, limit=50), repeat)  # noqa: B023 - called within this iteration
            rows.append(("view page", f"{name}: first page", statistics.median(samples), percentile(samples, 95)))
            if first.next_cursor:
                cursor = first.next_cursor
                samples = timed(lambda: search_tickets(query, me=me, limit=50, after=cursor), repeat)  # noqa: B023 - called within this iteration
                rows.append(("view page", f"{name}: next page", statistics.median(samples), percentile(samples, 95)))
        words = vocabulary()
        rng = random.Random(11)
        population, weights = [w for w, _ in words], [c for _, c in words]
        queries = [" ".join(rng.choices(population, weights, k=rng.choice([1, 1, 2, 2, 3]))) for _ in range(200)]
        samples = []
        for query in queries:
            search_tickets(query, me=me, limit=50)
            start = time.perf_counter()
            search_tickets(query, me=me, limit=50)
            samples.append((time.perf_counter() - start) * 1000)
        rows.append(
            ("full-text top 50", f"{len(queries)} queries of 1–3 desk words", statistics.median(samples),
             percentile(samples, 95))
        )  # fmt: skip
        number = thousand_event_ticket(me)
        samples = timed(lambda: (state_of(get_ticket(number)), events_of(number)), repeat)
        rows.append(("1,000-event ticket", "row + state + full timeline", statistics.median(samples),
                     percentile(samples, 95)))  # fmt: skip
        close_database()
    finally:
        if not keep:
            cleanup()
    return rows


def report(backend: str, tickets: int, rows) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## Desk core on {backend}, {tickets:,} tickets — {stamp}",
        "",
        f"Machine: {machine()}",
        "",
        "| measure | what | median | p95 | target | verdict |",
        "|---|---|---:|---:|---:|---|",
    ]
    for kind, what, median, p95 in rows:
        target = TARGETS[kind]
        unit = lambda ms: f"{ms / 1000:.1f} s" if ms >= 1000 else f"{ms:.2f} ms"  # noqa: E731
        verdict = "ok" if p95 <= target else "**over**"
        lines.append(f"| {kind} | {what} | {unit(median)} | {unit(p95)} | < {unit(target)} | {verdict} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--no-write", action="store_true", help="print, do not append to RESULTS.md")
    args = parser.parse_args()
    text = report(args.backend, args.tickets, run(args.backend, args.tickets, args.repeat, args.keep))
    print(text)
    if not args.no_write:
        results = HERE / "RESULTS.md"
        if not results.exists():
            results.write_text("# Benchmark results\n\nWritten by the scripts in this folder; newest last.\n\n")
        with results.open("a") as out:
            out.write(text + "\n")


if __name__ == "__main__":
    main()
