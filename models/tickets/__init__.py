"""Tickets and every change to them: the write pipeline, its events and timeline, CSAT, overrides, SLA alerts,
drafts. Every change to a ticket goes through here."""

from .alerts import (
    Alert,
    Sweeper,
    sweep,
)
from .changes import (
    AcrossCustomers,
    add_note,
    add_reply,
    change_tags,
    link_faq,
    set_assignee,
    set_priority,
    set_status,
    tags_change,
    update_ticket,
)
from .create import (
    create_ticket,
)
from .csat import (
    LOW_SCORE,
    LOW_TAG,
    Answer,
    answers,
    record,
)
from .drafts import (
    KINDS,
    Draft,
    DraftRow,
    discard_draft,
    drafts_of,
    save_draft,
    send_draft,
)
from .effects import (
    EFFECTS,
    TicketWrite,
    open_survey,
)
from .events import (
    requester,
)
from .fold import (
    EventLike,
    TicketState,
    apply,
    created_payload,
    replay,
)
from .merge import (
    merge_chain,
    merge_tickets,
    merge_warning,
    surviving,
)
from .origin import (
    current,
    stamp,
    synced_from,
)
from .overrides import (
    Override,
    OverrideReport,
    override_due,
    override_report,
)
from .pipeline import (
    Build,
    change,
    get_ticket,
    state_of,
)
from .timeline import (
    customer_may_see,
    customer_timeline,
    describe,
    events_of,
    latest_event_id,
    who,
)

__all__ = [
    "AcrossCustomers",
    "Alert",
    "Answer",
    "Build",
    "Draft",
    "DraftRow",
    "EFFECTS",
    "EventLike",
    "KINDS",
    "LOW_SCORE",
    "LOW_TAG",
    "Override",
    "OverrideReport",
    "Sweeper",
    "TicketState",
    "TicketWrite",
    "add_note",
    "add_reply",
    "answers",
    "apply",
    "change",
    "change_tags",
    "create_ticket",
    "created_payload",
    "current",
    "customer_may_see",
    "customer_timeline",
    "describe",
    "discard_draft",
    "drafts_of",
    "events_of",
    "get_ticket",
    "latest_event_id",
    "link_faq",
    "merge_chain",
    "merge_tickets",
    "merge_warning",
    "open_survey",
    "override_due",
    "override_report",
    "record",
    "replay",
    "requester",
    "save_draft",
    "send_draft",
    "set_assignee",
    "set_priority",
    "set_status",
    "stamp",
    "state_of",
    "surviving",
    "sweep",
    "synced_from",
    "tags_change",
    "update_ticket",
    "who",
]
