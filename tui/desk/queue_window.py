"""Which rows of a long queue are in memory, and what to fetch next.

The queue is cut into chunks of ``CHUNK`` rows. A chunk is fetched with the keyset cursor of
the chunk before it when that one is loaded (as cheap as the first page), else by offset (a
jump: a walk over the sort's index, off the UI thread) from whichever end of the queue is nearer,
so the last rows cost what the first ones cost. At most ``MAX_CHUNKS`` chunks are kept,
the least recently shown dropped first, so memory does not grow with the number of tickets.

After a reload (something changed on the desk) the previous chunks stay on screen, marked
stale, until the fresh ones arrive: the queue never blinks empty.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Generic, TypeVar

__all__ = ["CHUNK", "MAX_CHUNKS", "Fetch", "QueueWindow"]

CHUNK = 100
MAX_CHUNKS = 40

Row = TypeVar("Row")


@dataclass(frozen=True)
class Fetch:
    """One chunk to load: start after ``after`` (a cursor) or at ``offset`` rows in.

    With ``from_end`` the chunk is the ``limit`` rows that end ``offset`` rows before the last.
    """

    generation: int
    chunk: int
    after: str | None
    offset: int
    from_end: bool = False
    limit: int = CHUNK


@dataclass
class _Chunk(Generic[Row]):
    rows: list[Row]
    next_cursor: str | None


@dataclass
class QueueWindow(Generic[Row]):
    """Rows by index, loaded a chunk at a time; ``total`` is None until counted."""

    total: int | None = None
    generation: int = 0
    _chunks: OrderedDict[int, _Chunk[Row]] = field(default_factory=OrderedDict)
    _stale: dict[int, _Chunk[Row]] = field(default_factory=dict)
    _pending: set[int] = field(default_factory=set)
    _counted: bool = False  # ``total`` was counted for this generation (not kept from the last)

    def reset(self, *, keep_stale: bool) -> int:
        """Start over (a new query, or a reload when ``keep_stale``); return the new generation."""
        self.generation += 1
        self._stale = dict(self._chunks) if keep_stale else {}
        self._chunks = OrderedDict()
        self._pending = set()
        self._counted = False
        if not keep_stale:
            self.total = None
        return self.generation

    @property
    def known_rows(self) -> int:
        """How many rows the queue can show: the count, or what is loaded until it arrives."""
        if self.total is not None:
            return self.total
        loaded = max((i * CHUNK + len(c.rows) for i, c in self._chunks.items()), default=0)
        return loaded

    def row(self, index: int) -> tuple[Row | None, bool]:
        """The row at ``index`` and whether it is stale (None when not loaded)."""
        chunk, at = divmod(index, CHUNK)
        if chunk in self._chunks:
            self._chunks.move_to_end(chunk)
            rows = self._chunks[chunk].rows
            return (rows[at] if at < len(rows) else None), False
        stale = self._stale.get(chunk)
        if stale is not None and at < len(stale.rows):
            return stale.rows[at], True
        return None, False

    def loaded(self, index: int) -> bool:
        return index // CHUNK in self._chunks

    def wanted(self, first: int, last: int) -> list[Fetch]:
        """The fetches that would fill rows ``first..last`` (inclusive), one chunk ahead included."""
        if self.total is not None:
            last = min(last, self.total - 1)
        if last < first:
            return [] if self.total is not None or 0 in self._chunks or 0 in self._pending else [self._fetch(0)]
        chunks = range(first // CHUNK, last // CHUNK + 2)
        fetches = []
        for chunk in chunks:
            if chunk in self._chunks or chunk in self._pending:
                continue
            if self.total is not None and chunk * CHUNK >= self.total:
                continue
            if self.total is None and chunk > 0 and chunk - 1 not in self._chunks:
                continue  # without a count, only walk forward from what is loaded
            fetches.append(self._fetch(chunk))
        return fetches

    def _fetch(self, chunk: int) -> Fetch:
        self._pending.add(chunk)
        before = self._chunks.get(chunk - 1)
        if before is not None and before.next_cursor is not None:
            return Fetch(self.generation, chunk, before.next_cursor, 0)
        start = chunk * CHUNK
        # Counting back from the end needs this generation's count: a kept one may be off by the
        # tickets that came or went, and every row fetched so would land at the wrong index.
        if self._counted and self.total is not None and start and self.total - start - CHUNK < start:
            end = min(start + CHUNK, self.total)
            return Fetch(self.generation, chunk, None, self.total - end, from_end=True, limit=end - start)
        return Fetch(self.generation, chunk, None, start)

    def store(self, fetch: Fetch, rows: list[Row], next_cursor: str | None) -> bool:
        """Keep a fetched chunk; False (and nothing kept) when it belongs to an older generation."""
        if fetch.generation != self.generation:
            return False
        self._pending.discard(fetch.chunk)
        self._chunks[fetch.chunk] = _Chunk(rows, next_cursor)
        self._stale.pop(fetch.chunk, None)
        if next_cursor is None and self.total is None:
            self.total = fetch.chunk * CHUNK + len(rows)  # the walk reached the end
            self._counted = True
        while len(self._chunks) > MAX_CHUNKS:
            self._chunks.popitem(last=False)
        return True

    def failed(self, fetch: Fetch) -> None:
        if fetch.generation == self.generation:
            self._pending.discard(fetch.chunk)

    def set_total(self, generation: int, total: int) -> bool:
        if generation != self.generation:
            return False
        self.total = total
        self._counted = True
        return True
