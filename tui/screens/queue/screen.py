"""The queue screen itself: its keys, layout, messages and what it opens; its views, filter and actions on
tickets are mixins of their own modules."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Label, Static, Tabs

from models.search.views import View, built_in_views
from tui.desk.desk import Desk, Outcome
from tui.errors import ReportWorkerErrors
from tui.news import FollowsDesk
from tui.palette import Command, PaletteCommands
from tui.screens.queue.bulk import QueueBulkActions
from tui.screens.queue.filters import QueueFilter
from tui.screens.queue.views import QueueViews
from tui.text.safe import one_line
from tui.widgets.header import DeskHeader
from tui.widgets.keys_footer import KeysFooter
from tui.widgets.queue_table import FirstPage, QueueTable
from tui.widgets.search_bar import SearchBar

__all__ = ["QueueScreen"]


class QueueScreen(QueueViews, QueueFilter, QueueBulkActions, FollowsDesk, PaletteCommands, ReportWorkerErrors, Screen):
    """Triage: pick a view, narrow it, open or change tickets."""

    BINDINGS = [
        Binding("slash", "filter", "Filter", id="queue.filter"),
        Binding("escape", "clear", "Clear", show=False, tooltip="Clear marks, then the filter", id="queue.clear"),
        Binding("s", "status", "Status", tooltip="Set status (marked or current)", id="queue.status"),
        Binding("p", "priority", "Prio", tooltip="Set priority, with a reason", id="queue.priority"),
        Binding("a", "assign", "Assign", tooltip="Assign to an agent", id="queue.assign"),
        Binding("A", "take", "Take", show=False, tooltip="Assign to me", id="queue.take"),
        Binding("t", "tags", "Tags", tooltip="Add or remove tags", id="queue.tags"),
        Binding("ctrl+s", "save_view", "Save view", tooltip="Save the filter as a view", id="queue.save_view"),
        Binding("ctrl+r", "reload", "Reload", show=False, id="queue.reload"),
        Binding("f", "faq", "FAQ", tooltip="The FAQ: search, read, edit", id="queue.faq"),
        Binding(
            "c",
            "organizations",
            "Orgs",
            tooltip="Customers and organizations: profiles, contracts, churn risk",
            id="queue.organizations",
        ),
        Binding("d", "dashboard", "KPIs", tooltip="The KPI dashboard", id="queue.dashboard"),
        Binding(
            "Y",
            "sync_screen",
            "Sync log",
            tooltip="Sync: recent runs, their problems, open conflicts",
            id="queue.sync_screen",
        ),
        Binding("R", "sync", "Sync", show=False, tooltip="Sync every configured remote now", id="queue.sync"),
        Binding(
            "L",
            "sla_rules",
            "SLA rules",
            show=False,
            tooltip="The SLA policies and calendars, in order",
            id="queue.sla_rules",
        ),
        Binding("q", "app.quit", "Quit", id="queue.quit"),
        *[Binding(str(n), f"view({n - 1})", f"View {n}", show=False, id=f"queue.view{n}") for n in range(1, 10)],
    ]
    PALETTE = {
        "queue.filter": "Filter",
        "queue.reload": "Reload",
        "queue.status": "Set status",
        "queue.priority": "Set priority",
        "queue.assign": "Assign",
        "queue.take": "Take",
        "queue.tags": "Tags",
        "queue.faq": "FAQ",
        "queue.organizations": "Organizations",
        "queue.dashboard": "KPI dashboard",
        "queue.sla_rules": "SLA rules",
        "queue.sync": "Sync now",
        "queue.sync_screen": "Sync log",
        "queue.save_view": "Save filter as a view",
    }

    # What the thread workers found, posted back to the screen (see tui.screens).

    @dataclass
    class ViewsLoaded(Message, bubble=False):
        views: list[View]

    @dataclass
    class ChangesMade(Message, bubble=False):
        """A change to the marked tickets (or the one under the cursor) went as ``outcomes`` say."""

        outcomes: list[Outcome]
        what: str

    @dataclass
    class ViewRemoved(Message, bubble=False):
        view: View

    def __init__(
        self, desk: Desk, *, now=None, views: list[View] | None = None, first_page: FirstPage | None = None
    ) -> None:
        super().__init__()
        self.desk = desk
        self._now = now
        self._first_page = first_page
        self.views: list[View] = views or []
        self.view_index = 0
        self.typed = ""
        self.seen_change = 0
        self._rebuilding_tabs = False
        self._could_act = False
        self._failed: tuple[str, str] | None = None  # (query, why) of the last query that failed in a worker
        self._views_preloaded = bool(views)  # run_app read them already: no second query at start

    def compose(self) -> ComposeResult:
        yield DeskHeader(self.desk)
        if not self.views:
            self.views = built_in_views()
        yield Tabs(*self._tabs(), id="views")
        with Horizontal(id="filter-bar"):
            yield Label("/", id="filter-prompt")
            yield SearchBar(placeholder='words, "phrases", status:open prio:high tag:vip … (esc clears)', id="filter")
        yield Static("", id="filter-error")
        yield QueueTable(self.desk, now=self._now, id="queue")
        yield Static("", id="queue-status")
        yield KeysFooter(extras=("queue.take", "queue.sla_rules"))

    def on_mount(self) -> None:
        self.query_one("#views", Tabs).can_focus = False
        self.query_one("#filter-bar").display = False
        self.query_one("#filter-error").display = False
        self.query_one("#filter", SearchBar).cursor_blink = self.app.blink
        self.table.focus()
        self._run(self._first_page)
        self._first_page = None
        if not self._views_preloaded:
            self._load_views()
        self.follow_desk()

    @property
    def table(self) -> QueueTable:
        return self.query_one("#queue", QueueTable)

    # --- views ---------------------------------------------------------------------------

    @on(ViewsLoaded)
    def views_loaded(self, message: ViewsLoaded) -> None:
        self._views_loaded(message.views)

    @on(Tabs.TabActivated, "#views")
    def tab_chosen(self, event: Tabs.TabActivated) -> None:
        if event.tab is None or event.tab.id is None or self._rebuilding_tabs:
            return
        index = int(event.tab.id.removeprefix("view-"))
        if index != self.view_index:
            self.view_index = index
            self._run()

    # --- filter --------------------------------------------------------------------------

    @on(SearchBar.Typed, "#filter")
    def typed_changed(self, event: SearchBar.Typed) -> None:
        self._apply_filter(event.value)

    @on(SearchBar.Entered, "#filter")
    def filter_done(self, event: SearchBar.Entered) -> None:
        self._apply_filter(event.value)
        self.table.focus()

    @on(QueueTable.QueryFailed)
    def query_failed(self, event: QueueTable.QueryFailed) -> None:
        """A query that parsed failed in the worker (``assignee:bob``, no such agent): said like a parse error."""
        self._failed = (event.query, event.error)
        if event.query == self.table.query_text:
            self._query_error(event.error)

    def on_key(self, event) -> None:
        if event.key == "escape" and self.focused is self.query_one("#filter", SearchBar):
            event.stop()
            self.action_clear()

    # --- status line ---------------------------------------------------------------------

    @on(QueueTable.Changed)
    def update_status(self) -> None:
        table = self.table
        total = table.total
        parts = ["counting…" if total is None else f"{total:,} ticket{'s' if total != 1 else ''}"]
        if table.total:
            parts.append(f"row {table.cursor + 1:,}")
        if table.marked:
            parts.append(f"{len(table.marked)} marked (esc clears)")
        query = table.query_text
        if query:
            parts.append(f"query: {query}")
        self.query_one("#queue-status", Static).update(Text(one_line(" · ".join(parts), 300)))
        can_act = bool(self._targets())
        if can_act != self._could_act:  # the footer shows s/p/a/t only when there is a ticket to act on
            self._could_act = can_act
            self.refresh_bindings()

    # --- opening -------------------------------------------------------------------------

    @on(QueueTable.Opened)
    def open_ticket(self, event: QueueTable.Opened) -> None:
        self.app.open_ticket(event.number)

    # --- live updates --------------------------------------------------------------------

    def desk_changed(self, change: int) -> None:
        """A ticket changed on the desk: refresh what is on screen.

        Views are not tickets: the team's new shared views arrive with ctrl+r.
        """
        if change != self.seen_change:
            self.seen_change = change
            self.table.reload()

    def on_screen_resume(self) -> None:
        self.desk_changed(self.app.latest_change)

    def action_reload(self) -> None:
        self.table.reload()
        self._load_views()

    def action_faq(self) -> None:
        self.app.open_faq()

    def action_organizations(self) -> None:
        self.app.open_organizations()

    def action_sync_screen(self) -> None:
        self.app.open_sync()

    def action_sync(self) -> None:
        self.app.sync_now()

    def action_sla_rules(self) -> None:
        self.app.open_sla_rules()

    def action_dashboard(self) -> None:
        self.app.open_kpi()

    # --- actions on tickets --------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("status", "priority", "assign", "take", "tags"):
            return bool(self._targets()) or None
        if action == "save_view":
            return bool(self.typed.strip())
        return True

    @on(ChangesMade)
    def changes_made(self, message: ChangesMade) -> None:
        self._show_outcomes(message.outcomes, message.what)

    @on(ViewRemoved)
    def view_removed(self, message: ViewRemoved) -> None:
        self._view_removed(message.view)

    def palette_commands(self) -> list[Command]:
        """The views, the keys' actions, and removing a saved view."""
        commands = [
            Command(
                f"View: {one_line(v.name, 40)}", one_line(v.query or "every ticket", 80), partial(self.action_view, i)
            )
            for i, v in enumerate(self.views)
        ]
        commands += super().palette_commands()
        commands += [
            Command(f"Remove view: {one_line(v.name, 40)}", "Delete this saved view", partial(self.ask_remove_view, v))
            for v in self.views
            if not v.built_in
        ]
        return commands
