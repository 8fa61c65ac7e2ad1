"""The organizations screen's panes: side by side from 110 columns, else one at a time; and its status line."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.text.safe import one_line

__all__ = ["OrgPanes", "NARROW"]

NARROW = 110  # below this width one pane shows at a time


def _orgs(count: int) -> str:
    return f"{count} organization{'s' if count != 1 else ''}"


class OrgPanes:
    """The panes of :class:`~tui.screens.organizations.screen.OrganizationsScreen`, a mixin of it."""

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
