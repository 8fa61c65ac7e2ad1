"""Organizations at risk of churning: :class:`RiskList`, each option the name and tier, then its reasons."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.text.org_profile import NONE
from tui.text.safe import one_line

if TYPE_CHECKING:
    from models.reports.churn import Risk

__all__ = ["RiskList"]


class RiskList(OptionList):
    """Organizations at risk: each option the name and tier, then every reason on its own lines."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="risks.down"),
        Binding("k", "cursor_up", "Up", show=False, id="risks.up"),
        Binding("g", "first", "First", show=False, id="risks.first"),
        Binding("G", "last", "Last", show=False, id="risks.last"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.risks: list[Risk] = []

    def show_risks(self, risks: list[Risk]) -> None:
        self.risks = risks
        self._fill()

    def on_resize(self) -> None:
        self.call_after_refresh(self._fill)

    def _fill(self) -> None:
        width = max(30, (self.size.width or 80) - 3)  # the scrollbar and the option's padding
        options = []
        for index, risk in enumerate(self.risks):
            head = Text(one_line(risk.organization, width - 14), style="bold")
            head.append(f" · {one_line(risk.tier, 12) or NONE}")
            lines = [head]
            for reason in risk.reasons:
                wrapped = textwrap.wrap(one_line(reason), width, initial_indent="  • ", subsequent_indent="    ")
                lines += [Text(line) for line in wrapped]
            options.append(Option(Text("\n").join(lines), id=f"risk{index}"))
        keep = self.highlighted
        self.clear_options()
        self.add_options(options)
        if options:
            self.highlighted = min(keep or 0, len(options) - 1)
