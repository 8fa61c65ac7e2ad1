"""Handing outgoing mail to the relay: SMTP (plain on this machine only, TLS, STARTTLS, with a login)
or the local ``sendmail`` program.

:func:`open_relay` gives a :class:`Transport` whose ``send`` returns the server's answer ("250 2.0.0
Ok: queued as …") or raises :class:`DeliveryError`, temporary (4xx, a connection lost, a timeout,
sendmail's exit 75) or permanent (5xx, another exit), always with what the server said and never
the password. One connection serves a whole run and is opened again when the server drops it.
A connection lost after the whole message was written, before the server's answer, is
``maybe_sent``: the relay may have taken it, so it is not tried again by itself (RFC 1047).
"""

from __future__ import annotations

import re
import smtplib
import ssl
import subprocess
from collections.abc import Mapping

from models.inert import safe_text
from models.mail.settings import Relay, read_relay_secret
from sync.mail.errors import DeliveryError
from sync.mail.imap import _is_loopback

__all__ = ["Transport", "SmtpTransport", "SendmailTransport", "open_relay", "DEFAULT_TIMEOUT"]

DEFAULT_TIMEOUT = 30.0
_DOT = re.compile(rb"(?m)^\.")  # a line starting with a dot is sent with two (RFC 5321 4.5.2)


def _said(code: int | None, message: bytes | str | None) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else (message or "")
    return safe_text(" ".join(f"{code or ''} {text}".split()), multiline=False)[:500]


class Transport:
    where: str = ""

    def send(self, sender: str, recipients: list[str], raw: bytes) -> str:  # pragma: no cover - an interface
        raise NotImplementedError

    def open(self) -> None:
        """Reach the relay now (connect, TLS, login), so that a relay that is away or refuses the login
        says so before any message is taken; raises :class:`DeliveryError` with ``relay_down``."""

    def close(self) -> None:
        pass

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SmtpTransport(Transport):
    def __init__(self, relay: Relay, password: str | None, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.relay, self._password, self.timeout = relay, password, timeout
        self.where = relay.where
        self._smtp: smtplib.SMTP | None = None

    def _context(self) -> ssl.SSLContext:
        return (
            ssl.create_default_context(cafile=self.relay.cafile) if self.relay.cafile else ssl.create_default_context()
        )

    def _connect(self) -> smtplib.SMTP:
        relay = self.relay
        try:
            if relay.kind == "tls":
                smtp = smtplib.SMTP_SSL(relay.host, relay.port, timeout=self.timeout, context=self._context())
            else:
                smtp = smtplib.SMTP(relay.host, relay.port, timeout=self.timeout)
                if relay.kind == "starttls":
                    smtp.starttls(context=self._context())
            if relay.user:
                smtp.login(relay.user, self._password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"the relay {self.where} refused the login of {relay.user}: "
                                f"{_said(exc.smtp_code, exc.smtp_error)}", temporary=False, relay_down=True) from None  # fmt: skip
        except ssl.SSLCertVerificationError as exc:
            raise DeliveryError(f"the relay {self.where} has a certificate this machine does not trust "
                                f"({exc.verify_message}); set cafile in [mail]", temporary=False, relay_down=True) from None  # fmt: skip
        except smtplib.SMTPNotSupportedError:
            raise DeliveryError(f"the relay {self.where} offers no STARTTLS; use smtps:// or another relay",
                                temporary=False, relay_down=True) from None  # fmt: skip
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(f"the relay {self.where} answered {_said(exc.smtp_code, exc.smtp_error)}",
                                temporary=exc.smtp_code < 500, relay_down=True) from None  # fmt: skip
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"cannot reach the relay {self.where}: {_said(None, str(exc) or type(exc).__name__)}",
                                temporary=True, relay_down=True) from None  # fmt: skip
        return smtp

    def open(self) -> None:
        if self._smtp is None:
            self._smtp = self._connect()

    def send(self, sender: str, recipients: list[str], raw: bytes) -> str:
        for attempt in (1, 2):  # a connection the server dropped since the last message is opened again once
            if self._smtp is None:
                self._smtp = self._connect()
            try:
                return self._transaction(self._smtp, sender, recipients, raw)
            except smtplib.SMTPServerDisconnected:
                self._smtp = None
                if attempt == 2:
                    raise DeliveryError(
                        f"the relay {self.where} closed the connection", temporary=True, relay_down=True
                    ) from None
            except DeliveryError as err:
                if err.maybe_sent:
                    self._smtp = None  # the connection is gone
                else:
                    self._reset()
                raise
            except smtplib.SMTPResponseException as exc:
                self._reset()
                raise DeliveryError(f"the relay answered {_said(exc.smtp_code, exc.smtp_error)}",
                                    temporary=exc.smtp_code < 500) from None  # fmt: skip
            except (OSError, smtplib.SMTPException) as exc:
                self._smtp = None
                raise DeliveryError(f"the connection to the relay {self.where} failed: "
                                    f"{_said(None, str(exc) or type(exc).__name__)}", temporary=True, relay_down=True) from None  # fmt: skip
        raise AssertionError("unreachable")

    @staticmethod
    def _transaction(smtp: smtplib.SMTP, sender: str, recipients: list[str], raw: bytes) -> str:
        """MAIL, RCPT for each, DATA: the last answer is the server's word that it took the message."""
        smtp.ehlo_or_helo_if_needed()
        code, message = smtp.mail(sender)
        if code != 250:
            raise DeliveryError(f"the relay refused the sender: {_said(code, message)}", temporary=code < 500)
        refused = {}
        for recipient in recipients:
            code, message = smtp.rcpt(recipient)
            if code not in (250, 251):
                refused[recipient] = (code, message)
        if len(refused) == len(recipients):
            said = "; ".join(f"{who}: {_said(c, m)}" for who, (c, m) in refused.items())
            raise DeliveryError(f"the relay refused every recipient: {said}",
                                temporary=all(400 <= c < 500 for c, _ in refused.values()))  # fmt: skip
        code, message = smtp.docmd("DATA")
        if code != 354:
            raise DeliveryError(f"the relay answered DATA with {_said(code, message)}", temporary=code < 500)
        # As smtplib's data(), but a connection lost once the whole message is written is told apart:
        # the relay may have taken it, and sending it again could deliver it twice.
        body = _DOT.sub(b"..", raw)
        smtp.send(body + (b"" if body.endswith(b"\r\n") else b"\r\n") + b".\r\n")
        try:
            code, message = smtp.getreply()
        except smtplib.SMTPServerDisconnected as exc:
            raise DeliveryError(f"the connection to the relay was lost after the message was handed over "
                                f"({_said(None, str(exc))}); it may have arrived", temporary=True,
                                maybe_sent=True) from None  # fmt: skip
        if code != 250:
            raise DeliveryError(f"the relay answered {_said(code, message)}", temporary=code < 500)
        answer = _said(code, message)
        if refused:
            answer += " — refused: " + "; ".join(f"{who}: {_said(c, m)}" for who, (c, m) in refused.items())
        return answer

    def _reset(self) -> None:
        try:
            if self._smtp is not None:
                self._smtp.rset()
        except (OSError, smtplib.SMTPException):
            self._smtp = None

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self._smtp = None


