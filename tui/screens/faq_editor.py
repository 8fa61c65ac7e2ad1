"""Writing an FAQ article: title, category, status, tags and the Markdown text with a live preview.

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
from tui.dialogs.choice import ChoiceDialog
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.text_prompt import TextPrompt
from tui.errors import ReportWorkerErrors
from tui.news import Quitting
from tui.palette import Command, PaletteCommands
from tui.terminal.editor import edit_externally
from tui.text.faq import FAQ_STATUS_LABELS, article_facts, faq_status_label
from tui.text.safe import one_line, safe_text
from tui.widgets.header import DeskHeader
from tui.widgets.keys_footer import KeysFooter
from tui.widgets.safe_markdown import SafeMarkdown

__all__ = ["FAQEditor", "normal_tags", "WIDE"]

PREVIEW_DELAY = 0.25  # seconds of typing pause before the preview follows
WIDE = 110  # from this width the preview sits beside the text
NO_CATEGORY = "\x00none"  # never a category name: names are cleaned of NUL

_STATUS_CHOICES = [
    ("draft", f"{FAQ_STATUS_LABELS['draft']} — agents only, not offered in replies"),
    ("published", f"{FAQ_STATUS_LABELS['published']} — offered when replying to tickets"),
    ("archived", f"{FAQ_STATUS_LABELS['archived']} — hidden; can no longer be linked"),
]

# (where the name shows, the field it names, the name): labels beside the inputs, border titles over the boxes.
_LABELLED = (("editor-title-label", "editor-title", "Title"), ("editor-tags-label", "editor-tags", "Tags"))
_TITLED = (("editor-body", "editor-text", "Text"), ("editor-preview", "editor-preview", "Preview · ctrl+t hides it"))


def normal_tags(text: str) -> tuple[str, ...]:
    """The tags typed in the tags field, as the article stores them (lower case, sorted, once each)."""
    return tuple(sorted({word.lower() for word in text.replace(",", " ").split()}))


class FAQEditor(PaletteCommands, ReportWorkerErrors, Screen):
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

    @work(thread=True, group="faq-editor-load", exclusive=True, exit_on_error=False)
    def _load(self) -> None:
        categories = [name for name, _ in self.desk.faq_categories()]
        article = self.desk.faq_article(self.article_id) if self.article_id is not None else None
        self.post_message(self.Loaded(article, categories))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        article, self.categories = message.article, message.categories
        if article is None:
            self.base = {"title": "", "body": "", "category": "", "tags": (), "status": "draft"}
            self._refresh_facts()
            self._show_choices()
            return
        self._take(article)
        self.area.move_cursor(self.area.document.end)
        self.area.scroll_cursor_visible()

    def _take(self, article: Article) -> None:
        """Show ``article`` as stored, and start from it."""
        self.article = article
        self.article_id = article.id
        self.version = article.version
        self.conflict_with = None
        self.base = self._fields_of(article)
        self._set_fields(self.base)

    @staticmethod
    def _fields_of(article: Article) -> dict:
        return {
            "title": safe_text(article.title, multiline=False),
            "body": safe_text(article.body),
            "category": article.category,
            "tags": tuple(article.tags),
            "status": article.status,
        }

    def _set_fields(self, fields: dict) -> None:
        title = self.query_one("#editor-title", Input)
        if title.value != fields["title"]:
            title.value = fields["title"]
        tags = self.query_one("#editor-tags", Input)
        if normal_tags(tags.value) != fields["tags"]:
            tags.value = " ".join(fields["tags"])
        if self.area.text != fields["body"]:
            self.area.load_text(fields["body"])
        self.category = fields["category"]
        self.status = fields["status"]
        self._show_choices()
        self._refresh_facts()
        self._update_preview()

    def values(self) -> dict:
        """The fields as they are on screen."""
        return {
            "title": self.query_one("#editor-title", Input).value,
            "body": self.area.text,
            "category": self.category,
            "tags": normal_tags(self.query_one("#editor-tags", Input).value),
            "status": self.status,
        }

    def changes(self) -> dict:
        """The fields that differ from what is stored (every field for a new article)."""
        if self.base is None:
            return {}
        values = self.values()
        if self.article_id is None:
            return values
        return {name: value for name, value in values.items() if value != self.base[name]}

    @property
    def dirty(self) -> bool:
        if self.base is None:
            return False
        if self.article_id is None:
            return any(value for name, value in self.values().items() if name not in ("status", "category"))
        return bool(self.changes())

    def _quitting(self, news: Quitting) -> None:
        what = self.unsaved_work()
        if what:
            news.unsaved.append(what)

    def unsaved_work(self) -> str | None:
        """What quitting the app now would lose (None: nothing); the app asks before quitting."""
        if not self.dirty:
            return None
        return f"FAQ #{self.article_id}" if self.article_id is not None else "the new FAQ article"

    # --- what the screen shows -----------------------------------------------------------

    def on_descendant_focus(self) -> None:
        self._mark_focus()

    def on_descendant_blur(self) -> None:
        self._mark_focus()

    def _mark_focus(self) -> None:
        """``▸`` and reverse on the name of the field being typed in (the buttons reverse by themselves):
        a glyph, not a shade, so it shows without colour too."""
        focused = self.focused.id if self.focused is not None else None

        def name(field_id: str, word: str, pad: str) -> Text:
            return Text(f"▸ {word}", style="bold reverse") if focused == field_id else Text(pad + word)

        for label_id, field_id, word in _LABELLED:
            self.query_one(f"#{label_id}", Label).update(name(field_id, word, "  "))
        for box_id, field_id, word in _TITLED:
            self.query_one(f"#{box_id}").border_title = name(field_id, word, "")

    def _show_choices(self) -> None:
        labels = {
            "#editor-category": f"Category: {one_line(self.category or '—', 24)} ▾",
            "#editor-status": f"Status: {faq_status_label(self.status)} ▾",
        }
        for selector, label in labels.items():
            button = self.query_one(selector, Button)
            button.label = Text(label)
            button.refresh(layout=True)  # a Button's width follows its label only with a new layout

    def _refresh_facts(self) -> None:
        width = max(20, self.size.width - 2)
        if self.base is None:
            text = Text("loading…")
        elif self.conflict_with is not None:
            warning = f"⚠ Someone else saved revision {self.conflict_with}: ctrl+s now saves yours over it"
            text = Text(one_line(warning, width), style="bold")
        else:
            mark = " · ● unsaved" if self.dirty else ""
            room = width - len(mark)
            facts = article_facts(self.article, room) if self.article is not None else "New article: not saved yet"
            text = Text(one_line(facts, room))
            text.append(mark, style="bold")
        self.query_one("#editor-facts", Static).update(text)

    @on(Input.Changed)
    def field_changed(self) -> None:
        self._refresh_facts()

    @on(TextArea.Changed, "#editor-text")
    def text_changed(self) -> None:
        self._refresh_facts()
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(PREVIEW_DELAY, self._update_preview)

    def _update_preview(self) -> None:
        if self.query_one("#editor-preview").display:
            self.query_one("#editor-markdown", SafeMarkdown).update(self.area.text)

    # --- category and status -------------------------------------------------------------

    @on(Button.Pressed, "#editor-category")
    def category_pressed(self) -> None:
        self.action_category()

    @on(Button.Pressed, "#editor-status")
    def status_pressed(self) -> None:
        self.action_status()

    @work(group="faq-editor-ask", exclusive=True, exit_on_error=False)
    async def action_category(self) -> None:
        choices = [(name, name) for name in self.categories] + [(NO_CATEGORY, "— no category")]
        current = self.category or NO_CATEGORY
        chosen = await self.app.push_screen_wait(
            ChoiceDialog("Category (add new ones with `sportello faq category add`)", choices, current=current)
        )
        if chosen is not None:
            self.category = "" if chosen == NO_CATEGORY else chosen
            self._show_choices()
            self._refresh_facts()

    @work(group="faq-editor-ask", exclusive=True, exit_on_error=False)
    async def action_status(self) -> None:
        chosen = await self.app.push_screen_wait(
            ChoiceDialog("Status (saved with ctrl+s)", _STATUS_CHOICES, current=self.status)
        )
        if chosen is not None:
            self.status = chosen
            self._show_choices()
            self._refresh_facts()

    # --- $EDITOR -------------------------------------------------------------------------

    def action_external(self) -> None:
        edited = edit_externally(self.app, self.area.text, prefix=f"sportello-faq-{self.article_id or 'new'}-")
        if edited is not None and edited != self.area.text:
            self.area.replace(edited, (0, 0), self.area.document.end)  # one edit: ctrl+z undoes it

    # --- saving --------------------------------------------------------------------------

    @work(group="faq-editor-ask", exclusive=True, exit_on_error=False)
    async def action_save(self) -> None:
        if self.base is None or self.saving:
            return
        changes = self.changes()
        if not changes:
            self.notify("Nothing to save: the article is as stored.", markup=False)
            return
        values = self.values()
        for name, field in (("title", "#editor-title"), ("body", "#editor-text")):
            if not values[name].strip():
                self.notify(f"The {name} is empty.", severity="warning", markup=False)
                self.query_one(field).focus()
                return
        what = f"FAQ #{self.article_id}" if self.article_id is not None else "the new article"
        verb = {"archived": "Archive", "published": "Publish", "draft": "Save as draft"}.get(
            changes.get("status", ""), "Save"
        )
        note = await self.app.push_screen_wait(
            TextPrompt(
                f"{verb} {what} — change note (enter alone: none)",
                placeholder="e.g. steps for the new app version",
                required=False,
            )
        )
        if note is None:
            return
        self.saving = True
        self._save(changes, note, self.version)

    @work(thread=True, group="faq-editor-save", exit_on_error=False)
    def _save(self, changes: dict, note: str, version: int | None) -> None:
        try:
            if self.article_id is None:
                article = self.desk.faq_create(note=note or "created", **changes)
            else:
                article = self.desk.faq_save(self.article_id, version, note=note, **changes)
        except Conflict as err:
            self.post_message(self.SaveEnded(None, changes, version, conflict=err))
            return
        except BaseException:
            self.post_message(self.SaveEnded(None, changes, version))  # the app tells what went wrong
            raise
        self.post_message(self.SaveEnded(article, changes, version))

    @on(SaveEnded)
    def _saved(self, message: SaveEnded) -> None:
        if message.conflict is not None:
            self._conflict(message.conflict)
        self.saving = False
        article, changes, version = message.article, message.changes, message.version
        if article is None:
            return
        new = self.article_id is None
        unchanged_since = all(self.values()[name] == value for name, value in changes.items())
        if unchanged_since:
            self._take(article)
        else:  # typed on while it saved: keep that, and start from what is stored now
            self.article, self.article_id, self.version, self.conflict_with = article, article.id, article.version, None
            self.base = self._fields_of(article)
            self._refresh_facts()
        self.query_one(DeskHeader).title_text = f"FAQ #{article.id}"
        self.query_one(DeskHeader).show()
        if new:
            self.notify(f"FAQ #{article.id} created ({faq_status_label(article.status)}).", markup=False)
        elif article.version == version:
            self.notify("Nothing changed: the article already says that.", markup=False)
        else:
            self.notify(f"FAQ #{article.id} saved as revision {article.version}.", markup=False)

    def _conflict(self, err: Conflict) -> None:
        self.version = err.current_version
        self.conflict_with = err.current_version
        self._refresh_facts()
        self.notify(
            one_line(err.message, 400) + " — your text is kept; ctrl+s again saves it over theirs.",
            severity="warning",
            markup=False,
            timeout=12,
        )

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
