"""``[remotes.NAME]`` in config.toml: what a remote is, how to reach it, and its secret.

    [remotes.helpdesk]
    type = "rt"                      # or "roundup"
    url = "http://rt.example:8080/rt" # RT: REST2 is under /REST/2.0; Roundup: the tracker URL
    user = "sportello"
    token_env = "RT_TOKEN"           # or password_env = "…", or secret_file = "~/.config/…" (mode 0600)
    queue = "General"                # RT only
    interval = 300                   # seconds between background syncs in the app; 0: only on R
    timeout = 10                     # seconds for one request (retries come on top)
    min_interval = 0.0               # seconds at least between two requests (rate limit)
    max_pages = 200                  # pages one pull reads at most (100 tickets a page)
    statuses = { pending = "stalled" }  # local → remote, over the defaults
    priorities = { urgent = "100" }

A secret never comes from the command line or the database, and is never printed.
"""

from __future__ import annotations

import base64
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from models.enums import Priority, Status
from models.errors import InvalidInput
from models.redaction import remember_secret
from models.store.config import Config
from models.store.safe_files import UnsafePath, read_owned_file

__all__ = ["RemoteConfig", "remotes_from", "read_secret", "DEFAULT_STATUSES", "DEFAULT_PRIORITIES", "Mapping"]

KINDS = ("rt", "roundup")
_KEYS = {"type", "url", "user", "token_env", "password_env", "secret_file", "queue", "statuses", "priorities",
         "interval", "max_pages", "min_interval", "timeout"}  # fmt: skip

DEFAULT_STATUSES = {
    "rt": {"new": "new", "open": "open", "pending": "stalled", "on_hold": "stalled", "resolved": "resolved",
           "closed": "resolved"},
    "roundup": {"new": "unread", "open": "chatting", "pending": "need-eg", "on_hold": "deferred",
                "resolved": "resolved", "closed": "resolved"},
}  # fmt: skip
# Remote values that no local one maps to, read back as these.
EXTRA_STATUSES = {
    "rt": {"rejected": "closed", "deleted": "closed"},
    "roundup": {"in-progress": "open", "testing": "open", "done-cbb": "resolved"},
}
DEFAULT_PRIORITIES = {
    "rt": {"low": "0", "normal": "50", "high": "75", "urgent": "100"},
    "roundup": {"low": "wish", "normal": "bug", "high": "urgent", "urgent": "critical"},
}
EXTRA_PRIORITIES = {"rt": {}, "roundup": {"feature": "normal"}}


@dataclass(frozen=True)
class Mapping:
    """Local → remote values of one field, and back (the first local value that maps there wins)."""

    out: dict[str, str]
    back: dict[str, str]
    fallback: str

    def to_remote(self, local: str) -> str:
        return self.out[local]

    def to_local(self, remote: str) -> str:
        if remote in self.back:
            return self.back[remote]
        if remote.lstrip("-").isdigit() and all(v.lstrip("-").isdigit() for v in self.back):  # RT's numbers
            nearest = min(self.back, key=lambda v: abs(int(v) - int(remote)))
            return self.back[nearest]
        return self.fallback


def _mapping(defaults: dict[str, str], extra: dict[str, str], given: dict, names: list[str], fallback: str,
             where: str) -> Mapping:  # fmt: skip
    out = dict(defaults)
    for local, remote in given.items():
        if local not in names:
            raise InvalidInput(f"{where}: unknown local value {local!r} (known: {', '.join(names)})")
        if not isinstance(remote, str | int) or isinstance(remote, bool) or not str(remote).strip():
            raise InvalidInput(f"{where}: the remote value for {local!r} must be a non-empty string")
        out[local] = str(remote).strip()
    back = dict(extra)
    for local in names:  # in the order of the local vocabulary: the first local value wins
        back.setdefault(out[local], local)
    for local in given:  # a pair written in the file reads back as written
        back[out[local]] = local
    return Mapping(out=out, back=back, fallback=fallback)


@dataclass(frozen=True)
class RemoteConfig:
    name: str
    kind: str
    url: str
    user: str
    token_env: str | None = None
    password_env: str | None = None
    secret_file: str | None = None
    queue: str = "General"
    interval: int = 0
    max_pages: int = 200
    min_interval: float = 0.0
    timeout: float = 10.0
    statuses: Mapping = field(default=None)  # type: ignore[assignment]
    priorities: Mapping = field(default=None)  # type: ignore[assignment]


def _text(table: dict, key: str, where: str, *, required: bool = False) -> str | None:
    value = table.get(key)
    if value is None:
        if required:
            raise InvalidInput(f"{where}: key {key!r} is required")
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{where}: key {key!r} must be a non-empty string")
    return value.strip()


def _number(table: dict, key: str, where: str, default, kind: type, low, high):
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or (kind is int and not isinstance(value, int)):
        raise InvalidInput(f"{where}: key {key!r} must be a number")
    if not low <= value <= high:
        raise InvalidInput(f"{where}: key {key!r} must be between {low} and {high}")
    return value


