"""Benchmark of mail out (issue 18, "Benchmark"): the send rate of 2,000 replies against an SMTP sink.

    python -m tests.benchmarks.mail_send --replies 2000 --backend sqlite
    python -m tests.benchmarks.mail_send --replies 2000 --backend postgres

A fresh desk gets 500 tickets from 500 customers (opened before the outbox starts, so that their
acknowledgements are not owed), then ``--replies`` public replies spread over them. The relay is
``tests/support/smtp_sink.py`` (aiosmtpd on loopback, in this process). Measured:

1. *Bare loop*: ``smtplib`` alone hands the same messages (their bytes read from the desk once) to
   the sink over one connection — MAIL, RCPT, DATA each. Run before and after; the faster is the
   yardstick.
2. *Send*: ``sync.mail.send.send_waiting`` with everything already composed: for each message the
   claim committed, the hand-over, the outcome and its timeline line committed.
3. *Compose + send*: another ``--replies`` replies, and one ``send_waiting`` run that composes them
   (headers, threading, signed ids) and sends them: what ``sportello mail send`` does after a day's
   replies.

Every run checks that the sink got each message once. Appends a section to
``tests/benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import smtplib
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from .core import machine, prepare

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/ holds the server helpers
DESK = "support@example.com"
TICKETS = 500


def _desk(url: str) -> object:
    from models import open_database
    from models.directory import agents
    from models.mail import outbox
    from models.tickets.create import create_ticket

    open_database(url, create=True)
    admin = agents.ensure_admin("ada", "Ada Admin")
    for n in range(TICKETS):
        create_ticket(None, subject=f"Order {n}: delivery date", body="When will it arrive?",
                      customer=f"customer{n}@shop{n % 50}.example", customer_name=f"Customer {n}")  # fmt: skip
    outbox.outbox_start()
    return admin


def _reply(admin, replies: int, round_: int) -> float:
    from models.tickets import changes as tickets

    start = time.perf_counter()
    for n in range(replies):
        tickets.add_reply(
            admin, n % TICKETS + 1, f"Reply {round_}.{n}: it ships tomorrow; the tracking number follows."
        )
    return time.perf_counter() - start


def _bare(sink, messages: list[tuple[list[str], bytes]]) -> float:
    start = time.perf_counter()
    with smtplib.SMTP(sink.host, sink.port, timeout=30) as smtp:
        for recipients, raw in messages:
            smtp.sendmail(DESK, recipients, raw)
    return time.perf_counter() - start


def run(backend: str, replies: int) -> tuple[list[tuple[str, int, float]], str]:
    from models import close_database
    from models.mail import outbox
    from models.mail.settings import mail_settings
    from models.mail.tables import MailMessage
    from models.store.config import Config
    from support.smtp_sink import running_sink
    from sync.mail.send import send_waiting

    url, cleanup = prepare(backend, replies)
    rows: list[tuple[str, int, float]] = []
    try:
        with running_sink() as sink:
            settings = mail_settings(Config(mail={"from": f"Support <{DESK}>", "smtp_url": sink.url()}))
            admin = _desk(url)
            wrote = _reply(admin, replies, 1)
            composed = time.perf_counter()
            while outbox.owed(1):
                outbox.compose_waiting(settings)
            composed = time.perf_counter() - composed
            messages = [(r.recipients.split(), bytes(r.raw)) for r in MailMessage.select().where(
                (MailMessage.direction == "out") & (MailMessage.state == "queued")).order_by(MailMessage.id)]  # fmt: skip
            assert len(messages) == replies, len(messages)
            bare = [_bare(sink, messages)]
            assert len(sink.received) == replies
            sink.received.clear()

            start = time.perf_counter()
            summary = send_waiting(settings)
            sent = time.perf_counter() - start
            assert summary.error is None and summary.sent == replies, summary
            assert len(sink.received) == replies and len({raw for _, _, raw in sink.received}) == replies
            sink.received.clear()

            bare.append(_bare(sink, messages))
            sink.received.clear()

            _reply(admin, replies, 2)
            start = time.perf_counter()
            summary = send_waiting(settings)
            both = time.perf_counter() - start
            assert summary.error is None and summary.sent == replies == summary.made, summary
            assert len(sink.received) == replies and len({raw for _, _, raw in sink.received}) == replies

            rows = [("bare smtplib loop, before / after", replies, min(bare)),
                    ("send: claim, hand over, record (composed before)", replies, sent),
                    ("compose + send in one `send_waiting` run", replies, both)]  # fmt: skip
            note = (f"bare loop {bare[0]:.2f} s before, {bare[1]:.2f} s after; composing alone "
                    f"(`compose_waiting`) {composed:.2f} s = {replies / composed:,.0f}/s; writing the replies "
                    f"(`add_reply`) {wrote:.2f} s")  # fmt: skip
        close_database()
    finally:
        cleanup()
    return rows, note


def report(backend: str, replies: int, rows, note: str, date: str) -> str:
    bare = rows[0][2]
    lines = [f"## Mail out, {replies:,} replies to an SMTP sink (aiosmtpd on loopback), {backend} — {date}", "",
             f"Machine: {machine()}", "",
             "| measure | messages | time | messages/s | × bare |", "|---|---:|---:|---:|---:|"]  # fmt: skip
    for what, count, seconds in rows:
        lines.append(f"| {what} | {count:,} | {seconds:.2f} s | {count / seconds:,.0f} | {seconds / bare:.2f}× |")
    lines += ["", f"`python -m tests.benchmarks.mail_send --replies {replies} --backend {backend}`: {note}."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replies", type=int, default=2000)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--date", default=None, help="the date written in the heading (default: now, UTC)")
    parser.add_argument("--no-write", action="store_true", help="print, do not append to RESULTS.md")
    args = parser.parse_args()
    rows, note = run(args.backend, args.replies)
    text = report(args.backend, args.replies, rows, note, args.date or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    print(text)
    if not args.no_write:
        with (HERE / "RESULTS.md").open("a") as out:
            out.write("\n" + text)


if __name__ == "__main__":
    main()
