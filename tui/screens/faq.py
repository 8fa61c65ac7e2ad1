"""The FAQ: categories, search-as-you-type, the article list and a preview of the article under the cursor.

From here an article is edited (``e``/enter), written (``n``), published (``P``), archived
(``X``), its history read (``h``) and the health of the whole FAQ checked (``H``). Below 100
columns the category list hides; ``c`` picks a category at any width.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from models.errors import Conflict, QueryError
from models.faq.articles import Article
from models.faq.search import FAQHit, parse_faq_query
from tui.desk.desk import Desk, category_filter
from tui.dialogs.choice import ChoiceDialog
from tui.dialogs.confirm import ConfirmDialog
from tui.errors import ReportWorkerErrors, error_line
from tui.palette import PaletteCommands
from tui.text.faq import article_facts, faq_status_label
from tui.text.safe import one_line
from tui.widgets.header import DeskHeader
from tui.widgets.keys_footer import KeysFooter
from tui.widgets.row_table import RowTable
from tui.widgets.safe_markdown import SafeMarkdown
from tui.widgets.search_bar import SearchBar

__all__ = ["FAQScreen", "NARROW"]

PREVIEW_DELAY = 0.08  # seconds the cursor rests on an article before its preview loads
NARROW = 100  # below this width the category list hides
LIMIT = 200  # articles listed at most (the status line says how many match in all)
ALL = "all"


class FAQScreen(PaletteCommands, ReportWorkerErrors, Screen):
    """Find, read and look after the FAQ articles."""

    BINDINGS = [
        Binding(
            "slash",
            "search",
            "Search",
            tooltip="Search as you type (words, category:, tag:, status:any …)",
            id="faq.search",
        ),
        Binding("escape", "clear", "Clear", show=False, tooltip="Clear the search, else back", id="faq.clear"),
        Binding("e", "edit", "Edit", tooltip="Edit the article (enter opens it too)", id="faq.edit"),
        Binding("n", "new", "New", tooltip="Write a new article", id="faq.new"),
        Binding("P", "set_status('published')", "Publish", tooltip="Publish the article", id="faq.publish"),
        Binding("X", "archive", "Archive", tooltip="Archive the article (asks first)", id="faq.archive"),
        Binding("D", "set_status('draft')", "Draft", show=False, tooltip="Back to draft (unpublish)", id="faq.draft"),
        Binding("h", "history", "History", tooltip="Revisions, diffs and revert", id="faq.history"),
        Binding(
            "H", "health", "Health", show=False, tooltip="Usage, never used, drafts waiting, gaps", id="faq.health"
        ),
        Binding("c", "category", "Category", show=False, tooltip="Show one category", id="faq.category"),
        Binding("ctrl+r", "reload", "Reload", show=False, id="faq.reload"),
        Binding("q", "back", "Back", tooltip="Back to where you were", id="faq.back"),
    ]
    PALETTE = {
        "faq.search": "Search the FAQ",
        "faq.edit": "Edit article",
        "faq.history": "History",
        "faq.new": "New article",
        "faq.category": "Choose a category",
        "faq.health": "FAQ health",
        "faq.reload": "Reload",
        "faq.back": "Back",
        "faq.publish": "Publish",
        "faq.draft": "Back to draft",
        "faq.archive": "Archive",
    }

    # What the thread workers found, posted back to the screen (see tui.screens).

    @dataclass
    class CategoriesLoaded(Message, bubble=False):
        categories: list[tuple[str, int]]
        everything: int

    @dataclass
    class Found(Message, bubble=False):
        query: str
        hits: list[FAQHit]
        total: int

    @dataclass
    class Previewed(Message, bubble=False):
        article: Article

    @dataclass
    class StatusSet(Message, bubble=False):
        article: Article

    @dataclass
    class StatusRefused(Message, bubble=False):
        message: str

    def __init__(self, desk: Desk, *, now: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.desk = desk
        self._now = now or desk.now
        self.typed = ""
        self.category: str | None = None  # None: every category
        self.categories: list[tuple[str, int]] = []
        self.hits: list[FAQHit] = []
        self.total: int | None = None
        self.query_text = ""  # the query the list shows (or is loading)
        self.shown: Article | None = None  # the article in the preview
        self._preview_timer: Timer | None = None
        self._bindings_status: str | None = None  # the status the footer was last drawn for
        self._narrow: bool | None = None

    def compose(self) -> ComposeResult:
        yield DeskHeader(self.desk, title="FAQ")
        with Horizontal(id="faq-search-bar"):
            yield Label("/", id="faq-search-prompt")
            yield SearchBar(
                placeholder='search: words "phrases" category:Billing tag:vpn status:any sort:updated', id="faq-search"
            )
        yield Static("", id="faq-error")
        with Horizontal(id="faq-body"):
            yield OptionList(id="faq-categories")
            with Vertical(id="faq-main"):
                yield RowTable(id="faq-list")
                with VerticalScroll(id="faq-preview"):
                    yield Static("", id="faq-preview-title")
                    yield Static("", id="faq-preview-facts")
                    yield SafeMarkdown(id="faq-markdown")
        yield Static("", id="faq-status")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#faq-error").display = False
        self.query_one("#faq-search", SearchBar).cursor_blink = self.app.blink
        self._layout(self.size.width)
        self.table.focus()

    @property
    def table(self) -> RowTable:
        return self.query_one("#faq-list", RowTable)

    @property
    def current(self) -> FAQHit | None:
        """The article under the cursor (None before the list is there, or when it is empty)."""
        if not self.hits:
            return None
        key = self.table.current_key
        return next((h for h in self.hits if h.id == key), None)

    # --- layout --------------------------------------------------------------------------

    def on_resize(self, event) -> None:
        self._layout(event.size.width)

    def _layout(self, width: int) -> None:
        narrow = width < NARROW
        if narrow != self._narrow:
            self._narrow = narrow
            self.set_class(narrow, "-narrow")
            self.query_one("#faq-categories").display = not narrow
        self.call_after_refresh(self._fill_table)

    def _columns(self) -> list[tuple[str, int]]:
        width = self.table.size.width or self.size.width
        fixed = 11 + 12 + 10
        title = max(12, width - fixed - 2 * 4 - 2)
        return [("Title", title), ("Status", 11), ("Category", 12), ("Updated", 10)]

    def _fill_table(self) -> None:
        columns = self._columns()
        title_width, _, category_width, _ = (w for _, w in columns)
        rows = [
            (
                hit.id,
                [
                    Text(one_line(f"#{hit.id} {hit.title}", title_width)),
                    Text(faq_status_label(hit.status)),
                    Text(one_line(hit.category or "—", category_width)),
                    Text(f"{hit.updated_at:%Y-%m-%d}"),
                ],
            )
            for hit in self.hits
        ]
        self.table.show(columns, rows)
        self._show_status()

    # --- categories ----------------------------------------------------------------------

    @work(thread=True, group="faq-categories", exclusive=True, exit_on_error=False)
    def _load_categories(self) -> None:
        found = self.desk.faq_categories()
        everything = self.desk.faq_count("")
        self.post_message(self.CategoriesLoaded(found, everything))

    @on(CategoriesLoaded)
    def _categories_loaded(self, message: CategoriesLoaded) -> None:
        found, everything = message.categories, message.everything
        self.categories = found
        options = self.query_one("#faq-categories", OptionList)
        items = [Option(Text(f"All ({everything})"), id=ALL)]
        items += [Option(Text(f"{one_line(name, 14)} ({count})"), id=f"c{i}") for i, (name, count) in enumerate(found)]
        options.clear_options()
        options.add_options(items)
        chosen = (
            ALL
            if self.category is None
            else next((f"c{i}" for i, (n, _) in enumerate(found) if n == self.category), ALL)
        )
        options.highlighted = options.get_option_index(chosen)

    @on(OptionList.OptionHighlighted, "#faq-categories")
    def category_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        option_id = event.option.id
        category = None if option_id == ALL or option_id is None else self.categories[int(option_id[1:])][0]
        if category != self.category:
            self.category = category
            self._run()

    @on(OptionList.OptionSelected, "#faq-categories")
    def category_selected(self) -> None:
        self.table.focus()

    @work(group="faq-action", exclusive=True, exit_on_error=False)
    async def action_category(self) -> None:
        choices = [(ALL, "All categories")] + [
            (f"c{i}", f"{name} ({count})") for i, (name, count) in enumerate(self.categories)
        ]
        current = (
            ALL
            if self.category is None
            else next((f"c{i}" for i, (n, _) in enumerate(self.categories) if n == self.category), ALL)
        )
        chosen = await self.app.push_screen_wait(ChoiceDialog("Show the category", choices, current=current))
        if chosen is None:
            return
        self.category = None if chosen == ALL else self.categories[int(chosen[1:])][0]
        options = self.query_one("#faq-categories", OptionList)
        if options.option_count:
            options.highlighted = options.get_option_index(chosen)
        self._run()

    # --- searching -----------------------------------------------------------------------

    def action_search(self) -> None:
        # Focus now, not after the next refresh: keys typed right after / belong to the search.
        self.set_focus(self.query_one("#faq-search", SearchBar))

    @on(SearchBar.Typed, "#faq-search")
    def typed_changed(self, event: SearchBar.Typed) -> None:
        self._apply_search(event.value)

    def _apply_search(self, text: str) -> None:
        self.typed = text
        self._run()

    @on(SearchBar.Entered, "#faq-search")
    def search_done(self, event: SearchBar.Entered) -> None:
        self._apply_search(event.value)
        self.table.focus()

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

    @on(Found)
    def _found(self, message: Found) -> None:
        query, hits, total = message.query, message.hits, message.total
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

    # --- the preview ---------------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#faq-list")
    def row_highlighted(self) -> None:
        self._preview_soon()
        hit = self.current
        status = hit.status if hit is not None else None
        if status != self._bindings_status:  # P, X and D depend on the article's status; a footer
            self._bindings_status = status  # rebuilt on every move costs a screen line per key
            self.refresh_bindings()

    def _preview_soon(self) -> None:
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(PREVIEW_DELAY, self._preview)

    def _preview(self) -> None:
        hit = self.current
        if hit is None:
            self._show_article(None)
        elif self.shown is None or (self.shown.id, self.shown.version) != (hit.id, hit.version):
            self._load_preview(hit.id)

    @work(thread=True, group="faq-preview", exclusive=True, exit_on_error=False)
    def _load_preview(self, article_id: int) -> None:
        article = self.desk.faq_article(article_id)
        self.post_message(self.Previewed(article))

    @on(Previewed)
    def _previewed(self, message: Previewed) -> None:
        article = message.article
        if self.table.current_key == article.id:
            self._show_article(article)

    def _show_article(self, article: Article | None) -> None:
        self.shown = article
        title = self.query_one("#faq-preview-title", Static)
        facts = self.query_one("#faq-preview-facts", Static)
        markdown = self.query_one("#faq-markdown", SafeMarkdown)
        if article is None:
            title.update(Text("No article matches." if self.total == 0 else ""))
            facts.update("")
            markdown.update("")
            return
        width = max(20, self.query_one("#faq-preview").size.width - 2)
        title.update(Text(one_line(article.title, width * 2), style="bold"))
        facts.update(Text(article_facts(article, width)))
        markdown.update(article.body)
        self.query_one("#faq-preview", VerticalScroll).scroll_home(animate=False)

    # --- opening -------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#faq-list")
    def row_selected(self) -> None:
        self.action_edit()

    def action_edit(self) -> None:
        hit = self.current
        if hit is not None:
            self.app.open_faq_editor(hit.id)

    def action_new(self) -> None:
        self.app.open_faq_editor(None, category=self.category or "")

    def action_history(self) -> None:
        hit = self.current
        if hit is not None:
            self.app.open_faq_history(hit.id)

    def action_health(self) -> None:
        self.app.open_faq_health()

    def action_back(self) -> None:
        self.dismiss()

    def on_screen_resume(self) -> None:
        """Shown (first, or back from the editor, the history, a dialog): the list is fetched again,
        so what was changed meanwhile shows at once."""
        self._load_categories()
        self._run()

    def action_reload(self) -> None:
        self.on_screen_resume()

    # --- status --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("edit", "set_status", "archive", "history"):
            hit = self.current
            if hit is None:
                return None
            if action == "set_status":
                return hit.status != parameters[0] or None
            if action == "archive":
                return hit.status != "archived" or None
        return True

    @work(group="faq-action", exclusive=True, exit_on_error=False)
    async def action_archive(self) -> None:
        hit = self.current
        if hit is None:
            return
        question = (
            f"Archive FAQ #{hit.id} {one_line(hit.title, 50)}? It leaves the lists and cannot be linked to tickets."
        )
        if await self.app.push_screen_wait(ConfirmDialog(question, yes="Archive", no="Keep it")):
            self._set_status(hit, "archived")

    def action_set_status(self, status: str) -> None:
        hit = self.current
        if hit is not None:
            self._set_status(hit, status)

    @work(thread=True, group="faq-change", exit_on_error=False)
    def _set_status(self, hit: FAQHit, status: str) -> None:
        try:
            article = self.desk.faq_set_status(hit.id, status, hit.version)
        except Conflict as err:
            self.post_message(self.StatusRefused(err.message))
            return
        self.post_message(self.StatusSet(article))

    @on(StatusSet)
    def _status_set(self, message: StatusSet) -> None:
        article = message.article
        self.notify(f"FAQ #{article.id} is now {faq_status_label(article.status)}.", markup=False)
        self.on_screen_resume()

    @on(StatusRefused)
    def _refused(self, refused: StatusRefused) -> None:
        self.notify(
            one_line(refused.message, 400) + " — the list is refreshed.", severity="warning", markup=False, timeout=10
        )
        self.on_screen_resume()
