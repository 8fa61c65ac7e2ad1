"""An article's revisions, the diff between any two, and revert.

The diff follows the cursor: the revision under it against the one before, or against the
revision marked with space. ``r`` reverts to the revision under the cursor — a new revision
equal to it, after asking, and refused if someone saved meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Static

from models.errors import Conflict
from models.faq.articles import Article, Revision
from tui.desk.desk import Desk
from tui.dialogs.confirm import ConfirmDialog
from tui.errors import ReportWorkerErrors
from tui.palette import PaletteCommands
from tui.text.faq import article_facts, faq_status_label
from tui.text.labels import plain, when
from tui.text.safe import one_line
from tui.widgets.diff_view import DiffView
from tui.widgets.header import DeskHeader
from tui.widgets.keys_footer import KeysFooter
from tui.widgets.row_table import RowTable

__all__ = ["FAQHistoryScreen", "DiffView"]  # DiffView: tui.widgets.diff_view

DIFF_DELAY = 0.1  # seconds the cursor rests on a revision before its diff loads


class FAQHistoryScreen(PaletteCommands, ReportWorkerErrors, Screen):
    """Every revision of one article, newest first."""

    BINDINGS = [
        Binding(
            "space",
            "mark",
            "Mark",
            tooltip="Mark a revision to compare the one under the cursor with",
            id="faq_history.mark",
        ),
        Binding(
            "enter",
            "diff",
            "Diff",
            show=False,
            tooltip="Show the diff (it follows the cursor anyway)",
            id="faq_history.diff",
        ),
        Binding(
            "r",
            "revert",
            "Revert",
            tooltip="Revert to the revision under the cursor (asks first)",
            id="faq_history.revert",
        ),
        Binding("ctrl+r", "reload", "Reload", show=False, id="faq_history.reload"),
        Binding("escape,q", "back", "Back", tooltip="Back to the FAQ", id="faq_history.back"),
    ]
    PALETTE = {
        "faq_history.mark": "Mark revision",
        "faq_history.revert": "Revert",
        "faq_history.reload": "Reload",
        "faq_history.back": "Back",
    }

    # What the thread workers found, posted back to the screen (see tui.screens).

    @dataclass
    class Loaded(Message, bubble=False):
        article: Article
        revisions: list[Revision]

    @dataclass
    class DiffRead(Message, bubble=False):
        pair: tuple[int, int]
        diff: str

    @dataclass
    class Reverted(Message, bubble=False):
        article: Article
        number: int

    @dataclass
    class RevertRefused(Message, bubble=False):
        message: str

    def __init__(self, desk: Desk, article_id: int, *, now: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.desk = desk
        self.article_id = article_id
        self._now = now or desk.now
        self.article: Article | None = None
        self.revisions: list[Revision] = []
        self.marked: int | None = None
        self.compared: tuple[int, int] | None = None  # (old, new) shown in the diff pane
        self._diff_timer: Timer | None = None
        self._to_newest = False  # after a revert, the cursor goes to the new revision

    def compose(self) -> ComposeResult:
        yield DeskHeader(self.desk, title=f"FAQ #{self.article_id} history")
        yield Static(Text("loading…"), id="history-facts")
        yield RowTable(id="history-list")
        yield Static("", id="history-diff-title")
        with VerticalScroll(id="history-diff-pane"):
            yield DiffView("", id="history-diff")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.table.focus()
        self._load()

    @property
    def table(self) -> RowTable:
        return self.query_one("#history-list", RowTable)

    # --- loading -------------------------------------------------------------------------

    @work(thread=True, group="faq-history-load", exclusive=True, exit_on_error=False)
    def _load(self) -> None:
        article, revisions = self.desk.faq_history(self.article_id)
        self.post_message(self.Loaded(article, revisions))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        article, revisions = message.article, message.revisions
        self.article = article
        self.revisions = revisions
        width = max(20, self.size.width - 2)
        self.query_one("#history-facts", Static).update(
            Text(one_line(f"{article.title} — {article_facts(article)}", width))
        )
        self._fill()
        if self._to_newest:
            self._to_newest = False
            self.table.move_cursor(row=0, animate=False)
        self.compared = None
        self._diff_soon()

    def on_resize(self) -> None:
        if self.article is not None:
            self.call_after_refresh(self._fill)

    def _fill(self) -> None:
        width = self.table.size.width or self.size.width
        note_width = max(10, width - 2 - 4 - 16 - 14 - 11 - 2 * 6 - 2)
        columns = [(" ", 2), ("Rev", 4), ("When", 16), ("Who", 14), ("Status", 11), ("Note", note_width)]
        rows = [
            (
                r.number,
                [
                    Text("●" if r.number == self.marked else ""),
                    Text(str(r.number)),
                    Text(when(r.at)),
                    Text(one_line(r.author or "system", 14)),
                    Text(faq_status_label(r.status)),
                    Text(one_line(r.note or "—", note_width)),
                ],
            )
            for r in self.revisions
        ]
        self.table.show(columns, rows)

    def action_reload(self) -> None:
        self._load()

    # --- comparing -----------------------------------------------------------------------

    def pair(self) -> tuple[int, int] | None:
        """(older, newer) revision numbers to compare now, or None when there is nothing to compare."""
        current = self.table.current_key
        if current is None:
            return None
        if self.marked is not None and self.marked != current:
            return (min(self.marked, current), max(self.marked, current))
        older = [r.number for r in self.revisions if r.number < current]
        return (max(older), current) if older else None

    def action_mark(self) -> None:
        current = self.table.current_key
        if current is None:
            return
        self.marked = None if self.marked == current else current
        self._fill()
        self._diff_soon()

    @on(DataTable.RowHighlighted, "#history-list")
    def highlighted(self) -> None:
        self._diff_soon()

    @on(DataTable.RowSelected, "#history-list")
    def selected(self) -> None:
        self.action_diff()

    def _diff_soon(self) -> None:
        if self._diff_timer is not None:
            self._diff_timer.stop()
        self._diff_timer = self.set_timer(DIFF_DELAY, self.action_diff)

    def action_diff(self) -> None:
        pair = self.pair()
        title = self.query_one("#history-diff-title", Static)
        if pair is None:
            self.compared = None
            current = next((r for r in self.revisions if r.number == self.table.current_key), None)
            if current is None:
                title.update("")
                self.query_one("#history-diff", DiffView).update("")
                return
            title.update(Text(f"Revision {current.number}, the first, as saved (space marks another to compare with)"))
            self.query_one("#history-diff", DiffView).update(plain(f"{current.title}\n\n{current.body}"))
            return
        if pair != self.compared:
            self.compared = pair
            title.update(Text(f"Changes from revision {pair[0]} to revision {pair[1]}  ('-' removed, '+' added)"))
            self.query_one("#history-diff", DiffView).update(Text("loading…"))
            self._load_diff(*pair)

    @work(thread=True, group="faq-history-diff", exclusive=True, exit_on_error=False)
    def _load_diff(self, old: int, new: int) -> None:
        diff = self.desk.faq_diff(self.article_id, old, new)
        self.post_message(self.DiffRead((old, new), diff))

    @on(DiffRead)
    def _show_diff(self, message: DiffRead) -> None:
        if message.pair == self.compared:
            self.query_one("#history-diff", DiffView).show_diff(message.diff)
            self.query_one("#history-diff-pane", VerticalScroll).scroll_home(animate=False)

    # --- reverting -----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "revert":
            current = self.table.current_key if self.is_mounted else None
            return (self.article is not None and current is not None and current != self.article.version) or None
        return True

    @work(group="faq-history-ask", exclusive=True, exit_on_error=False)
    async def action_revert(self) -> None:
        number = self.table.current_key
        article = self.article
        if number is None or article is None:
            return
        if number == article.version:
            self.notify(f"Revision {number} is the current one.", markup=False)
            return
        question = (
            f"Revert FAQ #{article.id} to revision {number}? Revision {article.version + 1} will bring back its title, "
            "text, category and tags (the status stays)."
        )
        if await self.app.push_screen_wait(ConfirmDialog(question, yes="Revert", no="Cancel")):
            self._revert(number, article.version)

    @work(thread=True, group="faq-history-change", exit_on_error=False)
    def _revert(self, number: int, version: int) -> None:
        try:
            article = self.desk.faq_revert(self.article_id, number, version)
        except Conflict as err:
            self.post_message(self.RevertRefused(err.message))
            return
        self.post_message(self.Reverted(article, number))

    @on(Reverted)
    def _reverted(self, message: Reverted) -> None:
        article, number = message.article, message.number
        if article.version == (self.article.version if self.article else None):
            self.notify(f"Revision {number} says the same as the current one: nothing to revert.", markup=False)
        else:
            self.notify(f"FAQ #{article.id}: revision {article.version} brings back revision {number}.", markup=False)
        self.marked = None
        self._to_newest = True
        self._load()

    @on(RevertRefused)
    def _refused(self, refused: RevertRefused) -> None:
        self.notify(
            one_line(refused.message, 400) + " — the history is refreshed.",
            severity="warning",
            markup=False,
            timeout=10,
        )
        self._load()

    def action_back(self) -> None:
        self.dismiss()
