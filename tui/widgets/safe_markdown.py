"""Markdown for FAQ articles, rendered by Textual's ``Markdown`` widget but made inert.

Article bodies are written by agents and drafted from customer mail, so they are hostile text:

* the source is cleaned by :func:`tui.text.safe.safe_text` first, and every text token again after
  parsing (a character reference such as ``&#x202e;`` decodes to a bidi control);
* raw HTML is not interpreted: ``<script>`` shows as the literal text it is;
* links and images are not clickable: their text is followed by their address as inline code, so
  nothing on screen carries a ``@click`` action and nothing can be opened from the preview. Should a
  ``LinkClicked`` arrive all the same, its address is shown as text, never opened.
"""

from __future__ import annotations

from collections.abc import Iterable

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from textual.await_complete import AwaitComplete
from textual.widgets import Markdown

from tui.text.safe import one_line, safe_text

__all__ = ["SafeMarkdown", "inert_parser"]


def inert_parser() -> MarkdownIt:
    """GitHub-flavoured Markdown without raw HTML, whose links and images come out as plain text."""
    parser = MarkdownIt("gfm-like", {"html": False})
    parser.core.ruler.push("sportello_inert", _make_inert)
    return parser


def _make_inert(state: StateCore) -> None:
    for token in state.tokens:
        token.content = safe_text(token.content)
        token.info = one_line(token.info)
        if token.children:
            token.children = list(_inert_inline(token.children))


#: The inline tokens the ``Markdown`` widget renders (links and images are replaced before it sees them).
_KNOWN = frozenset(
    {
        "text",
        "code_inline",
        "softbreak",
        "hardbreak",
        "em_open",
        "em_close",
        "strong_open",
        "strong_close",
        "s_open",
        "s_close",
    }
)


def _text(content: str) -> Token:
    return Token("text", "", 0, content=content)


def _code(content: str) -> Token:
    return Token("code_inline", "code", 0, content=content, markup="`")


def _inert_inline(children: Iterable[Token]) -> Iterable[Token]:
    """The inline tokens with every link and image replaced by text and its address as code."""
    open_links: list[tuple[str, str]] = []  # (address, the link's text so far)
    for child in children:
        if child.type == "link_open":
            open_links.append((one_line(str(child.attrs.get("href", ""))), ""))
            continue
        if child.type == "link_close":
            if open_links:
                href, label = open_links.pop()
                if href and label.strip() != href and child.markup not in ("autolink", "linkify"):
                    yield _text(" ")
                    yield _code(href)
            continue
        if child.type == "image":
            alt = safe_text(child.content or "")
            yield _text(f"[image{': ' + alt if alt else ''}] ")
            yield _code(one_line(str(child.attrs.get("src", ""))))
            continue
        if child.type not in _KNOWN:
            if child.type.endswith(("_open", "_close")):
                continue  # a style the widget cannot show: its text still comes through
            child = _text(child.content)  # anything else the widget does not know shows as its text
        child.content = safe_text(child.content)
        if open_links and child.type in ("text", "code_inline"):
            href, label = open_links[-1]
            open_links[-1] = (href, label + child.content)
        yield child


class SafeMarkdown(Markdown):
    """A ``Markdown`` widget for stored text: cleaned, HTML literal, links shown and never opened."""

    def __init__(self, markdown: str | None = None, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(
            None if markdown is None else safe_text(markdown),
            id=id,
            classes=classes,
            parser_factory=inert_parser,
            open_links=False,
        )

    def update(self, markdown: str) -> AwaitComplete:
        """Show ``markdown`` (cleaned first)."""
        return super().update(safe_text(markdown))

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        event.prevent_default()
        self.notify(f"Link, not opened: {one_line(event.href, 200)}", markup=False)
