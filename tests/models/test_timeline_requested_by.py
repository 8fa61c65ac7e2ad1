"""The timeline names who asked for a priority change: in its one-line description (the app's
timeline), in ``sportello timeline`` / ``ticket timeline`` text and in their ``--json``."""

from __future__ import annotations

import json

from models.enums import EventKind
from models.tickets import changes as tickets
from models.tickets.timeline import describe, events_of


def test_describe_names_who_asked_for_a_priority_change(admin):
    t = tickets.create_ticket(admin, subject="Printer", body="Broken", customer="eva@example.com")
    tickets.set_priority(admin, t.number, "urgent", reason="CEO affected", requested_by="sales: Rossi")
    (event,) = [e for e in events_of(t.number) if e.kind == EventKind.PRIORITY]
    assert describe(event) == "priority normal → urgent (CEO affected, asked by sales: Rossi)"


def test_timeline_text_and_json_name_the_requester(desk):
    assert desk("ticket", "new", "--subject", "Printer", "--body", "Broken").exit_code == 0
    result = desk("ticket", "set", "1", "--priority", "high", "--reason", "big order", "--requested-by", "own call")
    assert result.exit_code == 0, result.output
    for command in (("timeline", "1"), ("ticket", "timeline", "1")):
        text = desk(*command)
        assert text.exit_code == 0, text.output
        assert "priority normal → high (big order, asked by own call)" in text.output
        data = json.loads(desk(*command, "--json").output)
        (change,) = [e for e in data["events"] if e["kind"] == "priority"]
        assert change["requested_by"] == "own call"
        assert [e["requested_by"] for e in data["events"] if e["kind"] != "priority"] == [None]
    shown = json.loads(desk("ticket", "show", "1", "--json").output)
    assert [e["requested_by"] for e in shown["events"]] == [None, "own call"]
