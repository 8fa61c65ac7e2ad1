"""The desk's signed Message-IDs and reply addresses: proof that a reply answers *our* mail.

A Message-ID we send is ``<sportello.T.E.SIG@domain>`` (ticket T, event E) and a ticket's reply
address is ``local+tT-SIG@domain``; SIG is an HMAC of T (and E) under the desk's own key
(``desk_secret``, made by migration 0013). A customer cannot point their mail at someone else's
ticket by typing a number: without the key there is no signature that checks.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from models.mail.tables import DeskSecret
from models.store.db import database

__all__ = ["message_id_for", "ticket_of_message_id", "reply_address", "ticket_of_address", "loop_id"]

_SIG = 12  # hex characters: 48 bits, far beyond guessing by mail
_OUR_ID = re.compile(rf"^sportello\.(\d{{1,12}})\.(\d{{1,15}})\.([0-9a-f]{{{_SIG}}})@")
_TOKEN = re.compile(rf"^(?P<local>[^+@]+)\+t(?P<ticket>\d{{1,12}})-(?P<sig>[0-9a-f]{{{_SIG}}})@(?P<domain>.+)$")


def _key() -> bytes:
    # Kept on the connection's database object: a process may open several desks (tests do), each its own.
    db = database.obj
    key = getattr(db, "_sportello_mail_key", None)
    if key is None:
        value = DeskSecret.select(DeskSecret.value).where(DeskSecret.name == "mail").scalar()
        if not value:
            raise RuntimeError("the desk has no mail key (migration 0013 makes one)")
        key = bytes.fromhex(value)
        db._sportello_mail_key = key
    return key


def _sign(text: str) -> str:
    return hmac.new(_key(), text.encode(), hashlib.sha256).hexdigest()[:_SIG]


def message_id_for(ticket: int, event: int, domain: str) -> str:
    """Our Message-ID (without ``<>``) for the mail that carries ``event`` of ``ticket``."""
    return f"sportello.{ticket}.{event}.{_sign(f'm{ticket}.{event}')}@{domain}"


def ticket_of_message_id(message_id: str) -> tuple[int, int] | None:
    """(ticket, event) when ``message_id`` is one we made, signature checked; else None."""
    match = _OUR_ID.match(message_id.strip().strip("<>").lower())
    if not match:
        return None
    ticket, event, sig = int(match[1]), int(match[2]), match[3]
    return (ticket, event) if hmac.compare_digest(sig, _sign(f"m{ticket}.{event}")) else None


def reply_address(ticket: int, desk_address: str) -> str:
    """The address whose mail lands on ``ticket``: ``support+t42-1a2b3c4d5e6f@example.com``."""
    local, _, domain = desk_address.partition("@")
    return f"{local}+t{ticket}-{_sign(f't{ticket}')}@{domain}"


def ticket_of_address(address: str) -> int | None:
    """The ticket a signed reply address names, signature checked; else None."""
    match = _TOKEN.match(address.strip().lower())
    if not match:
        return None
    ticket = int(match["ticket"])
    return ticket if hmac.compare_digest(match["sig"], _sign(f"t{ticket}")) else None


def loop_id() -> str:
    """What our own mail carries in ``X-Sportello-Loop``: the desk, not a secret."""
    return _sign("loop")
