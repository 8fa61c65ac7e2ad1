"""The KPI dashboard (``d`` from the queue): what a lead watches over a period, from ``Desk.kpi``.

The headline figures (backlog now, created and resolved, first response and resolution in
business hours, SLA compliance, reopen rate, CSAT, complaints), created vs resolved as a chart,
complaints per segment, and a table per agent, organization, segment or queue. Keys 1–4 pick
7/30/90/365 days up to today, ``[``/``]`` step to the period before/after, ``p`` types one, ``/``
filters (``queue: agent: org: tier:``) and ``b`` changes the table's grouping.

The report is computed in a thread worker; until it arrives the last one stays on screen and the
period bar says "loading…". A refused request (an unknown name, a bad segment) is notified with
the desk's own message and the dashboard goes back to what it showed. ``textual_plotext`` is
imported when the screen is composed, so neither the app's start nor the help screen pays for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.color import Color
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, Static

from models.errors import InvalidInput, SportelloError
from models.reports.kpi import GROUPINGS, KPIReport, period
from tui.desk.desk import Desk
from tui.dialogs.period import PeriodPrompt
from tui.errors import ReportWorkerErrors
from tui.palette import PaletteCommands
from tui.text.kpi import (
    FILTER_HELP,
    PRESETS,
    Ask,
    Series,
    chart_series,
    complaints_line,
    complaints_list,
    filter_text,
    group_columns,
    group_rows,
    headline,
    parse_filter,
    shifted,
)
from tui.text.safe import one_line
from tui.widgets.header import DeskHeader
from tui.widgets.row_table import RowTable

__all__ = ["KPIScreen", "WIDE", "TALL"]

WIDE = 110  # from this width complaints per segment stand beside the figures, as a list
TALL = 34  # from this height the chart gets taller

_DAYS = Binding.Group("Days", compact=True)
_STEP = Binding.Group("Earlier/later", compact=True)


class KPIScreen(PaletteCommands, ReportWorkerErrors, Screen):
    """The KPI dashboard over a period, optionally narrowed to a queue, an agent, an organization or a segment."""

    BINDINGS = [
        *[Binding(str(n), f"days({days})", f"{days} days", tooltip=f"The last {days} days, up to today", group=_DAYS, id=f"kpi.days{days}")
          for n, days in enumerate(PRESETS, 1)],
        Binding("[", "step(-1)", "Earlier", tooltip="The period of the same length just before", group=_STEP, id="kpi.earlier"),
        Binding("]", "step(1)", "Later", tooltip="The period of the same length just after (up to today)", group=_STEP, id="kpi.later"),
        Binding("p", "period", "Period", tooltip="Type the first and last day", id="kpi.period"),
        Binding("slash", "filter", "Filter", tooltip="Only a queue, agent, organization or segment (queue: agent: org: tier:)", id="kpi.filter"),
        Binding("b", "group", "Group", tooltip="The table by agent, organization, segment or queue", id="kpi.group"),
        Binding("ctrl+r", "reload", "Reload", show=False, tooltip="Compute the figures again", id="kpi.reload"),
        Binding("escape,q", "back", "Back", tooltip="Close the filter, else back to the queue", id="kpi.back"),
    ]  # fmt: skip
    PALETTE = {
        **{f"kpi.days{days}": f"KPIs: last {days} days" for days in PRESETS},
        "kpi.earlier": "KPIs: the period before",
        "kpi.later": "KPIs: the period after",
        "kpi.period": "KPIs: type a period",
        "kpi.filter": "KPIs: filter",
        "kpi.group": "KPIs: group the table",
        "kpi.reload": "Reload",
        "kpi.back": "Back",
    }

    AUTO_FOCUS = ""  # nothing at first: the table takes the focus once it has rows (never the hidden filter field)

    # What the thread workers found, posted back to the screen (see tui.screens).

    @dataclass
    class Loaded(Message, bubble=False):
        ask: Ask
        report: KPIReport

    @dataclass
    class Refused(Message, bubble=False):
        """The desk refused ``ask`` (an unknown name in the filter, say): ``message`` says why."""

        ask: Ask
        message: str

    def __init__(self, desk: Desk, *, now: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.desk = desk
        self._now = now or desk.now
        today = self._today()
        self.asked = Ask(today - timedelta(days=29), today)  # what is shown, or on its way
        self.shown: Ask | None = None  # what the figures on screen are for
        self.report: KPIReport | None = None
        self.series: Series | None = None
        self._layout_key: tuple[bool, bool] | None = None

    def _today(self) -> date:
        return self._now().date()

    def compose(self) -> ComposeResult:
        from textual_plotext import PlotextPlot  # here, not at import: it costs start-up time

        yield DeskHeader(self.desk, title="KPIs")
        yield Static("", id="kpi-bar")
        with Horizontal(id="kpi-filter-bar"):
            yield Label("/", id="kpi-filter-prompt")
            yield Input(
                placeholder='queue:Billing agent:ann org:"Acme Motors" tier:premium  (enter applies, esc closes)',
                id="kpi-filter",
            )
        yield Static(Text("Loading the KPIs…"), id="kpi-loading")
        with Vertical(id="kpi-body"):
            with Horizontal(id="kpi-top"):
                yield Static("", id="kpi-figures")
                yield Static("", id="kpi-complaints")
            yield Static("", id="kpi-chart-caption")
            yield PlotextPlot(id="kpi-chart")
            yield RowTable(id="kpi-groups")
        yield Footer()  # keeps its key groups (1-4 Days, [ ] Step), which KeysFooter does not draw

    def on_mount(self) -> None:
        self.query_one("#kpi-body").display = False
        self.query_one("#kpi-filter-bar").display = False
        self.filter_input.cursor_blink = self.app.blink
        self.filter_input.tooltip = FILTER_HELP
        self.table.cell_padding = 0  # the number columns carry their own gap (see group_columns)
        self._layout()
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._draw_chart())
        self._ask(self.asked)

    @property
    def table(self) -> RowTable:
        return self.query_one("#kpi-groups", RowTable)

    @property
    def filter_input(self) -> Input:
        return self.query_one("#kpi-filter", Input)

    # --- asking the desk ---------------------------------------------------------------------

    def _ask(self, ask: Ask) -> None:
        self.asked = ask
        self._show_bar()
        self.refresh_bindings()
        self._load(ask)

    @work(thread=True, group="kpi", exclusive=True, exit_on_error=False)
    def _load(self, ask: Ask) -> None:
        start, end = period(ask.first, ask.last)
        try:
            report = self.desk.kpi(start, end, by=ask.by, **dict(ask.filters))
        except SportelloError as err:
            self.post_message(self.Refused(ask, err.message))
            return
        self.post_message(self.Loaded(ask, report))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        ask, report = message.ask, message.report
        if ask != self.asked:
            return  # a newer request is on its way: this one is stale
        self.report = report
        self.shown = ask
        self.series = chart_series(report.per_day)
        self.query_one("#kpi-loading").display = False
        self.query_one("#kpi-body").display = True
        self._show_bar()
        self.refresh_bindings()
        self._draw_chart()
        self.call_after_refresh(self._fill)
        if self.focused is None:
            self.table.focus()

    @on(Refused)
    def _refused(self, refused: Refused) -> None:
        ask, message = refused.ask, refused.message
        if ask != self.asked:
            return
        self.notify(one_line(message, 300), title="KPIs not changed", severity="error", markup=False, timeout=8)
        if self.shown is not None:
            if ask.filters != self.shown.filters:  # the typed filter was refused: there it is, to correct
                self.action_filter()
            self.asked = self.shown  # back to what is on screen
        else:
            self.query_one("#kpi-loading", Static).update(Text(one_line(f"✗ {message}", 300)))
        self._show_bar()
        self.refresh_bindings()

    # --- showing -----------------------------------------------------------------------------

    def _show_bar(self) -> None:
        ask = self.asked
        today = self._today()
        if ask.last == today and ask.days in PRESETS:
            when = f"Last {ask.days} days: {ask.first} → {ask.last}"
        else:
            when = f"{ask.first} → {ask.last} ({ask.days} day{'s' if ask.days != 1 else ''})"
        if self.report is not None and self.shown == ask:
            what = self.report.filters.describe()
        else:
            what = filter_text(ask.filters) or "all tickets"
        segment = self.report.segment_field.replace("_", " ") if self.report is not None else "tier"
        by = {"org": "organization", "segment": segment}.get(ask.by, ask.by)
        parts = [when, what, f"by {by}"]
        if self.shown != ask:
            parts.append("loading…")
        width = max(20, self.size.width - 2)
        self.query_one("#kpi-bar", Static).update(Text(one_line(" · ".join(parts), width)))

    def on_resize(self) -> None:
        self._layout()
        if self.report is not None:
            self._show_bar()
            self.call_after_refresh(self._fill)

    def _layout(self) -> None:
        width, height = self.size
        key = (width >= WIDE, height >= TALL)
        if key != self._layout_key:
            self._layout_key = key
            self.set_class(key[0], "-wide")
            self.set_class(key[1], "-tall")

    def _fill(self) -> None:
        report = self.report
        if report is None:
            return
        wide = self.has_class("-wide")
        figures = self.query_one("#kpi-figures", Static)
        complaints = self.query_one("#kpi-complaints", Static)
        width = max(40, (figures.size.width or self.size.width) - 2)
        figures.update(headline(report, width))
        if wide:
            box = complaints.content_size
            complaints.update(complaints_list(report, max(20, box.width), max(2, box.height)))
        else:
            complaints.update(complaints_line(report, max(20, self.size.width - 2)))
        table = self.table
        table_width = (
            table.size.width or self.size.width
        ) - table.styles.scrollbar_size_vertical  # room for it, shown or not
        columns = group_columns(report, table_width)
        table.show(columns, group_rows(report, columns))

    def _chart_colors(self) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        """The theme's primary colour for created, its success colour for resolved."""
        theme = self.app.theme_variables
        return (Color.parse(theme.get("primary", "blue")).rgb, Color.parse(theme.get("success", "green")).rgb)

    def _draw_chart(self) -> None:
        series = self.series
        if series is None:
            return
        plot = self.query_one("#kpi-chart")
        created, resolved = self._chart_colors()
        caption = Text()
        caption.append("█ created", style=Style(color=Color(*created).rich_color, bold=True))
        caption.append(" and ")
        caption.append("● resolved", style=Style(color=Color(*resolved).rich_color, bold=True))
        caption.append(f" per {series.unit}")
        self.query_one("#kpi-chart-caption", Static).update(caption)
        plt = plot.plt
        plt.clear_figure()
        x = list(range(len(series.starts)))
        plt.bar(x, list(series.created), color=created, width=0.6)
        plt.plot(x, list(series.resolved), color=resolved, marker="●")
        plt.xlim(-0.7, max(len(x), 7) - 0.3)  # a short period's few bars keep a bar's width
        ticks = sorted({0, (len(x) - 1) // 2, len(x) - 1})
        plt.xticks(ticks, [series.tick_label(i) for i in ticks])
        top = max(1, *series.created, *series.resolved)
        plt.ylim(0, top)
        plt.yticks(sorted({0, top // 2, top}))
        plot.refresh()

    # --- keys --------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "step" and parameters and parameters[0] > 0:
            return shifted(self.asked, 1, self._today()) is not None or None
        return True

    def action_days(self, days: int) -> None:
        today = self._today()
        self._ask(Ask(today - timedelta(days=days - 1), today, self.asked.by, self.asked.filters))

    def action_step(self, direction: int) -> None:
        ask = shifted(self.asked, direction, self._today())
        if ask is not None:
            self._ask(ask)

    def action_group(self) -> None:
        by = GROUPINGS[(GROUPINGS.index(self.asked.by) + 1) % len(GROUPINGS)]
        self._ask(Ask(self.asked.first, self.asked.last, by, self.asked.filters))

    def action_reload(self) -> None:
        self._ask(self.asked)

    def action_period(self) -> None:
        def chosen(days: tuple[date, date] | None) -> None:
            if days is not None:
                self._ask(Ask(days[0], days[1], self.asked.by, self.asked.filters))

        self.app.push_screen(PeriodPrompt(self.asked.first, self.asked.last), chosen)

    def action_filter(self) -> None:
        self.query_one("#kpi-filter-bar").display = True
        # Focus now, not after the next refresh: keys typed right after / belong to the filter.
        self.set_focus(self.filter_input)

    @on(Input.Submitted, "#kpi-filter")
    def filter_submitted(self, event: Input.Submitted) -> None:
        """Apply the typed filter; what cannot be read is notified and stays in the field to be corrected.
        Unknown names are the desk's to refuse (see ``_refused``): the text stays there too."""
        try:
            filters = parse_filter(event.value)
        except InvalidInput as err:
            self.notify(
                one_line(err.message, 300), title="Filter not applied", severity="error", markup=False, timeout=8
            )
            return
        self.query_one("#kpi-filter-bar").display = False
        self.table.focus()
        self._ask(Ask(self.asked.first, self.asked.last, self.asked.by, filters))

    def action_back(self) -> None:
        if self.query_one("#kpi-filter-bar").display:
            self.query_one("#kpi-filter-bar").display = False
            self.filter_input.value = filter_text(self.asked.filters)  # edits not applied are dropped
            self.table.focus()
            return
        self.dismiss()
