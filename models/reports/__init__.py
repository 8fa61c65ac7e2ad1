"""Read-only figures: KPI, churn risk, organization profiles and the customer status page."""

from .churn import (
    CONTRACT_DAYS,
    WINDOW_DAYS,
    Risk,
    at_risk,
)
from .customer_view import (
    DEFAULT_UPDATE_CADENCE,
    STATUS_WORDS,
    CustomerStatus,
    PublicEntry,
    customer_status,
    page_timezone,
)
from .kpi import (
    GROUPINGS,
    SEGMENT_FIELDS,
    Figures,
    Filters,
    KPIReport,
    Spread,
    kpi_report,
    period,
)
from .organizations import (
    PROFILE_DAYS,
    OrgProfile,
    OrgRow,
    list_organizations,
    profile,
)

__all__ = [
    "CONTRACT_DAYS",
    "CustomerStatus",
    "DEFAULT_UPDATE_CADENCE",
    "Figures",
    "Filters",
    "GROUPINGS",
    "KPIReport",
    "OrgProfile",
    "OrgRow",
    "PROFILE_DAYS",
    "PublicEntry",
    "Risk",
    "SEGMENT_FIELDS",
    "STATUS_WORDS",
    "Spread",
    "WINDOW_DAYS",
    "at_risk",
    "customer_status",
    "kpi_report",
    "list_organizations",
    "page_timezone",
    "period",
    "profile",
]
