"""The demo's ticket histories: a simulated year of helpdesk work, one chunk of tickets at a time.

Each ticket's history is simulated in Python, following the service layer's conventions and the
transition table exactly, while a small inline tracker keeps the state that ``models.tickets.fold.apply``
would compute; the ticket row is written from that tracker, so every row equals the fold of its
events by construction (``tests/models/test_demo.py`` replays generated tickets through ``fold.replay``).
Everything derives from ``random.Random(seed)`` and the moment the story ends (``DemoDesk.end``:
the build time for ``sportello demo``, the fixed ``ANCHOR`` for the tests and screenshots).

The story's time is ``models.demo.span``, its words ``models.demo.wording``, the rows it makes
``models.demo.rows``, their SLA columns ``models.demo.ticket_sla`` and the day in progress
``models.demo.today``. What is left here is the life of one ticket, ``_Generator.ticket``, and
that is why this module runs over 400 lines: the method is one piece on purpose. It is the hot
loop of a build of up to a million tickets, its state kept in local variables, and its random
draws come in a fixed order on which every seed's desk (and every screenshot) depends.
"""

from __future__ import annotations

import json
import random
from bisect import bisect_right
from collections.abc import Iterator

from models.demo import text
from models.demo.rows import (
    CLOSED,
    EVENT_COLUMNS,
    INTERNAL,
    LOW_TAG,
    NEW,
    NULL,
    ON_HOLD,
    OPEN,
    PENDING,
    PRIORITIES,
    PUBLIC,
    RESOLVED,
    SURVEY_COLUMNS,
    TICKET_COLUMNS,
    DemoDesk,
    TicketChunk,
)
from models.demo.span import ANCHOR, START, Span, created_quantiles, day_in_progress, day_texts, gaps, timestamp
from models.demo.ticket_sla import sla_columns
from models.demo.today import TODAY, today_in_progress
from models.demo.wording import POOL, Texts, compose

__all__ = [
    "ANCHOR",
    "CHUNK_TICKETS",
    "EVENT_COLUMNS",
    "START",
    "Span",
    "TICKET_COLUMNS",
    "SURVEY_COLUMNS",
    "DemoDesk",
    "TicketChunk",
    "generate",
    "timestamp",
]

#: Tickets generated and written per round (bounds memory: about ten events per ticket).
CHUNK_TICKETS = 20_000
#: From this many tickets on, other processes generate while this one writes.
_WORKER_MIN_TICKETS = 50_000
_WORKERS = 2

_LEFT_AT = 150 * 86_400  # the inactive agent left the company on day 150
_SOURING_DAYS = 90  # the last 90 days, when some organizations have a bad time
_NO_REQUESTER = (NULL,)