def _one(name: str, table: object, source: str) -> RemoteConfig:
    where = f"{source}: [remotes.{name}]"
    if not isinstance(table, dict):
        raise InvalidInput(f"{where} must be a table")
    if name.lower() == "mail":  # the timeline marks changes that came by mail with this origin
        raise InvalidInput(f"{where}: the name 'mail' is the desk's own mail; call the remote something else")
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise InvalidInput(f"{where}: unknown key {unknown[0]!r} (known keys: {', '.join(sorted(_KEYS))})")
    kind = _text(table, "type", where, required=True)
    if kind not in KINDS:
        raise InvalidInput(f"{where}: type must be one of {', '.join(KINDS)}, not {kind!r}")
    url = _text(table, "url", where, required=True).rstrip("/")
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise InvalidInput(f"{where}: url must be an http:// or https:// address, not {url!r}")
    if parsed.username or parsed.password:
        raise InvalidInput(f"{where}: url must not hold a user or password; use user and token_env/password_env")
    secrets = [k for k in ("token_env", "password_env", "secret_file") if k in table]
    if len(secrets) != 1:
        raise InvalidInput(f"{where}: set exactly one of token_env, password_env or secret_file")
    if kind == "roundup" and "token_env" in table:
        raise InvalidInput(f"{where}: Roundup takes a password (password_env or secret_file), not a token")
    for map_key in ("statuses", "priorities"):
        if map_key in table and not isinstance(table[map_key], dict):
            raise InvalidInput(f"{where}: {map_key} must be a table of local = remote values")
    return RemoteConfig(
        name=name,
        kind=kind,
        url=url,
        user=_text(table, "user", where, required=True),
        token_env=_text(table, "token_env", where),
        password_env=_text(table, "password_env", where),
        secret_file=_text(table, "secret_file", where),
        queue=_text(table, "queue", where) or "General",
        interval=_number(table, "interval", where, 0, int, 0, 86400),
        max_pages=_number(table, "max_pages", where, 200, int, 1, 100000),
        min_interval=float(_number(table, "min_interval", where, 0.0, float, 0, 60)),
        timeout=float(_number(table, "timeout", where, 10.0, float, 0.1, 300)),
        statuses=_mapping(DEFAULT_STATUSES[kind], EXTRA_STATUSES[kind], table.get("statuses", {}),
                          [s.value for s in Status], "open", f"{where} statuses"),
        priorities=_mapping(DEFAULT_PRIORITIES[kind], EXTRA_PRIORITIES[kind], table.get("priorities", {}),
                            [p.value for p in Priority], "normal", f"{where} priorities"),
    )  # fmt: skip


def remotes_from(config: Config) -> dict[str, RemoteConfig]:
    """Every configured remote by name; ``InvalidInput`` naming the file and key for a bad one."""
    source = config.source or "config.toml"
    return {name: _one(name, table, source) for name, table in sorted(config.remotes.items())}


#: A token or password is short; a file near this size is something else.
MAX_SECRET_BYTES = 16_384

# What no token or password looks like: a private key (PEM, OpenSSH, PGP, SSH2 or PuTTY), which a
# shared config could otherwise send as a password to any URL.
_PRIVATE_KEY = re.compile(r"BEGIN [A-Z0-9 ]*PRIVATE KEY|PuTTY-User-Key-File-|OPENSSH PRIVATE KEY")


def read_secret(remote: RemoteConfig, env: dict[str, str] | None = None) -> tuple[str, str]:
    """(secret, "token" | "password"), from the named variable or the file.

    The file must be a regular file of the user's own (or root's) that only its owner may read.
    A secret that looks like a private key or holds a control character (a line break inside it,
    say) is refused, whichever way it came: it is not a token or a password and is never sent.
    A secret read is redacted from whatever the sync log stores or prints from then on.
    """
    env = os.environ if env is None else env
    where = f"remote {remote.name!r}"
    if remote.token_env or remote.password_env:
        var = remote.token_env or remote.password_env
        value = env.get(var, "")
        if not value.strip():
            raise InvalidInput(f"{where}: the environment variable {var} is not set")
        return _checked(value.strip(), f"{where}: the environment variable {var}", remote.user), (
            "token" if remote.token_env else "password"
        )
    path = Path(remote.secret_file).expanduser()
    try:
        raw = read_owned_file(path, limit=MAX_SECRET_BYTES, private=True)
        value = raw.decode("utf-8").strip()
    except UnsafePath as refused:
        raise UnsafePath(f"{where}: the secret file {path}", refused.reason) from None
    except (OSError, UnicodeDecodeError):
        raise InvalidInput(f"{where}: the secret file {path} cannot be read") from None
    if not value:
        raise InvalidInput(f"{where}: the secret file {path} is empty")
    return _checked(
        value, f"{where}: the secret file {path}", remote.user
    ), "token" if remote.kind == "rt" else "password"


def _checked(secret: str, what: str, user: str) -> str:
    """``secret`` when it can be a token or password (the message never holds it), remembered from
    now on for :func:`models.redaction.redact`, also as Basic auth sends it with ``user``."""
    if _PRIVATE_KEY.search(secret):
        raise InvalidInput(f"{what} holds a private key, not a token or password; it is not sent")
    if any(unicodedata.category(c) == "Cc" for c in secret):
        raise InvalidInput(f"{what} holds a control character (a line break, say); a token or password has none")
    remember_secret(secret)
    remember_secret(base64.b64encode(f"{user}:{secret}".encode()).decode())
    return secret
