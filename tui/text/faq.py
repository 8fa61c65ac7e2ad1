"""How the FAQ screens show an article's status, its facts, linked articles and a revision diff.

As everywhere in the TUI, status shows as a glyph and a word (colour only repeats it), and
stored text reaches the screen only as ``Text`` built from :mod:`tui.text.safe`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text

from tui.text.labels import when
from tui.text.safe import one_line, safe_text

if TYPE_CHECKING:
    from models.faq.articles import Article

__all__ = ["FAQ_STATUS_LABELS", "faq_status_label", "article_facts", "linked_faqs_line", "diff_text", "diff_role"]

#: FAQ status -> glyph and word.
FAQ_STATUS_LABELS = {
    "draft": "✎ draft",
    "published": "● published",
    "archived": "▪ archived",
}


def faq_status_label(status: str) -> str:
    return FAQ_STATUS_LABELS.get(status, one_line(status, 20))


def article_facts(article: Article, width: int = 200) -> str:
    """``FAQ #12 · ● published · Billing · tags a b · revision 3 · updated … by ada`` on one line."""
    parts = [f"FAQ #{article.id}", faq_status_label(article.status), article.category or "no category"]
    if article.tags:
        parts.append("tags " + " ".join(article.tags))
    parts.append(f"revision {article.version}")
    updated = f"updated {when(article.updated_at)}"
    if article.author:
        updated += f" · written by {article.author}"
    parts.append(updated)
    if article.source_ticket:
        parts.append(f"from ticket #{article.source_ticket}")
    return one_line(" · ".join(parts), width)


def linked_faqs_line(faqs: Iterable[tuple[int, str]], width: int) -> str:
    """``FAQ #3 Reset password · #12 Billing address`` cut to ``width`` columns ("" when none)."""
    items = [f"#{number} {one_line(title, 48)}" for number, title in faqs]
    return one_line("FAQ " + " · ".join(items), width) if items else ""


def diff_role(line: str) -> str:
    """What a line of a unified diff is: ``file``, ``hunk``, ``added``, ``removed`` or ``context``."""
    if line.startswith(("+++", "---")):
        return "file"
    if line.startswith("@@"):
        return "hunk"
    if line.startswith("+"):
        return "added"
    if line.startswith("-"):
        return "removed"
    return "context"


def diff_text(diff: str, styles: Mapping[str, Style] | None = None) -> Text:
    """A unified diff as inert ``Text``, each line styled by its role (the ``+``/``-`` stay: colour only repeats them)."""
    styles = styles or {}
    text = Text()
    lines = diff.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for index, line in enumerate(lines):
        if index:
            text.append("\n")
        text.append(safe_text(line), style=styles.get(diff_role(line)) or "")
    return text