def _chunk_count(tickets: int) -> int:
    return -(-tickets // CHUNK_TICKETS)


# --- tickets -------------------------------------------------------------------------------


def _table(weights: dict[str, int]) -> list[str]:
    """A lookup table of 100 entries for weighted choice by ``table[int(random() * 100)]``."""
    total = sum(weights.values())
    table = []
    for value, weight in weights.items():
        table += [value] * round(100 * weight / total)
    return (table + table[-1:] * 100)[:100]


_CHANNELS = _table({"email": 42, "web": 24, "phone": 14, "chat": 16, "walk-in": 4})
_TYPES = _table({"question": 55, "incident": 22, "request": 15, "complaint": 8})
_SCORES = (5, 5, 5, 5, 4, 4, 4, 3, 2, 1)  # a typical satisfied desk; a bad experience draws lower
_SCORES_BAD = (4, 3, 3, 2, 2, 2, 1, 1, 1, 5)
_LOW_NOTE = (
    "Low satisfaction score ({}/5): a lead should follow up with the customer."  # as models.tickets.csat writes it
)
_INITIAL_PRIORITY = [int(p) for p in _table({"0": 15, "1": 58, "2": 20, "3": 7})]
_TOPIC_TABLE = _table(dict(zip(text.TOPICS, text.TOPIC_WEIGHTS)))
# The newest tickets stop at these statuses in turn; _STEER is the change that moves an open ticket there.
_BACKLOG_GOALS = (NEW, OPEN, PENDING, ON_HOLD, NEW, OPEN, PENDING, RESOLVED, OPEN, ON_HOLD)
_STEER = {OPEN: "note", PENDING: "ask", ON_HOLD: "hold", RESOLVED: "solve"}
_REF_PREFIX = {"technical": "WS-", "billing": "INV-2026-", "accounts": "ACC-", "shipping": "ORD-", "general": "REQ-"}


def _payload(subject: str, priority: str, channel: str, customer, org, queue, assignee, tags, kind: str) -> str:
    """``fold.created_payload`` for a new ticket, by template (the demo test proves them equal)."""
    assignee = "null" if assignee is None else json.dumps(assignee)
    customer = "null" if customer is None else customer
    org = "null" if org is None else org
    queue = "null" if queue is None else queue
    tags = ", ".join(f'"{tag}"' for tag in tags)
    return (
        f'{{"assignee": {assignee}, "channel": "{channel}", "customer": {customer}, "organization": {org}, '
        f'"priority": "{priority}", "queue": {queue}, "status": "new", "subject": {json.dumps(subject)}, '
        f'"tags": [{tags}]' + (f', "type": "{kind}"}}' if kind != "question" else "}")
    )


class _Generator:
    """Simulates ticket histories. Deterministic: the same seed and desk give the same rows.

    Rows use ``NULL`` (``bulk.NULL_MARKER``) for SQL NULL: binding ``None`` is slow in sqlite3.
    """

    def __init__(self, seed: int, desk: DemoDesk, total: int, first_number: int = 1):
        rng = random.Random(f"sportello-demo-texts:{seed}")
        self.seed = seed
        self.rng = rng
        self.desk = desk
        self.total = total
        self.first_number = first_number
        self.texts = Texts.build(rng, seed)
        self.span = Span.ending(desk.end)
        self.souring_from = self.span.seconds - _SOURING_DAYS * 86_400
        working = desk.policies and day_in_progress(desk.policies[0].hours, self.span.end)
        self.today = len(TODAY) if working else 0  # how many of the newest tickets show the day in progress
        self.quantiles = created_quantiles(self.span)
        self.quick = gaps(rng, 240, 20, 3_600)  # triage right after arrival
        self.agent_gap = gaps(rng, 3 * 3_600, 300, 3 * 86_400)
        self.customer_gap = gaps(rng, 20 * 3_600, 900, 9 * 86_400)
        self.hold_gap = gaps(rng, 3 * 86_400, 6 * 3_600, 21 * 86_400)
        self.close_gap = gaps(rng, 5 * 86_400, 2 * 86_400, 14 * 86_400)
        long_word = "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", k=10_000))
        hostile = [(s, b.replace("{long_word}", long_word)) for s, b in text.HOSTILE]
        spread = max(1, total // len(hostile))
        self.hostile_at = {i * spread + spread // 2: h for i, h in enumerate(hostile) if i * spread < total}
        self.backlog_from = total - max(12, total // 50)  # the newest tickets are still being worked on

        def reasons(values):
            return tuple(NULL if value is None else value for value in values)

        self.pending_reasons = {t: reasons(r) for t, r in text.TOPIC_PENDING_REASONS.items()}
        self.hold_reasons = text.TOPIC_HOLD_REASONS
        self.unhold_reasons = reasons(text.UNHOLD_REASONS)
        self.resolve_reasons = {t: reasons(r) for t, r in text.TOPIC_RESOLVE_REASONS.items()}
        self.close_reasons = reasons(text.CLOSE_REASONS)

    def created_offset(self, index: int) -> int:
        """Seconds after the span's start; monotonic in ``index``, so ticket numbers follow creation time."""
        q = (index + self.rng.random()) / self.total
        hour = min(bisect_right(self.quantiles, q), len(self.quantiles) - 1)
        below = self.quantiles[hour - 1] if hour else 0.0
        share = (q - below) / ((self.quantiles[hour] - below) or 1.0)
        width = min(3_600, self.span.seconds - hour * 3_600)
        return min(self.span.seconds - 1, hour * 3_600 + int(width * min(share, 0.9999)))

    def agent(self, t: int) -> int:
        """Any agent who works tickets at time ``t`` (the departed one only before day 150)."""
        workers, rnd, departed = self.desk.workers, self.rng.random, self.desk.departed
        a = workers[int(len(workers) * rnd())]
        while a == departed and t >= _LEFT_AT:
            a = workers[int(len(workers) * rnd())]
        return a

    def chunk(self, position: int) -> TicketChunk:
        """The ``position``-th run of ``CHUNK_TICKETS`` tickets. Each run has its own random stream,
        so runs can be generated in any order, in any process, with the same result."""
        self.rng = random.Random(f"sportello-demo-tickets:{self.seed}:{position}")
        out = TicketChunk([], [], [], [], [])
        start = position * CHUNK_TICKETS
        for index in range(start, min(start + CHUNK_TICKETS, self.total)):
            self.ticket(index, out)
        return out

    def opening(self, index: int, topic: str) -> tuple[str, str, str]:
        """The subject, the kind of question it asks and the first message of a ticket."""
        hostile = self.hostile_at.get(index)
        if hostile is not None:
            return *hostile, text.SUBJECT_KINDS[topic][0]
        rnd, texts = self.rng.random, self.texts
        subject, kind = texts.subjects[topic][int(POOL * rnd())]
        first = texts.first[kind]
        core = first[int(len(first) * rnd())]
        openers, closers = text.CUSTOMER_OPENERS, text.CUSTOMER_CLOSERS
        body = openers[int(len(openers) * rnd())] + core
        if "{ref}" in subject or rnd() < 0.3:
            ref = _REF_PREFIX[topic] + str(100_000 + int(900_000 * rnd()))
            subject = subject.replace("{ref}", ref)
            body += f" (ref. {ref})"
        return subject, body + closers[int(len(closers) * rnd())], kind

    def ticket(self, index: int, out: TicketChunk) -> None:
        """Simulate one ticket: append its events (in timeline order), row, tags and FAQ links to ``out``.

        The local variables ``status``, ``prio``, ``assignee``, ``tags``, ``faqs``, ``v``, ``t``,
        ``first_response``, ``resolved`` and ``closed`` track exactly what ``fold.apply`` computes.
        """
        rnd = self.rng.random
        desk, texts = self.desk, self.texts
        logins, agent_ids, signatures, leads = desk.agent_logins, desk.agent_ids, desk.signatures, desk.leads
        departed = desk.departed
        days, clock = day_texts(self.span.start)
        span, souring_from = self.span.seconds, self.souring_from
        append = out.events.append
        first_event = len(out.events)

        def ev(row: tuple) -> None:
            append(row + _NO_REQUESTER)

        number = self.first_number + index

        t = self.created_offset(index)
        topic = _TOPIC_TABLE[int(rnd() * 100)]
        queue = desk.queue_ids[text.TOPICS.index(topic)] if rnd() < 0.97 else None
        channel = _CHANNELS[int(rnd() * 100)]
        customer = org = None
        premium = False
        if rnd() < 0.75 or channel not in ("phone", "walk-in"):
            customers = desk.customers
            customer, org, premium = customers[int(len(customers) * rnd() ** 1.6)]
        prio = _INITIAL_PRIORITY[int(rnd() * 100)]
        if premium and prio < 3 and rnd() < 0.3:
            prio += 1
        recorder = self.agent(t) if customer is None or channel in ("phone", "walk-in") else None
        assignee = recorder if recorder is not None and rnd() < 0.6 else None
        topic_tags = text.TOPIC_TAGS[topic]
        tags: tuple[str, ...] = (topic_tags[int(len(topic_tags) * rnd())],) if rnd() < 0.3 else ()
        subject, body, question = self.opening(index, topic)
        souring = org in desk.souring and t >= souring_from
        kind = "complaint" if souring and rnd() < 0.35 else _TYPES[int(rnd() * 100)]

        # created: version 1, status new; the customer wrote it unless an agent recorded it.
        status, v = NEW, 1
        created = at = days[t // 86_400] + clock[t % 86_400]
        owner = logins[assignee] if assignee is not None else None
        payload = _payload(subject, PRIORITIES[prio], channel, customer, org, queue, owner, tags, kind)
        actor = agent_ids[recorder] if recorder is not None else NULL
        writer = NULL if customer is None else customer
        ev((number, at, 1, actor, writer, "created", PUBLIC, NULL, NULL, payload, body, NULL))
        first_response = resolved = closed = None
        faqs: list[tuple[int, str, int]] = []  # (article, linked at, linked by)

        quick, agent_gap, customer_gap = self.quick, self.agent_gap, self.customer_gap
        hold_gap, close_gap = self.hold_gap, self.close_gap
        follow_ups, solutions, replies = texts.follow_ups[question], texts.solutions[question], texts.agent[question]
        notes, chasers = texts.notes[topic], texts.chasers
        pending_reasons, hold_reasons = self.pending_reasons[topic], self.hold_reasons[topic]
        resolve_reasons = self.resolve_reasons[topic]
        a_open, a_close = text.AGENT_OPENERS, text.AGENT_CLOSERS
        c_open, c_close = text.CUSTOMER_OPENERS, text.CUSTOMER_CLOSERS
        published = desk.faqs[topic]

        goal = None
        if index >= self.backlog_from:
            goal = _BACKLOG_GOALS[index % len(_BACKLOG_GOALS)]
            if goal == PENDING and customer is None:
                goal = OPEN
        steps = 0
        while status != CLOSED and steps < 40:
            steps += 1
            r = rnd()
            # Pick the next change and its delay.
            if goal is not None:
                if status == goal:
                    break
                if r < 0.25:
                    action = ("note", "tag", "triage" if status == NEW else "priority")[int(3 * rnd())]
                else:
                    action = "first_reply" if status == NEW else _STEER[goal]
                gap = agent_gap[int(2048 * rnd())]
            elif assignee is not None and assignee == departed and t >= _LEFT_AT:
                action, gap = "reassign", quick[int(2048 * rnd())]
            elif status == NEW:
                if assignee is None and r < 0.45:
                    action, gap = "assign", quick[int(2048 * rnd())]
                elif r < 0.51:
                    action, gap = "triage", quick[int(2048 * rnd())]
                elif r < 0.58:
                    action, gap = "tag", quick[int(2048 * rnd())]
                elif r < 0.63 and customer is not None:
                    action, gap = "nudge", customer_gap[int(2048 * rnd())]
                elif r < 0.65:
                    action, gap = "spam", agent_gap[int(2048 * rnd())]
                else:
                    action, gap = "first_reply", agent_gap[int(2048 * rnd())]
            elif status == OPEN:
                if r < 0.26:
                    action, gap = "ask", agent_gap[int(2048 * rnd())]
                elif r < 0.36:
                    action, gap = "note", agent_gap[int(2048 * rnd())]
                elif r < 0.46 and customer is not None:
                    action, gap = "customer_reply", customer_gap[int(2048 * rnd())]
                elif r < 0.52:
                    action, gap = "hold", agent_gap[int(2048 * rnd())]
                elif r < 0.56:
                    action, gap = "priority", agent_gap[int(2048 * rnd())]
                elif r < 0.59:
                    action, gap = "reassign", agent_gap[int(2048 * rnd())]
                elif r < 0.63:
                    action, gap = "tag", agent_gap[int(2048 * rnd())]
                elif r < 0.67 and published:
                    action, gap = "faq", agent_gap[int(2048 * rnd())]
                elif r < 0.995:
                    action, gap = "solve", agent_gap[int(2048 * rnd())]
                else:
                    break  # forgotten: stays open
            elif status == PENDING:
                if customer is None:
                    action, gap = ("unpend" if r < 0.7 else "solve"), customer_gap[int(2048 * rnd())]
                elif r < 0.66:
                    action, gap = "customer_reply", customer_gap[int(2048 * rnd())]
                elif r < 0.80:
                    action, gap = "abandon", close_gap[int(2048 * rnd())]
                elif r < 0.86:
                    action, gap = "note", agent_gap[int(2048 * rnd())]
                elif r < 0.995:
                    action, gap = "chase", customer_gap[int(2048 * rnd())]
                else:
                    break
            elif status == ON_HOLD:
                if r < 0.50:
                    action, gap = "unhold", hold_gap[int(2048 * rnd())]
                elif r < 0.65:
                    action, gap = "note", hold_gap[int(2048 * rnd())]
                elif r < 0.75:
                    action, gap = "hold_to_pending", hold_gap[int(2048 * rnd())]
                elif r < 0.85:
                    action, gap = "solve_direct", hold_gap[int(2048 * rnd())]
                elif r < 0.995 and customer is not None:
                    action, gap = "nudge", customer_gap[int(2048 * rnd())]
                else:
                    break
            elif r < 0.12 and customer is not None:  # resolved: the customer writes back
                action, gap = "reopen", customer_gap[int(2048 * rnd())]
            else:
                action, gap = "close", close_gap[int(2048 * rnd())]
            if t + gap >= span:
                break  # it would happen after the anchor: the ticket stays as it is
            t += gap
            v += 1
            at = days[t // 86_400] + clock[t % 86_400]
            worker = assignee if assignee is not None else self.agent(t)
            if worker == departed and t >= _LEFT_AT:
                worker = self.agent(t)

            if action == "first_reply":
                reply = compose(rnd, a_open, replies, a_close) + signatures[worker]
                ev((number, at, v, agent_ids[worker], NULL, "reply", PUBLIC, NULL, NULL, NULL, reply, NULL))
                ev((number, at, v, agent_ids[worker], NULL, "status", PUBLIC, "status", NEW, OPEN, NULL, "first reply"))
                status = OPEN
                if first_response is None:
                    first_response = at
            elif action == "ask" or action == "chase":
                pool = replies if action == "ask" else chasers
                reply = compose(rnd, a_open, pool, a_close) + signatures[worker]
                ev((number, at, v, agent_ids[worker], NULL, "reply", PUBLIC, NULL, NULL, NULL, reply, NULL))
                if first_response is None:
                    first_response = at
                if action == "ask" and customer is not None and (goal == PENDING or (goal is None and rnd() < 0.45)):
                    v += 1  # then waits for the customer: a second change at the same moment
                    reason = pending_reasons[int(len(pending_reasons) * rnd())]
                    ev(
                        (
                            number,
                            at,
                            v,
                            agent_ids[worker],
                            NULL,
                            "status",
                            PUBLIC,
                            "status",
                            OPEN,
                            PENDING,
                            NULL,
                            reason,
                        )
                    )
                    status = PENDING
            elif action == "note":
                note = notes[int(len(notes) * rnd())]
                ev((number, at, v, agent_ids[worker], NULL, "note", INTERNAL, NULL, NULL, NULL, note, NULL))
            elif action == "customer_reply" or action == "nudge" or action == "reopen":
                body = compose(rnd, c_open, follow_ups, c_close)
                ev((number, at, v, NULL, customer, "reply", PUBLIC, NULL, NULL, NULL, body, NULL))
                if status == PENDING or status == RESOLVED:  # as tickets.add_reply: the ticket opens again
                    why = "the customer replied after resolution" if status == RESOLVED else "the customer replied"
                    ev((number, at, v, NULL, customer, "status", PUBLIC, "status", status, OPEN, NULL, why))
                    if status == RESOLVED:
                        resolved = None
                    status = OPEN
            elif action == "assign" or action == "reassign":
                new = self.agent(t)
                if new == assignee:
                    t, v = t - gap, v - 1
                    continue
                old = logins[assignee] if assignee is not None else NULL
                lead = agent_ids[leads[int(len(leads) * rnd())]]
                ev((number, at, v, lead, NULL, "assignee", INTERNAL, "assignee", old, logins[new], NULL, NULL))
                assignee = new
            elif action == "triage" or action == "priority":
                new = (1, 2, 3, 0, 2, 3, 0, 1, 3, 0, 1, 2)[prio * 3 + int(3 * rnd())]  # any other priority
                pool = text.TRIAGE_REASONS if action == "triage" else text.PRIORITY_REASONS
                who = agent_ids[leads[int(len(leads) * rnd())] if rnd() < 0.5 else worker]
                old, reason = PRIORITIES[prio], pool[int(len(pool) * rnd())]
                asked = text.REQUESTERS[int(len(text.REQUESTERS) * rnd())]
                append((number, at, v, who, NULL, "priority", INTERNAL, "priority", old, PRIORITIES[new], NULL, reason,
                        asked))  # fmt: skip
                prio = new
            elif action == "tag":
                pool = topic_tags if rnd() < 0.8 else text.TAGS
                name = pool[int(len(pool) * rnd())]
                new_tags = tuple(sorted(set(tags) - {name})) if name in tags else tuple(sorted((*tags, name)))
                old, new = " ".join(tags), " ".join(new_tags)
                ev((number, at, v, agent_ids[worker], NULL, "tags", INTERNAL, "tags", old, new, NULL, NULL))
                tags = new_tags
            elif action == "faq":
                article = published[int(len(published) * rnd())]
                if any(article == linked[0] for linked in faqs):
                    t, v = t - gap, v - 1
                    continue
                who = agent_ids[worker]
                ev((number, at, v, who, NULL, "faq_linked", INTERNAL, "faq", NULL, str(article), NULL, NULL))
                faqs.append((article, at, who))
            elif action == "close":
                by_system = rnd() < 0.6  # the nightly auto-close: no actor
                who = NULL if by_system else agent_ids[worker]
                reason = self.close_reasons[1 if by_system else int(len(self.close_reasons) * rnd())]
                ev((number, at, v, who, NULL, "status", PUBLIC, "status", RESOLVED, CLOSED, NULL, reason))
                status, closed = CLOSED, at
            elif action == "spam" or action == "solve" or action == "solve_direct" or action == "abandon":
                if action == "solve":  # the answer, then (a moment later) the status change
                    reply = compose(rnd, a_open, solutions, a_close) + signatures[worker]
                    ev((number, at, v, agent_ids[worker], NULL, "reply", PUBLIC, NULL, NULL, NULL, reply, NULL))
                    if first_response is None:
                        first_response = at
                    if t + 3_600 < span:
                        t += quick[int(2048 * rnd())]
                        at = days[t // 86_400] + clock[t % 86_400]
                    v += 1
                if action == "spam":
                    reason = text.SPAM_REASONS[int(len(text.SPAM_REASONS) * rnd())]
                elif action == "abandon":
                    reason = "no answer from the customer"
                else:
                    reason = resolve_reasons[int(len(resolve_reasons) * rnd())]
                ev((number, at, v, agent_ids[worker], NULL, "status", PUBLIC, "status", status, RESOLVED, NULL, reason))
                status, resolved = RESOLVED, at
            else:  # hold, hold_to_pending, unhold, unpend
                if action == "hold":
                    new, reason = ON_HOLD, hold_reasons[int(len(hold_reasons) * rnd())]
                elif action == "hold_to_pending":
                    new, reason = PENDING, "the vendor needs more details from the customer"
                elif action == "unhold":
                    new, reason = OPEN, self.unhold_reasons[int(len(self.unhold_reasons) * rnd())]
                else:
                    new, reason = OPEN, "information received by phone"
                ev((number, at, v, agent_ids[worker], NULL, "status", PUBLIC, "status", status, new, NULL, reason))
                status = new

        if index >= self.total - self.today and status != CLOSED and status != RESOLVED:
            t, v, status = today_in_progress(self, index, out, first_event, t, v, status, customer, assignee, created,
                                                  first_response, prio, org, topic, question)  # fmt: skip

        # The survey opened at the first resolution (models.tickets.csat keeps one waiting at a time); some
        # customers answer it after the ticket's last change, as `sportello csat record` would write.
        opened, owner_then = None, owner
        for e in out.events[first_event:]:
            if e[5] == "assignee":
                owner_then = None if e[9] == NULL else e[9]
            elif e[5] == "status" and e[9] == RESOLVED:
                opened = e[1]
                break
        answer = None
        if opened is not None and customer is not None and status in (RESOLVED, CLOSED) and rnd() < 0.35:
            gap = customer_gap[int(2048 * rnd())]
            if t + gap < span:
                t += gap
                v += 1
                answer = days[t // 86_400] + clock[t % 86_400]
        sla = sla_columns(self.desk, out.events[first_event:], created, first_response, resolved or closed, status, prio, org,
                       days[t // 86_400] + clock[t % 86_400])  # fmt: skip
        if opened is not None:
            score = comment = recorder = NULL
            if answer is not None:
                bad = sla[-1] is True or sla[-2] > 0 or (org in desk.souring and t >= souring_from)
                score = (_SCORES_BAD if bad else _SCORES)[int(10 * rnd())]
                who = agent_ids[assignee if assignee is not None else self.agent(t)]
                recorder = who
                ev((number, answer, v, who, customer, "csat", INTERNAL, "csat", NULL, str(score), NULL, NULL))
                if score <= 2:
                    ev(
                        (
                            number,
                            answer,
                            v,
                            who,
                            NULL,
                            "note",
                            INTERNAL,
                            NULL,
                            NULL,
                            NULL,
                            _LOW_NOTE.format(score),
                            NULL,
                        )
                    )
                    new_tags = tuple(sorted((*tags, LOW_TAG)))
                    ev((number, answer, v, who, NULL, "tags", INTERNAL, "tags", " ".join(tags), " ".join(new_tags),
                        NULL, NULL))  # fmt: skip
                    tags = new_tags
            owner_id = NULL if owner_then is None else agent_ids[logins.index(owner_then)]
            out.surveys.append((number, opened, score, comment, NULL if answer is None else answer, recorder, owner_id,
                                NULL if queue is None else queue, NULL if org is None else org))  # fmt: skip
        out.tickets.append(
            (
                number, subject, status, prio, channel,
                NULL if customer is None else customer, NULL if org is None else org, NULL if queue is None else queue,
                NULL if assignee is None else agent_ids[assignee],
                created, days[t // 86_400] + clock[t % 86_400],
                NULL if first_response is None else first_response,
                NULL if resolved is None else resolved,
                NULL if closed is None else closed,
                v, kind, *sla,
            )
        )  # fmt: skip
        tag_ids = desk.tag_ids
        out.tags.extend([(number, tag_ids[name]) for name in tags])
        out.faqs.extend([(number, article, linked_at, by) for article, linked_at, by in faqs])


def generate(desk: DemoDesk, *, tickets: int, seed: int, first_number: int = 1) -> Iterator[TicketChunk]:
    """The demo's tickets, ``CHUNK_TICKETS`` at a time, in order (used by ``build_demo`` and the tests).

    Events carry no id: written in order, they get consecutive ids from the database.
    """
    generator = _Generator(seed, desk, tickets, first_number)
    for position in range(_chunk_count(tickets)):
        yield generator.chunk(position)
