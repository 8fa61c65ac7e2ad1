"""docs/keys.md lists every key of the app by binding id, as the bindings say today."""

from __future__ import annotations

from pathlib import Path

from tui.app import SportelloApp
from tui.key_reference import keys_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "keys.md"


def test_the_key_list_is_current():
    assert DOC.read_text() == keys_markdown(SportelloApp), "run: python -m tui.keys_doc"


def test_the_key_list_names_the_keys_people_remap_most():
    text = DOC.read_text()
    for row in ("| `queue.take` | `A` |", "| `queue.open` | `enter` |", "| `ticket.reply` | `r` |"):
        assert row in text, row
