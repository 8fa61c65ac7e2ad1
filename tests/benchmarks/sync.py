"""Benchmarks of sync (issue 6, "Speed") against a real Roundup tracker on loopback.

    python -m tests.benchmarks.sync --tickets 500

A tracker is installed and served (``tests/roundup_server.py``), then filled with ``--tickets``
issues of one message each through Roundup's own Python API (fast, no HTTP). Then:

1. *Bare loop*: httpx alone sends the requests an initial pull needs — the issue pages and, per
   issue, its message list and each message — and reads their JSON. No database.
2. *Initial pull*: ``sync_one`` on an empty SQLite desk: the same pages, plus every import written
   through the service functions with its links. Target: within 1.3x the bare loop.
3. *Idle incremental sync*: the next ``sync_one``, nothing to do. Target: < 1 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from .core import machine

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/ holds the server helpers


def seed(tracker: Path, count: int) -> None:
    import roundup.instance

    instance = roundup.instance.open(str(tracker))
    db = instance.open("admin")
    try:
        for n in range(count):
            msg = db.msg.create(content=f"Message of benchmark ticket {n}", author="1")
            db.issue.create(title=f"Benchmark ticket {n}", messages=[msg], status="1", priority="3")
        db.commit()
    finally:
        db.close()
    os.system(f"chown -R nobody:nogroup {tracker} 2>/dev/null")


def bare_loop(url: str, auth: tuple[str, str]) -> tuple[float, int]:
    """The requests an initial pull sends, in httpx alone: each page of issues (which lists their
    msgs), then those msgs 100 a request; the JSON is read, nothing is stored."""
    start, requests = time.perf_counter(), 0
    with httpx.Client(base_url=url + "/rest", auth=auth, headers={"Accept": "application/json"}, timeout=60) as c:
        index = 1
        while True:
            page = c.get("/data/issue", params={"@fields": "title,status,priority,creation,activity,creator,actor,messages",
                                                "@verbose": "2", "@sort": "activity,id", "@page_size": "100",
                                                "@page_index": str(index)}).json()  # fmt: skip
            requests += 1
            items = page["data"]["collection"]
            msg_ids = [link["id"] for item in items for link in item["messages"]]
            for at in range(0, len(msg_ids), 100):
                query = "&".join(f"id={i}" for i in msg_ids[at:at + 100])
                c.get(f"/data/msg?{query}&@fields=content,author,creation&@verbose=3&@page_size=100").json()
                requests += 1
            if len(items) < 100:
                return time.perf_counter() - start, requests
            index += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=500)
    parser.add_argument("--no-write", action="store_true", help="print, do not append to RESULTS.md")
    args = parser.parse_args()

    from roundup_server import running_tracker

    from models import close_database, open_database
    from models.config import Config
    from sync import remotes_from, sync_one

    with running_tracker() as server, tempfile.TemporaryDirectory() as tmp:
        seed(server.tracker_dir, args.tickets)
        bare, requests = bare_loop(server.url, (server.user, server.password))
        print(f"bare httpx loop: {bare:.2f} s, {requests} requests", flush=True)
        table = {"type": "roundup", "url": server.url, "user": server.user, "password_env": "BENCH_PW",
                 "max_pages": 100000}  # fmt: skip
        config = remotes_from(Config(remotes={"bench": table}))["bench"]
        open_database(f"sqlite:///{tmp}/desk.db", create=True)
        try:
            start = time.perf_counter()
            first = sync_one(config, env={"BENCH_PW": server.password})
            pull = time.perf_counter() - start
            print(f"initial pull: {pull:.2f} s ({pull / bare:.2f}x), {first.pulled} tickets, {first.errors} errors",
                  flush=True)  # fmt: skip
            idle = []
            for _ in range(5):
                start = time.perf_counter()
                sync_one(config, env={"BENCH_PW": server.password})
                idle.append(time.perf_counter() - start)
            idle.sort()
            print(f"idle incremental sync: median {idle[2] * 1000:.0f} ms, max {idle[-1] * 1000:.0f} ms", flush=True)
        finally:
            close_database()
    text = (f"\n## Sync, Roundup 2.6 on loopback — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n\n{machine()}\n\n"
            f"| measure | result | target |\n|---|---|---|\n"
            f"| bare httpx loop, {args.tickets} issues ({requests} requests) | {bare:.2f} s | — |\n"
            f"| initial pull, {args.tickets} issues (`sync_one`, SQLite) | {pull:.2f} s = **{pull / bare:.2f}x** | ≤ 1.3x |\n"
            f"| idle incremental sync, median of 5 (max) | {idle[2] * 1000:.0f} ms ({idle[-1] * 1000:.0f} ms) | < 1 s |\n")  # fmt: skip
    print(text)
    if not args.no_write:
        with (HERE / "RESULTS.md").open("a") as out:
            out.write(text)


if __name__ == "__main__":
    main()
