"""Fast bulk writes for the demo generator and the importer.

``write_rows`` inserts many rows with explicit values, ids included or left to the database
(rows then get consecutive ids in the order given): SQLite gets
``executemany`` in chunks, PostgreSQL gets ``COPY … FROM STDIN`` in CSV format. Neither goes
through the service layer, so callers must hand over rows that already satisfy the product's
invariants (a ticket row equal to the fold of its events). ``reset_sequences`` then makes
PostgreSQL's serial ids continue after the largest id written.

For a big load into an empty desk there are three more tools, each a no-op on PostgreSQL:
``load_settings`` (SQLite pragmas for the duration, restored after), ``without_indexes`` (build
secondary indexes once at the end instead of row by row) and ``rebuild_fulltext`` (the full-text
rebuild with FTS5 tuned for one big insert).

Values are what the driver takes: ``None``, ``int``, ``bool``, ``str``, ``datetime``/``date``
(or their ISO strings). Fields of Sportello's own types (the ticket's priority) are passed
through the field's ``db_value``, so a priority may be given by name or by rank.

Binding ``None`` is surprisingly slow in Python's sqlite3 module (each one goes through the
adapter protocol), so a generator of many rows may pass ``null=NULL_MARKER`` and put that
integer in nullable columns instead; the INSERT turns it back into NULL.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

import peewee as pw

from models.store import fulltext
from models.store.db import database, is_postgres
from models.store.tables import ALL_TABLES

__all__ = [
    "CHUNK_ROWS",
    "analyze",
    "NULL_MARKER",
    "column_names",
    "load_settings",
    "rebuild_fulltext",
    "reset_sequences",
    "without_indexes",
    "write_rows",
]

# Turns the driver's own exceptions into peewee's (IntegrityError, DataError, …) as execute_sql does.
_driver_errors = pw.__exception_wrapper__

#: An integer that no nullable column ever holds (ids are positive, text columns hold strings).
NULL_MARKER = -1

#: Rows sent to the database per ``executemany`` call or ``COPY`` statement.
CHUNK_ROWS = 20_000


def column_names(model: type[pw.Model], columns: Sequence[str]) -> list[str]:
    """The database column of each name, which may be a field name (``ticket``) or a column (``ticket_id``)."""
    by_column = model._meta.columns
    names = []
    for name in columns:
        field = model._meta.fields.get(name) or by_column.get(name)
        if field is None:
            raise ValueError(f"{model._meta.table_name} has no column {name!r}")
        names.append(field.column_name)
    return names


def _converters(model: type[pw.Model], columns: Sequence[str]) -> list:
    """For each column, the field's ``db_value`` when it is one of Sportello's own field types, else None."""
    converters = []
    for name in column_names(model, columns):
        field = model._meta.columns[name]
        converters.append(field.db_value if type(field).__module__ != pw.__name__ else None)
    return converters


def _converted(rows: Iterable[tuple], converters: list) -> Iterable[tuple]:
    if not any(converters):
        return rows
    pairs = [(i, fn) for i, fn in enumerate(converters) if fn is not None]

    def convert(row: tuple) -> tuple:
        values = list(row)
        for i, fn in pairs:
            values[i] = fn(values[i])
        return tuple(values)

    return map(convert, rows)


def write_rows(model: type[pw.Model], columns: Sequence[str], rows: Iterable[tuple], *, null: int | None = None) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``model``'s table; return how many.

    Runs in one transaction: the caller's, or its own. Rows are consumed
    lazily, ``CHUNK_ROWS`` at a time, so a generator keeps memory bounded. With ``null`` given
    (``NULL_MARKER``), that integer in a nullable column is written as NULL.
    """
    names = column_names(model, columns)
    table = model._meta.table_name
    nullable = [model._meta.columns[name].null for name in names] if null is not None else [False] * len(names)
    source = iter(_converted(rows, _converters(model, columns)))
    if is_postgres():
        sql = _copy_sql(table, names)
        markers = [null if is_null else None for is_null in nullable]

        def write_chunk(chunk):
            return _copy_chunk(sql, chunk, markers)
    else:
        sql = _insert_sql(table, names, nullable, null)

        def write_chunk(chunk):
            return database.cursor().executemany(sql, chunk)

    total = 0
    # Inside the caller's transaction no savepoint: on PostgreSQL every savepoint that locks a
    # referenced row again (a foreign-key check) makes that row's lock list longer, which turns a
    # big load quadratic. A failure aborts the caller's transaction, which then rolls back whole.
    with contextlib.nullcontext() if database.in_transaction() else database.atomic():
        while chunk := list(islice(source, CHUNK_ROWS)):
            with _driver_errors:
                write_chunk(chunk)
            total += len(chunk)
    return total


def _insert_sql(table: str, names: list[str], nullable: list[bool], null: int | None) -> str:
    quoted = ", ".join(f'"{name}"' for name in names)
    marks = ", ".join(f"NULLIF(?, {int(null)})" if is_null else "?" for is_null in nullable)
    return f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})'


def _copy_sql(table: str, names: list[str]) -> str:
    quoted = ", ".join(f'"{name}"' for name in names)
    return f'COPY "{table}" ({quoted}) FROM STDIN WITH (FORMAT csv)'


def _csv_value(value, null: int | None = None) -> str:
    """One CSV field for COPY: NULL is an empty unquoted field, every other value is quoted."""
    if value is None:
        return ""
    if value.__class__ is int:
        return "" if value == null else str(value)
    if value is True or value is False:
        return "t" if value else "f"
    return '"' + str(value).replace('"', '""') + '"'


