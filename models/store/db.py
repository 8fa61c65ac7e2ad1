"""Opening the database: URL parsing, SQLite pragmas and file mode, schema upgrades, error translation."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse

import peewee
from playhouse import db_url
from playhouse.migrations import Runner

from models.errors import InvalidInput, StorageError

__all__ = [
    "database",
    "Compiled",
    "open_database",
    "normalize_url",
    "sqlite_file",
    "redact_url",
    "close_database",
    "write_transaction",
    "is_postgres",
    "storage_errors",
    "MIGRATIONS_DIR",
    "SQLITE_PRAGMAS",
]

#: Every model is bound to this proxy; ``open_database`` points it at a real database.
database = peewee.DatabaseProxy()

MIGRATIONS_DIR = str(Path(__file__).parent.parent / "migrations")

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10_000,  # milliseconds; a busy desk waits rather than fails
    "synchronous": 1,  # NORMAL: safe with WAL, much faster than FULL
    # INSERT OR REPLACE then fires the delete triggers of the row it replaces (append-only events).
    "recursive_triggers": 1,
}

_PG_LOCK_KEY = 0x5E0127E110  # advisory lock that serialises schema upgrades


class Compiled:
    """A query on a hot path, turned into SQL once per backend and then run with new parameters.

    Building SQL is most of what Peewee spends on a small query; ``build(marker)`` returns the
    query with ``marker`` where the varying value goes, and each run swaps the value in and
    converts the columns back with the selected fields, as Peewee would."""

    MARKER = -7_654_321

    def __init__(self, build: Callable[[int], peewee.Query]) -> None:
        self._build = build
        self._compiled: dict[type, tuple[str, list, list]] = {}

    def rows(self, value: int) -> list[tuple]:
        kind = type(database.obj)
        if kind not in self._compiled:
            query = self._build(self.MARKER)
            sql, params = query.sql()
            converters = [getattr(node, "python_value", None) for node in query._returning]
            self._compiled[kind] = (sql, params, converters)
        sql, params, converters = self._compiled[kind]
        cursor = database.execute_sql(sql, [value if p == self.MARKER else p for p in params])
        return [
            tuple(v if f is None or v is None else f(v) for f, v in zip(converters, row)) for row in cursor.fetchall()
        ]


def is_postgres(db: peewee.Database | None = None) -> bool:
    """True when ``db`` (default: the bound database) is PostgreSQL."""
    db = db or database.obj
    return isinstance(db, peewee.PostgresqlDatabase)


def sqlite_file(url: str) -> str | None:
    """The file path of a ``sqlite://`` URL (None for other backends or ``:memory:``).

    As in ``playhouse.db_url``: ``sqlite:///rel/path`` is relative, ``sqlite:////abs/path`` absolute.
    """
    parsed = urlparse(url)
    if not parsed.scheme.startswith("sqlite"):
        return None
    path = parsed.path[1:]
    if not path or path == ":memory:":
        return None
    return path


def normalize_url(url: str) -> str:
    """Accept a bare file path as a SQLite database; leave real URLs alone."""
    if "://" in url:
        return url
    return "sqlite:///" + os.path.abspath(os.path.expanduser(url))


def _create_private_file(path: str) -> None:
    """Create an empty database file readable by its owner only (SQLite gives WAL files the same mode)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def _connect(url: str) -> peewee.Database:
    scheme = urlparse(url).scheme
    if scheme.startswith("sqlite"):
        return db_url.connect(url, pragmas=SQLITE_PRAGMAS, timeout=10)
    if scheme.startswith("postgres"):
        return db_url.connect(url)
    raise StorageError(
        f"unsupported database URL {redact_url(url)!r}: use sqlite:///PATH or postgresql://USER@HOST:PORT/DB"
    )


def open_database(url: str, *, create: bool = False, upgrade: bool = True) -> peewee.Database:
    """Open the database at ``url``, bind every model to it and bring its schema up to date.

    Without ``create`` a missing SQLite file or an empty database is an error that points
    at ``sportello init``.
    """
    path = sqlite_file(url)
    created = False
    if path is not None and not os.path.exists(path):
        if not create:
            raise StorageError(f"no database at {path}: run `sportello init` (or `sportello demo`) first")
        try:
            _create_private_file(path)
        except OSError as exc:
            raise StorageError(f"cannot create database {path}: {exc.strerror}") from None
        created = True
    try:
        with storage_errors(url, connecting=True):
            db = _connect(url)
            db.connect(reuse_if_open=True)
        with storage_errors(url):
            database.initialize(db)
            if upgrade:
                upgrade_schema(db, create=create)
    except Exception:
        with contextlib.suppress(Exception):
            database.obj and database.obj.close()
        if created:  # leave no empty file behind a failed first open
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    os.unlink(path + suffix)
        raise
    return db


def close_database() -> None:
    """Close the bound database's connection for this thread, if any."""
    if database.obj is not None and not database.obj.is_closed():
        database.obj.close()


def _runner(db: peewee.Database) -> Runner:
    return Runner(db, MIGRATIONS_DIR, table_name="schema_migration")


