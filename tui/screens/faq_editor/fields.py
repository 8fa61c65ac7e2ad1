"""The FAQ editor's fields: the article loaded into them, the fields as on screen, what changed since it was
stored, and the unsaved work quitting would lose."""

from __future__ import annotations

from textual import work
from textual.widgets import Input

from models.faq.articles import Article
from tui.news import Quitting
from tui.text.safe import safe_text

__all__ = ["normal_tags", "FAQEditorFields"]


def normal_tags(text: str) -> tuple[str, ...]:
    """The tags typed in the tags field, as the article stores them (lower case, sorted, once each)."""
    return tuple(sorted({word.lower() for word in text.replace(",", " ").split()}))


class FAQEditorFields:
    """The fields of :class:`~tui.screens.faq_editor.screen.FAQEditor`, a mixin of it: ``base`` is what is stored."""

    @work(thread=True, group="faq-editor-load", exclusive=True, exit_on_error=False)
    def _load(self) -> None:
        categories = [name for name, _ in self.desk.faq_categories()]
        article = self.desk.faq_article(self.article_id) if self.article_id is not None else None
        self.post_message(self.Loaded(article, categories))

    def _show_loaded(self, message) -> None:
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
