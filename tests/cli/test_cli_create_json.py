"""Every command that creates something takes --json and prints what it made, with its id (or,
for what is known by name — FAQ and SLA categories and calendars — its name)."""

from __future__ import annotations

import json


def _json(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_creating_commands_print_the_new_id_as_json(desk, tmp_path):
    agent = _json(desk("agent", "add", "bob", "--name", "Bob", "--json"))
    assert agent["id"] == 2 and {k: v for k, v in agent.items() if k != "id"} in _json(desk("agent", "list", "--json"))
    queue = _json(desk("queue", "add", "Billing", "--json"))
    assert queue["name"] == "Billing" and queue["id"] in [q["id"] for q in _json(desk("queue", "list", "--json"))]

    category = _json(desk("faq", "category", "add", "Accounts", "--json"))
    assert category == {"name": "Accounts", "articles": 0}
    article = _json(desk("faq", "new", "--title", "Reset", "--body", "Open Settings.", "--category", "accounts",
                         "--json"))  # fmt: skip
    assert _json(desk("faq", "show", str(article["id"]), "--json")) == article

    calendar = _json(desk("sla", "calendar", "set", "Office", "--timezone", "Europe/Rome",
                          "--hours", "mon-fri=09:00-18:00", "--json"))  # fmt: skip
    assert calendar in _json(desk("sla", "calendar", "list", "--json"))
    policy = _json(desk("sla", "policy", "set", "All", "--calendar", "Office", "--resolution", "8h", "--json"))
    assert policy in _json(desk("sla", "policy", "list", "--json"))

    ticket = _json(desk("ticket", "new", "--subject", "Printer", "--body", "Broken", "--json"))
    number = str(ticket["number"])
    reply = _json(desk("ticket", "reply", number, "--body", "On it", "--json"))
    note = _json(desk("ticket", "note", number, "--body", "Fuser", "--json"))
    events = {e["id"]: e for e in _json(desk("timeline", number, "--json"))["events"]}
    assert (events[reply["event"]]["body"], events[note["event"]]["body"]) == ("On it", "Fuser")
    assert note["version"] == _json(desk("ticket", "show", number, "--json"))["version"]
    override = _json(desk("sla", "override", number, "--due", "2030-01-02T10:00", "--reason", "VIP",
                          "--requested-by", "sales", "--json"))  # fmt: skip
    assert override["due_at"] == "2030-01-02T10:00:00+00:00"

    assert desk("ticket", "set", number, "--status", "resolved").exit_code == 0
    survey = _json(desk("csat", "record", number, "--score", "4", "--json"))
    assert (survey["ticket"], survey["score"]) == (ticket["number"], 4)

    out = tmp_path / "faq"
    assert desk("faq", "export", str(out)).exit_code == 0
    (out / "new.md").write_text('---\ntitle: "Shipping"\ncategory: "Logistics"\n---\nTwo days.\n')
    imported = _json(desk("faq", "import", str(out), "--json"))
    assert imported["unchanged"] == [article["id"]] and imported["categories_added"] == ["Logistics"]
    (new_id,) = imported["created"]
    assert _json(desk("faq", "show", str(new_id), "--json"))["title"] == "Shipping"
