"""Ticket types: question, incident, request, complaint — set, changed on the timeline, searched."""

from __future__ import annotations

import json

import pytest

from models.errors import InvalidInput
from models.search.tickets import search_tickets
from models.tickets import changes as tickets
from models.tickets.fold import replay
from models.tickets.timeline import describe, events_of
from support.cli import one_error_line


def test_type_is_set_changed_with_a_reason_and_replayed(admin):
    t = tickets.create_ticket(admin, subject="You overcharged me", body="Again!", ticket_type="complaint")
    assert t.ticket_type == "complaint"
    t = tickets.update_ticket(admin, t.number, ticket_type="incident", reason="a billing bug, not a grievance")
    event = events_of(t.number)[-1]
    assert describe(event) == "type complaint → incident (a billing bug, not a grievance)"
    assert replay(t.number, events_of(t.number)).ticket_type == "incident"
    assert tickets.update_ticket(admin, t.number, ticket_type="incident").version == t.version  # no change, no event
    with pytest.raises(InvalidInput, match="unknown ticket type 'rant'"):
        tickets.update_ticket(admin, t.number, ticket_type="rant")
    assert [x.number for x in search_tickets("type:incident").tickets] == [t.number]
    assert search_tickets("type:complaint").tickets == []


def test_type_from_the_command_line(desk):
    number = desk("ticket", "new", "--subject", "Rude agent", "--body", "x", "--type", "complaint").stdout.strip()
    assert json.loads(desk("ticket", "show", number, "--json").stdout)["type"] == "complaint"
    assert desk("ticket", "set", number, "--type", "request").exit_code == 0
    assert "  type:         request" in desk("ticket", "show", number).stdout
    assert "unknown ticket type" in one_error_line(
        desk("ticket", "new", "--subject", "x", "--body", "y", "--type", "x"), 2
    )
    listed = json.loads(desk("ticket", "list", "type:request", "--json").stdout)["tickets"]
    assert [t["number"] for t in listed] == [int(number)]
