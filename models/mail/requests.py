"""What a customer's mail to a ticket may ask of the desk besides adding to it: the status ("status",
"stato"), or the answer to the satisfaction survey ("5", "4/5 quick and kind").

:func:`customer_request` reads the new part of a message that threading put on a ticket; ingest acts
on it: a status request is recorded (an internal ``mail`` event the outbox answers with the public
page, exactly what ``sportello status`` shows) and changes nothing else; a survey answer is recorded
as the CSAT of a resolved ticket with an open survey and does not reopen it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.enums import Status
from models.mail.content import Parsed
from models.store.tables import Survey, Ticket

__all__ = ["Request", "customer_request", "STATUS_WORDS"]

#: One of these, alone (with "?" or "please"), asks for the status; English and Italian.
STATUS_WORDS = frozenset({"status", "state", "stato", "stato?", "status?", "update", "aggiornamento"})
_FILLER = frozenset({"please", "per", "favore", "piacere", "thanks", "grazie", "the", "lo", "what", "is", "qual", "è",
                     "whats", "what's", "?", "!", "."})  # fmt: skip
_PREFIX = re.compile(r"^\s*((re|r|aw|sv|fw|fwd|rif)\s*:\s*)+", re.IGNORECASE)
_TAG = re.compile(r"\[#\d+\]")
_SCORE = re.compile(r"^\s*(?:voto|score|rating)?\s*:?\s*([1-5])(?:\s*(?:/|su|out of|of)\s*5)?(?!\d)\s*[.,:;!\-–—]?\s*(.*)$",
                    re.IGNORECASE | re.DOTALL)  # fmt: skip


@dataclass(frozen=True)
class Request:
    kind: str  # "status" or "survey"
    score: int | None = None
    comment: str = ""


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s,]+", text.lower().strip()) if w]


def _asks_status(words: list[str]) -> bool:
    meaningful = [w.strip("?!.") for w in words if w not in _FILLER]
    return 1 <= len(meaningful) <= 1 and meaningful[0] in {w.strip("?") for w in STATUS_WORDS}


def customer_request(parsed: Parsed, ticket: Ticket) -> Request | None:
    """The request in ``parsed`` (already threaded onto ``ticket``), or None for an ordinary message."""
    new_part = (parsed.reply or parsed.text or "").strip()
    first = next((line for line in new_part.splitlines() if line.strip()), "")
    if ticket.status == Status.RESOLVED:
        match = _SCORE.match(new_part) if first else None
        if match and Survey.select().where((Survey.ticket == ticket.number) & Survey.answered_at.is_null()).exists():
            return Request("survey", int(match[1]), " ".join(match[2].split())[:2000])
    body_words = _words(new_part)
    subject = _TAG.sub(" ", _PREFIX.sub("", parsed.subject or ""))
    if body_words and len(body_words) <= 6 and _asks_status(body_words):
        return Request("status")
    if not body_words and _asks_status(_words(subject)):
        return Request("status")
    return None
