"""A unified diff of two FAQ revisions, coloured by line (the ``+``/``-`` carry the meaning; the colour repeats it)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.text.faq import diff_text

__all__ = ["DiffView"]


class DiffView(Static):
    """A unified diff, coloured by line (the ``+``/``-`` carry the meaning; the colour repeats it)."""

    COMPONENT_CLASSES = {"diff--file", "diff--hunk", "diff--added", "diff--removed"}

    def show_diff(self, diff: str) -> None:
        styles = {role: self.get_component_rich_style(f"diff--{role}") for role in ("file", "hunk", "added", "removed")}
        self.update(diff_text(diff, styles) if diff else Text("No difference."))
