"""The queue's filter: what is typed refines the view's query (:func:`combine_queries`), shown as it is typed or
said to be wrong; esc clears the marks, then the filter."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from models.errors import QueryError
from models.search.query import parse_query
from tui.text.safe import one_line
from tui.widgets.queue_table import FirstPage
from tui.widgets.search_bar import SearchBar

__all__ = ["QueueFilter", "combine_queries"]


def combine_queries(view: str, typed: str) -> str:
    """The view's query refined by what was typed; a typed ``sort:`` replaces the view's."""
    typed_query = parse_query(typed)
    if typed_query.sort is not None:
        view = " ".join(w for w in view.split() if not w.lower().startswith("sort:"))
    return " ".join(part.strip() for part in (view, typed) if part.strip())


class QueueFilter:
    """The filter bar of :class:`~tui.screens.queue.screen.QueueScreen`, a mixin of it: ``typed`` refines the
    current view; ``_run`` shows the result or says what is wrong."""

    def action_filter(self) -> None:
        self.query_one("#filter-bar").display = True
        # Focus now, not after the next refresh: keys typed right after / belong to the filter.
        self.set_focus(self.query_one("#filter", SearchBar))

    def _apply_filter(self, text: str) -> None:
        self.typed = text
        self._run()
        self.refresh_bindings()

    def _run(self, first_page: FirstPage | None = None) -> None:
        """Show the current view refined by the filter, or say what is wrong with the filter."""
        try:
            text = combine_queries(self.view.query, self.typed)
            parse_query(text)
        except QueryError as err:
            self._query_error(err.message)
            return
        if text == self.table.query_text and first_page is None and self.table.total is not None:
            # The same query (a space typed, say): no reload, the cursor stays, its error too.
            if self._failed is not None and self._failed[0] == text:
                self._query_error(self._failed[1])
            else:
                self.query_one("#filter-error", Static).display = False
            return
        self.query_one("#filter-error", Static).display = False
        self.table.show_query(text, first_page)

    def _query_error(self, message: str) -> None:
        error = self.query_one("#filter-error", Static)
        error.update(Text(one_line(f"✗ {message}", 200)))
        error.display = True

    def action_clear(self) -> None:
        if self.table.marked:
            self.table.clear_marks()
            return
        bar = self.query_one("#filter-bar")
        if bar.display or self.typed:
            self.query_one("#filter", SearchBar).value = ""
            bar.display = False
            if self.typed:
                self.typed = ""
                self._run()
            self.query_one("#filter-error").display = False
            self.table.focus()
