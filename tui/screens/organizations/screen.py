"""The organizations screen itself: a searchable list, each one's profile, and who is at risk of leaving; its
panes, lists and profile are mixins of their own modules.

``c`` on the queue opens it. From 110 columns the list (or the churn-risk view, ``r``) sits
beside the profile of the row under the cursor; below that one pane shows at a time: enter
opens the profile, escape goes back. Every query runs in a thread worker through the
:class:`~tui.desk.desk.Desk`; the widgets only get the plain rows it returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Label, OptionList, Static

from models.reports.churn import Risk
from models.reports.organizations import OrgProfile, OrgRow
from tui.desk.desk import Desk
from tui.errors import ReportWorkerErrors
from tui.palette import PaletteCommands
from tui.screens.organizations.lists import OrgLists
from tui.screens.organizations.panes import OrgPanes
from tui.screens.organizations.profile import OrgProfilePane
from tui.widgets.header import DeskHeader
from tui.widgets.keys_footer import KeysFooter
from tui.widgets.org_profile import OrgProfileView
from tui.widgets.org_table import OrgTable
from tui.widgets.risk_list import RiskList
from tui.widgets.search_bar import SearchBar

__all__ = ["OrganizationsScreen"]

SEARCH_DELAY = 0.15  # seconds of typing pause before the list is searched again (a SearchBar's)


class OrganizationsScreen(OrgPanes, OrgLists, OrgProfilePane, PaletteCommands, ReportWorkerErrors, Screen):
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

    @on(Found)
    def _found(self, message: Found) -> None:
        self._show_found(message)

    # --- the churn-risk view ---------------------------------------------------------------

    @on(RisksLoaded)
    def _risks_loaded(self, message: RisksLoaded) -> None:
        self._show_risks(message)

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

    @on(Profiled)
    def _profiled(self, message: Profiled) -> None:
        self._show_profile(message)

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
