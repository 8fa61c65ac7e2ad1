"""Benchmark of mail in (issue 17, "Benchmark"): 10,000 messages from Dovecot and from a Maildir.

    python -m tests.benchmarks.mail_ingest --messages 10000 --backend sqlite
    python -m tests.benchmarks.mail_ingest --messages 10000 --backend postgres

A corpus of ``--messages`` messages is made (seeded): new requests from ~2,000 customers of 200
organizations (each claims its mail domain on the desk), replies threaded by In-Reply-To and
References to earlier messages (some from a colleague, some with a CC), HTML-only mail, mail with
attachments, a few auto-replies and delivery failures; the shapes Gmail, Outlook, Apple Mail and
Thunderbird send, Italian and English, UTF-8, ISO-8859-1, quoted-printable and base64. It is
delivered to a private Dovecot (``tests/support/dovecot.py``) and written into a Maildir. Then, for
each source, on a fresh desk each time:

1. *Bare fetch*: ``imapclient`` alone — SELECT, SEARCH, ``BODY.PEEK[]`` by UID in batches of 100
   (for the Maildir: reading every file). No database. Run before and after; the faster is the
   yardstick.
2. *Intake*: ``sync.mail.fetch.fetch(..., process=False)``: every batch fetched, committed on the
   desk in one transaction (``keep_raw_many``) and acknowledged at the source (moved to the
   processed folder, UIDs recorded) — from then on the messages are the desk's.
3. *Full ingest*: ``sync.mail.fetch.fetch``: the same, and every message parsed, recognised,
   threaded and written on its ticket.

The source is filled again between runs. Appends a section to ``tests/benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from .core import PG_URL, machine

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/ holds the server helpers
DESK = "support@example.com"
TARGET = 1.5

# --- the corpus -------------------------------------------------------------------------------

_FIRST = ["Giulia", "Marco", "Francesca", "Luca", "Chiara", "Alessandro", "Sara", "Matteo", "Elena", "Davide",
          "Anna", "Paolo", "Laura", "Andrea", "Martina", "John", "Emily", "Michael", "Sarah", "David", "Olivia",
          "James", "Sophie", "Daniel", "Hannah", "Niccolò", "Zoë", "José", "Renée", "Søren"]  # fmt: skip
_LAST = ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
         "Bruno", "Gallo", "Conti", "De Luca", "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Evans",
         "Walker", "O'Neill", "Müller", "García"]  # fmt: skip
_ORG = ["Acme", "Tecnoservizi", "Blu Logistica", "Northwind", "Fabbrica", "Contoso", "Vetreria", "Globex",
        "Studio Legale", "Initech", "Farmacia", "Umbrella", "Cantina", "Hooli", "Agenzia", "Stark"]  # fmt: skip
_TOPICS = [
    ("Invoice {n} is wrong", "The invoice {n} we received charges us twice for the same licence. Could you check it "
     "and send a corrected one? Our accounts department needs it before the end of the month."),
    ("Cannot log in since this morning", "Since this morning none of us can log in: the page says the password is "
     "wrong, but it was reset yesterday. We tried two browsers. This is blocking the whole office."),
    ("Fattura {n} errata", "Buongiorno, nella fattura {n} l'IVA è calcolata al 20% invece che al 22%. Potreste "
     "emettere una nota di credito? Grazie mille."),
    ("Richiesta di assistenza: stampante", "Salve, la stampante di rete al secondo piano non stampa più dai "
     "portatili. Abbiamo già riavviato tutto. Potete mandare un tecnico? È urgente perché domani c'è la gara."),
    ("Export to CSV drops accents", "When we export the customer list to CSV, names like Müller and Niccolò come "
     "out as question marks. Is there a setting for the encoding? We open the file in Excel."),
    ("Order {n}: delivery date", "Could you tell us when order {n} will be delivered? The tracking page has said "
     "'in preparation' for ten days and our customer keeps asking."),
    ("Disdetta contratto {n}", "Con la presente comunichiamo la disdetta del contratto {n} alla scadenza naturale. "
     "Vi preghiamo di confermare la ricezione."),
    ("API returns 500 on /orders", "Our integration gets HTTP 500 from /orders since the upgrade; the body says "
     "'internal error' and nothing else. Request id below. It worked fine last week."),
    ("Password reset e-mail never arrives", "I asked for a password reset three times and no mail arrived, not "
     "even in the spam folder. My address is the one I'm writing from."),
    ("Upgrade to the premium plan", "We would like to move to the premium plan from next month: 25 seats. Can you "
     "send an offer, and say whether our data moves over as it is?"),
]  # fmt: skip
_REPLIES = [
    "Thanks, that worked. One more thing: the same happens on the second account.",
    "Still not working, I'm afraid. I attached what the screen shows.",
    "Grazie, ora funziona tutto. Potete chiudere la richiesta.",
    "Any news on this? We're still waiting and it is getting urgent.",
    "Ho provato come suggerito ma il problema si ripresenta dopo il riavvio.",
    "Great, thank you for the quick answer!",
    "Could you call me tomorrow morning? It is easier to explain on the phone.",
    "Allego lo screenshot dell'errore, come richiesto.",
]  # fmt: skip
_SIGNATURE = ["\n--\n{name}\n{org}\nTel. +39 02 1234 5678\n", "\n\nBest regards,\n{name}\n",
              "\n\nCordiali saluti,\n{name}\n{org}\n", "\n\nSent from my iPhone\n", ""]  # fmt: skip


@dataclass
class _Person:
    name: str
    email: str
    org: str


@dataclass
class _Thread:
    subject: str
    customer: _Person
    ids: list[str] = field(default_factory=list)  # Message-IDs, oldest first
    bodies: list[str] = field(default_factory=list)


@dataclass
class Corpus:
    messages: list[bytes]
    kinds: Counter
    organizations: list[tuple[str, str]]  # (name, mail domain)


def _domain(n: int) -> str:
    return f"{_ORG[n % len(_ORG)].lower().replace(' ', '')}{n}.{'it' if n % 3 else 'com'}"


def _people(rng: random.Random, customers: int, organizations: int) -> tuple[list[_Person], list[tuple[str, str]]]:
    orgs = [(f"{_ORG[n % len(_ORG)]} {n}", _domain(n)) for n in range(organizations)]
    people = []
    for n in range(customers):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        org, domain = orgs[n % organizations]
        local = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
        local = local.encode("ascii", "ignore").decode() + str(n)
        people.append(_Person(f"{first} {last}", f"{local}@{domain}", org))
    return people, orgs


def _qp(text: str) -> str:
    import quopri

    return quopri.encodestring(text.encode("utf-8")).decode("ascii")


def _b64_lines(data: bytes) -> str:
    raw = base64.b64encode(data).decode()
    return "\r\n".join(raw[i : i + 76] for i in range(0, len(raw), 76))


def _html(text: str) -> str:
    paras = "".join(f"<p>{p.replace('&', '&amp;').replace('<', '&lt;')}</p>" for p in text.split("\n") if p.strip())
    return (f'<html><head><meta charset="utf-8"><style>p{{margin:0}}</style></head><body>'
            f'<div dir="ltr">{paras}<img src="https://tracker.example.net/p.gif" width="1"></div></body></html>')  # fmt: skip


def _address(person: _Person) -> str:
    from email.header import Header

    name = person.name
    if name.isascii():
        return f'"{name}" <{person.email}>' if "'" in name else f"{name} <{person.email}>"
    return f"{Header(name, 'utf-8').encode()} <{person.email}>"


def _message(rng: random.Random, n: int, when: datetime, sender: _Person, subject: str, text: str, *,
             in_reply_to: list[str], cc: _Person | None, html_only: bool, attachment: bool, client: str) -> tuple[str, bytes]:  # fmt: skip
    """One message as ``client`` would send it: (Message-ID, bytes with CRLF)."""
    from email.header import Header

    domain = sender.email.split("@")[1]
    mid = {"gmail": f"CA{n:08d}+{rng.getrandbits(40):x}@mail.gmail.com",
           "outlook": f"AM{n:07d}{rng.getrandbits(32):X}@{domain.upper()}",
           "apple": f"{rng.getrandbits(64):016X}-{n}@{domain}",
           "thunderbird": f"{rng.getrandbits(48):x}.{n}@{domain}"}[client]  # fmt: skip
    headers = [
        f"Return-Path: <{sender.email}>",
        f"Delivered-To: {DESK}",
        f"Received: from mx.{domain} (mx.{domain} [192.0.2.{n % 250 + 1}]) by mx.example.com with ESMTPS id "
        f"{rng.getrandbits(40):x}; {format_datetime(when)}",
        f"From: {_address(sender)}",
        f"To: Support <{DESK}>",
    ]
    if cc is not None:
        headers.append(f"Cc: {_address(cc)}")
    headers.append("Subject: " + (subject if subject.isascii() else Header(subject, "utf-8").encode()))
    headers += [f"Date: {format_datetime(when)}", f"Message-ID: <{mid}>"]
    if in_reply_to:
        headers.append(f"In-Reply-To: <{in_reply_to[-1]}>")
        headers.append("References: " + "\r\n ".join(f"<{i}>" for i in in_reply_to[-8:]))
    if client == "outlook":
        headers += [f"Thread-Index: AQH{rng.getrandbits(60):x}", "Content-Language: it-IT",
                    "X-MS-Has-Attach: " + ("yes" if attachment else "")]  # fmt: skip
    elif client == "thunderbird":
        headers.append("User-Agent: Mozilla Thunderbird")
    elif client == "apple":
        headers.append("X-Mailer: iPhone Mail (21E236)")
    headers.append("MIME-Version: 1.0")
    latin = client == "thunderbird" and text.encode("latin-1", "ignore").decode("latin-1") == text and n % 2
    if html_only:
        body_part = ["Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: quoted-printable", "",
                     _qp(_html(text))]  # fmt: skip
    elif client in ("gmail", "outlook", "apple"):
        b = f"alt{n}{rng.getrandbits(32):x}"
        body_part = [f'Content-Type: multipart/alternative; boundary="{b}"', "", f"--{b}",
                     "Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: quoted-printable", "",
                     _qp(text), f"--{b}", "Content-Type: text/html; charset=UTF-8",
                     "Content-Transfer-Encoding: quoted-printable", "", _qp(_html(text)), f"--{b}--"]  # fmt: skip
    elif latin:
        body_part = ["Content-Type: text/plain; charset=ISO-8859-1; format=flowed",
                     "Content-Transfer-Encoding: 8bit", "", text.encode("latin-1").decode("latin-1")]  # fmt: skip
    else:
        body_part = ["Content-Type: text/plain; charset=UTF-8; format=flowed", "Content-Transfer-Encoding: 8bit",
                     "", text]  # fmt: skip
    if attachment:
        b = f"mix{n}{rng.getrandbits(32):x}"
        kind, name, size = rng.choice([("application/pdf", "fattura_{n}.pdf", 24_000),
                                       ("image/png", "screenshot {n}.png", 60_000),
                                       ("text/csv", "export-{n}.csv", 4_000)])  # fmt: skip
        payload = (b"%PDF-1.4\n" if kind == "application/pdf" else b"\x89PNG\r\n\x1a\n") + rng.randbytes(
            rng.randint(size // 4, size)
        )
        name = name.format(n=n)
        body_part = [f'Content-Type: multipart/mixed; boundary="{b}"', "", f"--{b}", *body_part, f"--{b}",
                     f'Content-Type: {kind}; name="{name}"', f'Content-Disposition: attachment; filename="{name}"',
                     "Content-Transfer-Encoding: base64", "", _b64_lines(payload), f"--{b}--"]  # fmt: skip
    lines = headers + body_part
    text_out = "\r\n".join(line.replace("\r\n", "\n").replace("\n", "\r\n") for line in lines) + "\r\n"
    return mid, text_out.encode("latin-1" if latin else "utf-8")


def _auto_reply(rng: random.Random, n: int, when: datetime, person: _Person, thread: _Thread) -> bytes:
    italian = n % 2
    subject = ("Risposta automatica: " if italian else "Automatic reply: ") + thread.subject
    text = ("Sono fuori ufficio fino al 10 dicembre con accesso limitato alla posta." if italian
            else "I am out of the office until December 10th with limited access to e-mail.")  # fmt: skip
    return (f"Return-Path: <{person.email}>\r\nFrom: {_address(person)}\r\nTo: {DESK}\r\nSubject: {subject}\r\n"
            f"Date: {format_datetime(when)}\r\nMessage-ID: <auto.{n}.{rng.getrandbits(32):x}@{person.email.split('@')[1]}>\r\n"
            f"In-Reply-To: <{thread.ids[-1]}>\r\nAuto-Submitted: auto-replied\r\nX-Auto-Response-Suppress: All\r\n"
            f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            f"{text}\r\n").encode()  # fmt: skip


def _bounce(rng: random.Random, n: int, when: datetime, person: _Person, thread: _Thread) -> bytes:
    b = f"dsn{n}{rng.getrandbits(32):x}"
    domain = person.email.split("@")[1]
    return (f"Return-Path: <>\r\nFrom: Mail Delivery System <MAILER-DAEMON@mx.{domain}>\r\nTo: {DESK}\r\n"
            f"Subject: Undelivered Mail Returned to Sender\r\nDate: {format_datetime(when)}\r\n"
            f"Message-ID: <bounce.{n}.{rng.getrandbits(32):x}@mx.{domain}>\r\nAuto-Submitted: auto-replied\r\n"
            f"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"{b}\"\r\n\r\n"
            f"--{b}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThis is the mail system at host mx.{domain}.\r\n\r\n"
            f"I'm sorry to have to inform you that your message could not be delivered.\r\n\r\n"
            f"<{person.email}>: host mx.{domain} said: 550 5.1.1 User unknown\r\n\r\n"
            f"--{b}\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.{domain}\r\n\r\n"
            f"Final-Recipient: rfc822; {person.email}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
            f"Diagnostic-Code: smtp; 550 5.1.1 <{person.email}>: Recipient address rejected: User unknown\r\n\r\n"
            f"--{b}\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: {DESK}\r\nTo: {person.email}\r\n"
            f"Subject: Re: {thread.subject}\r\nMessage-ID: <{thread.ids[-1]}>\r\n\r\n--{b}--\r\n").encode()  # fmt: skip


def corpus(count: int, *, seed: int = 17, customers: int = 2000, organizations: int = 200) -> Corpus:
    """``count`` messages in delivery order (CRLF, as IMAP serves them)."""
    rng = random.Random(seed)
    people, orgs = _people(rng, customers, organizations)
    by_org: dict[str, list[_Person]] = {}
    for p in people:
        by_org.setdefault(p.org, []).append(p)
    threads: list[_Thread] = []
    kinds: Counter = Counter()
    out: list[bytes] = []
    when = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    clients = ["gmail", "outlook", "apple", "thunderbird"]
    for n in range(count):
        when += timedelta(seconds=rng.randint(5, 90))
        roll = rng.random()
        if threads and roll < 0.025:
            thread = rng.choice(threads[-300:])
            out.append(_auto_reply(rng, n, when, rng.choice(by_org[thread.customer.org]), thread))
            kinds["auto-reply"] += 1
            continue
        if threads and roll < 0.03:
            thread = rng.choice(threads[-300:])
            out.append(_bounce(rng, n, when, thread.customer, thread))
            kinds["bounce"] += 1
            continue
        html_only = rng.random() < 0.08
        attachment = rng.random() < 0.07
        client = rng.choice(clients)
        cc = None
        if threads and roll < 0.50:  # a reply to an earlier message of a thread
            thread = rng.choice(threads[-400:]) if rng.random() < 0.8 else rng.choice(threads)
            sender = thread.customer if rng.random() < 0.8 else rng.choice(by_org[thread.customer.org])
            if rng.random() < 0.1:
                cc = rng.choice(by_org[thread.customer.org])
            italian = client == "outlook" or "a" in thread.subject[:3]
            quote_head = (f"Il giorno {format_datetime(when - timedelta(hours=3))} {thread.customer.name} ha scritto:"
                          if italian else f"On {format_datetime(when - timedelta(hours=3))}, {thread.customer.name} wrote:")  # fmt: skip
            quoted = "\n".join("> " + line for line in thread.bodies[-1].split("\n"))
            text = rng.choice(_REPLIES) + rng.choice(_SIGNATURE).format(name=sender.name, org=sender.org)
            text += f"\n\n{quote_head}\n{quoted}\n"
            subject = ("R: " if italian and client == "outlook" else "Re: ") + thread.subject
            mid, data = _message(rng, n, when, sender, subject, text, in_reply_to=thread.ids, cc=cc,
                                 html_only=html_only, attachment=attachment, client=client)  # fmt: skip
            thread.ids.append(mid)
            thread.bodies.append(text)
            kinds["reply"] += 1
        else:  # a new request
            sender = rng.choice(people)
            if rng.random() < 0.15:
                cc = rng.choice(by_org[sender.org])
                cc = None if cc is sender else cc
            title, body = rng.choice(_TOPICS)
            number = rng.randint(1000, 99999)
            subject, text = title.format(n=number), body.format(n=number)
            text += rng.choice(_SIGNATURE).format(name=sender.name, org=sender.org)
            mid, data = _message(rng, n, when, sender, subject, text, in_reply_to=[], cc=cc, html_only=html_only,
                                 attachment=attachment, client=client)  # fmt: skip
            threads.append(_Thread(subject, sender, [mid], [text]))
            kinds["new request"] += 1
        kinds["html only"] += html_only
        kinds["with attachment"] += attachment
        out.append(data)
    return Corpus(out, kinds, orgs)


# --- the sources --------------------------------------------------------------------------------


def _imap_client(server):
    import imapclient

    client = imapclient.IMAPClient(server.host, port=server.port, ssl=False, timeout=120)
    client.login(server.user, server.password)
    return client


def bare_imap_fetch(server, batch: int = 100) -> tuple[float, int, int]:
    """imapclient alone: log in, SELECT, SEARCH, ``BODY.PEEK[]`` by UID ``batch`` at a time.
    Returns (seconds, messages, bytes)."""
    start = time.perf_counter()
    client = _imap_client(server)
    try:
        client.select_folder("INBOX")
        uids = sorted(client.search(["NOT", "DELETED"]))
        count = size = 0
        for at in range(0, len(uids), batch):
            answer = client.fetch(uids[at : at + batch], ["BODY.PEEK[]"])
            for data in answer.values():
                count += 1
                size += len(data[b"BODY[]"])
    finally:
        client.logout()
    return time.perf_counter() - start, count, size


def imap_refill(server) -> None:
    """Everything in Processed back to INBOX (one MOVE; the server gives them new UIDs, in order)."""
    client = _imap_client(server)
    try:
        if client.folder_exists("Processed"):
            client.select_folder("Processed")
            uids = sorted(client.search(["ALL"]))
            for at in range(0, len(uids), 5000):
                client.move(uids[at : at + 5000], "INBOX")
            client.close_folder()
            client.delete_folder("Processed")
    finally:
        client.logout()


def imap_deliver(server, messages: list[bytes]) -> None:
    client = _imap_client(server)
    try:
        for data in messages:
            client.append("INBOX", data)
    finally:
        client.logout()


def make_maildir(path: Path, messages: list[bytes]) -> None:
    """As a mail server delivers: LF line ends, one file per message in new/, named by arrival."""
    for sub in ("new", "cur", "tmp"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    for n, data in enumerate(messages):
        name = f"{1_764_000_000 + n}.M{n}P4242.bench"
        (path / "tmp" / name).write_bytes(data.replace(b"\r\n", b"\n"))
        os.rename(path / "tmp" / name, path / "new" / name)


def bare_maildir_read(path: Path) -> tuple[float, int, int]:
    """Reading every waiting file, oldest first. Returns (seconds, messages, bytes)."""
    start = time.perf_counter()
    count = size = 0
    for sub in ("new", "cur"):
        for name in sorted(os.listdir(path / sub)):
            size += len((path / sub / name).read_bytes())
            count += 1
    return time.perf_counter() - start, count, size


def maildir_refill(path: Path) -> None:
    done = path / ".Processed"
    for sub in ("new", "cur"):
        if (done / sub).is_dir():
            for name in os.listdir(done / sub):
                os.rename(done / sub / name, path / sub / name)
    shutil.rmtree(done, ignore_errors=True)


# --- the desk -----------------------------------------------------------------------------------


class Desk:
    """A fresh desk for one run: the admin and the organizations claiming their mail domains."""

    def __init__(self, backend: str, organizations: list[tuple[str, str]], tmp: Path) -> None:
        self.backend, self.organizations, self.tmp = backend, organizations, tmp
        self.schema: str | None = None
        self.runs = 0

    def __enter__(self) -> Desk:
        from models import open_database
        from models.directory import agents, lookup

        self.runs += 1
        if self.backend == "postgres":
            from support.databases import postgres_schema_url

            self.schema, url = postgres_schema_url()
        else:
            url = f"sqlite:///{self.tmp}/desk-{self.runs}.db"
        open_database(url, create=True)
        admin = agents.ensure_admin("ada", "Ada Admin")
        for name, domain in self.organizations:
            lookup.add_organization(name)
            lookup.update_organization(admin, name, mail_domains=domain)
        return self

    def __exit__(self, *exc) -> None:
        from models import close_database

        close_database()
        if self.schema is not None:
            from support.databases import drop_postgres_schema

            drop_postgres_schema(self.schema)
            self.schema = None

    @staticmethod
    def tally() -> Counter:
        from models.enums import EventKind
        from models.mail.tables import MailMessage
        from models.store.tables import Ticket, TicketEvent

        states = Counter(state for (state,) in MailMessage.select(MailMessage.state).tuples())
        states["tickets"] = Ticket.select().count()
        states["replies on a ticket"] = TicketEvent.select().where(TicketEvent.kind == EventKind.REPLY.value).count()
        return states


# --- running it ---------------------------------------------------------------------------------


@dataclass
class Row:
    source: str
    bare: float  # seconds, the faster of the two bare runs
    intake: float
    full: float
    count: int
    size: int
    tally: Counter


def _timed_fetch(make_source, intake_only: bool) -> tuple[float, object]:
    from models.mail.settings import MailSettings
    from sync.mail.fetch import fetch

    settings = MailSettings(address=DESK)
    start = time.perf_counter()
    summary = fetch(make_source(), settings, intake_only=intake_only)
    return time.perf_counter() - start, summary


def run_source(label: str, bare, refill, make_source, desk: Desk, count: int) -> Row:
    first, got, size = bare()
    assert got == count, f"{label}: the bare read saw {got} messages, not {count}"
    print(f"{label}: bare read {first:.2f} s ({count / first:,.0f} msg/s, {size / 2**20:.0f} MiB)", flush=True)
    with desk:
        intake, summary = _timed_fetch(make_source, True)
        assert (summary.taken, summary.error) == (count, None), summary.as_dict()
    print(f"{label}: intake {intake:.2f} s ({count / intake:,.0f} msg/s)", flush=True)
    refill()
    with desk:
        full, summary = _timed_fetch(make_source, False)
        assert (summary.taken, summary.error) == (count, None), summary.as_dict()
        tally = desk.tally()
    waiting = tally.get("stored", 0) + tally.get("quarantined", 0)
    assert waiting == 0, f"{label}: {waiting} messages not on a ticket: {tally}"
    print(f"{label}: full ingest {full:.2f} s ({count / full:,.0f} msg/s) {dict(tally)}", flush=True)
    refill()
    second, _, _ = bare()
    print(f"{label}: bare read again {second:.2f} s", flush=True)
    return Row(label, min(first, second), intake, full, count, size, tally)


def report(backend: str, count: int, mix: Counter, rows: list[Row]) -> str:
    verdict = lambda ratio: "ok" if ratio <= TARGET else "**over**"  # noqa: E731
    lines = [
        f"\n## Mail in, {count:,} messages from Dovecot 2.3 and a Maildir, {backend} — "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        machine(),
        "",
        "| source | measure | time | messages/s | × bare | target | verdict |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        lines.append(f"| {row.source} | bare read ({row.size / 2**20:.0f} MiB) | {row.bare:.2f} s "
                     f"| {row.count / row.bare:,.0f} | 1.00× | | reference |")  # fmt: skip
        for what, seconds in (("intake: fetched, committed, acknowledged", row.intake),
                              ("full ingest: every message on its ticket", row.full)):  # fmt: skip
            ratio = seconds / row.bare
            lines.append(f"| {row.source} | {what} | {seconds:.2f} s | {row.count / seconds:,.0f} | {ratio:.2f}× "
                         f"| ≤ {TARGET}× | {verdict(ratio)} |")  # fmt: skip
    tally = rows[-1].tally
    lines += [
        "",
        f"`python -m tests.benchmarks.mail_ingest --messages {count} --backend {backend}`: "
        f"{mix['new request']:,} new requests, {mix['reply']:,} replies, {mix['auto-reply']:,} auto-replies and "
        f"{mix['bounce']:,} bounces ({mix['html only']:,} HTML-only, {mix['with attachment']:,} with an attachment) "
        f"from ~2,000 customers of 200 organizations; the bare read is the faster of one before and one after. "
        f"After the full ingest: {tally['tickets']:,} tickets, "
        f"{tally['replies on a ticket']:,} replies threaded onto them, {tally.get('automatic', 0)} automatic, "
        f"{tally.get('ignored', 0)} ignored, {tally.get('duplicate', 0)} duplicates, none stored or quarantined.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--no-write", action="store_true", help="print, do not append to RESULTS.md")
    args = parser.parse_args()
    if args.backend == "postgres":
        os.environ.setdefault("SPORTELLO_TEST_PG", PG_URL)

    from support.dovecot import Dovecot, dovecot_problem
    from sync.mail.imap import ImapSource
    from sync.mail.maildir import MaildirSource

    problem = dovecot_problem()
    if problem:
        sys.exit(f"mail_ingest: {problem}")
    started = time.perf_counter()
    mix = corpus(args.messages)
    print(f"made {args.messages:,} messages in {time.perf_counter() - started:.1f} s: {dict(mix.kinds)}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="sportello-mail-bench-") as tmp, Dovecot() as server:
        tmp = Path(tmp)
        desk = Desk(args.backend, mix.organizations, tmp)
        started = time.perf_counter()
        imap_deliver(server, mix.messages)
        print(f"delivered to Dovecot in {time.perf_counter() - started:.1f} s", flush=True)
        make_imap = lambda: ImapSource(host=server.host, port=server.port, security="plain", folder="INBOX",  # noqa: E731
                                       user=server.user, password=server.password, processed_folder="Processed",
                                       timeout=120)  # fmt: skip
        rows.append(run_source("Dovecot (IMAP)", lambda: bare_imap_fetch(server), lambda: imap_refill(server),
                               make_imap, desk, args.messages))  # fmt: skip
        maildir = tmp / "Maildir"
        make_maildir(maildir, mix.messages)
        rows.append(run_source("Maildir", lambda: bare_maildir_read(maildir), lambda: maildir_refill(maildir),
                               lambda: MaildirSource(maildir, processed_folder="Processed"), desk, args.messages))  # fmt: skip
    text = report(args.backend, args.messages, mix.kinds, rows)
    print(text)
    if not args.no_write:
        with (HERE / "RESULTS.md").open("a") as out:
            out.write(text)


if __name__ == "__main__":
    main()
