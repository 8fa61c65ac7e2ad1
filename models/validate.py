"""Checks on what users type, shared by every service function. Each returns the cleaned value."""

from __future__ import annotations

import re

from models.enums import Channel, Priority, Status, TicketType
from models.errors import InvalidInput

__all__ = [
    "MAX_SUBJECT",
    "MAX_BODY_BYTES",
    "text",
    "name",
    "subject",
    "body",
    "reason",
    "tag",
    "login",
    "email",
    "status",
    "priority",
    "channel",
    "ticket_type",
    "line",
]

MAX_SUBJECT = 500
MAX_BODY_BYTES = 1_000_000
MAX_REASON = 1_000
MAX_EMAIL = 254  # RFC 5321: the longest address a mail server accepts
_TAG = re.compile(r"^[^\W_][\w.\-]{0,63}$")
_LOGIN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.@\-]{0,63}$")  # '@': directory logins like jane@corp.example


def text(value: str) -> str:
    """Stored text as given, but with NUL replaced by U+FFFD: PostgreSQL cannot hold NUL, so neither backend does."""
    return str(value).replace("\x00", "\ufffd")


def _choice(kind: str, value: str, enum) -> str:
    try:
        return enum(str(value).strip().lower()).value
    except ValueError:
        names = ", ".join(member.value for member in enum)
        raise InvalidInput(f"unknown {kind} {str(value)[:40]!r} (one of: {names})") from None


def status(value: str) -> str:
    return _choice("status", value.replace("-", "_") if isinstance(value, str) else value, Status)


def priority(value: str) -> str:
    return _choice("priority", value, Priority)


def channel(value: str) -> str:
    value = {"walkin": "walk-in", "walk_in": "walk-in"}.get(str(value).strip().lower(), value)
    return _choice("channel", value, Channel)


def line(value: str | None, what: str, limit: int, *, required: bool = False) -> str:
    """One line of stored text (whitespace runs, newlines included, become one space), at most
    ``limit`` characters; ``required`` refuses an empty one. ``what`` names it in messages."""
    cleaned = " ".join(text(value or "").split())
    if required and not cleaned:
        raise InvalidInput(f"the {what} is empty")
    if len(cleaned) > limit:
        raise InvalidInput(f"the {what} is {len(cleaned)} characters long; the limit is {limit}")
    return cleaned


def ticket_type(value: str) -> str:
    return _choice("ticket type", value, TicketType)


def subject(value: str) -> str:
    """One line, 1–500 characters; runs of whitespace (newlines included) become one space."""
    cleaned = " ".join(text(value).split())
    if not cleaned:
        raise InvalidInput("the subject is empty")
    if len(cleaned) > MAX_SUBJECT:
        raise InvalidInput(f"the subject is {len(cleaned)} characters long; the limit is {MAX_SUBJECT}")
    return cleaned


def body(value: str, what: str = "message") -> str:
    """A message body: not blank, at most 1 MB of UTF-8."""
    if value is None or not str(value).strip():
        raise InvalidInput(f"the {what} is empty")
    size = len(value.encode("utf-8", "surrogatepass"))
    if size > MAX_BODY_BYTES:
        raise InvalidInput(f"the {what} is {size:,} bytes; the limit is {MAX_BODY_BYTES:,} bytes (1 MB)")
    return text(value)


def reason(value: str | None, what: str) -> str:
    """A reason is required for some changes; it is kept on the event."""
    cleaned = " ".join(text(value or "").split())
    if not cleaned:
        raise InvalidInput(f"{what} needs a reason (give --reason)")
    if len(cleaned) > MAX_REASON:
        raise InvalidInput(f"the reason is {len(cleaned)} characters long; the limit is {MAX_REASON}")
    return cleaned


def tag(value: str) -> str:
    cleaned = str(value).strip().lower()
    if not _TAG.match(cleaned):
        raise InvalidInput(
            f"bad tag {cleaned[:40]!r}: use letters, digits, '.', '-' or '_' (up to 64, starting with a letter or digit)"
        )
    return cleaned


def login(value: str) -> str:
    cleaned = str(value).strip()
    if not _LOGIN.match(cleaned):
        raise InvalidInput(f"bad login {cleaned[:40]!r}: use letters, digits, '.', '-', '_' or '@' (up to 64)")
    return cleaned


def email(value: str) -> str:
    """``local@domain.tld``, lower case: one '@', no whitespace, a dot inside the domain; at most
    254 characters. The length comes first and the rest is plain string checks, linear in the
    length: a regular expression with two unbounded runs took 25 s on a 64 KB address."""
    cleaned = str(value).strip().lower()
    if len(cleaned) > MAX_EMAIL:
        raise InvalidInput(f"the e-mail address is {len(cleaned):,} characters long; the limit is {MAX_EMAIL}")
    local, _, domain = cleaned.partition("@")
    spaced = any(ch.isspace() for ch in cleaned)
    if not local or "@" not in cleaned or "@" in domain or "." not in domain[1:-1] or spaced:
        raise InvalidInput(f"bad e-mail address {cleaned[:60]!r}")
    return cleaned


def name(value: str, fallback: str = "", limit: int = 200) -> str:
    """A person's or organization's name: one line, NUL-free, at most ``limit`` characters."""
    cleaned = " ".join(text(value or fallback).split())
    if len(cleaned) > limit:
        raise InvalidInput(f"the name is {len(cleaned)} characters long; the limit is {limit}")
    return cleaned
