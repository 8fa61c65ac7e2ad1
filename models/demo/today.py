"""The day in progress: when the story ends during the office's working day, the newest open tickets show
the day's work, newest first (a note, a customer's message, a deadline set by hand)."""

from __future__ import annotations

from datetime import datetime, timedelta

from models.demo import text
from models.demo.rows import INTERNAL, NULL, OPEN, PENDING, PUBLIC, TicketChunk
from models.demo.span import day_texts
from models.demo.ticket_sla import sla_columns
from models.demo.wording import compose

__all__ = ["TODAY", "today_in_progress"]

# When the story ends during the office's working day, the newest open tickets show the day in
# progress, newest first: (what, minutes before the end it happens; for a deadline set by hand,
# minutes from the end to that deadline). Two rounds, as a ticket whose last change is more recent
# than its entry keeps it, so that each kind lands somewhere.
TODAY = (("note", 4), ("deadline", 25), ("customer", 12), ("deadline", -100), ("note", 35), ("deadline", 50),
          ("deadline", -200), ("note", 110), ("note", 7), ("deadline", 40), ("customer", 21), ("deadline", -150),
          ("note", 58), ("deadline", 15), ("deadline", -75), ("customer", 95))  # fmt: skip


def today_in_progress(
    story,
    index: int,
    out: TicketChunk,
    first_event: int,
    t: int,
    v: int,
    status: str,
    customer,
    assignee,
    created: str,
    responded,
    prio: int,
    org,
    topic: str,
    question: str,
) -> tuple[int, int, str]:
    """One more change on one of the newest open tickets, as planned by ``TODAY``; returns the
    new ``(t, v, status)``. Nothing happens when the ticket's last change is too recent for it."""
    rnd, desk = story.rng.random, story.desk
    days, clock = day_texts(story.span.start)
    what, minutes = TODAY[story.total - 1 - index]
    end = story.span.seconds
    at = end - 60 * minutes if what != "deadline" else end - 60 * int(30 + 150 * rnd())
    if what == "deadline" and minutes < 0:
        at = min(at, end + 60 * minutes - 60 * int(20 + 60 * rnd()))  # set before the deadline it missed
    if at <= t:
        return t, v, status
    stamp = days[at // 86_400] + clock[at % 86_400]
    worker = assignee if assignee is not None else story.agent(at)
    who = desk.agent_ids[worker]
    v += 1
    if what == "note":
        note = story.texts.notes[topic][int(len(story.texts.notes[topic]) * rnd())]
        out.events.append((out.events[first_event][0], stamp, v, who, NULL, "note", INTERNAL, NULL, NULL,
                           NULL, note, NULL, NULL))  # fmt: skip
    elif what == "customer":
        if customer is None:
            return t, v - 1, status
        pool = story.texts.follow_ups[question]
        body = compose(rnd, text.CUSTOMER_OPENERS, pool, text.CUSTOMER_CLOSERS)
        number = out.events[first_event][0]
        out.events.append((number, stamp, v, NULL, customer, "reply", PUBLIC, NULL, NULL, NULL, body, NULL, NULL))
        if status == PENDING:
            out.events.append((number, stamp, v, NULL, customer, "status", PUBLIC, "status", PENDING, OPEN, NULL,
                               "the customer replied", NULL))  # fmt: skip
            status = OPEN
    else:
        number = out.events[first_event][0]
        now = days[t // 86_400] + clock[t % 86_400]
        before = sla_columns(story.desk, out.events[first_event:], created, responded, None, status, prio, org, now)[4]
        due = (story.span.start + timedelta(seconds=end + 60 * minutes)).isoformat()
        old = NULL if before == NULL else datetime.fromisoformat(before).isoformat()
        reason = text.DEADLINE_REASONS[int(len(text.DEADLINE_REASONS) * rnd())]
        asked = text.REQUESTERS[6 + int((len(text.REQUESTERS) - 6) * rnd())]
        lead = desk.agent_ids[desk.leads[int(len(desk.leads) * rnd())]]
        out.events.append((number, stamp, v, lead, NULL, "override", INTERNAL, "due_at", old, due, NULL, reason,
                           asked))  # fmt: skip
    return at, v, status
