"""The Desk's FAQ: :class:`FAQDesk` — search, articles and their revisions, suggestions for a ticket, health.

The models return frozen dataclasses of plain values (Article, Revision, FAQHit, FAQHealth): they go
to the widgets as they are. The FAQ's model modules are imported on the first FAQ call, so the app
starts without them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from tui.desk.connection import DeskConnection

if TYPE_CHECKING:
    from models.faq.articles import Article, Revision
    from models.faq.health import FAQHealth
    from models.faq.search import FAQHit

__all__ = ["FAQDesk", "category_filter"]


def _faq():
    from models.faq import articles as faq

    return faq


def _faq_search():
    from models.faq import search as faq_search

    return faq_search


def _faq_health():
    from models.faq import health as faq_health

    return faq_health


def category_filter(name: str) -> str:
    """``category:"NAME"`` in the FAQ query language, quotes and backslashes escaped."""
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'category:"{escaped}"'


class FAQDesk(DeskConnection):
    """Reading and writing the FAQ."""

    def faq_search(self, query: str, *, limit: int = 200) -> tuple[list[FAQHit], int]:
        """The articles matching ``query`` (at most ``limit``) and how many match in all."""
        hits = self._call(_faq_search().search_faq, query, limit=limit)
        total = len(hits) if len(hits) < limit else self._call(_faq_search().count_faq, query)
        return hits, total

    def faq_count(self, query: str) -> int:
        return self._call(_faq_search().count_faq, query)

    def faq_categories(self) -> list[tuple[str, int]]:
        """Every category with how many of its articles the list shows (archived ones left out, as there)."""
        return self._call(_faq().categories, archived=False)

    def faq_article(self, article_id: int) -> Article:
        return self._call(_faq().get_article, article_id)

    def faq_create(
        self, *, title: str, body: str, category: str, tags: Iterable[str], status: str, note: str
    ) -> Article:
        return self._call(
            _faq().create_article,
            self.me,
            title=title,
            body=body,
            category=category,
            tags=tuple(tags),
            status=status,
            note=note,
        )

    def faq_save(self, article_id: int, version: int | None, *, note: str, **changes) -> Article:
        """Save the changed fields (title, body, category, tags, status) as a new revision; Conflict
        when the article is no longer at ``version``."""
        return self._call(_faq().save_article, self.me, article_id, note=note, expect_version=version, **changes)

    def faq_set_status(self, article_id: int, status: str, version: int | None, *, note: str = "") -> Article:
        return self._call(_faq().set_article_status, self.me, article_id, status, note=note, expect_version=version)

    def faq_revert(self, article_id: int, number: int, version: int | None) -> Article:
        return self._call(_faq().revert_article, self.me, article_id, number, expect_version=version)

    def faq_history(self, article_id: int) -> tuple[Article, list[Revision]]:
        """The article and its revisions, newest first."""
        return self._call(lambda: (_faq().get_article(article_id), _faq().revisions(article_id)))

    def faq_diff(self, article_id: int, old: int, new: int) -> str:
        return self._call(_faq().diff_revisions, article_id, old, new)

    def faq_suggestions(self, number: int, *, limit: int = 8) -> list[FAQHit]:
        return self._call(_faq_search().suggest_for_ticket, number, limit=limit)

    def faq_extract(self, number: int, *, title: str | None = None) -> Article:
        """A new draft from the ticket's latest agent reply, linked back to the ticket."""
        return self._call(_faq().extract_from_ticket, self.me, number, title=title)

    def faq_health(self, now: datetime | None = None) -> FAQHealth:
        return self._call(_faq_health().faq_health, now=now)
