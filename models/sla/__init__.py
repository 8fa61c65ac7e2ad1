"""Service levels: business calendars, clocks, policies, deadlines and contract tiers. Reads the store only.

The list of tiers is ``models.sla.tiers.tiers()``: a ``tiers`` name here would hide the module."""

from .business_time import (
    ALWAYS,
    DAYS,
    Calendar,
)
from .clock import (
    PAUSING,
    STOPPING,
    Clock,
    Measures,
    due_time,
    elapsed,
    measure,
    reopens,
    running_spans,
)
from .config import (
    export_toml,
    import_toml,
    parse_duration,
)
from .deadline import (
    DUE_SOON,
    Deadlines,
    breached,
    deadlines,
    evaluate,
    refresh,
    refresh_open,
)
from .policy import (
    TARGETS,
    Policy,
    calendars,
    format_minutes,
    get_calendar,
    policies,
    policy_for,
    reuse_policies,
)
from .rules import (
    remove_calendar,
    remove_policy,
    save_calendar,
    save_policy,
)
from .ticket_facts import (
    STORED,
    Event,
    Facts,
    facts,
    history,
)
from .tiers import (
    add_tier,
    check_tier,
    remove_tier,
)

__all__ = [
    "ALWAYS",
    "Calendar",
    "Clock",
    "DAYS",
    "DUE_SOON",
    "Deadlines",
    "Event",
    "Facts",
    "Measures",
    "PAUSING",
    "Policy",
    "STOPPING",
    "STORED",
    "TARGETS",
    "add_tier",
    "breached",
    "calendars",
    "check_tier",
    "deadlines",
    "due_time",
    "elapsed",
    "evaluate",
    "export_toml",
    "facts",
    "format_minutes",
    "get_calendar",
    "history",
    "import_toml",
    "measure",
    "parse_duration",
    "policies",
    "policy_for",
    "refresh",
    "refresh_open",
    "remove_calendar",
    "remove_policy",
    "remove_tier",
    "reopens",
    "reuse_policies",
    "running_spans",
    "save_calendar",
    "save_policy",
]
