"""``[mail]`` in config.toml: the desk's addresses, where mail is read from, limits, and secrets.

::

    [mail]
    from = "Acme Support <support@acme.example>"   # the desk's address (replies and notifications)
    imap_url = "imaps://mail.acme.example:993/INBOX"  # or imap:// (plain, loopback only) or imap+starttls://
    user = "support@acme.example"
    password_env = "SPORTELLO_MAIL_PASSWORD"        # or secret_file = "~/.config/sportello/mail.secret" (0600)
    processed_folder = "Processed"                  # fetched mail is moved here once it is on the desk
    maildir = "~/Maildir"                           # a local Maildir, read instead of or as well as IMAP
    loop_limit = 20                                 # messages per address and hour; more are held, not answered
    automatic_tickets = ["@monitoring.acme.example"] # automatic mail from these opens tickets (alerts, forms)
    max_message_mb = 25
    max_attachment_mb = 10

    [mail.queues]                                   # mail to these addresses lands in these queues
    "billing@acme.example" = "Billing"

    [mail.mailboxes.billing]                        # one more IMAP mailbox (per queue), same keys as above
    imap_url = "imaps://mail.acme.example/INBOX"
    user = "billing@acme.example"
    password_env = "BILLING_MAIL_PASSWORD"
    queue = "Billing"

A secret never comes from the command line or the database and is never printed.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import unquote, urlparse

from models.errors import InvalidInput
from models.redaction import remember_secret
from models.store.config import Config
from models.store.safe_files import UnsafePath, read_owned_file

__all__ = ["MailSettings", "Mailbox", "Relay", "mail_settings", "read_mailbox_secret", "read_relay_secret",
           "IMAP_SCHEMES", "SMTP_SCHEMES", "NOTIFICATIONS"]  # fmt: skip

IMAP_SCHEMES = {"imap": "plain", "imaps": "tls", "imap+starttls": "starttls"}
SMTP_SCHEMES = {"smtp": "plain", "smtps": "tls", "smtp+starttls": "starttls", "sendmail": "sendmail"}
#: The notifications a customer gets, each on unless ``[mail.notify]`` turns it off.
NOTIFICATIONS = ("created", "status", "resolved", "status_answer")
_TOP_KEYS = {"from", "imap_url", "user", "password_env", "secret_file", "processed_folder", "maildir", "loop_limit",
             "max_message_mb", "max_attachment_mb", "queues", "mailboxes", "cafile", "queue", "automatic_tickets",
             # the sending half (issue 18)
             "smtp_url", "smtp_user", "smtp_password_env", "smtp_secret_file", "notify", "reply_to"}  # fmt: skip
_BOX_KEYS = {"imap_url", "user", "password_env", "secret_file", "processed_folder", "queue", "cafile"}


@dataclass(frozen=True)
class Mailbox:
    """One IMAP mailbox to read: ``name`` is how the desk names it (``default`` for the top-level one)."""

    name: str
    url: str
    security: str  # plain | tls | starttls
    host: str
    port: int
    folder: str
    user: str
    password_env: str | None = None
    secret_file: str | None = None
    processed_folder: str | None = None
    queue: str | None = None
    cafile: str | None = None

    @property
    def source(self) -> str:
        """How the desk records where a message came from: no user, no secret."""
        return f"imap:{self.host}:{self.port}/{self.folder}"


@dataclass(frozen=True)
class Relay:
    """Where outgoing mail goes: an SMTP relay, or the local sendmail program."""

    kind: str  # plain | tls | starttls | sendmail
    host: str = ""
    port: int = 0
    program: str = ""  # sendmail's path
    user: str | None = None
    password_env: str | None = None
    secret_file: str | None = None
    cafile: str | None = None

    @property
    def where(self) -> str:
        """How to name it to a user: no user, no secret."""
        return f"sendmail:{self.program}" if self.kind == "sendmail" else f"smtp:{self.host}:{self.port}"


@dataclass(frozen=True)
class MailSettings:
    address: str  # the desk's address, lower case
    display_name: str = ""
    mailboxes: tuple[Mailbox, ...] = ()
    maildir: str | None = None
    processed_folder: str | None = None  # for the Maildir
    queues: Mapping[str, str] = field(default_factory=dict)  # address (lower case) -> queue name
    default_queue: str | None = None
    loop_limit: int = 20
    max_message_bytes: int = 25 * 1024 * 1024
    max_attachment_bytes: int = 10 * 1024 * 1024
    relay: Relay | None = None
    notify: Mapping[str, bool] = field(default_factory=lambda: dict.fromkeys(NOTIFICATIONS, True))
    #: Senders (addresses or @domains) whose automatic mail (monitoring alerts, forms) opens tickets.
    automatic_tickets: frozenset[str] = frozenset()
    raw: Mapping = field(default_factory=dict)  # the table as written, for the sending half

    def from_address(self, queue: str | None) -> str:
        """The address mail about a ticket in ``queue`` comes from: the queue's own, else the desk's."""
        if queue:
            for address, name in self.queues.items():
                if name.lower() == queue.lower():
                    return address
        return self.address

    def takes_automatic_from(self, sender: str) -> bool:
        return sender in self.automatic_tickets or "@" + sender.rpartition("@")[2] in self.automatic_tickets

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]

    @property
    def desk_addresses(self) -> frozenset[str]:
        """Every address the desk receives at: mail from one of them is our own coming back."""
        return frozenset({self.address, *self.queues})

    @property
    def configured(self) -> bool:
        return bool(self.address)


def _text(table: Mapping, key: str, where: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{where}: {key} must be a non-empty string")
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise InvalidInput(f"{where}: {key} holds a control character")
    return value.strip()


def _address(value: str, where: str) -> tuple[str, str]:
    name, address = parseaddr(value)
    address = address.strip().lower()
    local, at, domain = address.rpartition("@")
    if not at or not local or "." not in domain or " " in address:
        raise InvalidInput(f"{where}: {value!r} is not a mail address such as support@example.com")
    return name, address


def _number(table: Mapping, key: str, where: str, default: int, low: int, high: int) -> int:
    value = table.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidInput(f"{where}: {key} must be a whole number from {low} to {high}")
    return value


def _mailbox(name: str, table: Mapping, where: str) -> Mailbox:
    unknown = sorted(set(table) - _BOX_KEYS - (_TOP_KEYS if name == "default" else set()))
    if unknown:
        raise InvalidInput(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_BOX_KEYS))})")
    url = _text(table, "imap_url", where)
    parsed = urlparse(url or "")
    if parsed.scheme not in IMAP_SCHEMES:
        raise InvalidInput(f"{where}: imap_url must start with imap://, imaps:// or imap+starttls://")
    if parsed.username or parsed.password:
        raise InvalidInput(f"{where}: imap_url must not hold a user or password; use user and password_env")
    if not parsed.hostname:
        raise InvalidInput(f"{where}: imap_url has no host")
    try:
        port = parsed.port or (993 if parsed.scheme == "imaps" else 143)
    except ValueError:
        raise InvalidInput(f"{where}: imap_url has a bad port") from None
    folder = unquote(parsed.path.lstrip("/")) or "INBOX"
    user = _text(table, "user", where)
    if not user:
        raise InvalidInput(f"{where}: set user (the IMAP login)")
    secrets = [k for k in ("password_env", "secret_file") if k in table]
    if len(secrets) != 1:
        raise InvalidInput(f"{where}: set exactly one of password_env or secret_file")
    return Mailbox(
        name=name,
        url=url,
        security=IMAP_SCHEMES[parsed.scheme],
        host=parsed.hostname,
        port=port,
        folder=folder,
        user=user,
        password_env=_text(table, "password_env", where),
        secret_file=_text(table, "secret_file", where),
        processed_folder=_text(table, "processed_folder", where),
        queue=_text(table, "queue", where),
        cafile=_text(table, "cafile", where),
    )


def mail_settings(config: Config) -> MailSettings | None:
    """The ``[mail]`` table checked, or None when the desk has no mail configured."""
    table = config.mail
    if not table:
        return None
    where = f"{config.source or 'config'}: [mail]"
    unknown = sorted(set(table) - _TOP_KEYS)
    if unknown:
        raise InvalidInput(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_TOP_KEYS))})")
    sender = _text(table, "from", where)
    if not sender:
        raise InvalidInput(f'{where}: set from = "Support <support@example.com>", the desk\'s address')
    display, address = _address(sender, f"{where} from")
    boxes = []
    if "imap_url" in table:
        boxes.append(_mailbox("default", table, where))
    extra = table.get("mailboxes", {})
    if not isinstance(extra, dict):
        raise InvalidInput(f"{where}: mailboxes must be a table of [mail.mailboxes.NAME] tables")
    for name, box in extra.items():
        if not isinstance(box, dict):
            raise InvalidInput(f"{where}: mailboxes.{name} must be a table")
        boxes.append(_mailbox(str(name), box, f"{where} mailboxes.{name}"))
    queues_table = table.get("queues", {})
    if not isinstance(queues_table, dict):
        raise InvalidInput(f"{where}: queues must be a table of address = queue name")
    queues = {}
    for addr, queue in queues_table.items():
        if not isinstance(queue, str) or not queue.strip():
            raise InvalidInput(f"{where}: queues.{addr!r} must name a queue")
        queues[_address(addr, f"{where} queues")[1]] = queue.strip()
    maildir = _text(table, "maildir", where)
    allowed = table.get("automatic_tickets", [])
    if not isinstance(allowed, list) or not all(isinstance(a, str) and "@" in a for a in allowed):
        raise InvalidInput(
            f'{where}: automatic_tickets must be a list of addresses or @domains, e.g. ["@monitoring.example"]'
        )
    mb = 1024 * 1024
    notify = table.get("notify", {})
    if not isinstance(notify, dict) or not all(k in NOTIFICATIONS and isinstance(v, bool) for k, v in notify.items()):
        raise InvalidInput(f"{where}: notify must be a table of {', '.join(NOTIFICATIONS)} = true or false")
    return MailSettings(
        address=address,
        display_name=display,
        mailboxes=tuple(boxes),
        maildir=str(Path(maildir).expanduser()) if maildir else None,
        processed_folder=_text(table, "processed_folder", where),
        queues=queues,
        default_queue=_text(table, "queue", where),
        loop_limit=_number(table, "loop_limit", where, 20, 1, 100_000),
        max_message_bytes=_number(table, "max_message_mb", where, 25, 1, 1024) * mb,
        max_attachment_bytes=_number(table, "max_attachment_mb", where, 10, 0, 1024) * mb,
        automatic_tickets=frozenset(a.strip().lower() for a in allowed),
        relay=_relay(table, where),
        notify=dict.fromkeys(NOTIFICATIONS, True) | notify,
        raw=dict(table),
    )


def _relay(table: Mapping, where: str) -> Relay | None:
    url = _text(table, "smtp_url", where)
    if url is None:
        return None
    parsed = urlparse(url)
    if parsed.scheme not in SMTP_SCHEMES:
        raise InvalidInput(f"{where}: smtp_url must start with smtp://, smtps://, smtp+starttls:// or sendmail:")
    secrets = [k for k in ("smtp_password_env", "smtp_secret_file") if k in table]
    user = _text(table, "smtp_user", where)
    if parsed.scheme == "sendmail":
        program = parsed.path or "/usr/sbin/sendmail"
        if not program.startswith("/"):
            raise InvalidInput(
                f"{where}: smtp_url sendmail:PATH needs an absolute path, e.g. sendmail:/usr/sbin/sendmail"
            )
        return Relay("sendmail", program=program)
    if parsed.username or parsed.password:
        raise InvalidInput(f"{where}: smtp_url must not hold a user or password; use smtp_user and smtp_password_env")
    if not parsed.hostname:
        raise InvalidInput(f"{where}: smtp_url has no host")
    if len(secrets) > 1 or (secrets and not user) or (user and not secrets):
        raise InvalidInput(f"{where}: a relay login needs smtp_user and one of smtp_password_env or smtp_secret_file")
    try:
        port = parsed.port or {"smtps": 465, "smtp+starttls": 587}.get(parsed.scheme, 25)
    except ValueError:
        raise InvalidInput(f"{where}: smtp_url has a bad port") from None
    return Relay(SMTP_SCHEMES[parsed.scheme], host=parsed.hostname, port=port, user=user,
                 password_env=_text(table, "smtp_password_env", where),
                 secret_file=_text(table, "smtp_secret_file", where), cafile=_text(table, "cafile", where))  # fmt: skip


def read_relay_secret(relay: Relay, env: Mapping[str, str] | None = None) -> str:
    """The relay's password, as :func:`read_mailbox_secret` reads a mailbox's."""
    box = Mailbox("relay", "", "", relay.host, relay.port, "", relay.user or "", relay.password_env, relay.secret_file)
    return read_mailbox_secret(box, env)


def read_mailbox_secret(box: Mailbox, env: Mapping[str, str] | None = None) -> str:
    """The mailbox's password from its variable or its 0600 file; remembered for redaction, never printed."""
    env = os.environ if env is None else env
    where = f"[mail] mailbox {box.name!r}"
    if box.password_env:
        value = env.get(box.password_env, "").strip()
        if not value:
            raise InvalidInput(f"{where}: the environment variable {box.password_env} is not set")
    else:
        path = Path(box.secret_file or "").expanduser()
        try:
            value = read_owned_file(path, limit=4096, private=True).decode("utf-8").strip()
        except UnsafePath as refused:
            raise UnsafePath(f"{where}: the secret file {path}", refused.reason) from None
        except (OSError, UnicodeDecodeError):
            raise InvalidInput(f"{where}: the secret file {path} cannot be read") from None
        if not value:
            raise InvalidInput(f"{where}: the secret file {path} is empty")
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise InvalidInput(f"{where}: the password holds a control character (a line break, say)")
    remember_secret(value)
    return value
