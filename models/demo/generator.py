"""``sportello demo``: fill an empty desk with a realistic, reproducible year of helpdesk work.

Everything is derived from ``random.Random(seed)`` and the moment the story ends (``at``: now
by default, so the newest work is minutes old): the same seed and ``at`` give the same desk,
byte for byte. The reference data (agents, queues, organizations, customers, SLA, FAQ, saved
views) comes from ``models.demo.reference``, the tickets' histories from ``models.demo.story``,
which simulates them in Python (the service functions are far too slow for a million tickets)
so that every row equals the fold of its events by construction. This module loads them all.
Rows are streamed to ``models.store.bulk.write_rows`` one chunk of tickets at a time, and the
full-text index is rebuilt once at the end.
"""

from __future__ import annotations

import multiprocessing
import random
import threading
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import UTC, datetime

from models.demo.reference import next_free_id, reference_data
from models.demo.rows import EVENT_COLUMNS, NULL, SURVEY_COLUMNS, TICKET_COLUMNS, DemoDesk, TicketChunk
from models.demo.span import ANCHOR, START, Span, timestamp
from models.demo.story import _WORKER_MIN_TICKETS, _WORKERS, _chunk_count, _Generator, generate
from models.errors import RuleViolation
from models.store import bulk
from models.store.db import database, is_postgres, write_transaction
from models.store.tables import (
    Customer,
    FAQArticle,
    FAQCategory,
    Organization,
    SavedView,
    Survey,
    Ticket,
    TicketEvent,
    TicketFAQ,
    TicketTag,
    utcnow,
)

__all__ = ["ANCHOR", "DemoDesk", "START", "Span", "TicketChunk", "build_demo", "generate", "timestamp"]

# --- loading -------------------------------------------------------------------------------


def _refuse_non_empty() -> None:
    if Ticket.select().exists():
        raise RuleViolation("this desk already has tickets; demo needs an empty database")
    for model in (Organization, Customer, FAQCategory, FAQArticle, SavedView):
        if model.select().exists():
            raise RuleViolation(f"this desk already has {model._meta.table_name} rows; demo needs an empty database")


def _restart_event_ids() -> None:
    """Make the next event id MAX(id) + 1 on PostgreSQL too (a sequence may have run ahead), for reproducible ids."""
    if is_postgres():
        database.execute_sql(
            "SELECT setval(pg_get_serial_sequence('\"ticket_event\"', 'id'), COALESCE(MAX(id), 0) + 1, false) "
            'FROM "ticket_event"'
        )


def _write_chunk(chunk: TicketChunk) -> None:
    bulk.write_rows(Ticket, TICKET_COLUMNS, chunk.tickets, null=NULL)
    bulk.write_rows(TicketEvent, EVENT_COLUMNS, chunk.events, null=NULL)
    bulk.write_rows(TicketTag, ("ticket", "tag"), chunk.tags)
    bulk.write_rows(TicketFAQ, ("ticket", "article", "linked_at", "linked_by"), chunk.faqs)
    bulk.write_rows(Survey, SURVEY_COLUMNS, chunk.surveys, null=NULL)


def _worker(sender, desk: DemoDesk, tickets: int, seed: int, first_number: int, worker: int, workers: int) -> None:
    """A generator process: sends its share of the chunks down the pipe, then None (or what stopped it)."""
    try:
        generator = _Generator(seed, desk, tickets, first_number)
        for position in range(worker, _chunk_count(tickets), workers):
            sender.send(generator.chunk(position))
        sender.send(None)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it
        sender.send(RuntimeError(f"the demo generator failed: {exc!r}"))
    finally:
        sender.close()


def _receive(receiver, process) -> TicketChunk | None:
    while not receiver.poll(1.0):
        if not process.is_alive() and not receiver.poll(0):
            raise RuntimeError(f"a demo generator process stopped (exit code {process.exitcode})")
    item = receiver.recv()
    if isinstance(item, BaseException):
        raise item
    return item


def _chunks(desk: DemoDesk, *, tickets: int, seed: int, first_number: int) -> Iterator[TicketChunk]:
    """``generate``'s chunks; for a large desk they come from ``_WORKERS`` forked processes while this one writes.

    A worker only computes and sends: it never touches the inherited database connection (and
    multiprocessing ends a forked child with ``os._exit``, so nothing of the parent's is cleaned
    up there). Where fork is unavailable or unsafe (other threads running, which a fork would copy
    mid-flight), generation stays in this process.
    """
    forkable = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    if tickets < _WORKER_MIN_TICKETS or not forkable:
        yield from generate(desk, tickets=tickets, seed=seed, first_number=first_number)
        return
    context = multiprocessing.get_context("fork")
    pipes, processes = [], []
    try:
        for worker in range(_WORKERS):
            receiver, sender = context.Pipe(duplex=False)
            args = (sender, desk, tickets, seed, first_number, worker, _WORKERS)
            process = context.Process(target=_worker, args=args, daemon=True)
            process.start()
            sender.close()
            pipes.append(receiver)
            processes.append(process)
        for position in range(_chunk_count(tickets)):
            worker = position % _WORKERS
            chunk = _receive(pipes[worker], processes[worker])
            if chunk is None:
                raise RuntimeError("a demo generator process ended early")
            yield chunk
    finally:
        for receiver in pipes:
            receiver.close()
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()


def build_demo(
    *,
    tickets: int = 2000,
    seed: int = 7,
    admin_login: str,
    progress: Callable[[int, int], None] | None = None,
    at: datetime | None = None,
) -> dict[str, int]:
    """Fill this empty desk with a year of realistic work ending at ``at``; return how many rows of
    each kind were written.

    ``at`` (naive UTC, or aware) defaults to now: the newest tickets are minutes old, some due
    soon, some just overdue. Give it for a desk that is the same on every run (``ANCHOR`` is the
    one the tests and screenshots use). ``progress(done, total)`` is called after each chunk of
    tickets. Refuses a desk that already has tickets (``RuleViolation``). Agents already on the
    desk are kept and matched by login; ``admin_login`` becomes an admin.
    """
    if tickets < 0:
        raise ValueError("tickets must be zero or more")
    if at is None:
        at = utcnow()
    elif at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    span = Span.ending(at)
    rng = random.Random(f"sportello-demo:{seed}")
    counts = {"tickets": 0, "events": 0, "ticket_tags": 0, "ticket_faqs": 0, "surveys": 0}
    with bulk.load_settings(foreign_keys=False), write_transaction():
        _refuse_non_empty()
        desk = reference_data(rng, admin_login, tickets, span)
        first_number = next_free_id(Ticket)
        _restart_event_ids()
        chunks = _chunks(desk, tickets=tickets, seed=seed, first_number=first_number)
        with bulk.without_indexes(Ticket, TicketEvent, Survey), closing(chunks):
            for chunk in chunks:
                _write_chunk(chunk)
                counts["tickets"] += len(chunk.tickets)
                counts["events"] += len(chunk.events)
                counts["ticket_tags"] += len(chunk.tags)
                counts["ticket_faqs"] += len(chunk.faqs)
                counts["surveys"] += len(chunk.surveys)
                if progress is not None:
                    progress(counts["tickets"], tickets)
        bulk.rebuild_fulltext()
        bulk.reset_sequences()
        bulk.analyze()
    return {
        "agents": len(desk.agent_ids),
        "queues": len(desk.queue_ids),
        "organizations": Organization.select().count(),
        "customers": len(desk.customers),
        "tags": len(desk.tag_ids),
        "faq_articles": FAQArticle.select().count(),
        **counts,
    }
