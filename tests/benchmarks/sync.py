"""Benchmarks of sync (issue 6, "Speed") against a real Roundup tracker or Request Tracker on loopback.

    python -m tests.benchmarks.sync --remote roundup --tickets 10000
    python -m tests.benchmarks.sync --remote rt --tickets 10000      # needs .ci/install-rt, as root

The remote is started (``tests/roundup_server.py``, ``tests/rt_server.py``) and filled with
``--tickets`` tickets of one message each through its own API in-process (Roundup's Python API,
RT's Perl API: fast, no HTTP). RT's tickets go to a queue of their own, so the shared RT of the
test suite is not disturbed. Then:

1. *Bare loop*: httpx alone sends the requests an initial pull sends (the change feed's pages and
   the bulk message reads) and reads their JSON. No database. It runs before and after the pull;
   the faster of the two is the yardstick (a server's caches warm up).
2. *Initial pull*: ``sync_one`` on an empty SQLite desk: the same requests, plus every import
   written through the service functions with its links. Target: within 1.3x the bare loop.
3. *Idle incremental sync*: the next ``sync_one``, nothing to do. Target: < 1 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from .core import machine

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/ holds the server helpers
PAGE = 100


@dataclass
class Side:
    """A seeded remote: how sync reaches it and how the bare loop does."""

    label: str
    table: dict  # the [remotes.bench] config table
    secret: str
    bare_loop: object  # () -> (seconds, requests)


# --- Roundup ---------------------------------------------------------------------------------------


def seed_roundup(tracker: Path, count: int) -> None:
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


def roundup_bare_loop(url: str, auth: tuple[str, str]) -> tuple[float, int]:
    """Each page of issues (which lists their msgs), then those msgs 100 a request."""
    start, requests = time.perf_counter(), 0
    with httpx.Client(base_url=url + "/rest", auth=auth, headers={"Accept": "application/json"}, timeout=120) as c:
        index = 1
        while True:
            page = c.get("/data/issue", params={"@fields": "title,status,priority,creation,activity,creator,actor,messages",
                                                "@verbose": "2", "@sort": "activity,id", "@page_size": str(PAGE),
                                                "@page_index": str(index)}).json()  # fmt: skip
            requests += 1
            items = page["data"]["collection"]
            msg_ids = [link["id"] for item in items for link in item["messages"]]
            for at in range(0, len(msg_ids), PAGE):
                query = "&".join(f"id={i}" for i in msg_ids[at : at + PAGE])
                c.get(f"/data/msg?{query}&@fields=content,author,creation&@verbose=3&@page_size={PAGE}").json()
                requests += 1
            if len(items) < PAGE:
                return time.perf_counter() - start, requests
            index += 1


@contextmanager
def roundup_side(count: int) -> Iterator[Side]:
    from support.roundup_server import running_tracker

    with running_tracker() as server:
        seed_roundup(server.tracker_dir, count)
        table = {"type": "roundup", "url": server.url, "user": server.user, "password_env": "BENCH_SECRET"}
        yield Side("Roundup 2.6", table, server.password,
                   lambda: roundup_bare_loop(server.url, (server.user, server.password)))  # fmt: skip


# --- Request Tracker -------------------------------------------------------------------------------

_SEED_RT = r"""
use strict;
use warnings;
use RT;
use MIME::Entity;
RT::LoadConfig();
RT::Init();
my ($name, $count) = ($ENV{BENCH_QUEUE}, $ENV{BENCH_COUNT});
my $queue = RT::Queue->new(RT->SystemUser);
my ($ok, $msg) = $queue->Create(Name => $name);
die "queue $name: $msg\n" unless $ok;
my $root = RT::CurrentUser->new(RT->SystemUser);
$root->Load('root');
$RT::Handle->BeginTransaction;
for my $n (1 .. $count) {
    my $mime = MIME::Entity->build(Type => 'text/plain', Charset => 'UTF-8',
                                   Data => ["Message of benchmark ticket $n\n"]);
    my $ticket = RT::Ticket->new($root);
    # The Create transaction is written by hand without scrips: no autoreply or notification mail
    # (a third of a second a ticket); what REST2 shows of the ticket is the same.
    my ($id, undef, $why) = $ticket->Create(
        Queue => $queue->Id, Subject => "Benchmark ticket $n", Status => 'new', Priority => 10,
        Requestor => ['customer' . ($n % 50) . '@example.com'], _RecordTransaction => 0);
    die "ticket $n: $why\n" unless $id;
    my ($tx, $tx_why) = $ticket->_NewTransaction(Type => 'Create', MIMEObj => $mime, ActivateScrips => 0);
    die "ticket $n, its Create transaction: $tx_why\n" unless $tx;
    unless ($n % 500) {
        $RT::Handle->Commit;
        $RT::Handle->BeginTransaction;
    }
}
$RT::Handle->Commit;
"""


def rt_search(c: httpx.Client, path: str, query: list[dict], fields: str) -> tuple[list[dict], int]:
    items, requests, index = [], 0, 1
    while True:
        params = {"fields": fields, "orderby": "id", "order": "ASC", "per_page": str(PAGE), "page": str(index)}
        data = c.post(path, params=params, json=query).json()
        requests += 1
        items += data["items"]
        if not data.get("next_page") or not data["items"]:
            return items, requests
        index += 1


def rt_bare_loop(rest: str, token: str, queue: str) -> tuple[float, int]:
    """Each page of the queue's tickets, then one transaction search and one attachment search."""
    start, requests = time.perf_counter(), 0
    headers = {"Authorization": f"token {token}", "Accept": "application/json"}
    with httpx.Client(base_url=rest, headers=headers, timeout=120) as c:
        index = 1
        while True:
            params = [("query", f"Queue = '{queue}' AND id > 0"),
                      ("fields", "Subject,Status,Priority,Requestor,Created,LastUpdated,LastUpdatedBy"),
                      ("fields[Requestor]", "EmailAddress"), ("orderby", "LastUpdated"), ("orderby", "id"),
                      ("order", "ASC"), ("order", "ASC"), ("per_page", str(PAGE)), ("page", str(index))]  # fmt: skip
            data = c.get("/tickets", params=params).json()
            requests += 1
            ids = [int(item["id"]) for item in data["items"]]
            if ids:
                query = [{"field": "ObjectType", "value": "RT::Ticket"},
                         {"field": "ObjectId", "operator": "IN", "value": ids},
                         {"field": "Type", "operator": "IN", "value": ["Create", "Correspond", "Comment"]}]  # fmt: skip
                transactions, sent = rt_search(c, "/transactions", query, "ObjectId,Type,Creator,Created")
                requests += sent
                tx_ids = [int(t["id"]) for t in transactions]
                for at in range(0, len(tx_ids), PAGE):
                    query = [{"field": "TransactionId", "operator": "IN", "value": tx_ids[at : at + PAGE]}]
                    requests += rt_search(c, "/attachments", query, "TransactionId,ContentType,Filename,Content")[1]
            if not data.get("next_page") or not data["items"]:
                return time.perf_counter() - start, requests
            index += 1


