"""The FAQ screen itself: its keys, layout, messages and what it opens; its categories, search, preview and
status changes are mixins of their own modules.

From here an article is edited (``e``/enter), written (``n``), published (``P``), archived
(``X``), its history read (``h``) and the health of the whole FAQ checked (``H``). Below 100
columns the category list hides; ``c`` picks a category at any width.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Label, OptionList, Static

from models.faq.articles import Article
from models.faq.search import FAQHit
from tui.desk.desk import Desk
from tui.errors import ReportWorkerErrors
from tui.palette import PaletteCommands
from tui.screens.faq.categories import ALL, FAQCategories
from tui.screens.faq.preview import FAQPreview
from tui.screens.faq.publishing import FAQPublishing
from tui.screens.faq.search import FAQSearch
from tui.text.faq import faq_status_label
from tui.text.safe import one_line
from tui.widgets.header import DeskHeader
from tui.widgets.keys_footer import KeysFooter
from tui.widgets.row_table import RowTable
from tui.widgets.safe_markdown import SafeMarkdown
from tui.widgets.search_bar import SearchBar

__all__ = ["FAQScreen", "NARROW"]

NARROW = 100  # below this width the category list hides


class FAQScreen(FAQCategories, FAQSearch, FAQPreview, FAQPublishing, PaletteCommands, ReportWorkerErrors, Screen):
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

    @on(CategoriesLoaded)
    def _categories_loaded(self, message: CategoriesLoaded) -> None:
        self._show_categories(message.categories, message.everything)

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

    # --- searching -----------------------------------------------------------------------

    @on(SearchBar.Typed, "#faq-search")
    def typed_changed(self, event: SearchBar.Typed) -> None:
        self._apply_search(event.value)

    @on(SearchBar.Entered, "#faq-search")
    def search_done(self, event: SearchBar.Entered) -> None:
        self._apply_search(event.value)
        self.table.focus()

    @on(Found)
    def _found(self, message: Found) -> None:
        self._show_hits(message.query, message.hits, message.total)

    # --- the preview ---------------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#faq-list")
    def row_highlighted(self) -> None:
        self._preview_soon()
        hit = self.current
        status = hit.status if hit is not None else None
        if status != self._bindings_status:  # P, X and D depend on the article's status; a footer
            self._bindings_status = status  # rebuilt on every move costs a screen line per key
            self.refresh_bindings()

    @on(Previewed)
    def _previewed(self, message: Previewed) -> None:
        article = message.article
        if self.table.current_key == article.id:
            self._show_article(article)

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
