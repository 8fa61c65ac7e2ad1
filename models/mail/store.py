"""Keeping raw mail: stored by the SHA-256 of its bytes before anything reads it.

:func:`keep_raw` commits one message's bytes on their own; :func:`keep_raw_many` commits a fetched
batch in one transaction. Either way the message is on the desk (state ``stored``) before it is
parsed, so that whatever happens while it is parsed and threaded (a bug, a crash, kill -9) the next
run picks it up from the ``stored`` state (``models.mail.ingest.process_waiting``). The same bytes
a second time are the same row.

:class:`Prepared` keeps the SQL of the mail's hot queries, built by Peewee once per backend.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime

import peewee as pw

from models.mail.tables import InState, MailMessage
from models.store.db import database, write_transaction
from models.store.tables import utcnow

__all__ = ["keep_raw", "keep_raw_many", "sha256_of", "raw_of", "Prepared", "PreparedInsert"]

#: Rows per INSERT of a batch: few statements, far below SQLite's and PostgreSQL's limits on parameters.
INSERT_ROWS = 100


class Prepared:
    """A query on a hot path, built by Peewee once per backend and then run with other values.

    Building the SQL is most of what Peewee spends on a small query. ``build`` is called once per
    backend with a marker for each slot (``kinds``: ``int``, ``str``, ``datetime`` or ``bytes``) and
    returns the query; each run puts its values where the markers were (bytes as the driver's
    binary type, as Peewee passes them) and converts the selected columns back as Peewee would.
    Like ``models.store.db.Compiled``, for any number of values of these kinds."""

    def __init__(self, build: Callable[..., pw.Query], *kinds: type) -> None:
        self._build = build
        self._kinds = kinds
        self._compiled: dict[type, tuple[str, list, list]] = {}

    @staticmethod
    def _marker(kind: type, n: int):
        if kind is int:
            return -987_654_300 - n
        if kind is str:
            return f"\x00slot{n}\x00"
        if kind is datetime:
            return datetime(1001, 1, 1, 1, 1, 1, n + 1)
        if kind is bytes:
            return b"\x00slot%d\x00" % n
        raise TypeError(f"no marker for {kind}")

    def _compile(self) -> tuple[str, list, list]:
        kind = type(database.obj)
        found = self._compiled.get(kind)
        if found is not None:
            return found
        markers = [self._marker(k, n) for n, k in enumerate(self._kinds)]
        where = {(type(m), m): n for n, m in enumerate(markers)}
        query = self._build(*markers)
        sql, params = query.sql()
        slots: list = []  # per parameter: the index of the value it takes, or ("constant", value)
        for param in params:
            seen = getattr(param, "adapted", param)  # psycopg2's Binary holds the bytes in .adapted
            seen = bytes(seen) if isinstance(seen, memoryview) else seen
            try:
                index = where.get((type(seen), seen))
            except TypeError:  # not hashable: not a marker
                index = None
            slots.append(index if index is not None else ("constant", param))
        if sorted({s for s in slots if isinstance(s, int)}) != list(range(len(markers))):
            raise RuntimeError(f"a marker of {sql[:80]!r} did not reach its parameters")
        # Fields convert back (dates on SQLite); anything else (a COUNT) is taken as the driver gives it.
        converters = [node.python_value if isinstance(node, pw.Field) else None
                      for node in getattr(query, "_returning", None) or ()]  # fmt: skip
        self._compiled[kind] = found = (sql, slots, converters)
        return found

    def execute(self, *values):
        """Run with ``values`` in the slots' order; returns the cursor."""
        sql, slots, _ = self._compile()
        binary = None
        params = []
        for slot in slots:
            if isinstance(slot, tuple):
                params.append(slot[1])
                continue
            value = values[slot]
            if self._kinds[slot] is bytes and value is not None:
                binary = binary or database.obj.get_binary_type()
                value = binary(bytes(value))
            params.append(value)
        return database.execute_sql(sql, params)

    def rows(self, *values) -> list[tuple]:
        """The selected rows, each column converted back as Peewee would."""
        _, _, converters = self._compile()
        cursor = self.execute(*values)
        return [
            tuple(v if f is None or v is None else f(v) for f, v in zip(converters, row)) for row in cursor.fetchall()
        ]

    def first(self, *values) -> tuple | None:
        found = self.rows(*values)
        return found[0] if found else None