@contextmanager
def rt_side(count: int) -> Iterator[Side]:
    from support.rt_server import rt_problem, run_perl, running_rt

    problem = rt_problem()
    if problem:
        sys.exit(f"benchmark: {problem}")
    queue = f"Sportello bench {uuid.uuid4().hex[:8]}"
    with running_rt() as server:
        run_perl(_SEED_RT, {"BENCH_QUEUE": queue, "BENCH_COUNT": str(count)}, timeout=7200)
        table = {"type": "rt", "url": server.url, "user": server.user, "token_env": "BENCH_SECRET", "queue": queue}
        yield Side("Request Tracker 5", table, server.token, lambda: rt_bare_loop(server.rest, server.token, queue))


# --- the run ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--remote", choices=("roundup", "rt"), default="roundup")
    parser.add_argument("--tickets", type=int, default=500)
    parser.add_argument("--no-write", action="store_true", help="print, do not append to RESULTS.md")
    args = parser.parse_args()

    from models import close_database, open_database
    from models.store.config import Config
    from sync import remotes_from, sync_one

    sides = {"roundup": roundup_side, "rt": rt_side}
    started = time.perf_counter()
    with sides[args.remote](args.tickets) as side, tempfile.TemporaryDirectory() as tmp:
        print(f"seeded {args.tickets} tickets in {time.perf_counter() - started:.0f} s", flush=True)
        bare, requests = side.bare_loop()
        print(f"bare httpx loop: {bare:.2f} s, {requests} requests", flush=True)
        config = remotes_from(Config(remotes={"bench": {**side.table, "max_pages": 100000}}))["bench"]
        env = {"BENCH_SECRET": side.secret}
        open_database(f"sqlite:///{tmp}/desk.db", create=True)
        try:
            start = time.perf_counter()
            first = sync_one(config, env=env)
            pull = time.perf_counter() - start
            from models.store.tables import TicketEvent

            bodies = TicketEvent.select().where(TicketEvent.body.startswith("Message of benchmark ticket")).count()
            assert bodies == args.tickets, f"{bodies} first messages arrived, not {args.tickets}"
            print(f"initial pull: {pull:.2f} s ({pull / bare:.2f}x the first loop), {first.pulled} tickets, "
                  f"{first.errors} errors",
                  flush=True)  # fmt: skip
            idle = []
            for _ in range(5):
                start = time.perf_counter()
                again = sync_one(config, env=env)
                idle.append(time.perf_counter() - start)
                assert again.pulled == 0 and again.errors == 0, again.report
            idle.sort()
            print(f"idle incremental sync: median {idle[2] * 1000:.0f} ms, max {idle[-1] * 1000:.0f} ms", flush=True)
        finally:
            close_database()
        bare_after, _ = side.bare_loop()
        print(f"bare httpx loop again: {bare_after:.2f} s", flush=True)
    bare_before, bare = bare, min(bare, bare_after)
    verdict = lambda ok: "ok" if ok else "**over**"  # noqa: E731
    text = (f"\n## Sync, {side.label} on loopback, {args.tickets:,} tickets — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n\n"
            f"{machine()}\n\n"
            f"| measure | result | target | verdict |\n|---|---|---|---|\n"
            f"| bare httpx loop ({requests:,} requests), before / after the pull "
            f"| {bare_before:.2f} s / {bare_after:.2f} s | — | |\n"
            f"| initial pull (`sync_one`, SQLite; {first.pulled:,} imported, {first.errors} errors) "
            f"| {pull:.2f} s = **{pull / bare:.2f}x** the faster loop | ≤ 1.3x | {verdict(pull / bare <= 1.3)} |\n"
            f"| idle incremental sync, median of 5 (max) | {idle[2] * 1000:.0f} ms ({idle[-1] * 1000:.0f} ms) "
            f"| < 1 s | {verdict(idle[-1] < 1)} |\n")  # fmt: skip
    print(text)
    if not args.no_write:
        with (HERE / "RESULTS.md").open("a") as out:
            out.write(text)


if __name__ == "__main__":
    main()
