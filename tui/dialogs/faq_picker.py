"""Choosing an FAQ article to insert into a reply: the ticket's suggestions first, a search for any other.

The dialog opens on the published articles that best match the ticket (``★`` marks one already
linked to it); typing searches every published article instead (the FAQ query language, stale
searches dropped, a bad query said in place). Below the list, the highlighted article's first
lines, so the agent sees what goes into the reply before it does. It dismisses with the article's
id, or None.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from models.errors import NotFound, QueryError
from models.faq.articles import Article
from models.faq.search import FAQHit, parse_faq_query
from tui.desk.desk import Desk
from tui.dialogs.base import Dialog
from tui.text.safe import one_line, safe_text
from tui.widgets.search_bar import SearchBar

__all__ = ["FAQPicker"]

_FIXED_ROWS = 12  # the dialog's border, padding, title, search box, "Suggested…" line and hint (sportello.tcss)


class FAQPicker(Dialog, ModalScreen[int | None]):
    """Pick a published FAQ article for ticket ``number``'s reply."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="faq_picker.cancel")]
    DEFAULT_CSS = """
    #faq-pick-preview {
        height: 4;
        border-top: solid $primary;
        color: $text-muted;
    }
    """

    # What the thread workers found, posted back to the dialog (see tui.screens).

    @dataclass
    class Found(Message, bubble=False):
        """The articles for ``query`` (None: the ticket's suggestions), and how many match in all."""

        query: str | None
        hits: list[FAQHit]
        total: int

    @dataclass
    class Refused(Message, bubble=False):
        query: str
        message: str

    @dataclass
    class ArticleRead(Message, bubble=False):
        article_id: int
        article: Article | None  # None: gone meanwhile

    def __init__(self, desk: Desk, number: int, *, linked: Iterable[int] = ()) -> None:
        super().__init__()
        self.desk = desk
        self.number = number
        self.linked = frozenset(linked)  # the articles the ticket links to already
        self.hits: list[FAQHit] = []
        self.query_text: str | None = None  # None: the suggestions
        self.shown_for: str | None = "\x00nothing yet"  # the query whose results are listed
        self._articles: dict[int, Article | None] = {}  # read for the preview (None: gone meanwhile)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="faq-picker"):
            yield Label(Text(f"Insert an FAQ article into the reply to #{self.number}"), classes="dialog-title")
            yield SearchBar(placeholder="type to search every published article", id="faq-pick-search")
            yield Label(Text("Suggested for this ticket (looking…)"), id="faq-pick-what")
            yield OptionList(id="faq-pick-list", compact=True)
            yield Static(Text(""), id="faq-pick-preview")
            yield Label(Text("enter insert · ↑↓ move · esc cancel · ★ already linked"), classes="dialog-hint")

    def on_mount(self) -> None:
        super().on_mount()
        self.set_focus(self.query_one("#faq-pick-search", SearchBar))
        self._fit(self.app.size.height)
        self._suggest()

    def on_resize(self) -> None:
        self._fit(self.app.size.height)

    def _fit(self, height: int) -> None:
        """Share the rows the dialog has (90% of the terminal) between the list and the preview: at 80×24
        five articles and three lines of the highlighted one, more of both on a taller terminal."""
        room = max(6, int(height * 0.9) - _FIXED_ROWS)
        preview = 4 if room < 12 else 6  # with its top rule
        self.query_one("#faq-pick-preview").styles.height = preview
        self.query_one("#faq-pick-list").styles.max_height = max(3, min(9, room - preview))

    @work(thread=True, group="faq-pick", exclusive=True, exit_on_error=False)
    def _suggest(self) -> None:
        hits = self.desk.faq_suggestions(self.number)
        self.post_message(self.Found(None, hits, len(hits)))

    @on(SearchBar.Typed, "#faq-pick-search")
    def typed(self, event: SearchBar.Typed) -> None:
        self._search_for(event.value)

    def _search_for(self, typed: str) -> None:
        what = self.query_one("#faq-pick-what", Label)
        if not typed.strip():
            self.query_text = None
            what.update(Text("Suggested for this ticket (looking…)"))
            self._suggest()
            return
        query = f"{typed} status:published"
        try:
            parse_faq_query(query)
        except QueryError as err:
            what.update(Text(one_line(f"✗ {err.message}", 200)))
            what.add_class("dialog-error")
            return
        self.query_text = query
        what.update(Text("Searching…"))
        self._search(query)

    @work(thread=True, group="faq-pick", exclusive=True, exit_on_error=False)
    def _search(self, query: str) -> None:
        try:
            hits, total = self.desk.faq_search(query, limit=50)
        except QueryError as err:
            self.post_message(self.Refused(query, err.message))
            return
        self.post_message(self.Found(query, hits, total))

    @on(Refused)
    def _refused(self, refused: Refused) -> None:
        if refused.query == self.query_text:
            what = self.query_one("#faq-pick-what", Label)
            what.update(Text(one_line(f"✗ {refused.message}", 200)))
            what.add_class("dialog-error")

    @on(Found)
    def _found(self, message: Found) -> None:
        query, hits, total = message.query, message.hits, message.total
        if query != self.query_text:
            return  # stale: something newer was typed
        self.shown_for = query
        self.hits = hits
        what = self.query_one("#faq-pick-what", Label)
        what.remove_class("dialog-error")
        if query is None:
            what.update(
                Text("Suggested for this ticket:" if hits else "No suggestion for this ticket: type to search.")
            )
        else:
            shown = f"{len(hits)} of {total}" if total > len(hits) else str(total)
            what.update(Text(f"{shown} published article{'s' if total != 1 else ''} found:"))
        options = self.query_one("#faq-pick-list", OptionList)
        options.clear_options()
        options.add_options([self._option(hit) for hit in hits])
        options.highlighted = 0 if hits else None
        if not hits:
            self._show_preview(None)

    def _option(self, hit: FAQHit) -> Option:
        mark = "★ " if hit.linked or hit.id in self.linked else "  "
        category = f" · {one_line(hit.category, 12)}" if hit.category else ""
        return Option(Text(f"{mark}#{hit.id} {one_line(hit.title, 38)}{category}"), id=str(hit.id))  # one line at 80×24

    # --- the preview -----------------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#faq-pick-list")
    def highlighted(self, event: OptionList.OptionHighlighted) -> None:
        article_id = int(event.option.id)
        if article_id in self._articles:
            self._show_preview(article_id)
        else:
            self.query_one("#faq-pick-preview", Static).update(Text("…"))
            self._read(article_id)

    @work(thread=True, group="faq-pick-preview", exclusive=True, exit_on_error=False)
    def _read(self, article_id: int) -> None:
        try:
            article: Article | None = self.desk.faq_article(article_id)
        except NotFound:
            article = None
        self.post_message(self.ArticleRead(article_id, article))

    @on(ArticleRead)
    def _article_read(self, message: ArticleRead) -> None:
        self._articles[message.article_id] = message.article
        self._show_preview(message.article_id)

    def _highlighted_id(self) -> int | None:
        options = self.query_one("#faq-pick-list", OptionList)
        if options.highlighted is None or options.option_count == 0:
            return None
        return int(options.get_option_at_index(options.highlighted).id)

    def _show_preview(self, article_id: int | None) -> None:
        if article_id != self._highlighted_id():
            return  # read for a row the cursor has left
        preview = self.query_one("#faq-pick-preview", Static)
        article = self._articles.get(article_id) if article_id is not None else None
        if article_id is None:
            preview.update(Text(""))
        elif article is None:
            preview.update(Text(f"FAQ #{article_id} is no longer there."))
        else:
            preview.update(Text(preview_text(article)))

    def on_key(self, event) -> None:
        if event.key in ("down", "up") and self.focused is not None and self.focused.id == "faq-pick-search":
            options = self.query_one("#faq-pick-list", OptionList)
            options.action_cursor_down() if event.key == "down" else options.action_cursor_up()
            event.stop()

    @on(SearchBar.Entered, "#faq-pick-search")
    def choose_highlighted(self, event: SearchBar.Entered) -> None:
        if event.pending:  # typed, not searched yet: search now; enter must not pick from the old list
            self._search_for(event.value)
            return
        if self.shown_for != self.query_text:
            return  # the list is about to change: enter must not pick from the old one
        options = self.query_one("#faq-pick-list", OptionList)
        if options.highlighted is not None:
            self.dismiss(int(options.get_option_at_index(options.highlighted).id))

    @on(OptionList.OptionSelected, "#faq-pick-list")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)


def preview_text(article: Article) -> str:
    """What the preview shows of ``article``: its text without a first line that only repeats the title."""
    lines = safe_text(article.body).strip().splitlines()
    if lines and lines[0].lstrip("# ").strip().casefold() == article.title.strip().casefold():
        lines = lines[1:]
    return "\n".join(line.rstrip() for line in lines).strip() or "(no text)"
