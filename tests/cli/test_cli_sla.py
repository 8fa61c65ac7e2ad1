"""``sportello sla …``: rules from the command line, a ticket's deadlines, alerts, TOML round trip."""

from __future__ import annotations

import json

from support.cli import one_error_line


def rules(desk) -> None:
    for args in (
        ("sla", "calendar", "set", "Office", "--timezone", "Europe/Rome", "--hours", "mon-fri=09:00-13:00,14:00-18:00",
         "--holiday", "2026-12-25"),
        ("sla", "policy", "set", "Premium high", "--tier", "premium", "--priority", "high", "--calendar", "Office",
         "--first-response", "1h", "--next-response", "2h", "--resolution", "8h"),
        ("sla", "policy", "set", "Standard", "--calendar", "Office", "--first-response", "4h", "--resolution", "5d"),
    ):  # fmt: skip
        result = desk(*args)
        assert result.exit_code == 0, result.output


def test_rules_list_in_order_and_a_ticket_shows_its_deadlines(desk):
    rules(desk)
    listed = json.loads(desk("sla", "policy", "list", "--json").stdout)
    assert [p["name"] for p in listed] == ["Premium high", "Standard"]
    assert listed[0]["describe"].startswith("Premium / high: first response 1 business hour")
    number = desk("ticket", "new", "--subject", "Printer", "--body", "broken").stdout.strip()
    shown = json.loads(desk("sla", "show", number, "--json").stdout)
    assert shown["policy"]["name"] == "Standard"
    assert set(shown["targets"]) == {"first_response", "resolution"}
    assert shown["targets"]["first_response"]["target_minutes"] == 240
    text = desk("sla", "show", number).stdout
    assert "first response  running" in text


def test_toml_export_import_round_trip(desk, tmp_path):
    rules(desk)
    exported = desk("sla", "export").stdout
    path = tmp_path / "sla.toml"
    path.write_text(exported)
    desk("sla", "policy", "remove", "Standard")
    assert desk("sla", "import", str(path)).stdout.strip() == "1 calendars and 2 policies imported"
    assert desk("sla", "export").stdout == exported
    path.write_text(exported.replace('name = "Standard"', 'name = "Basic"'))
    desk("sla", "import", str(path), "--replace")
    assert [p["name"] for p in json.loads(desk("sla", "policy", "list", "--json").stdout)] == ["Premium high", "Basic"]


def test_bad_rules_and_files_are_one_line_errors(desk, tmp_path, login):
    rules(desk)
    assert "bad first response duration" in one_error_line(
        desk("sla", "policy", "set", "X", "--first-response", "1x"), 2
    )
    assert "bad hours '9-5' on mon" in one_error_line(desk("sla", "calendar", "set", "Y", "--hours", "mon=9-5"), 2)
    assert "unknown timezone" in one_error_line(desk("sla", "calendar", "set", "Y", "--timezone", "Mars/Base"), 2)
    bad = tmp_path / "bad.toml"
    bad.write_text("[[policies]]\nname = 'X'\ncolour = 'red'\n")
    assert "unknown key 'colour'" in one_error_line(desk("sla", "import", str(bad)), 2)
    bad.write_text("this is not toml = = =")
    assert "not valid TOML" in one_error_line(desk("sla", "import", str(bad)), 2)
    assert [p["name"] for p in json.loads(desk("sla", "policy", "list", "--json").stdout)] == [
        "Premium high",
        "Standard",
    ]
    assert "used by" in one_error_line(desk("sla", "calendar", "remove", "Office"), 3)
    desk("agent", "add", "bob", "--name", "Bob")
    login("bob")
    assert "only a lead or an admin" in one_error_line(
        desk("sla", "policy", "set", "Mine", "--first-response", "1h"), 1
    )


def test_check_writes_alerts_once(desk, monkeypatch):
    from datetime import timedelta

    from models.store.tables import utcnow
    from models.tickets import alerts as sla_alerts

    desk("sla", "policy", "set", "Fast", "--first-response", "1")  # one minute, around the clock
    number = desk("ticket", "new", "--subject", "Printer", "--body", "broken").stdout.strip()
    later = utcnow() + timedelta(minutes=5)
    monkeypatch.setattr(sla_alerts, "utcnow", lambda: later)
    first = json.loads(desk("sla", "check", "--json").stdout)
    assert [(a["ticket"], a["target"], a["state"]) for a in first] == [(int(number), "first_response", "breached")]
    assert json.loads(desk("sla", "check", "--json").stdout) == []
    assert "SLA first response breached" in desk("timeline", number).stdout


def test_status_renders_the_customer_view(desk, tmp_path):
    number = desk(
        "ticket", "new", "--subject", "Printer <b>", "--body", "broken", "--customer", "eva@example.com"
    ).stdout.strip()
    desk("ticket", "note", number, "--body", "INTERNAL only")
    text = desk("status", number).stdout
    assert text.startswith(f"Request #{number}: Printer <b>") and "INTERNAL" not in text
    out = tmp_path / "page.html"
    assert desk("status", number, "--format", "html", "-o", str(out)).exit_code == 0
    assert "Printer &lt;b&gt;" in out.read_text()
    assert "no ticket #999" in one_error_line(desk("status", "999"), 4)
    assert desk("status", number, "--format", "pdf").exit_code == 2
