"""The FAQ screen's search: as you type, narrowed to the category, its errors said under the box, the status
line saying what the list shows."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from models.errors import QueryError
from models.faq.search import FAQHit, parse_faq_query
from tui.desk.desk import category_filter
from tui.errors import error_line
from tui.text.safe import one_line
from tui.widgets.search_bar import SearchBar

__all__ = ["FAQSearch"]

LIMIT = 200  # articles listed at most (the status line says how many match in all)


class FAQSearch:
    """The search of :class:`~tui.screens.faq.screen.FAQScreen`, a mixin of it; it comes before ``ReportWorkerErrors``
    so that a failed search is said under the box, not by the app."""

    def action_search(self) -> None:
        # Focus now, not after the next refresh: keys typed right after / belong to the search.
        self.set_focus(self.query_one("#faq-search", SearchBar))

    def _apply_search(self, text: str) -> None:
        self.typed = text
        self._run()

    def full_query(self) -> str:
        """What was typed, narrowed to the chosen category."""
        parts = [self.typed.strip()]
        if self.category is not None:
            parts.append(category_filter(self.category))
        return " ".join(p for p in parts if p)

    def _run(self) -> None:
        """Search for the current query, or say what is wrong with it (the last good list stays)."""
        error = self.query_one("#faq-error", Static)
        query = self.full_query()
        try:
            parse_faq_query(query)
        except QueryError as err:
            error.update(Text(one_line(f"✗ {err.message}", 300)))
            error.display = True
            return
        error.display = False
        self.query_text = query
        self.total = None
        self._show_status()
        self._search(query)

    @work(thread=True, group="faq-search", exclusive=True, exit_on_error=False)
    def _search(self, query: str) -> None:
        hits, total = self.desk.faq_search(query, limit=LIMIT)
        self.post_message(self.Found(query, hits, total))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A search that failed (words the index cannot search for, a locked desk, a bug) is said
        # under the box like a parse error, and the last good list stays; other workers' errors
        # go to the app (ReportWorkerErrors).
        worker = event.worker
        if event.state == WorkerState.ERROR and worker.group == "faq-search" and worker.error is not None:
            event.prevent_default()
            if worker.is_cancelled:  # a newer search replaced it: its error is stale
                return
            error = self.query_one("#faq-error", Static)
            error.update(Text(one_line(f"✗ {error_line(worker.error)}", 300)))
            error.display = True

    def _show_hits(self, query: str, hits: list[FAQHit], total: int) -> None:
        if query != self.query_text:
            return  # a newer search is on its way: this one is stale
        self.hits = hits
        self.total = total
        self._fill_table()
        self._preview_soon()
        self.refresh_bindings()

    def _show_status(self) -> None:
        if self.total is None:
            parts = ["searching…"]
        elif self.total > len(self.hits):
            parts = [f"showing {len(self.hits):,} of {self.total:,} articles"]
        else:
            parts = [f"{self.total:,} article{'s' if self.total != 1 else ''}"]
        parts.append(f"category {self.category}" if self.category is not None else "all categories")
        if self.typed.strip():
            parts.append(f"search: {self.typed.strip()}")
        if "status:" not in self.typed:
            parts.append("archived hidden (status:any shows them)")
        width = max(20, self.size.width - 2)
        self.query_one("#faq-status", Static).update(Text(one_line(" · ".join(parts), width)))

    def action_clear(self) -> None:
        field = self.query_one("#faq-search", SearchBar)
        if field.value or self.typed:
            field.value = ""
            field.drop_pending()
            self._apply_search("")
            self.table.focus()
            return
        if self.focused is field:
            self.table.focus()
            return
        self.action_back()
