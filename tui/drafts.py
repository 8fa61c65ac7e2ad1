"""This agent's unsent drafts: kept in the desk, written from a worker once typing pauses, sent with their FAQ links."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping

from tui.desk.desk import Desk, DraftRow

__all__ = ["DraftBook"]


class DraftBook(Mapping):
    """This agent's unsent drafts, ``(ticket, "reply"|"note") -> text``, kept in the desk.

    Changes land here at once (on the UI thread) and reach the desk with :meth:`write`, from a
    worker or at quit. ``write`` stores what the book holds when it runs, under one lock, so a
    slow write never puts back older text, and a send (also under the lock) is never followed by
    its draft coming back.
    """

    def __init__(self, desk: Desk, rows: Iterable[DraftRow] = ()) -> None:
        self._desk = desk
        self._rows: dict[tuple[int, str], DraftRow] = {(r.ticket, r.kind): r for r in rows}
        self._dirty: set[tuple[int, str]] = set()
        self._lock = threading.Lock()

    def __getitem__(self, key: tuple[int, str]) -> str:
        return self._rows[key].body

    def __iter__(self) -> Iterator[tuple[int, str]]:
        return iter(sorted(self._rows))

    def __len__(self) -> int:
        return len(self._rows)

    def faq_ids(self, number: int, kind: str) -> tuple[int, ...]:
        """The FAQ articles inserted into the draft: linked when it is sent."""
        row = self._rows.get((number, kind))
        return row.faq_ids if row else ()

    def put(self, number: int, kind: str, body: str) -> None:
        """The draft's text now (blank: no draft)."""
        key = (number, kind)
        row = self._rows.get(key)
        if not body.strip():
            if self._rows.pop(key, None) is not None:
                self._dirty.add(key)
        elif row is None or row.body != body:
            self._rows[key] = DraftRow(number, kind, body, row.faq_ids if row else ())
            self._dirty.add(key)

    def add_faq(self, number: int, kind: str, article_id: int) -> None:
        key = (number, kind)
        row = self._rows.get(key) or DraftRow(number, kind, "")
        if article_id not in row.faq_ids:
            self._rows[key] = DraftRow(number, kind, row.body, row.faq_ids + (article_id,))
            self._dirty.add(key)

    def forget(self, number: int, kind: str) -> None:
        """Discard the draft (the desk forgets it with the next write)."""
        self._rows.pop((number, kind), None)
        self._dirty.add((number, kind))

    @property
    def dirty(self) -> bool:
        return bool(self._dirty)

    def summary(self) -> str:
        """``2 unsent drafts (#12 reply, #40 note)``, or "" when there are none."""
        keys = list(self)
        if not keys:
            return ""
        where = ", ".join(f"#{n} {kind}" for n, kind in keys[:5]) + (", …" if len(keys) > 5 else "")
        return f"{len(keys)} unsent draft{'s' if len(keys) != 1 else ''} ({where})"

    def write(self) -> None:
        """Store the changed drafts in the desk (blocking: call it from a worker, or at quit)."""
        with self._lock:
            while self._dirty:
                key = self._dirty.pop()
                row = self._rows.get(key)
                try:
                    if row is None or not row.body.strip():
                        self._desk.discard_draft(*key)
                    else:
                        self._desk.save_draft(row)
                except BaseException:
                    self._dirty.add(key)  # tried again with the next write
                    raise

    def send(self, number: int, kind: str, body: str, version: int | None) -> None:
        """Send ``body`` with the FAQ links of its draft; the draft is gone unless typing went on."""
        key = (number, kind)
        with self._lock:
            self._desk.send(number, kind, body, version, self.faq_ids(number, kind))
            row = self._rows.get(key)
            if row is None or row.body == body:
                self._rows.pop(key, None)
                self._dirty.discard(key)
            else:  # typed on meanwhile: that text is a draft again, without the links just written
                self._rows[key] = DraftRow(number, kind, row.body)
                self._dirty.add(key)