def _csv(chunk: list[tuple], markers: list[int | None]) -> str:
    fmt = _csv_value
    if not any(marker is not None for marker in markers):
        return "".join([",".join([fmt(v) for v in row]) + "\n" for row in chunk])
    return "".join([",".join([fmt(v, m) for v, m in zip(row, markers)]) + "\n" for row in chunk])


def _copy_chunk(sql: str, chunk: list[tuple], markers: list[int | None]) -> None:
    with database.cursor() as cursor:
        cursor.copy_expert(sql, io.StringIO(_csv(chunk, markers)))


def _serial_columns() -> list[tuple[str, str]]:
    return [
        (model._meta.table_name, model._meta.primary_key.column_name)
        for model in ALL_TABLES
        if isinstance(model._meta.primary_key, pw.AutoField)
    ]


def reset_sequences() -> None:
    """On PostgreSQL, make every serial id continue after the largest id in its table (no-op on SQLite)."""
    if not is_postgres():
        return  # an INTEGER PRIMARY KEY continues after MAX(rowid) by itself
    for table, column in _serial_columns():
        database.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), "
            f'COALESCE(MAX("{column}"), 1), MAX("{column}") IS NOT NULL) FROM "{table}"'
        )


# --- bulk loads into an empty desk (SQLite) ----------------------------------------------------


@contextlib.contextmanager
def load_settings(*, foreign_keys: bool = True) -> Iterator[None]:
    """SQLite settings for one big load; enter it *outside* the transaction. Restored afterwards.

    No fsync (``synchronous = OFF``), a 256 MB page cache, and a rollback journal instead of WAL
    so that pages go straight to the file instead of through the WAL: new pages of an empty desk
    need no journal, and a crash still rolls back. With ``foreign_keys=False`` the per-row
    reference lookups are skipped too (for rows whose references the caller made itself).
    If another connection has the file open, the journal stays WAL.
    """
    if is_postgres():
        yield
        return
    names = ("synchronous", "cache_size", "foreign_keys", "journal_mode")
    saved = {name: database.execute_sql(f"PRAGMA {name}").fetchone()[0] for name in names}
    database.execute_sql("PRAGMA synchronous = OFF")
    database.execute_sql("PRAGMA cache_size = -262144")
    if not foreign_keys:
        database.execute_sql("PRAGMA foreign_keys = OFF")
    with contextlib.suppress(pw.OperationalError):
        database.execute_sql("PRAGMA journal_mode = DELETE")
    try:
        yield
    finally:
        for name in ("synchronous", "cache_size", "foreign_keys"):
            database.execute_sql(f"PRAGMA {name} = {int(saved[name])}")
        with contextlib.suppress(pw.OperationalError):  # open_database sets WAL on the next connection anyway
            database.execute_sql(f"PRAGMA journal_mode = {saved['journal_mode']}")


#: Indexes kept during a load: events arrive in (ticket, id) order, so keeping this one is nearly free.
_KEEP_INDEXES = {("ticket_event", ("ticket_id", "id"))}


@contextlib.contextmanager
def without_indexes(*models: type[pw.Model]) -> Iterator[None]:
    """On SQLite, drop these tables' secondary indexes for a load inside a transaction, and create
    exactly the same ones after: building an index once from the whole table is much cheaper
    than updating it row by row. Only for tables without unique secondary indexes."""
    if is_postgres():
        yield
        return
    tables = [model._meta.table_name for model in models]
    marks = ", ".join("?" * len(tables))
    dropped = []
    for name, table, sql in database.execute_sql(
        f"SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks}) ORDER BY name",
        tables,
    ).fetchall():
        columns = tuple(row[2] for row in database.execute_sql(f'PRAGMA index_info("{name}")').fetchall())
        if (table, columns) not in _KEEP_INDEXES:
            dropped.append((name, sql))
    for name, _ in dropped:
        database.execute_sql(f'DROP INDEX "{name}"')
    yield
    for _, sql in dropped:
        database.execute_sql(sql)


# FTS5 settings for one big insert: flush pending terms every 64 MB instead of every 1 MB and merge
# segments only when many pile up (about twice as fast). Afterwards the previous values, or FTS5's
# defaults, return.
_FTS_LOAD = {"hashsize": 64 * 1024 * 1024, "automerge": 0, "crisismerge": 64}
_FTS_DEFAULTS = {"hashsize": 1024 * 1024, "automerge": 4, "crisismerge": 16}


def rebuild_fulltext() -> None:
    """``fulltext.rebuild()`` (on SQLite with the FTS5 table tuned for one big insert), then the FAQ's."""
    fulltext.rebuild_articles()
    if is_postgres() or not database.table_exists("ticket_fts"):
        fulltext.rebuild()
        return
    current = dict(database.execute_sql("SELECT k, v FROM ticket_fts_config").fetchall())
    for key, value in _FTS_LOAD.items():
        database.execute_sql("INSERT INTO ticket_fts (ticket_fts, rank) VALUES (?, ?)", (key, value))
    fulltext.rebuild()
    for key, value in _FTS_DEFAULTS.items():
        database.execute_sql("INSERT INTO ticket_fts (ticket_fts, rank) VALUES (?, ?)", (key, current.get(key, value)))


def analyze() -> None:
    """Give PostgreSQL's planner statistics for freshly loaded tables (autovacuum would only get
    there minutes later, and until then it plans a million-row desk as if it were empty). SQLite
    plans this schema well without statistics, so it is left alone."""
    if not is_postgres():
        return
    for name in [model._meta.table_name for model in ALL_TABLES] + ["ticket_search", "faq_search"]:
        database.execute_sql(f'ANALYZE "{name}"')
