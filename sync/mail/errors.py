"""What a mail source tells the user when it cannot be read: :class:`MailSourceError`.

One line naming the source (never its password), and whether trying again later may work
(``temporary``: the server unreachable, restarting or timing out) or not (a refused login, an
untrusted certificate, a folder that does not exist). A temporary error exits 75 (EX_TEMPFAIL), the
code mail servers and schedulers read as "try again later".
"""

from __future__ import annotations

from models.errors import SportelloError

__all__ = ["MailSourceError", "DeliveryError", "EX_TEMPFAIL"]

EX_TEMPFAIL = 75


class MailSourceError(SportelloError):
    """A mail source could not be read (or a message at it not acknowledged)."""

    def __init__(self, message: str, *, temporary: bool) -> None:
        super().__init__(message)
        self.temporary = temporary
        self.exit_code = EX_TEMPFAIL if temporary else 1


class DeliveryError(SportelloError):
    """The relay did not take a message: ``temporary`` (4xx, unreachable: try later) or not (5xx)."""

    def __init__(self, message: str, *, temporary: bool, relay_down: bool = False, maybe_sent: bool = False) -> None:
        super().__init__(message)
        self.temporary = temporary
        self.relay_down = relay_down  # not this message's fault: the rest of the run would fail the same way
        self.maybe_sent = maybe_sent  # lost before the relay's answer to the whole message: it may have taken it
        self.exit_code = EX_TEMPFAIL if temporary else 1
