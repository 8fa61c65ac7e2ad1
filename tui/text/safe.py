"""Rendering stored text so that it can never drive the terminal.

Subjects, bodies, names, tags and reasons come from customers and other systems. Written raw they
could set the window title (OSC), recolour or clear the screen (CSI), ring the bell, reorder text
with bidi overrides, or — in a Rich/Textual context — be read as markup. Every piece of stored text
the command line or the TUI shows goes through :func:`safe_text` or :func:`one_line` first.

What is replaced, each character by one ``PLACEHOLDER`` (U+FFFD, ``�``):

* every C0 control (U+0000–U+001F) except newline and tab in multi-line text, and DEL (U+007F);
  a CR LF pair counts as a newline, a lone CR does not (it would move the cursor back over a line);
* every C1 control (U+0080–U+009F), which some terminals obey like ESC sequences;
* the bidi controls U+061C, U+200E, U+200F, U+202A–U+202E and U+2066–U+2069;
* lone surrogates (U+D800–U+DFFF), which cannot be encoded for the terminal.

Markup such as ``[bold]`` or ``[@click=app.quit]`` is left as it is: the command line writes
plain text with ``click.echo`` and the TUI builds ``rich.text.Text`` objects, so it is inert.
:func:`dumps_json` is the JSON counterpart: the data round-trips exactly, yet the output holds
no control character.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rich.cells import cell_len, get_character_cell_size

from models.inert import BIDI as _BIDI
from models.inert import PLACEHOLDER, safe_text

__all__ = ["PLACEHOLDER", "ELLIPSIS", "safe_text", "one_line", "dumps_json", "cells"]

#: Marks text cut short by :func:`one_line`.
ELLIPSIS = "…"

#: The same set, plus the characters that JSON itself leaves unescaped but a terminal obeys.
_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{_BIDI}\ud800-\udfff]")


def cells(text: str) -> int:
    """How many terminal columns ``text`` takes (wide CJK characters take two, combining marks none)."""
    return cell_len(text)


def one_line(value: Any, width: int | None = None) -> str:
    """``value`` as one safe line for a table cell: whitespace collapsed, at most ``width`` columns.

    Text longer than ``width`` is cut and ends with ``…``. Width counts terminal cells, so a wide
    character is never cut in half, and Python strings hold whole code points, so no surrogate pair
    is ever split. ``None`` means no limit; ``None`` as the value gives an empty string.
    """
    if value is None:
        return ""
    text = " ".join(safe_text(str(value), multiline=False).split())
    if width is None:
        return text
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    room = width - cell_len(ELLIPSIS)
    used = 0
    cut = 0
    for index, char in enumerate(text):
        size = get_character_cell_size(char)
        if used + size > room:
            break
        used += size
        cut = index + 1
    return text[:cut].rstrip() + ELLIPSIS


def dumps_json(data: Any, *, indent: int | None = 2) -> str:
    """JSON for the terminal: readable non-ASCII text, but DEL, C1, bidi controls and lone
    surrogates written as ``\\u`` + four hex digits (JSON already escapes C0 controls).

    ``json.loads`` gives back exactly the original data.
    """
    text = json.dumps(data, ensure_ascii=False, indent=indent, default=str)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
