"""Is the FAQ alive? Usage over 30 and 90 days, published articles nobody used, drafts waiting, and gaps.

The report is computed in a thread worker ("computing…" meanwhile). Each part is a tab (keys
1–4); enter on an article opens it in the editor, enter on a gap opens the article that covers
it, or else the gap's newest example ticket.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from models.faq.health import FAQHealth
from tui.desk.desk import Desk
from tui.errors import ReportWorkerErrors
from tui.palette import PaletteCommands
from tui.text.faq import faq_status_label
from tui.text.labels import age, when
from tui.text.safe import one_line
from tui.widgets.header import DeskHeader
from tui.widgets.keys_footer import KeysFooter
from tui.widgets.row_table import Column, RowTable

__all__ = ["FAQHealthScreen", "TABS"]

#: (pane id, tab title)
TABS = [("usage", "Usage"), ("never", "Never used"), ("drafts", "Drafts waiting"), ("gaps", "Gaps")]


def _number(value: int) -> Text:
    return Text(f"{value:,}", justify="right")


class FAQHealthScreen(PaletteCommands, ReportWorkerErrors, Screen):
    """The FAQ health report."""

    BINDINGS = [
        *[
            Binding(str(n), f"tab({n - 1})", title, show=False, tooltip=f"Show: {title}", id=f"faq_health.tab{n}")
            for n, (_, title) in enumerate(TABS, 1)
        ],
        Binding("ctrl+r", "reload", "Recompute", tooltip="Compute the report again", id="faq_health.reload"),
        Binding("escape,q", "back", "Back", tooltip="Back to the FAQ", id="faq_health.back"),
    ]
    PALETTE = {
        **{f"faq_health.tab{n}": f"Show: {title}" for n, (_, title) in enumerate(TABS, 1)},
        "faq_health.reload": "Recompute",
        "faq_health.back": "Back",
    }

    @dataclass
    class Computed(Message, bubble=False):
        """The report, computed by a thread worker and posted back to the screen (see tui.screens)."""

        report: FAQHealth

    def __init__(self, desk: Desk, *, now: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.desk = desk
        self._now = now or desk.now
        self.report: FAQHealth | None = None

    def compose(self) -> ComposeResult:
        yield DeskHeader(self.desk, title="FAQ health")
        yield Static(Text("computing…"), id="health-summary")
        with TabbedContent(id="health-tabs"):
            for pane, title in TABS:
                with TabPane(Content(title), id=pane):
                    yield RowTable(id=f"health-{pane}")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#health-tabs").display = False
        self._compute()

    # --- computing -----------------------------------------------------------------------

    @work(thread=True, group="faq-health", exclusive=True, exit_on_error=False)
    def _compute(self) -> None:
        report = self.desk.faq_health(self._now())
        self.post_message(self.Computed(report))

    def action_reload(self) -> None:
        self.query_one("#health-summary", Static).update(Text("computing…"))
        self._compute()

    @on(Computed)
    def _computed(self, message: Computed) -> None:
        report = message.report
        self.report = report
        tabs = self.query_one("#health-tabs", TabbedContent)
        tabs.display = True
        counts = {
            "usage": len(report.usage),
            "never": len(report.never_used),
            "drafts": len(report.drafts),
            "gaps": len(report.gaps),
        }
        for pane, title in TABS:
            tabs.get_tab(pane).label = Text(f"{title} {counts[pane]}")
        summary = f"{when(report.at)} · gaps: {report.gap_tickets} tickets resolved in {report.gap_days} days with no FAQ linked"
        self.query_one("#health-summary", Static).update(Text(summary))
        self.call_after_refresh(self._fill)
        self.query_one("#health-usage", RowTable).focus()

    def on_resize(self) -> None:
        if self.report is not None:
            self.call_after_refresh(self._fill)

    def _fill(self) -> None:
        report = self.report
        if report is None:
            return
        now = self._now()
        width = max(40, self.size.width - 2)

        def title_column(used: int) -> int:
            return max(16, width - used)

        usage_title = title_column(5 + 4 * 3 + 9 + 11 + 2 * 7 + 2)
        usage: list[Column] = [
            ("#", 5),
            ("Title", usage_title),
            ("30d", 4),
            ("90d", 4),
            ("Ever", 4),
            ("Last use", 9),
            ("Status", 11),
        ]
        self._table("usage").show(usage, [
            (u.id, [Text(f"#{u.id}"), Text(one_line(u.title, usage_title)), _number(u.uses_30), _number(u.uses_90),
                    _number(u.uses), Text(f"{age(u.last_used, now)} ago" if u.last_used else "never"),
                    Text(faq_status_label(u.status))])
            for u in report.usage
        ])  # fmt: skip

        never_title = title_column(5 + 16 + 2 * 3 + 2)
        self._table("never").show([("#", 5), ("Title", never_title), ("Category", 16)], [
            (u.id, [Text(f"#{u.id}"), Text(one_line(u.title, never_title)), Text(one_line(u.category or "—", 16))])
            for u in report.never_used
        ])  # fmt: skip

        draft_title = title_column(5 + 16 + 22 + 2 * 4 + 2)
        self._table("drafts").show([("#", 5), ("Title", draft_title), ("Author", 16), ("Waiting since", 22)], [
            (d.id, [Text(f"#{d.id}"), Text(one_line(d.title, draft_title)), Text(one_line(d.author or "—", 16)),
                    Text(f"{when(d.updated_at)[:10]} ({age(d.updated_at, now)})")])
            for d in report.drafts
        ])  # fmt: skip

        examples_width = 20
        topic_width = title_column(8 + examples_width + 12 + 2 * 4 + 2)
        self._table("gaps").show([("Topic", topic_width), ("Tickets", 8), ("Examples", examples_width), ("Covered by", 12)], [
            (index, [Text(one_line(g.topic, topic_width)), _number(g.tickets),
                     Text(one_line(" ".join(f"#{n}" for n in g.examples), examples_width)),
                     Text(f"#{g.covered_by}" if g.covered_by else "— none")])
            for index, g in enumerate(report.gaps)
        ])  # fmt: skip

    def _table(self, pane: str) -> RowTable:
        return self.query_one(f"#health-{pane}", RowTable)

    # --- moving around -------------------------------------------------------------------

    def action_tab(self, index: int) -> None:
        if self.report is None:
            return
        pane = TABS[index][0]
        self.query_one("#health-tabs", TabbedContent).active = pane
        self._table(pane).focus()

    @on(TabbedContent.TabActivated, "#health-tabs")
    def tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id:
            self.call_after_refresh(self._table(event.pane.id).focus)

    @on(DataTable.RowSelected)
    def open_row(self, event: DataTable.RowSelected) -> None:
        table = event.data_table
        key = int(event.row_key.value) if event.row_key.value is not None else None
        if key is None or self.report is None:
            return
        if table.id != "health-gaps":
            self.app.open_faq_editor(key)
            return
        gap = self.report.gaps[key]
        if gap.covered_by:
            self.app.open_faq_editor(gap.covered_by)
        elif gap.examples:
            self.app.open_ticket(gap.examples[0])

    def action_back(self) -> None:
        self.dismiss()
