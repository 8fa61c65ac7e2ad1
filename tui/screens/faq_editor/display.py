"""What the FAQ editor shows besides the fields: the name of the field being typed in, the category and status
buttons, the facts line and the preview."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Button, Label, Static

from tui.text.faq import article_facts, faq_status_label
from tui.text.safe import one_line
from tui.widgets.safe_markdown import SafeMarkdown

__all__ = ["FAQEditorDisplay"]

# (where the name shows, the field it names, the name): labels beside the inputs, border titles over the boxes.
_LABELLED = (("editor-title-label", "editor-title", "Title"), ("editor-tags-label", "editor-tags", "Tags"))
_TITLED = (("editor-body", "editor-text", "Text"), ("editor-preview", "editor-preview", "Preview · ctrl+t hides it"))


class FAQEditorDisplay:
    """What :class:`~tui.screens.faq_editor.screen.FAQEditor` shows of its fields, a mixin of it."""

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

    def _update_preview(self) -> None:
        if self.query_one("#editor-preview").display:
            self.query_one("#editor-markdown", SafeMarkdown).update(self.area.text)
