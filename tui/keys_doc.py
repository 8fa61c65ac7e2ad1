"""``python -m tui.keys_doc`` writes docs/keys.md: every key of the app by binding id (a test keeps it current)."""

from __future__ import annotations

from pathlib import Path

from tui.app import SportelloApp
from tui.key_reference import keys_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "keys.md"

if __name__ == "__main__":
    DOC.write_text(keys_markdown(SportelloApp))
    print(f"wrote {DOC}")
