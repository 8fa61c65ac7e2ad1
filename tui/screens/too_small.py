"""The notice that covers the app while the terminal is smaller than Sportello needs (80×24)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

__all__ = ["TooSmallScreen", "MIN_WIDTH", "MIN_HEIGHT"]

MIN_WIDTH, MIN_HEIGHT = 80, 24


class TooSmallScreen(Screen):
    """Shown instead of everything else while the terminal is smaller than 80×24."""

    BINDINGS = [Binding("ctrl+q", "app.quit", "Quit", id="small.quit")]

    def compose(self) -> ComposeResult:
        yield Static("", id="too-small")

    def show(self, width: int, height: int) -> None:
        self.query_one("#too-small", Static).update(
            Text(
                f"Terminal too small: {width}×{height}.\nSportello needs at least {MIN_WIDTH}×{MIN_HEIGHT}.\nEnlarge the window, or press ctrl+q to quit."
            )
        )
