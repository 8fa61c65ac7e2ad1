"""The one-line header: the app, who is working (``user@host``, agent login) and on which desk."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from .desk import Desk
from .textsafe import one_line

__all__ = ["DeskHeader"]


class DeskHeader(Static):
    """``Sportello · ada@host (agent ada) · /path/to/desk.db`` — all of it inert text."""

    def __init__(self, desk: Desk, *, title: str = "") -> None:
        super().__init__(id="header")
        self.desk = desk
        self.title_text = title

    def on_mount(self) -> None:
        self.show()

    def on_resize(self) -> None:
        self.show()

    def show(self) -> None:
        width = max(10, self.size.width or 80)
        me = self.desk.me.login
        text = Text(" Sportello ", style="bold")
        if self.title_text:
            text.append(f"· {one_line(self.title_text, 40)} ")
        rest = f"{one_line(self.desk.user_host, 40)} as {one_line(me, 30)} · {one_line(self.desk.where, 200)}"
        text.append(one_line(rest, max(10, width - text.cell_len - 1)))
        self.update(text)
