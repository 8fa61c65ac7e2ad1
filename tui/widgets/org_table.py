"""The organizations list: :class:`OrgTable`, keyed by id; an expired contract shows in the warning colour."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from tui.text.org_profile import day
from tui.text.safe import cells, one_line
from tui.widgets.row_table import RowTable

if TYPE_CHECKING:
    from models.reports.organizations import OrgRow

__all__ = ["OrgTable"]


class OrgTable(RowTable):
    """The organizations, keyed by id: name, tier, open tickets, contract end (an expired one in the warning colour)."""

    COMPONENT_CLASSES = {"org-table--expired"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.orgs: list[OrgRow] = []  # (not ``rows``: DataTable's own)

    def show_orgs(self, orgs: list[OrgRow]) -> None:
        self.orgs = orgs
        self._fill()

    def on_resize(self) -> None:
        self.call_after_refresh(self._fill)

    def _fill(self) -> None:
        width = (self.size.width or 80) - 1  # the scrollbar
        tier = max([4] + [cells(one_line(r.tier, 12)) for r in self.orgs])
        contract = 20 if any(r.expired for r in self.orgs) else 14
        name = max(12, width - tier - 4 - contract - 2 * 4)
        expired = self.get_component_rich_style("org-table--expired", partial=True)
        rows = []
        for row in self.orgs:
            until = day(row.contract_valid_until)
            rows.append((row.id, [
                Text(one_line(row.name, name)),
                Text(one_line(row.tier, tier)),
                Text(str(row.open_tickets), justify="right"),
                Text(f"⚠ {until} expired", style=expired) if row.expired else Text(until),
            ]))  # fmt: skip
        self.show([("Organization", name), ("Tier", tier), ("Open", 4), ("Contract until", contract)], rows)
