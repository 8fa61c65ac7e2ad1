"""The FAQ editor screen itself: title, category, status, tags and the Markdown text with a live preview; its
fields, display, pickers and saving are mixins of their own modules.

``ctrl+s`` asks for a short change note and saves the fields that changed as a new revision,
naming the revision the editor started from. If someone saved in between, the save is refused:
the text stays in the editor, the warning names who changed what, and the editor now starts
from their revision, so a second ``ctrl+s`` saves over it deliberately. Leaving with unsaved
changes asks first. Side by side from 110 columns; stacked below that (``ctrl+t`` hides the preview).
An article opens with the cursor at the end of its text (a new one: in its title), and the name of
the field being typed in shows ``▸`` in reverse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Input, Label, Static, TextArea

from models.errors import Conflict
from models.faq.articles import Article
from tui.desk.desk import Desk
from tui.dialogs.confirm import ConfirmDialog
from tui.errors import ReportWorkerErrors
from tui.palette import Command, PaletteCommands
from tui.screens.faq_editor.choices import FAQEditorChoices
from tui.screens.faq_editor.display import FAQEditorDisplay
from tui.screens.faq_editor.fields import FAQEditorFields
from tui.screens.faq_editor.saving import FAQEditorSaving
from tui.terminal.editor import edit_externally
from tui.widgets.header import DeskHeader
from tui.widgets.keys_footer import KeysFooter
from tui.widgets.safe_markdown import SafeMarkdown

__all__ = ["FAQEditor", "WIDE"]

PREVIEW_DELAY = 0.25  # seconds of typing pause before the preview follows
WIDE = 110  # from this width the preview sits beside the text


class FAQEditor(
    FAQEditorFields, FAQEditorDisplay, FAQEditorChoices, FAQEditorSaving, PaletteCommands, ReportWorkerErrors, Screen
):
    """One article's editor (``article_id`` None: a new article)."""

    BINDINGS = [
        Binding(
            "ctrl+s",
            "save",
            "Save",
            tooltip="Save as a new revision, with a change note",
            id="faq_editor.save",
            priority=True,
        ),
        Binding("ctrl+o", "external", "$EDITOR", tooltip="Edit the text in $EDITOR", id="faq_editor.external"),
        Binding(
            "e",
            "external",
            "$EDITOR",
            show=False,
            tooltip="$EDITOR, when not typing in a field",
            id="faq_editor.external_e",
        ),
        Binding("ctrl+t", "toggle_preview", "Preview", tooltip="Show or hide the preview", id="faq_editor.preview"),
        Binding(
            "escape", "back", "Back", tooltip="Back (asks first if there are unsaved changes)", id="faq_editor.back"
        ),
    ]
    PALETTE = {
        "faq_editor.save": "Save",
        "faq_editor.external": "Edit in $EDITOR",
        "faq_editor.preview": "Toggle the preview",
        "faq_editor.back": "Back",
    }

    # What the thread workers found, posted back to the screen (see tui.screens).

    @dataclass
    class Loaded(Message, bubble=False):
        article: Article | None  # None: a new article
        categories: list[str]

    @dataclass
    class SaveEnded(Message, bubble=False):
        """A save ended: ``article`` as stored, or None when it was refused (``conflict``) or failed."""

        article: Article | None
        changes: dict
        version: int | None
        conflict: Conflict | None = None

    def __init__(
        self, desk: Desk, article_id: int | None, *, category: str = "", now: Callable[[], datetime] | None = None
    ) -> None:
        super().__init__()
        self.desk = desk
        self.article_id = article_id
        self._now = now or desk.now
        self.article: Article | None = None  # as last read or saved
        self.version: int | None = None  # the revision a save says it started from
        self.conflict_with: int | None = None  # the revision someone else saved under us
        self.categories: list[str] = []
        self.category = category
        self.status = "draft"
        self.base: dict | None = None  # the fields as stored, to tell what changed (None: not loaded)
        self.saving = False
        self._preview_timer: Timer | None = None
        self._wide: bool | None = None

    def compose(self) -> ComposeResult:
        yield DeskHeader(self.desk, title=f"FAQ #{self.article_id}" if self.article_id else "new FAQ article")
        yield Static(Text("loading…"), id="editor-facts")
        with Horizontal(id="editor-title-row", classes="editor-row"):
            yield Label("Title", classes="editor-label", id="editor-title-label")
            yield Input(placeholder="What the customer asks, in their words", max_length=300, id="editor-title")
        with Horizontal(id="editor-meta-row", classes="editor-row"):
            yield Button("", id="editor-category", compact=True)
            yield Button("", id="editor-status", compact=True)
            yield Label("Tags", classes="editor-label", id="editor-tags-label")
            yield Input(placeholder="space separated", id="editor-tags")
        with Horizontal(id="editor-body"):
            area = TextArea(soft_wrap=True, id="editor-text")
            if "markdown" in area.available_languages:  # highlighting when tree-sitter's grammar is installed
                area.language = "markdown"
            yield area
            with VerticalScroll(id="editor-preview"):
                yield SafeMarkdown(id="editor-markdown")
        yield KeysFooter()

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = self.app.blink
        self.area.cursor_blink = self.app.blink
        self._layout(self.size.width)
        self._show_choices()
        # A new article starts with its title; an existing one where people add to it: the end of its text.
        self.set_focus(self.query_one("#editor-title", Input) if self.article_id is None else self.area)
        self.query_one("#editor-title-label").styles.padding = (0, 1, 0, 0)  # room for "▸ Title" in its 8 columns
        self._mark_focus()
        self.app.quitting.subscribe(self, self._quitting, immediate=True)
        self._load()

    @property
    def area(self) -> TextArea:
        return self.query_one("#editor-text", TextArea)

    # --- layout --------------------------------------------------------------------------

    def on_resize(self, event) -> None:
        self._layout(event.size.width)

    def _layout(self, width: int) -> None:
        wide = width >= WIDE
        if wide != self._wide:
            self._wide = wide
            self.set_class(not wide, "-narrow")

    def action_toggle_preview(self) -> None:
        preview = self.query_one("#editor-preview")
        preview.display = not preview.display
        if preview.display:
            self._update_preview()

    # --- loading -------------------------------------------------------------------------

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self._show_loaded(message)

    # --- what the screen shows -----------------------------------------------------------

    def on_descendant_focus(self) -> None:
        self._mark_focus()

    def on_descendant_blur(self) -> None:
        self._mark_focus()

    @on(Input.Changed)
    def field_changed(self) -> None:
        self._refresh_facts()

    @on(TextArea.Changed, "#editor-text")
    def text_changed(self) -> None:
        self._refresh_facts()
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(PREVIEW_DELAY, self._update_preview)

    # --- category and status -------------------------------------------------------------

    @on(Button.Pressed, "#editor-category")
    def category_pressed(self) -> None:
        self.action_category()

    @on(Button.Pressed, "#editor-status")
    def status_pressed(self) -> None:
        self.action_status()

    # --- $EDITOR -------------------------------------------------------------------------

    def action_external(self) -> None:
        edited = edit_externally(self.app, self.area.text, prefix=f"sportello-faq-{self.article_id or 'new'}-")
        if edited is not None and edited != self.area.text:
            self.area.replace(edited, (0, 0), self.area.document.end)  # one edit: ctrl+z undoes it

    # --- saving --------------------------------------------------------------------------

    @on(SaveEnded)
    def _saved(self, message: SaveEnded) -> None:
        self._show_saved(message)

    # --- leaving -------------------------------------------------------------------------

    @work(group="faq-editor-ask", exclusive=True, exit_on_error=False)
    async def action_back(self) -> None:
        if self.dirty:
            leave = await self.app.push_screen_wait(
                ConfirmDialog(
                    "Leave without saving? Your changes to this article are lost.", yes="Discard", no="Keep editing"
                )
            )
            if not leave:
                return
        self.dismiss()

    def palette_commands(self) -> list[Command]:
        """The keys' actions, and the two fields picked from a list (they have no key: tab reaches them)."""
        return super().palette_commands() + [
            Command("Category", "Pick the article's category", self.action_category),
            Command("Publish, archive or draft", "Pick the status; it is saved with ctrl+s", self.action_status),
        ]
