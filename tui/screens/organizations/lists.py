"""The organizations screen's side pane: the list searched as you type, and the churn-risk view (``r``)."""

from __future__ import annotations

from textual import work

__all__ = ["OrgLists"]


class OrgLists:
    """The list and the churn-risk view of :class:`~tui.screens.organizations.screen.OrganizationsScreen`, a mixin of
    it; the screen's handlers of ``Found`` and ``RisksLoaded`` call in here."""

    def _run(self, text: str) -> None:
        self.query_text = text.strip()
        self._show_status()
        self._search(self.query_text, self._now().date())

    @work(thread=True, group="orgs-search", exclusive=True, exit_on_error=False)
    def _search(self, text: str, today) -> None:
        rows = self.desk.organizations(text, today=today)
        self.post_message(self.Found(text, rows))

    def _show_found(self, message) -> None:
        text, rows = message.text, message.rows
        if text != self.query_text:
            return  # a newer search is on its way
        self.rows = rows
        self.shown_text = text
        self.table.show_orgs(rows)
        self._show_status()
        self._preview_soon()

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

    def _show_risks(self, message) -> None:
        risks = message.risks
        self.risks = risks
        self.risk_list.show_risks(risks)
        self._show_status()
        self._preview_soon()