def schema_status(db: peewee.Database) -> tuple[list[str], list[str], list[str]]:
    """(applied, pending, unknown) migration names; unknown ones come from a newer Sportello."""
    runner = _runner(db)
    applied, pending, unknown = [], [], []
    for migration in runner.status():
        if migration.path is None:
            unknown.append(migration.name)
        elif migration.applied:
            applied.append(migration.name)
        else:
            pending.append(migration.name)
    return applied, pending, unknown


def _check_schema(db: peewee.Database, create: bool) -> list[str]:
    """The pending migrations; raises for a newer, foreign or (without ``create``) empty database."""
    applied, pending, unknown = schema_status(db)
    if unknown:
        raise StorageError(
            f"this database was written by a newer Sportello (schema {unknown[-1]}); upgrade Sportello to use it"
        )
    if not applied:
        if [t for t in db.get_tables() if t != "schema_migration"]:
            raise StorageError("this database holds other tables, not a Sportello desk; use another one")
        if not create:
            raise StorageError("this database is empty: run `sportello init` first")
    return pending


def upgrade_schema(db: peewee.Database, *, create: bool = False, target: str | None = None) -> list[str]:
    """Apply pending migrations; refuse a database newer than this code or holding something else.

    The check is a plain read, so opening an up-to-date desk never waits for a writer; only when
    there is something to apply is the schema lock taken, and the check made again under it.
    """
    if not _check_schema(db, create):
        return []
    with db.atomic("IMMEDIATE") if not is_postgres(db) else db.atomic():
        if is_postgres(db):
            db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_PG_LOCK_KEY,))
        if not _check_schema(db, create):
            return []
        return _runner(db).up(target=target)


def write_transaction(db: peewee.Database | None = None):
    """A transaction that takes the write lock at once (SQLite ``BEGIN IMMEDIATE``).

    Taking it up front means a read-then-write never fails half way with "database is locked";
    a concurrent writer waits for the busy timeout instead.
    """
    db = db or database.obj
    if is_postgres(db):
        return db.atomic()
    return db.atomic("IMMEDIATE")


def _describe(exc: BaseException, where: str) -> str:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return f"the database {where} is locked by another process (waited 10 s); try again"
    if "readonly" in text or "read-only" in text or "read only" in text:
        return f"the database {where} is read-only: check the file's permissions"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return f"the database {where} is corrupt or not a Sportello database"
    if "unable to open" in text:
        return f"cannot open the database {where}: check the path and permissions"
    if "does not exist" in text and "database" in text:
        return f"the database {where} does not exist on the server"
    if "role" in text and "does not exist" in text:
        return f"the server at {where} does not know that user (role)"
    if "authentication failed" in text or "password" in text:
        return f"the server at {where} refused the login: check the user and password"
    if "could not connect" in text or "connection refused" in text or "connection to server" in text:
        return f"cannot connect to the database {where}: is the server running?"
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"database error ({where}): {first}"


@contextlib.contextmanager
def storage_errors(where: str = "", *, connecting: bool = False) -> Iterator[None]:
    """Turn driver exceptions (locked, read-only, corrupt, unreachable, a character refused) into
    one-line errors. Only while ``connecting`` is a ValueError or TypeError a bad URL: the URL parser
    and the drivers raise those for malformed URLs and unknown options. Raised anywhere else, they
    are not about the URL and pass on unchanged (the CLI and the app report them as internal errors)."""
    try:
        yield
    except (peewee.OperationalError, peewee.DatabaseError, peewee.InterfaceError, sqlite3.Error) as exc:
        if isinstance(exc, peewee.IntegrityError):
            raise
        raise StorageError(_describe(exc, redact_url(where))) from exc
    except (ValueError, TypeError, peewee.ImproperlyConfigured) as exc:
        refused = _refused_character(exc)
        if refused is not None:
            raise InvalidInput(refused) from exc
        if not connecting:
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StorageError(f"bad database URL {redact_url(where)}: {redact_text(first, where)}") from exc


def _refused_character(exc: Exception) -> str | None:
    """What a driver's refusal of a character in the text means (None for any other error)."""
    if isinstance(exc, UnicodeEncodeError) and exc.reason == "surrogates not allowed":
        return "the text holds a lone surrogate (not valid UTF-8), which the database cannot take"
    if isinstance(exc, ValueError) and "NUL (0x00)" in str(exc):  # psycopg2's words
        return "the text holds a NUL character, which PostgreSQL cannot take"
    return None


def redact_url(url: str) -> str:
    """The URL with any password replaced by ``***`` — the only form in which a URL is ever shown."""
    try:
        parsed = urlparse(url)
        password = parsed.password
    except ValueError:
        return url
    if not password:
        return url
    netloc = parsed.netloc.replace(f":{password}@", ":***@", 1)
    return parsed._replace(netloc=netloc).geturl()


def redact_text(text: str, url: str) -> str:
    """``text`` (say, a driver's message) with the URL's password and the URL itself redacted."""
    try:
        password = urlparse(url).password
    except ValueError:
        password = None
    text = text.replace(url, redact_url(url))
    return text.replace(password, "***") if password else text
