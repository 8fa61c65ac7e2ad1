"""Customer satisfaction: a survey opens when a ticket is resolved (``models.tickets.effects.open_survey``);
its answer is a score 1-5 and an optional comment. A low score (2 or less) is followed up: an internal
note asks a lead to look, and the ticket is tagged ``csat-low`` so that leads find it (``tag:csat-low``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models import validate
from models.enums import EventKind, Visibility
from models.errors import Conflict, InvalidInput, RuleViolation
from models.store.db import write_transaction
from models.store.tables import Agent, Survey, Ticket, TicketEvent, utcnow
from models.tickets import changes as tickets

__all__ = ["LOW_SCORE", "LOW_TAG", "Answer", "record", "answers"]

LOW_SCORE = 2
LOW_TAG = "csat-low"


@dataclass(frozen=True)
class Answer:
    ticket: int
    score: int
    comment: str
    answered_at: datetime
    subject: str


def record(actor: Agent | None, number: int, score: int, comment: str | None = None) -> Ticket:
    """Record the customer's answer to the ticket's open survey; returns the ticket, carrying the events
    written (the answer, and for a low score the note and the tag) in ``written``."""
    if type(score) is not int or not 1 <= score <= 5:
        raise InvalidInput("the score must be a whole number from 1 to 5")
    words = validate.text(comment).strip() if comment else ""
    if len(words.encode()) > validate.MAX_BODY_BYTES:
        raise InvalidInput("the comment is over 1 MB")
    with write_transaction():
        ticket = tickets.get_ticket(number)
        survey = (
            Survey.select().where(Survey.ticket == number).order_by(Survey.opened_at.desc(), Survey.id.desc()).first()
        )
        if survey is None:
            raise RuleViolation(f"ticket #{number} has no survey: one opens when the ticket is resolved")
        if survey.answered_at is not None:
            raise Conflict(f"the survey of ticket #{number} was already answered ({survey.score}/5 on "
                           f"{survey.answered_at:%Y-%m-%d %H:%M} UTC)")  # fmt: skip
        at = utcnow()
        Survey.update(
            score=score, comment=words or None, answered_at=at, recorded_by=actor.id if actor else None
        ).where(Survey.id == survey.id).execute()
        low = score <= LOW_SCORE

        def build(row, state):
            events = [TicketEvent(kind=EventKind.CSAT.value, visibility=Visibility.INTERNAL.value, field="csat",
                                  new_value=str(score), body=words or None, customer=row.customer_id)]  # fmt: skip
            if low:
                events.append(TicketEvent(kind=EventKind.NOTE.value, visibility=Visibility.INTERNAL.value,
                                          body=f"Low satisfaction score ({score}/5): a lead should follow up "
                                               "with the customer."))  # fmt: skip
                events += tickets.tags_change(state, [LOW_TAG], [])
            return events

        return tickets.change(actor, ticket.number, None, build)


def answers(*, low_only: bool = False, limit: int = 100) -> list[Answer]:
    """The latest answers, newest first."""
    query = (
        Survey.select(Survey.ticket, Survey.score, Survey.comment, Survey.answered_at, Ticket.subject)
        .join(Ticket, on=(Survey.ticket == Ticket.number))
        .where(Survey.answered_at.is_null(False))
    )
    if low_only:
        query = query.where(Survey.score <= LOW_SCORE)
    rows = query.order_by(Survey.answered_at.desc()).limit(limit).tuples()
    return [Answer(t, s, c or "", a, subj) for t, s, c, a, subj in rows]