class SendmailTransport(Transport):
    def __init__(self, relay: Relay, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.relay, self.timeout, self.where = relay, timeout, relay.where

    def send(self, sender: str, recipients: list[str], raw: bytes) -> str:
        try:
            done = subprocess.run([self.relay.program, "-oi", "-f", sender, "--", *recipients], input=raw,
                                  capture_output=True, timeout=self.timeout, check=False)  # fmt: skip
        except FileNotFoundError:
            raise DeliveryError(f"{self.where}: no such program", temporary=False) from None
        except PermissionError:
            raise DeliveryError(f"{self.where}: not allowed to run it", temporary=False) from None
        except subprocess.TimeoutExpired:
            raise DeliveryError(f"{self.where} did not finish within {self.timeout:.0f} s; it may have taken the "
                                "message", temporary=True, maybe_sent=True) from None  # fmt: skip
        said = _said(None, (done.stderr or done.stdout or b"").decode("utf-8", "replace"))
        if done.returncode == 0:
            return f"accepted by {self.where}" + (f": {said}" if said else "")
        raise DeliveryError(f"{self.where} exited {done.returncode}" + (f": {said}" if said else ""),
                            temporary=done.returncode == 75)  # fmt: skip


def open_relay(relay: Relay, env: Mapping[str, str] | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> Transport:
    """The transport for ``relay`` (its password read now, from its variable or 0600 file)."""
    if relay.kind == "sendmail":
        return SendmailTransport(relay, timeout=timeout)
    if relay.kind == "plain" and relay.user and not _is_loopback(relay.host):
        raise DeliveryError(f"smtp://{relay.host} would send the relay password unencrypted; use smtps:// or "
                            "smtp+starttls:// (plain smtp:// is for a relay on this machine)", temporary=False)  # fmt: skip
    password = read_relay_secret(relay, env) if relay.user else None
    return SmtpTransport(relay, password, timeout=timeout)
