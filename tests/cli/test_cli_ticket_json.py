"""``ticket list --json`` carries each ticket's tags and SLA due times; ``ticket show --json`` its
deadlines, each with kind, due time and state as ``sla show`` gives them."""

from __future__ import annotations

import json


def _json(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_list_and_show_json_carry_tags_and_deadlines(desk):
    assert desk("sla", "calendar", "set", "Always", "--timezone", "Europe/Rome",
                "--hours", "mon-sun=00:00-24:00").exit_code == 0  # fmt: skip
    assert desk("sla", "policy", "set", "All", "--calendar", "Always", "--first-response", "1h",
                "--next-response", "2h", "--resolution", "8h").exit_code == 0  # fmt: skip
    assert (
        desk("ticket", "new", "--subject", "Printer", "--body", "Broken", "--tag", "vip", "--tag", "hw").exit_code == 0
    )
    assert desk("ticket", "new", "--subject", "Plain", "--body", "x").exit_code == 0

    listed = {t["number"]: t for t in _json(desk("ticket", "list", "--json"))["tickets"]}
    assert listed[1]["tags"] == ["hw", "vip"] and listed[2]["tags"] == []
    show = _json(desk("sla", "show", "1", "--json"))
    due = {name: target["due"] for name, target in show["targets"].items()}
    assert listed[1]["sla_due"] == {"first_response": due["first_response"], "next_response": None,
                                    "resolution": due["resolution"]}  # fmt: skip
    assert listed[1]["due_at"] == due["first_response"]  # the nearest running one, as the queue's Due

    shown = _json(desk("ticket", "show", "1", "--json"))
    assert shown["sla_policy"] == "All"
    assert [(d["kind"], d["due"], d["state"]) for d in shown["deadlines"]] == [
        (name, target["due"], target["state"]) for name, target in show["targets"].items()
    ]
    assert [(d["kind"], d["state"]) for d in shown["deadlines"]] == [
        ("first_response", "running"),
        ("resolution", "running"),
    ]

    assert desk("ticket", "reply", "1", "--body", "On it").exit_code == 0
    states = {d["kind"]: d["state"] for d in _json(desk("ticket", "show", "1", "--json"))["deadlines"]}
    assert states["first_response"] == "met"
