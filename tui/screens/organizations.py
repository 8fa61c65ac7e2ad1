"""Customers and organizations: a searchable list, each one's profile, and who is at risk of leaving.

``c`` on the queue opens it. From 110 columns the list (or the churn-risk view, ``r``) sits
beside the profile of the row under the cursor; below that one pane shows at a time: enter
opens the profile, escape goes back. Every query runs in a thread worker through the
:class:`~tui.desk.desk.Desk`; the widgets only get the plain rows it returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Label, OptionList, Static

from models.errors import SportelloError
from models.reports.churn import Risk
from models.reports.organizations import PROFILE_DAYS, OrgProfile, OrgRow
from tui.desk.desk import Desk
from tui.errors import ReportWorkerErrors
from tui.palette import PaletteCommands
from tui.text.safe import one_line
from tui.widgets.header import DeskHeader
from tui.widgets.keys_footer import KeysFooter
from tui.widgets.org_profile import OrgProfileView
from tui.widgets.org_table import OrgTable
from tui.widgets.risk_list import RiskList
from tui.widgets.search_bar import SearchBar

__all__ = ["OrganizationsScreen", "NARROW"]

SEARCH_DELAY = 0.15  # seconds of typing pause before the list is searched again (a SearchBar's)
PREVIEW_DELAY = 0.1  # seconds the cursor rests on a row before its profile loads (side by side only)
NARROW = 110  # below this width one pane shows at a time


def _orgs(count: int) -> str:
    return f"{count} organization{'s' if count != 1 else ''}"


class OrganizationsScreen(PaletteCommands, ReportWorkerErrors, Screen):
    """Find an organization, read its profile and tickets, and see who may be about to leave."""

    BINDINGS = [
        Binding(
            "slash",
            "search",
            "Search",
            tooltip="Search by name, industry, region or tier as you type",
            id="orgs.search",
        ),
        Binding(
            "r", "churn", "Churn risk", tooltip="Organizations at risk of leaving, with the reasons", id="orgs.churn"
        ),
        Binding("r", "organizations", "All orgs", tooltip="Back to the list of every organization", id="orgs.list"),
        Binding("escape", "clear", "Clear", show=False, tooltip="Clear the search, else back", id="orgs.clear"),
        Binding("ctrl+r", "reload", "Reload", show=False, id="orgs.reload"),
        Binding("q", "back", "Back", tooltip="Back to the list, or to the queue", id="orgs.back"),
    ]
    PALETTE = {
        "orgs.search": "Search organizations",
        "orgs.churn": "Churn risk",
        "orgs.list": "All organizations",
        "orgs.reload": "Reload",
        "orgs.back": "Back",
    }

    # What the thread workers found, posted back to the screen (see tui.screens).

    @dataclass
    class Found(Message, bubble=False):
        text: str
        rows: list[OrgRow]

    @dataclass
    class RisksLoaded(Message, bubble=False):
        risks: list[Risk]

    @dataclass
    class Profiled(Message, bubble=False):
        """The profile asked for with ``key``, as of ``now``; or why it could not be read (``error``)."""

        key: int | str
        profile: OrgProfile | None
        now: datetime
        error: str = ""

    def __init__(self, desk: Desk, *, now: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.desk = desk
        self._now = now or desk.now
        self.mode = "list"  # or "churn": what the side pane shows
        self.rows: list[OrgRow] = []
        self.risks: list[Risk] | None = None  # None until loaded
        self.query_text: str | None = None  # the search asked for last; None before the first
        self.shown_text: str | None = None  # the search whose rows the list shows
        self.profile_open = False  # narrow: the profile is the pane showing
        self.wanted: int | str | None = None  # the organization (id, or a name from the churn view) the profile is for
        self.profile: OrgProfile | None = None
        self._preview_timer: Timer | None = None
        self._narrow: bool | None = None

    def compose(self) -> ComposeResult:
        yield DeskHeader(self.desk, title="organizations")
        with Horizontal(id="org-search-bar"):
            yield Label("/", id="org-search-prompt")
            yield SearchBar(delay=SEARCH_DELAY, placeholder="search: name, industry, region or tier", id="org-search")
        with Horizontal(id="org-body"):
            with Vertical(id="org-side"):
                yield OrgTable(id="org-list")
                yield RiskList(id="org-risks")
            yield OrgProfileView(id="org-profile")
        yield Static("", id="org-status")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#org-search", SearchBar).cursor_blink = self.app.blink
        self.risk_list.display = False
        self._layout(self.size.width)
        self.set_focus(self.table)

    @property
    def table(self) -> OrgTable:
        return self.query_one("#org-list", OrgTable)

    @property
    def risk_list(self) -> RiskList:
        return self.query_one("#org-risks", RiskList)

    @property
    def profile_view(self) -> OrgProfileView:
        return self.query_one("#org-profile", OrgProfileView)

    @property
    def narrow(self) -> bool:
        return bool(self._narrow)

    def current(self) -> int | None:
        """The id of the organization under the side pane's cursor."""
        if self.mode == "list":
            return self.table.current_key
        index = self.risk_list.highlighted
        if not self.risks or index is None or index >= len(self.risks):
            return None
        return self.risks[index].id

    # --- layout --------------------------------------------------------------------------

    def on_resize(self, event) -> None:
        self._layout(event.size.width)

    def _layout(self, width: int) -> None:
        narrow = width < NARROW
        if narrow != self._narrow:
            self._narrow = narrow
            self.set_class(narrow, "-narrow")
            self.profile_view.most_contacts = 2 if narrow else 3
            self.profile_open = narrow and self._in_profile()  # narrowing: the pane with the focus stays
            if not narrow:
                self._preview_soon()
        self._show_panes()

    def _show_panes(self) -> None:
        """Which panes show: both side by side, or (narrow) the side pane or the profile."""
        profile_only = self.narrow and self.profile_open
        self.query_one("#org-side").display = not profile_only
        self.profile_view.display = not self.narrow or self.profile_open
        self.query_one("#org-search-bar").display = self.mode == "list" and not profile_only
        self.table.display = self.mode == "list"
        self.risk_list.display = self.mode == "churn"
        self._show_status()
        self.refresh_bindings()

    def _side(self):
        return self.table if self.mode == "list" else self.risk_list

    def _in_profile(self) -> bool:
        """Is the profile what the user is looking at: the pane showing (narrow), or where the focus is?"""
        if self.narrow:
            return self.profile_open
        return self.focused is not None and self.profile_view in self.focused.ancestors_with_self

    # --- the list and the search -------------------------------------------------------

    def action_search(self) -> None:
        if self.mode != "list" or self.profile_open:
            self.action_organizations()
        self.set_focus(self.query_one("#org-search", SearchBar))  # now: keys typed right after / belong to the search

    @on(SearchBar.Typed, "#org-search")
    def typed_changed(self, event: SearchBar.Typed) -> None:
        self._run(event.value)

    @on(SearchBar.Entered, "#org-search")
    def search_done(self, event: SearchBar.Entered) -> None:
        self._run(event.value)
        self.set_focus(self.table)

    def _run(self, text: str) -> None:
        self.query_text = text.strip()
        self._show_status()
        self._search(self.query_text, self._now().date())

    @work(thread=True, group="orgs-search", exclusive=True, exit_on_error=False)
    def _search(self, text: str, today) -> None:
        rows = self.desk.organizations(text, today=today)
        self.post_message(self.Found(text, rows))

    @on(Found)
    def _found(self, message: Found) -> None:
        text, rows = message.text, message.rows
        if text != self.query_text:
            return  # a newer search is on its way
        self.rows = rows
        self.shown_text = text
        self.table.show_orgs(rows)
        self._show_status()
        self._preview_soon()

    # --- the churn-risk view ---------------------------------------------------------------

    def action_churn(self) -> None:
        self.mode = "churn"
        self.profile_open = False
        self._show_panes()
        self.set_focus(self.risk_list)
        if self.risks is None:
            self._load_risks()
        else:
            self._preview_soon()

    def action_organizations(self) -> None:
        self.mode = "list"
        self.profile_open = False
        self._show_panes()
        self.set_focus(self.table)
        self._preview_soon()

    @work(thread=True, group="orgs-churn", exclusive=True, exit_on_error=False)
    def _load_risks(self) -> None:
        risks = self.desk.churn(now=self._now())
        self.post_message(self.RisksLoaded(risks))

    @on(RisksLoaded)
    def _risks_loaded(self, message: RisksLoaded) -> None:
        risks = message.risks
        self.risks = risks
        self.risk_list.show_risks(risks)
        self._show_status()
        self._preview_soon()

    @on(OptionList.OptionSelected, "#org-risks")
    def risk_selected(self) -> None:
        self._open_profile()

    @on(OptionList.OptionHighlighted, "#org-risks")
    def risk_highlighted(self) -> None:
        self._preview_soon()

    # --- the profile -----------------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#org-list")
    def row_highlighted(self) -> None:
        self._preview_soon()

    @on(DataTable.RowSelected, "#org-list")
    def row_selected(self) -> None:
        self._open_profile()

    def _preview_soon(self) -> None:
        """Side by side, the profile follows the cursor (once it rests)."""
        if self._preview_timer is not None:
            self._preview_timer.stop()
        if not self.narrow:
            self._preview_timer = self.set_timer(PREVIEW_DELAY, self._preview)

    def _preview(self) -> None:
        key = self.current()
        if key is not None and key != self.wanted:
            self._ask_profile(key)
        elif key is None and self.wanted is not None:
            self.wanted = self.profile = None
            self.profile_view.say("No organization matches." if self.mode == "list" else "No organization is at risk.")

    def _open_profile(self) -> None:
        key = self.current()
        if key is None:
            return
        if key != self.wanted or self.profile is None:
            self._ask_profile(key)
        self.profile_open = True
        self._show_panes()
        self.set_focus(self.profile_view.tickets)

    def _ask_profile(self, key: int | str) -> None:
        if key != self.wanted:
            self.profile = None
            self.profile_view.say("loading…")
        self.wanted = key
        self._load_profile(key, self._now())

    @work(thread=True, group="orgs-profile", exclusive=True, exit_on_error=False)
    def _load_profile(self, key: int | str, now: datetime) -> None:
        try:
            found = self.desk.organization(key, now=now)
        except SportelloError as err:  # gone or renamed meanwhile: said in the pane
            self.post_message(self.Profiled(key, None, now, err.message))
            return
        self.post_message(self.Profiled(key, found, now))

    @on(Profiled)
    def _profiled(self, message: Profiled) -> None:
        if message.key != self.wanted:
            return
        if message.profile is None:
            self.profile_view.say(f"✗ {message.error}")
        else:
            self.profile = message.profile
            self.profile_view.show(message.profile, at=message.now, days=PROFILE_DAYS)
            self._show_status()

    @on(OrgProfileView.TicketOpened)
    def open_ticket(self, event: OrgProfileView.TicketOpened) -> None:
        self.app.open_ticket(event.number)

    # --- going back, reloading -------------------------------------------------------------

    def action_clear(self) -> None:
        """Escape: clear the search; else step back out of the profile, the churn view; else leave."""
        field = self.query_one("#org-search", SearchBar)
        if field.value and self.mode == "list" and not self._in_profile():
            field.value = ""
            field.drop_pending()
            self._run("")
            self.set_focus(self.table)
        elif self.focused is field:
            self.set_focus(self.table)
        elif self._in_profile():
            self._close_profile()
        elif self.mode == "churn":
            self.action_organizations()
        else:
            self.dismiss()

    def action_back(self) -> None:
        if self.narrow and self.profile_open:
            self._close_profile()
        else:
            self.dismiss()

    def _close_profile(self) -> None:
        self.profile_open = False
        self._show_panes()
        self.set_focus(self._side())

    def on_screen_resume(self) -> None:
        """Shown (first, or back from a ticket): the list, the risks and the profile are fetched again."""
        self._run(self.query_text or "")
        if self.risks is not None or self.mode == "churn":
            self._load_risks()
        if self.wanted is not None:
            self._load_profile(self.wanted, self._now())

    def action_reload(self) -> None:
        self.on_screen_resume()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "churn":
            return self.mode == "list"
        if action == "organizations":
            return self.mode == "churn"
        return True

    # --- status ----------------------------------------------------------------------------

    def _show_status(self) -> None:
        if self.narrow and self.profile_open:
            text = "enter opens a ticket · escape back to the list"
        elif self.mode == "churn":
            if self.risks is None:
                text = "looking for organizations at risk…"
            else:
                text = f"{_orgs(len(self.risks))} at risk · enter: profile · r: all organizations"
        elif self.query_text is None or self.shown_text != self.query_text:
            text = "searching…"
        else:
            expired = sum(r.expired for r in self.rows)
            text = _orgs(len(self.rows))
            if len(self.rows) >= 200:
                text = f"first {len(self.rows)} organizations (search to narrow)"
            if expired:
                text += f" · ⚠ {expired} expired"
            if self.query_text:
                text += f" · search: {self.query_text}"
            text += " · enter: profile · r: churn risk"
        width = max(20, self.size.width - 2)
        self.query_one("#org-status", Static).update(Text(one_line(text, width)))
