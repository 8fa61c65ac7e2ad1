"""A read-only table whose rows are keyed by a number (an article, a revision): the FAQ screens' lists.

Cells are ``Text`` (a ``str`` cell would be read as markup by ``DataTable``); the screens cut
them to the column widths they compute for the current size.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from tui.text.columns import Column
from tui.widgets.steady_scrollbar import SteadyScrollbar

__all__ = ["RowTable", "Column"]


class RowTable(SteadyScrollbar, DataTable):
    """Rows keyed by an int, a row cursor, and the keys people know (j/k, g/G)."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="rows.down"),
        Binding("k", "cursor_up", "Up", show=False, id="rows.up"),
        Binding("g", "scroll_top", "First", show=False, id="rows.first"),
        Binding("G", "scroll_bottom", "Last", show=False, id="rows.last"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.keys: list[int] = []

    def show(self, columns: list[Column], rows: list[tuple[int, list[Text]]], *, keep: int | None = None) -> None:
        """Replace everything with ``rows``; the cursor stays on ``keep`` (a row key) when it is still there."""
        if keep is None:
            keep = self.current_key
        self.clear(columns=True)
        for heading, width in columns:
            self.add_column(Text(heading, style="bold"), width=max(1, width))
        self.keys = [key for key, _ in rows]
        for key, cells in rows:
            self.add_row(*cells, key=str(key))
        if keep in self.keys:
            self.move_cursor(row=self.keys.index(keep), animate=False)

    @property
    def current_key(self) -> int | None:
        """The key of the row under the cursor (None when the table is empty)."""
        if not self.row_count or not self.keys:
            return None
        row = self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0)).row_key
        return int(row.value) if row.value is not None else None