class PreparedInsert:
    """A multi-row INSERT of ``model`` on a hot path, built once per backend and number of rows.

    ``columns`` names the varying columns and their kinds (as for :class:`Prepared`); ``constants``
    are the same in every row; the model's defaults fill the rest, as ``insert_many`` does.
    ``returning`` columns come back (in no promised order); ``ignore``: rows that would break a
    unique key are left out (``ON CONFLICT DO NOTHING``)."""

    def __init__(self, model: type[pw.Model], columns: dict[str, type], *, constants: dict | None = None,
                 returning: Sequence[pw.Field] = (), ignore: bool = False) -> None:  # fmt: skip
        self.model, self.columns, self.constants = model, columns, dict(constants or {})
        self.returning, self.ignore = tuple(returning), ignore
        self._by_count: dict[int, Prepared] = {}

    def _prepared(self, count: int) -> Prepared:
        found = self._by_count.get(count)
        if found is None:
            names, width = list(self.columns), len(self.columns)

            def build(*markers):
                rows = [{**self.constants, **dict(zip(names, markers[n * width : (n + 1) * width]))}
                        for n in range(count)]  # fmt: skip
                query = self.model.insert_many(rows)
                if self.ignore:
                    query = query.on_conflict_ignore()
                return query.returning(*self.returning).tuples() if self.returning else query

            found = self._by_count[count] = Prepared(build, *(list(self.columns.values()) * count))
        return found

    def run(self, rows: Sequence[tuple]) -> list[tuple]:
        """Insert ``rows`` (each the ``columns``' values, in order), ``INSERT_ROWS`` per statement;
        the ``returning`` columns of what was inserted."""
        out: list[tuple] = []
        for start in range(0, len(rows), INSERT_ROWS):
            chunk = rows[start : start + INSERT_ROWS]
            values = [value for row in chunk for value in row]
            prepared = self._prepared(len(chunk))
            if self.returning:
                out += prepared.rows(*values)
            else:
                prepared.execute(*values)
        return out


_KEEP = PreparedInsert(
    MailMessage, {"sha256": str, "raw": bytes, "size": int, "source": str, "received_at": datetime},
    constants={"direction": "in", "state": InState.STORED}, returning=(MailMessage.sha256, MailMessage.id),
)  # fmt: skip


def sha256_of(data: bytes) -> str:
    """The content address: of the bytes with CRLF line ends read as LF, since the same message comes
    with CRLF over IMAP and with LF from a Maildir file or a pipe."""
    return hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()


def keep_raw(data: bytes, *, source: str) -> tuple[MailMessage, bool]:
    """(the row holding these bytes, True when they were new here). Commits before returning."""
    digest = sha256_of(data)
    existing = MailMessage.get_or_none(MailMessage.sha256 == digest)
    if existing is not None:
        return existing, False
    try:
        with write_transaction():
            row = MailMessage.create(
                sha256=digest, raw=data, size=len(data), direction="in", state=InState.STORED,
                source=source[:300], received_at=utcnow(),
            )  # fmt: skip
        return row, True
    except pw.IntegrityError:  # the same bytes stored by another process a moment ago
        return MailMessage.get(MailMessage.sha256 == digest), False


def keep_raw_many(items: Sequence[tuple[bytes, str]]) -> list[tuple[int, str, bool]]:
    """Store a batch of (bytes, source) in one transaction: (row id, state, new) for each, in order.

    A fetch acks a whole batch at its source once this returns: from then on the messages are the
    desk's, whatever happens while they are processed (``models.mail.ingest.process_waiting``).
    The same bytes twice in one batch are one row (the second is not new)."""
    try:
        return _keep_batch(items)
    except pw.IntegrityError:  # another process stored one of them a moment ago (PostgreSQL): once more
        return _keep_batch(items)


def _keep_batch(items: Sequence[tuple[bytes, str]]) -> list[tuple[int, str, bool]]:
    digests = [sha256_of(data) for data, _ in items]
    with write_transaction():
        known: dict[str, tuple[int, str]] = {}
        for start in range(0, len(digests), 500):
            chunk = list(set(digests[start : start + 500]))
            query = MailMessage.select(MailMessage.sha256, MailMessage.id, MailMessage.state)
            known.update(
                {sha: (row_id, state) for sha, row_id, state in query.where(MailMessage.sha256.in_(chunk)).tuples()}
            )
        now = utcnow()
        fresh: dict[str, tuple] = {}  # the first of each digest not on the desk, in order
        for (data, source), digest in zip(items, digests):
            if digest not in known and digest not in fresh:
                fresh[digest] = (digest, data, len(data), source[:300], now)
        rows = list(fresh.values())
        new_ids = dict(_KEEP.run(rows))
        if len(new_ids) != len(rows):
            raise pw.IntegrityError("a stored message did not say its id")  # tried once more by the caller
        result = []
        for digest in digests:
            if digest in new_ids:
                result.append((new_ids.pop(digest), InState.STORED, True))
                known[digest] = (result[-1][0], InState.STORED)
            else:
                result.append((*known[digest], False))
    return result


def raw_of(message_id: int) -> bytes:
    data = MailMessage.select(MailMessage.raw).where(MailMessage.id == message_id).scalar()
    return bytes(data) if data is not None else b""
