"""Stored text shown by the command line (and later the TUI) can never drive the terminal."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.text.safe import ELLIPSIS, PLACEHOLDER, cells, dumps_json, one_line, safe_text

BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
C1 = "".join(map(chr, range(0x80, 0xA0)))
C0 = "".join(map(chr, range(0x20)))
DANGEROUS = C0 + "\x7f" + C1 + BIDI + "\ud800\udbff\udc00\udfff"

#: What must never reach a terminal, in multi-line output (newline and tab are fine there).
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

# Any code point at all, lone surrogates included, mixed with a good share of the dangerous ones.
any_char = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
hostile_text = st.lists(st.one_of(any_char, st.sampled_from(DANGEROUS), st.sampled_from("[]@=/ \n\t\r"))).map("".join)
# Printable text: letters, marks, numbers, punctuation, symbols and plain spaces (no Cf/Cc/Cs/Zl/Zp).
printable = st.text(
    st.characters(categories=("L", "M", "N", "P", "S", "Zs"), exclude_characters=BIDI), max_size=200
) | st.sampled_from(["[bold]red[/bold]", "[@click=app.quit]", "Ciao, Niccolò — 東京 🎉", "a\tb\nc"])


@settings(max_examples=400)
@given(hostile_text)
def test_safe_text_never_contains_terminal_controls(text):
    out = safe_text(text)
    assert not FORBIDDEN.search(out)
    assert "\x1b" not in out and "\x07" not in out


@settings(max_examples=400)
@given(hostile_text)
def test_single_line_safe_text_has_no_newline_or_tab(text):
    out = safe_text(text, multiline=False)
    assert not FORBIDDEN.search(out)
    assert "\n" not in out and "\t" not in out
    out.encode("utf-8")  # no lone surrogate left: always encodable


@given(printable)
def test_printable_text_is_unchanged(text):
    assert safe_text(text) == text
    if "\n" not in text and "\t" not in text:
        assert safe_text(text, multiline=False) == text


def test_each_control_becomes_one_placeholder():
    assert safe_text("a\x1b]0;pwned\x07b") == f"a{PLACEHOLDER}]0;pwned{PLACEHOLDER}b"
    assert safe_text("\x1b[31mred") == f"{PLACEHOLDER}[31mred"
    assert safe_text("x\u202ey") == f"x{PLACEHOLDER}y"
    assert safe_text("x\x9by") == f"x{PLACEHOLDER}y"
    assert safe_text("x\ud800y") == f"x{PLACEHOLDER}y"
    assert safe_text("line\r\nnext\rover") == f"line\nnext{PLACEHOLDER}over"
    assert safe_text("a\nb\tc", multiline=False) == "a b c"
    assert safe_text("[@click=app.quit] [bold]x") == "[@click=app.quit] [bold]x"


@settings(max_examples=400)
@given(hostile_text, st.integers(min_value=0, max_value=120))
def test_one_line_never_exceeds_width(text, width):
    out = one_line(text, width)
    assert cells(out) <= width
    assert "\n" not in out and not FORBIDDEN.search(out)
    out.encode("utf-8")


@given(printable, st.integers(min_value=1, max_value=60))
def test_one_line_keeps_what_fits_and_marks_a_cut(text, width):
    collapsed = " ".join(text.split())
    out = one_line(text, width)
    if cells(collapsed) <= width:
        assert out == collapsed
    else:
        assert out.endswith(ELLIPSIS)
        assert collapsed.startswith(out[:-1].rstrip())


def test_one_line_counts_wide_characters_and_keeps_emoji_whole():
    assert one_line("東京東京東京", 5) == "東京…"
    assert cells(one_line("東京東京東京", 5)) == 5
    assert one_line("ab🎉cd", 4) in ("ab🎉…"[:4], "ab…")
    assert one_line("  many   spaces\n\tand lines  ") == "many spaces and lines"
    assert one_line(None) == "" and one_line(42, 10) == "42"
    assert one_line("abcdef", 1) == ELLIPSIS


# Stored text never holds surrogates (no database can encode them); two adjacent ones would read
# back from JSON as the one character they encode, so the round trip leaves them out.
storable_text = hostile_text.map(lambda s: re.sub("[\ud800-\udfff]", "", s))


@settings(max_examples=300)
@given(st.recursive(st.none() | st.booleans() | st.integers() | storable_text,
                    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(storable_text, kids, max_size=4),
                    max_leaves=12))  # fmt: skip
def test_dumps_json_round_trips_and_holds_no_control(data):
    text = dumps_json(data)
    assert json.loads(text) == data
    assert not FORBIDDEN.search(text)


def test_dumps_json_escapes_what_json_leaves_raw():
    text = dumps_json({"s": "a\x1b]0;x\x07 \u202e \x9b \x7f \ud800 Niccolò"})
    assert "\\u001b" in text and "\\u202e" in text and "\\u009b" in text and "\\u007f" in text
    assert "Niccolò" in text  # readable, not \\u-escaped
    assert json.loads(text)["s"].endswith("\ud800 Niccolò")
