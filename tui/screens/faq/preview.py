"""The FAQ screen's preview: the article under the cursor, loaded once the cursor rests on it."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.containers import VerticalScroll
from textual.widgets import Static

from models.faq.articles import Article
from tui.text.faq import article_facts
from tui.text.safe import one_line
from tui.widgets.safe_markdown import SafeMarkdown

__all__ = ["FAQPreview"]

PREVIEW_DELAY = 0.08  # seconds the cursor rests on an article before its preview loads


class FAQPreview:
    """The preview pane of :class:`~tui.screens.faq.screen.FAQScreen`, a mixin of it; ``shown`` is the article in it."""

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
