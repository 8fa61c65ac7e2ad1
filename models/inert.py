"""Stored text made inert: every character that could drive a terminal (or confuse a reader of a mail)
replaced by U+FFFD. Shared by the mail the desk writes (``models.mail``, ``models.reports.status_page``)
and everything the command line and the app show (``tui.text.safe``).

What is replaced, each character by one ``PLACEHOLDER`` (U+FFFD, ``�``):

* every C0 control (U+0000–U+001F) except newline and tab in multi-line text, and DEL (U+007F);
  a CR LF pair counts as a newline, a lone CR does not (it would move the cursor back over a line);
* every C1 control (U+0080–U+009F), which some terminals obey like ESC sequences;
* the bidi controls U+061C, U+200E, U+200F, U+202A–U+202E and U+2066–U+2069;
* lone surrogates (U+D800–U+DFFF), which cannot be encoded.
"""

from __future__ import annotations

import re

__all__ = ["PLACEHOLDER", "BIDI", "safe_text"]

#: What stands in for every character that could drive the terminal.
PLACEHOLDER = "\ufffd"

BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_ALWAYS = "\x00-\x08\x0b-\x1f\x7f-\x9f" + BIDI + "\ud800-\udfff"

#: Everything replaced in multi-line text (newline and tab are kept).
_UNSAFE_MULTILINE = re.compile(f"[{_ALWAYS}]")
#: Everything replaced in one-line text; newline and tab are handled first (they become spaces).
_UNSAFE = re.compile(f"[\t\n{_ALWAYS}]")


def safe_text(value: str, *, multiline: bool = True) -> str:
    """``value`` with every terminal control replaced by ``PLACEHOLDER`` (see the module docstring).

    With ``multiline`` newlines and tabs are kept (CR LF becomes LF); without it each of them
    becomes a space. Every other character, markup included, is unchanged.
    """
    text = str(value)
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    if multiline:
        return _UNSAFE_MULTILINE.sub(PLACEHOLDER, text)
    return _UNSAFE.sub(lambda m: " " if m.group() in "\t\n" else PLACEHOLDER, text)
