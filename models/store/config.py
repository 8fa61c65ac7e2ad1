"""Sportello's configuration: one typed object, loaded from one place.

Where each setting comes from, first match wins::

    database   --db URL  >  $SPORTELLO_DB  >  db = "…" in config.toml  >  <user data dir>/sportello.db
    the file   --config PATH  >  $SPORTELLO_CONFIG  >  <user config dir>/config.toml

The user dirs are ``platformdirs.user_config_dir("sportello")`` and ``user_data_dir("sportello")``
(on Linux ``~/.config/sportello`` and ``~/.local/share/sportello``, following ``$XDG_CONFIG_HOME``
and ``$XDG_DATA_HOME``). A file named explicitly must exist; the default one may be missing.

The file is TOML. Each key is a field of :class:`Config` whose metadata names the key and its type,
so adding a setting means adding one field here. :func:`load_config` is the single seam that
tests patch (or feed an ``env`` mapping to).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlparse

import platformdirs

from models.errors import InvalidInput
from models.store.db import normalize_url, redact_url
from models.store.safe_files import UnsafePath, read_owned_file

__all__ = [
    "APP_NAME",
    "ENV_DB",
    "ENV_CONFIG",
    "Config",
    "config_dir",
    "data_dir",
    "default_config_path",
    "default_db_url",
    "load_config",
    "resolve_db_url",
    "redact_url",
    "describe_location",
]

APP_NAME = "sportello"

#: Environment variable naming the database (a URL or a bare SQLite file path).
ENV_DB = "SPORTELLO_DB"

#: Environment variable naming the config file.
ENV_CONFIG = "SPORTELLO_CONFIG"

#: A config file is a few lines; anything near this is not one.
MAX_CONFIG_BYTES = 1_000_000


@dataclass(frozen=True)
class Config:
    """Everything the config file can set. Every field with a ``key`` in its metadata is a TOML key."""

    #: The database URL from ``db = "…"`` (a bare path is a SQLite file); None when the file does not set it.
    db_url: str | None = field(
        default=None,
        metadata={"key": "db", "type": str, "doc": "database URL, or a path to a SQLite file"},
    )

    #: ``[remotes.NAME]`` tables, as written; ``sync.config`` reads and checks them.
    remotes: dict = field(
        default_factory=dict,
        metadata={"key": "remotes", "type": dict, "doc": "remote helpdesks to sync with ([remotes.NAME])"},
    )

    #: ``[keys]``: binding id -> the keys that replace its own (``"queue.take" = "T"``, ``"ticket.reply" = "r,R"``);
    #: the app checks the ids and the key names when it opens (the command line never needs them).
    keys: dict[str, str] = field(
        default_factory=dict,
        metadata={"key": "keys", "type": dict, "doc": "keys of the full-screen app, by binding id ([keys])"},
    )

    #: ``[mail]``: the desk's mail in and out, as written; ``models.mail.settings`` reads and checks it.
    mail: dict = field(
        default_factory=dict,
        metadata={"key": "mail", "type": dict, "doc": "mail in and out ([mail]; see the README)"},
    )

    #: The file this configuration was read from; None when no file was read.
    source: str | None = field(default=None, compare=False)


def _known_keys() -> dict[str, tuple[str, type, str]]:
    """TOML key -> (field name, expected type, description)."""
    return {f.metadata["key"]: (f.name, f.metadata["type"], f.metadata["doc"]) for f in fields(Config) if f.metadata}


def config_dir() -> Path:
    """The user's Sportello config directory (it may not exist)."""
    return Path(platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    """The user's Sportello data directory, where the default databases live (it may not exist)."""
    return Path(platformdirs.user_data_dir(APP_NAME))


def default_config_path() -> Path:
    return config_dir() / "config.toml"


def default_db_url(name: str = "sportello.db") -> str:
    """``sqlite:////abs/path`` of a database file in the data directory (``demo.db`` for the demo)."""
    return "sqlite:///" + str(data_dir().absolute() / name)


_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_END = re.compile(r"\s*\(at end of document\)\s*$")


def _toml_error(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> InvalidInput:
    """``/…/config.toml line 3: Invalid value (column 6)``, from tomllib's message."""
    message = str(exc)
    match = _TOML_WHERE.search(message)
    if match:
        line, column = match.groups()
        return InvalidInput(f"{path} line {line}: {message[: match.start()]} (column {column})")
    match = _TOML_END.search(message)
    if match:
        last = max(1, len(text.splitlines()))
        return InvalidInput(f"{path} line {last}: {message[: match.start()]} (at the end of the file)")
    return InvalidInput(f"{path}: {message}")


_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false", list: "an array",
               dict: "a table"}  # fmt: skip


def _type_name(kind: type) -> str:
    return _TYPE_NAMES.get(kind, kind.__name__)


def load_config(path: str | None = None, env: Mapping[str, str] = os.environ) -> Config:
    """Read the config file: ``path`` (from ``--config``), else ``$SPORTELLO_CONFIG``, else the default.

    Raises ``InvalidInput`` for a named file that is missing, malformed TOML (the message names the
    file and line), an unknown key or a value of the wrong type (the message names the key), and
    ``UnsafePath`` for a file that is not a regular file owned by the user (or root) that no one
    else may write: it names where the desk is and which remotes get a secret.
    """
    named = path or env.get(ENV_CONFIG) or None
    file = Path(named).expanduser() if named else default_config_path()
    try:
        raw = read_owned_file(file, limit=MAX_CONFIG_BYTES)
    except FileNotFoundError:
        if named:
            raise InvalidInput(f"config file {file} does not exist") from None
        return Config()
    except UnsafePath as refused:
        raise UnsafePath(f"config file {file}", refused.reason) from None
    except OSError as exc:
        raise InvalidInput(f"cannot read config file {file}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InvalidInput(f"{file} line {line}: not valid UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(file, text, exc) from None

    known = _known_keys()
    values: dict[str, object] = {}
    for key, value in data.items():
        if key not in known:
            names = ", ".join(sorted(known))
            raise InvalidInput(f"{file}: unknown key {key!r} (known keys: {names})")
        name, expected, _doc = known[key]
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise InvalidInput(f"{file}: key {key!r} must be {_type_name(expected)}, not {_type_name(type(value))}")
        values[name] = value
    db = values.get("db_url")
    if isinstance(db, str):
        if not db.strip():
            raise InvalidInput(f"{file}: key 'db' is empty")
        values["db_url"] = _normalize_relative_to(db.strip(), file.parent)
    if isinstance(values.get("keys"), dict):
        values["keys"] = _keys_table(values["keys"], file)
    return Config(**values, source=str(file))


def _keys_table(table: dict, file: Path, prefix: str = "") -> dict[str, str]:
    """``[keys]`` as binding id -> keys. A dotted id may be written bare (``queue.take = "T"``, which TOML
    reads as a table, as it does ``[keys.queue]``) or quoted (``"queue.take" = "T"``); every value is a string."""
    found: dict[str, str] = {}
    for name, value in table.items():
        binding_id = prefix + name
        if isinstance(value, dict):
            found.update(_keys_table(value, file, binding_id + "."))
        elif isinstance(value, str):
            found[binding_id] = value
        else:
            raise InvalidInput(f"{file}: [keys] {binding_id!r} must be a string of keys such as \"T\" or "
                               f"\"ctrl+o,enter\", not {_type_name(type(value))}")  # fmt: skip
    return found


def _normalize_relative_to(value: str, base: Path) -> str:
    """A URL as is; a bare path as a SQLite URL, relative paths taken from the config file's folder."""
    if "://" in value:
        return value
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = base / path
    return normalize_url(str(path))


def resolve_db_url(
    cli_db: str | None,
    config: Config,
    env: Mapping[str, str] = os.environ,
    *,
    default_name: str = "sportello.db",
) -> str:
    """The database URL to use: ``--db``, else ``$SPORTELLO_DB``, else the config file, else the default.

    ``default_name`` picks the file in the data directory when nothing is configured
    (``sportello demo`` passes ``demo.db`` so that it never fills a real desk).
    """
    for candidate in (cli_db, env.get(ENV_DB)):
        if candidate is not None and candidate.strip():
            return normalize_url(candidate.strip())
    if config.db_url:
        return config.db_url
    return default_db_url(default_name)


def describe_location(url: str) -> str:
    """How to name a database to a user: the file path for SQLite, else the URL without its password."""
    parsed = urlparse(url)
    if parsed.scheme.startswith("sqlite"):
        path = parsed.path[1:]
        return path or url
    return redact_url(url)
