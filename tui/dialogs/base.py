"""What every dialog shares: :class:`Dialog`, a ``ModalScreen`` that takes the app's cursor-blink setting.

Each dialog in :mod:`tui.dialogs` is a ``ModalScreen[T]`` that dismisses with its value, or with None
when cancelled (esc). Labels are built as ``Text`` from stored strings, so names and tags stay literal.
"""

from __future__ import annotations

from textual.screen import ModalScreen
from textual.widgets import Input

__all__ = ["Dialog"]


class Dialog(ModalScreen):
    """What every dialog shares: the app's cursor-blink setting (off in tests and screenshots)."""

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = self.app.blink
