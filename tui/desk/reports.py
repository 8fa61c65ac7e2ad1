"""The Desk's read-only reports: :class:`ReportsDesk` — organizations and their profiles, churn risks,
the KPI report and the SLA rules. Their models load with the first call (start-up time)."""

from __future__ import annotations

from datetime import date, datetime

from models.sla import rules as sla
from tui.desk.connection import DeskConnection

__all__ = ["ReportsDesk"]


class ReportsDesk(DeskConnection):
    """Organizations, churn, KPIs and SLA rules."""

    def organizations(self, text: str = "", *, today: date | None = None) -> list:
        """``models.reports.organizations.OrgRow`` for each organization matching ``text``."""
        from models.reports import organizations

        return self._call(organizations.list_organizations, text, today=today)

    def organization(self, org_id: int, *, now: datetime) -> object:
        """The ``models.reports.organizations.OrgProfile`` of one organization, by id."""
        from models.reports import organizations

        return self._call(organizations.profile, org_id, now=now)

    def kpi(self, start: datetime, end: datetime, *, by: str | None = "agent", **filters) -> object:
        """The ``models.reports.kpi.KPIReport`` of ``start <= t < end``; ``filters``: queue, agent, organization, segment."""
        from models.reports import kpi

        return self._call(kpi.kpi_report, start, end, filters=kpi.Filters(**filters), by=by)

    def sla_rules(self) -> tuple[list[tuple[str, str]], list[tuple[str, str, dict[str, str], list[str]]]]:
        """The policies in order as (name, description) and the calendars as (name, zone, hours, holidays)."""

        def read():
            policies = [(p.name, p.describe()) for p in sla.policies()]
            calendars = [(name, cal.timezone, cal.describe_hours(), sorted(d.isoformat() for d in cal.holidays))
                         for name, cal in sla.calendars()]  # fmt: skip
            return policies, calendars

        return self._call(read)

    def churn(self, *, now: datetime) -> list:
        """``models.reports.churn.Risk`` for each organization at risk, most signals first."""
        from models.reports import churn

        return self._call(churn.at_risk, now=now)
