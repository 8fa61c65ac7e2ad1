"""The home screen: saved views as tabs, filter-as-you-type, the windowed queue, bulk actions."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Label, Static, Tab, Tabs

from models.enums import next_statuses
from models.errors import QueryError
from models.search.query import parse_query
from models.search.views import View, built_in_views
from tui.desk.desk import Desk, Outcome
from tui.dialogs import flows
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.text_prompt import TextPrompt
from tui.errors import ReportWorkerErrors
from tui.news import FollowsDesk
from tui.palette import Command, PaletteCommands
from tui.text.safe import one_line
from tui.widgets.header import DeskHeader
from tui.widgets.keys_footer import KeysFooter
from tui.widgets.queue_table import FirstPage, QueueTable
from tui.widgets.search_bar import SearchBar

__all__ = ["QueueScreen", "combine_queries"]


def combine_queries(view: str, typed: str) -> str:
    """The view's query refined by what was typed; a typed ``sort:`` replaces the view's."""
    typed_query = parse_query(typed)
    if typed_query.sort is not None:
        view = " ".join(w for w in view.split() if not w.lower().startswith("sort:"))
    return " ".join(part.strip() for part in (view, typed) if part.strip())


class QueueScreen(FollowsDesk, PaletteCommands, ReportWorkerErrors, Screen):
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

    @work(thread=True, group="views", exclusive=True, exit_on_error=False)
    def _load_views(self) -> None:
        self.post_message(self.ViewsLoaded(self.desk.views()))

    @on(ViewsLoaded)
    def _views_loaded(self, message: ViewsLoaded) -> None:
        found = message.views
        if found == self.views:
            return
        current = self.views[self.view_index] if self.views else None
        self.views = found
        if current is not None:
            self.view_index = next(
                (i for i, v in enumerate(found) if (v.name, v.query) == (current.name, current.query)), 0
            )
        self._show_tabs()

    def _tabs(self) -> list[Tab]:
        tabs = []
        for index, view in enumerate(self.views):
            key = f"{index + 1} " if index < 9 else ""
            tabs.append(Tab(Text(key + one_line(view.name, 24)), id=f"view-{index}"))
        return tabs

    @work(group="tabs", exclusive=True, exit_on_error=False)
    async def _show_tabs(self) -> None:
        tabs = self.query_one("#views", Tabs)
        wanted = self._tabs()
        shown = [(t.id, str(t.label)) for t in tabs.query(Tab)]
        self._rebuilding_tabs = True
        try:
            with self.app.batch_update():
                if shown != [(t.id, str(t.label)) for t in wanted[: len(shown)]]:
                    await tabs.clear()
                    shown = []
                for tab in wanted[len(shown) :]:
                    await tabs.add_tab(tab)
                tabs.active = f"view-{self.view_index}"
        finally:
            self.call_after_refresh(setattr, self, "_rebuilding_tabs", False)

    @on(Tabs.TabActivated, "#views")
    def tab_chosen(self, event: Tabs.TabActivated) -> None:
        if event.tab is None or event.tab.id is None or self._rebuilding_tabs:
            return
        index = int(event.tab.id.removeprefix("view-"))
        if index != self.view_index:
            self.view_index = index
            self._run()

    def action_view(self, index: int) -> None:
        if index >= len(self.views) or index == self.view_index:
            return
        self.view_index = index
        self._run()
        tabs = self.query_one("#views", Tabs)
        if tabs.query(f"#view-{index}"):  # the tabs may be being rebuilt right now
            tabs.active = f"view-{index}"

    @property
    def view(self) -> View:
        return self.views[self.view_index]

    # --- filter --------------------------------------------------------------------------

    def action_filter(self) -> None:
        self.query_one("#filter-bar").display = True
        # Focus now, not after the next refresh: keys typed right after / belong to the filter.
        self.set_focus(self.query_one("#filter", SearchBar))

    @on(SearchBar.Typed, "#filter")
    def typed_changed(self, event: SearchBar.Typed) -> None:
        self._apply_filter(event.value)

    def _apply_filter(self, text: str) -> None:
        self.typed = text
        self._run()
        self.refresh_bindings()

    @on(SearchBar.Entered, "#filter")
    def filter_done(self, event: SearchBar.Entered) -> None:
        self._apply_filter(event.value)
        self.table.focus()

    def _run(self, first_page: FirstPage | None = None) -> None:
        """Show the current view refined by the filter, or say what is wrong with the filter."""
        try:
            text = combine_queries(self.view.query, self.typed)
            parse_query(text)
        except QueryError as err:
            self._query_error(err.message)
            return
        if text == self.table.query_text and first_page is None and self.table.total is not None:
            # The same query (a space typed, say): no reload, the cursor stays, its error too.
            if self._failed is not None and self._failed[0] == text:
                self._query_error(self._failed[1])
            else:
                self.query_one("#filter-error", Static).display = False
            return
        self.query_one("#filter-error", Static).display = False
        self.table.show_query(text, first_page)

    def _query_error(self, message: str) -> None:
        error = self.query_one("#filter-error", Static)
        error.update(Text(one_line(f"✗ {message}", 200)))
        error.display = True

    @on(QueueTable.QueryFailed)
    def query_failed(self, event: QueueTable.QueryFailed) -> None:
        """A query that parsed failed in the worker (``assignee:bob``, no such agent): said like a parse error."""
        self._failed = (event.query, event.error)
        if event.query == self.table.query_text:
            self._query_error(event.error)

    def action_clear(self) -> None:
        if self.table.marked:
            self.table.clear_marks()
            return
        bar = self.query_one("#filter-bar")
        if bar.display or self.typed:
            self.query_one("#filter", SearchBar).value = ""
            bar.display = False
            if self.typed:
                self.typed = ""
                self._run()
            self.query_one("#filter-error").display = False
            self.table.focus()

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

    def _targets(self) -> dict[int, int]:
        table = self.table
        if table.marked:
            return dict(table.marked)
        row = table.current_row
        return {row.number: row.version} if row else {}

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("status", "priority", "assign", "take", "tags"):
            return bool(self._targets()) or None
        if action == "save_view":
            return bool(self.typed.strip())
        return True

    # Each action reads its targets (numbers and the versions on screen) before its first prompt:
    # whatever reloads while the prompts are open, the change carries what the agent saw.

    @work(group="action", exclusive=True, exit_on_error=False)
    async def action_status(self) -> None:
        targets = self._targets()
        row = self.table.current_row
        if len(targets) == 1 and row is not None and row.number in targets:
            asked = await flows.ask_status(self.app, next_statuses(row.status), row.status)
        else:
            asked = await flows.ask_status(self.app, flows.next_statuses(""), None, count=len(targets))
        self._apply(targets, asked)

    @work(group="action", exclusive=True, exit_on_error=False)
    async def action_priority(self) -> None:
        targets = self._targets()
        row = self.table.current_row
        current = row.priority if row is not None and len(targets) == 1 else None
        self._apply(targets, await flows.ask_priority(self.app, current, count=len(targets)))

    @work(group="action", exclusive=True, exit_on_error=False)
    async def action_assign(self) -> None:
        targets = self._targets()
        agents = await self._in_thread(self.desk.agent_logins)
        if agents is None:
            return
        row = self.table.current_row
        current = row.assignee if row is not None and len(targets) == 1 else None
        self._apply(targets, await flows.ask_assignee(self.app, agents, current, count=len(targets)))

    @work(group="action", exclusive=True, exit_on_error=False)
    async def action_take(self) -> None:
        targets = self._targets()
        row = self.table.current_row
        if not self.table.marked and row is not None:
            assignees = {row.number: row.assignee}  # as on screen
        else:
            assignees = await self._in_thread(lambda: self._assignees(list(targets)))
            if assignees is None:
                return
        self._apply(targets, await flows.ask_take(self.app, self.desk.me.login, assignees))

    def _assignees(self, numbers: list[int]) -> dict[int, str]:
        """Who each of these tickets is assigned to now ("" for nobody); runs in a thread."""
        found = dict.fromkeys(numbers, "")
        for start in range(0, len(numbers), 200):  # 200 numbers stay well within a query's length
            chunk = numbers[start : start + 200]
            rows, _ = self.desk.queue_page("id:" + ",".join(map(str, chunk)), limit=200)
            found.update((r.number, r.assignee) for r in rows)
        return found

    @work(group="action", exclusive=True, exit_on_error=False)
    async def action_tags(self) -> None:
        targets = self._targets()
        known = await self._in_thread(self.desk.tag_names)
        if known is None:
            return
        self._apply(targets, await flows.ask_tags(self.app, None, known, list(targets)))

    async def _in_thread(self, fn):
        return await flows.in_thread(self, fn)

    def _apply(self, targets: dict[int, int], asked) -> None:
        if asked is None or not targets:
            return
        change, what = asked
        self._run_change(targets, change, what)

    @work(thread=True, group="change", exit_on_error=False)
    def _run_change(self, targets: dict[int, int], change, what: str) -> None:
        outcomes = self.desk.bulk(targets, lambda n, v: change(self.desk, n, v))
        self.post_message(self.ChangesMade(outcomes, what))

    @on(ChangesMade)
    def _changed(self, message: ChangesMade) -> None:
        outcomes, what = message.outcomes, message.what
        refused = [o.number for o in outcomes if o.error is not None]
        kept = flows.TAGS_KEPT if refused and flows.kept_tags(self.app, refused) else None
        message, severity = flows.summary(outcomes, what, kept)
        timeout = (12 if len(outcomes) > 1 else 8) if severity == "warning" else None
        self.notify(message, severity=severity, markup=False, timeout=timeout)
        done = [o for o in outcomes if o.error is None]
        if self.table.marked:
            for outcome in done:
                self.table.marked.pop(outcome.number, None)
        self.table.reload()

    # --- saved views ---------------------------------------------------------------------

    @work(group="action", exclusive=True, exit_on_error=False)
    async def action_save_view(self) -> None:
        query = combine_queries(self.view.query, self.typed)
        name = await self.app.push_screen_wait(
            TextPrompt(f"Save {one_line(query, 50)!s} as a view named:", max_length=100)
        )
        if not name:
            return
        shared = await self.app.push_screen_wait(
            ConfirmDialog("Share it with the whole team?", yes="Shared", no="Just me")
        )
        view = await self._in_thread(lambda: self.desk.save_view(name, query, shared=shared))
        if view is None:
            return
        self.notify(one_line(f"Saved view {view.name!r}", 200), markup=False)
        self.typed = ""
        self.query_one("#filter", SearchBar).value = ""
        self.query_one("#filter-bar").display = False
        self.views.append(view)
        self.view_index = len(self.views) - 1
        self._show_tabs()
        self._run()

    @work(group="action", exclusive=True, exit_on_error=False)
    async def ask_remove_view(self, view: View) -> None:
        whose = "the whole team's view" if view.shared else "your view"
        question = one_line(f"Remove {whose} {view.name!r}? Its query goes with it.", 200)
        if await self.app.push_screen_wait(ConfirmDialog(question, yes="Remove", no="Keep")):
            self.remove_view(view)

    @work(thread=True, group="views", exit_on_error=False)
    def remove_view(self, view: View) -> None:
        self.desk.delete_view(view.id)
        self.post_message(self.ViewRemoved(view))

    @on(ViewRemoved)
    def _view_removed(self, message: ViewRemoved) -> None:
        view = message.view
        self.notify(one_line(f"Removed view {view.name!r}", 200), markup=False)
        if self.view == view:
            self.view_index = 0
        self._load_views()
        self._run()

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
