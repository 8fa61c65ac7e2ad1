"""What may be typed into an FAQ article, each field checked and cleaned, and who may change the FAQ."""

from __future__ import annotations

from collections.abc import Iterable

from models import validate
from models.enums import FAQStatus
from models.errors import InvalidInput, PermissionDenied
from models.store.tables import Agent

__all__ = ["MAX_TITLE", "MAX_NOTE"]  # the checks serve the modules of this room only

MAX_TITLE = 300
MAX_NOTE = 500


def title(value: str) -> str:
    return validate.line(value, "title", MAX_TITLE, required=True)


def body(value: str) -> str:
    return validate.body(value, "article body")


def status(value: str) -> str:
    try:
        return FAQStatus(str(value).strip().lower()).value
    except ValueError:
        names = ", ".join(s.value for s in FAQStatus)
        raise InvalidInput(f"unknown FAQ status {str(value)[:40]!r} (one of: {names})") from None


def tags(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({validate.tag(v) for v in values if str(v).strip()}))


def note(value: str | None) -> str:
    return validate.line(value, "change note", MAX_NOTE)


def active(actor: Agent) -> Agent:
    if actor is None or not actor.active:
        raise PermissionDenied("only an active agent may change the FAQ")
    return actor
