"""The ``sportello`` command line, run in-process with click's CliRunner on SQLite and PostgreSQL.

Every test passes ``--db`` with the ``db_url`` fixture; the acting OS login is set by patching
``models.directory.agents.os_login`` (the one function the CLI asks).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from models.store import db as dbmod
from models.store.config import config_dir, data_dir
from support.cli import HOSTILE, RAW_CONTROLS, one_error_line
from tui.cli import common as cli_common
from tui.cli.root import cli


@pytest.fixture
def cli_runner(login):
    runner = CliRunner()
    return lambda *args, env=None: runner.invoke(cli, list(args), env=env, catch_exceptions=False)


def new_ticket(run, subject="Printer jams", body="It jams on page 2.", *extra: str) -> int:
    result = run("ticket", "new", "--subject", subject, "--body", body, *extra)
    assert result.exit_code == 0, result.output
    return int(result.stdout.strip())


def count_tickets(run) -> int:
    result = run("ticket", "list", "--json", "--limit", "500")
    assert result.exit_code == 0, result.output
    return len(json.loads(result.stdout)["tickets"])


# --- the desk and who acts ----------------------------------------------------------------------


def test_init_makes_the_current_login_admin_and_is_idempotent(run):
    first = run("init")
    assert first.exit_code == 0 and "You are ada (admin)" in first.stdout
    again = run("init")
    assert again.exit_code == 0 and "Desk ready at" in again.stdout
    listed = json.loads(run("agent", "list", "--json").stdout)
    assert listed == [{"login": "ada", "name": "ada", "role": "admin", "active": True}]


def test_a_missing_desk_says_to_run_init(run):
    line = one_error_line(run("ticket", "list"), 1)
    if run.url.startswith("sqlite"):
        assert "sportello init" in line
    assert "password" not in line


def test_an_unknown_login_is_refused_with_the_agent_add_hint(desk, login):
    login("mallory")
    line = one_error_line(desk("ticket", "list"), 1)
    assert "sportello agent add mallory" in line
    assert one_error_line(desk("init"), 1).endswith("sportello agent add mallory`")


def test_as_is_for_admins_only(desk, login):
    assert desk("agent", "add", "bob", "--name", "Bob Agent").exit_code == 0
    number = new_ticket(desk)
    as_bob = desk("--as", "bob", "ticket", "note", str(number), "--body", "written for bob")
    assert as_bob.exit_code == 0, as_bob.output
    events = json.loads(desk("timeline", str(number), "--json").stdout)["events"]
    assert events[-1]["actor"] == "bob"
    login("bob")
    assert "only an admin" in one_error_line(desk("--as", "ada", "ticket", "list"), 1)
    assert desk("ticket", "list").exit_code == 0  # bob as himself is fine


def test_agent_commands(desk, login):
    assert desk("agent", "add", "bob", "--role", "lead").stdout.strip() == "added bob (lead)"
    assert "already exists" in one_error_line(desk("agent", "add", "bob"), 3)
    assert desk("agent", "add", "eve", "--role", "boss").exit_code == 2  # not a role
    assert desk("agent", "deactivate", "bob").exit_code == 0
    text = desk("agent", "list").stdout.splitlines()
    assert text[0].split() == ["LOGIN", "ROLE", "ACTIVE", "NAME"]
    assert any(line.split()[:3] == ["bob", "lead", "no"] for line in text[1:])
    login("bob")
    assert "deactivated" in one_error_line(desk("ticket", "list"), 1)
    login("ada")
    assert desk("agent", "activate", "bob").exit_code == 0
    assert one_error_line(desk("agent", "deactivate", "nobody"), 4)
    login("bob")
    assert "only an admin" in one_error_line(desk("agent", "add", "carl"), 1)


# --- tickets ------------------------------------------------------------------------------------


def test_ticket_lifecycle(desk):
    assert desk("agent", "add", "bob").exit_code == 0
    first = new_ticket(desk, "Printer on 3rd floor jams", "Paper jam.", "--customer", "mario@acme.it",
                       "--customer-name", "Mario Rossi", "--org", "Acme Srl", "--priority", "high",
                       "--tag", "printer", "--assignee", "bob")  # fmt: skip
    second = new_ticket(desk, "VPN drops every hour", "Since Monday.")
    assert (first, second) == (1, 2)

    table = desk("ticket", "list").stdout.splitlines()
    assert table[0].split()[:4] == ["#", "STATUS", "PRIO", "SUBJECT"]
    assert all(len(line) <= 80 for line in table)
    row = next(line for line in table if line.split()[0] == "1")
    assert "new" in row and "high" in row and "Mario Rossi" in row and "bob" in row

    assert desk("ticket", "set", "1", "--status", "open", "--priority", "urgent", "--reason", "CEO's printer", "--requested-by", "own call",
                "--assignee", "none", "--tag", "+hardware", "--tag", "-printer").stdout.strip() == "2"  # fmt: skip
    assert desk("ticket", "reply", "1", "--body", "On my way.").stdout.strip() == "3"
    assert desk("ticket", "note", "1", input="Needs a new fuser.\n").stdout.strip() == "4"
    assert desk("ticket", "reply", "1", "--customer", "--body", "Thanks!").stdout.strip() == "5"

    shown = desk("ticket", "show", "1")
    assert shown.exit_code == 0
    assert shown.stdout.startswith("#1  Printer on 3rd floor jams")
    for expected in ("status:       open", "priority:     urgent", "tags:         hardware", "Acme Srl",
                     "priority high → urgent (CEO's printer, asked by own call)", "    Needs a new fuser."):  # fmt: skip
        assert expected in shown.stdout
    data = json.loads(desk("ticket", "show", "1", "--json").stdout)
    assert data["tags"] == ["hardware"] and data["assignee"] is None and data["version"] == 5
    assert data["customer"]["email"] == "mario@acme.it" and data["organization"]["name"] == "Acme Srl"
    assert data["created_at"].endswith("+00:00")

    timeline = desk("timeline", "1")
    assert "Mario Rossi <mario@acme.it>: replied" in timeline.stdout
    kinds = [e["kind"] for e in json.loads(desk("timeline", "1", "--json").stdout)["events"]]
    assert kinds == ["created", "status", "priority", "assignee", "tags", "reply", "note", "reply"]

    merged = desk("ticket", "merge", "2", "1", "--reason", "same printer")
    assert merged.stdout.strip() == "merged #2 into #1"
    after = json.loads(desk("ticket", "show", "2", "--json").stdout)
    assert after["status"] == "closed" and after["merged_into"] == 1
    assert "no FAQ article #9" in one_error_line(desk("ticket", "link-faq", "1", "9"), 4)


def test_public_timeline_hides_notes_priority_and_assignee(desk):
    number = new_ticket(desk)
    desk("agent", "add", "bob")
    for args in (
        ["--priority", "high", "--reason", "VIP", "--requested-by", "sales: Rossi"],
        ["--assignee", "bob"],
        ["--tag", "x"],
    ):
        assert desk("ticket", "set", str(number), *args).exit_code == 0
    desk("ticket", "note", str(number), "--body", "secret internal remark")
    desk("ticket", "set", str(number), "--status", "pending", "--reason", "waiting for your logs")
    public = desk("timeline", str(number), "--public")
    assert "secret internal remark" not in public.stdout
    assert "priority" not in public.stdout and "assignee" not in public.stdout and "[internal]" not in public.stdout
    assert "status new → pending (waiting for your logs)" in public.stdout
    kinds = [e["kind"] for e in json.loads(desk("timeline", str(number), "--public", "--json").stdout)["events"]]
    assert kinds == ["created", "status"]
    assert "[internal]" in desk("timeline", str(number)).stdout


def test_stale_expect_version_is_a_conflict_naming_who_changed_what(desk):
    number = new_ticket(desk)
    assert desk("ticket", "set", str(number), "--status", "open", "--expect-version", "1").stdout.strip() == "2"
    line = one_error_line(desk("ticket", "note", str(number), "--body", "late", "--expect-version", "1"), 3)
    assert "version 1, now 2" in line and "ada status new → open" in line
    assert one_error_line(desk("ticket", "set", str(number), "--tag", "x", "--expect-version", "1"), 3)


def test_set_is_one_change_all_or_nothing(desk):
    number = str(new_ticket(desk))
    out = desk("ticket", "set", number, "--status", "open", "--tag", "a", "--expect-version", "1")
    assert out.stdout.strip() == "2"
    failed = desk("ticket", "set", number, "--status", "pending", "--assignee", "ghost")
    assert "no agent 'ghost'" in one_error_line(failed, 4)
    assert json.loads(desk("ticket", "show", number, "--json").stdout)["status"] == "open"
    assert desk("ticket", "set", number).exit_code == 2  # nothing to change


def test_rule_and_input_errors_have_their_exit_codes(desk):
    number = str(new_ticket(desk))
    assert "needs a reason" in one_error_line(desk("ticket", "set", number, "--priority", "high"), 2)
    assert "who asked" in one_error_line(desk("ticket", "set", number, "--priority", "high", "--reason", "VIP"), 2)
    assert "needs a reason" in one_error_line(desk("ticket", "set", number, "--status", "on_hold"), 2)
    assert "unknown status 'paused'" in one_error_line(desk("ticket", "set", number, "--status", "paused"), 2)
    assert desk("ticket", "set", number, "--status", "resolved").exit_code == 0
    line = one_error_line(desk("ticket", "set", number, "--status", "pending"), 1)
    assert "cannot go from resolved to pending (allowed: " in line and "closed" in line and "open" in line
    for args in (["ticket", "show", "999"], ["timeline", "999"], ["ticket", "set", "999", "--tag", "x"],
                 ["ticket", "note", "999", "--body", "x"]):  # fmt: skip
        assert "no ticket #999" in one_error_line(desk(*args), 4)
    assert desk("ticket", "show", "abc").exit_code == 2  # click usage error
    assert desk("ticket", "frobnicate").exit_code == 2


def test_bad_input_writes_nothing(desk):
    before = count_tickets(desk)
    assert "subject is empty" in one_error_line(desk("ticket", "new", "--subject", "  ", "--body", "x"), 2)
    line = one_error_line(desk("ticket", "new", "--subject", "x" * 501, "--body", "x"), 2)
    assert "501 characters" in line
    big = "a" * 1_000_001
    assert "1 MB" in one_error_line(desk("ticket", "new", "--subject", "big", "--body", big), 2)
    assert "1 MB" in one_error_line(desk("ticket", "new", "--subject", "big", input=big.encode()), 2)
    assert "empty" in one_error_line(desk("ticket", "new", "--subject", "nobody", input=b""), 2)
    assert "not valid UTF-8" in one_error_line(desk("ticket", "new", "--subject", "bin", input=b"ok \xff\xfe"), 2)
    assert "not valid UTF-8" in one_error_line(desk("ticket", "new", "--subject", "bad \udcff", "--body", "x"), 2)
    assert count_tickets(desk) == before == 0
    number = new_ticket(desk)
    assert "not valid UTF-8" in one_error_line(desk("ticket", "reply", str(number), input=b"\xc3("), 2)
    assert json.loads(desk("ticket", "show", str(number), "--json").stdout)["version"] == 1


def test_a_terminal_on_stdin_is_refused_not_waited_on(monkeypatch):
    class Terminal:
        closed = False

        def isatty(self):
            return True

        def read(self, *_):
            raise AssertionError("must not read from a terminal")

    monkeypatch.setattr(cli_common.click, "get_binary_stream", lambda name: Terminal())
    with pytest.raises(cli_common.InvalidInput, match="pass --body TEXT or pipe"):
        cli_common.read_body(None)


def test_hostile_text_is_inert_in_text_and_exact_in_json(desk):
    number = new_ticket(desk, HOSTILE, HOSTILE + "\nsecond line", "--customer", "evil@example.com",
                        "--customer-name", HOSTILE, "--tag", "x")  # fmt: skip
    desk("ticket", "set", str(number), "--priority", "high", "--reason", HOSTILE, "--requested-by", HOSTILE)
    outputs = [
        desk("ticket", "list"),
        desk("ticket", "list", "Bad"),
        desk("ticket", "show", str(number)),
        desk("timeline", str(number)),
        desk("timeline", str(number), "--public"),
        desk("ticket", "set", str(number), "--status", "paused"),  # error path
    ]
    for result in outputs:
        for raw in RAW_CONTROLS:
            assert raw not in result.output, (raw, result.output)
    shown = desk("ticket", "show", str(number)).stdout
    assert "[@click=app.quit]" in shown  # markup stays literal: the CLI never renders markup
    assert "\ufffd]0;pwned\ufffd" in shown
    text = desk("ticket", "show", str(number), "--json").stdout
    for raw in RAW_CONTROLS:
        assert raw not in text
    data = json.loads(text)
    assert data["subject"] == HOSTILE and data["customer"]["name"] == HOSTILE
    assert data["events"][0]["body"] == HOSTILE + "\nsecond line"
    assert data["events"][-1]["reason"] == HOSTILE
    listed = json.loads(desk("ticket", "list", "--json").stdout)["tickets"][0]
    assert listed["subject"] == HOSTILE


def test_list_pages_with_a_cursor_hint_on_stderr(desk):
    for i in range(3):
        new_ticket(desk, f"Ticket {i}")
    first = desk("ticket", "list", "--limit", "2")
    assert len(first.stdout.splitlines()) == 3  # header + 2
    hint = first.stderr.strip()
    assert hint.startswith("Next page: sportello --db ") and "ticket list --limit 2 --after " in hint
    cursor = hint.split("--after ")[1].strip("'")
    rest = desk("ticket", "list", "--limit", "2", "--after", cursor)
    assert len(rest.stdout.splitlines()) == 2 and rest.stderr == ""
    page = json.loads(desk("ticket", "list", "--limit", "2", "--json").stdout)
    assert page["next_cursor"] and len(page["tickets"]) == 2
    assert "paused" in one_error_line(desk("ticket", "list", "status:paused"), 2)


def test_list_help_includes_the_query_language(cli_runner):
    result = cli_runner("ticket", "list", "--help")
    assert result.exit_code == 0
    assert "status:new|open|pending|on_hold|resolved|closed" in result.stdout
    assert "sort:updated|created|priority|due" in result.stdout


def test_export_import_round_trip(desk, tmp_path, login):
    number = new_ticket(desk, "Export me", HOSTILE, "--customer", "a@b.co", "--tag", "keep")
    desk("ticket", "note", str(number), "--body", "internal")
    dump = tmp_path / "desk.jsonl"
    exported = desk("export", "--format", "jsonl", "-o", str(dump))
    assert exported.exit_code == 0, exported.output
    assert "exported" in exported.stderr and oct(dump.stat().st_mode & 0o777) == "0o600"
    to_stdout = desk("export")
    assert to_stdout.stdout == dump.read_text(encoding="utf-8")

    target = f"sqlite:///{tmp_path}/restored.db"
    assert desk("init", db=target).exit_code == 0
    imported = desk("import", str(dump), db=target)
    assert imported.exit_code == 0, imported.output
    assert imported.stdout.startswith("imported ")
    for args in (["ticket", "show", str(number), "--json"], ["timeline", str(number), "--json"]):
        assert json.loads(desk(*args, db=target).stdout) == json.loads(desk(*args).stdout)
    again = desk("import", "-", db=target, input=dump.read_bytes())
    assert "empty" in one_error_line(again, 1)


def test_import_needs_an_admin_and_valid_utf8(desk, tmp_path, login):
    header = desk("export").stdout.splitlines()[0]
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(header.encode() + b"\n\xff\n")
    target = f"sqlite:///{tmp_path}/fresh.db"
    assert desk("init", db=target).exit_code == 0
    assert "line 2: not valid UTF-8" in one_error_line(desk("import", str(bad), db=target), 2)
    assert "line 1: " in one_error_line(desk("import", "-", db=target, input=b"{}\n"), 2)
    assert "cannot read" in one_error_line(desk("import", str(tmp_path / "none.jsonl"), db=target), 2)
    desk("agent", "add", "bob", db=target)
    login("bob")
    assert "only an admin" in one_error_line(desk("import", str(bad), db=target), 1)


def test_demo_builds_a_small_desk_then_lists(run):
    result = run("demo", "--tickets", "50", "--no-tui")
    assert result.exit_code == 0, result.output
    assert "Demo desk ready" in result.stdout
    assert "full-screen" not in result.output  # --no-tui: no app
    assert count_tickets(run) == 50
    line = one_error_line(run("demo", "--tickets", "50", "--no-tui"), 1)
    assert "already has 50 tickets" in line  # a named desk with tickets is never filled again


# --- whole program behaviour --------------------------------------------------------------------


def test_no_subcommand_without_a_terminal_says_the_app_needs_one(cli_runner):
    result = cli_runner()
    assert result.exit_code == 2
    assert "the full-screen app needs a terminal" in result.stderr and "--help" in result.stderr
    assert cli_runner("--help").stdout.startswith("Usage: ")
    assert cli_runner("--version").stdout.startswith("sportello ")
    assert cli_runner("--no-such-option").exit_code == 2


def test_unexpected_errors_are_one_line_unless_debugging(desk, monkeypatch):
    from models.tickets import changes as tickets

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom\nsecond line")

    monkeypatch.setattr(tickets, "get_ticket", boom)
    line = one_error_line(desk("ticket", "show", "1"), 1)
    assert line.startswith("sportello: internal error: RuntimeError: kaboom second line")
    with pytest.raises(RuntimeError):
        desk("ticket", "show", "1", env={"SPORTELLO_DEBUG": "1"})

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(tickets, "get_ticket", interrupt)
    assert one_error_line(desk("ticket", "show", "1"), 130) == "sportello: interrupted"


# --- configuration (SQLite only: it is about finding the file) ----------------------------------


def desk_path(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()[0].removeprefix("Desk ready at ")


def test_config_precedence(cli_runner, tmp_path):
    assert desk_path(cli_runner("init")) == str(data_dir() / "sportello.db")
    config = config_dir() / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'db = "{tmp_path}/from-file.db"\n')
    assert desk_path(cli_runner("init")) == f"{tmp_path}/from-file.db"
    env = {"SPORTELLO_DB": f"{tmp_path}/from-env.db"}
    assert desk_path(cli_runner("init", env=env)) == f"{tmp_path}/from-env.db"
    assert desk_path(cli_runner("--db", f"{tmp_path}/from-cli.db", "init", env=env)) == f"{tmp_path}/from-cli.db"
    other = tmp_path / "other.toml"
    other.write_text(f'db = "sqlite:///{tmp_path}/other.db"\n')
    assert desk_path(cli_runner("--config", str(other), "init")) == f"{tmp_path}/other.db"
    assert desk_path(cli_runner("init", env={"SPORTELLO_CONFIG": str(other)})) == f"{tmp_path}/other.db"


def test_demo_defaults_to_its_own_file_and_reuses_it(cli_runner):
    built = cli_runner("demo", "--tickets", "20", "--no-tui")
    assert built.exit_code == 0, built.output
    assert str(data_dir() / "demo.db") in built.stdout
    assert not (data_dir() / "sportello.db").exists()  # the real desk is untouched
    again = cli_runner("demo", "--tickets", "20")
    assert again.exit_code == 0, again.output
    assert "already there (20 tickets)" in again.stdout
    assert "the full-screen app needs a terminal" in again.stderr  # the desk is ready; no app without a terminal


def test_malformed_config_is_one_line_naming_the_line(cli_runner):
    config = config_dir() / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('# desk\ndb = "x.db"\ndb = = 3\n')
    line = one_error_line(cli_runner("ticket", "list"), 2)
    assert "config.toml line 3:" in line
    assert "does not exist" in one_error_line(cli_runner("--config", "/nowhere/c.toml", "ticket", "list"), 2)


# --- broken databases (SQLite files) ------------------------------------------------------------


@pytest.fixture
def sqlite_desk(cli_runner, tmp_path) -> tuple[Path, callable]:
    path = tmp_path / "desk.db"
    run = lambda *args: cli_runner("--db", str(path), *args)  # noqa: E731
    assert run("init").exit_code == 0
    assert run("ticket", "new", "--subject", "s", "--body", "b").exit_code == 0
    return path, run


def _make_read_only(path: Path, monkeypatch) -> callable:
    """Make the database read-only for real: chmod for a normal user, ``chattr +i`` for root
    (root ignores file modes); where neither works, SQLite's own query_only switch."""
    if os.geteuid() != 0:
        path.chmod(0o400)
        return lambda: path.chmod(0o600)
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
    if done.returncode == 0:
        return lambda: subprocess.run(["chattr", "-i", str(path)], check=True)
    monkeypatch.setitem(dbmod.SQLITE_PRAGMAS, "query_only", 1)
    return lambda: None


def test_read_only_database_is_one_line(sqlite_desk, monkeypatch):
    path, run = sqlite_desk
    undo = _make_read_only(path, monkeypatch)
    try:
        result = run("ticket", "new", "--subject", "s", "--body", "b")
    finally:
        undo()
    line = one_error_line(result, 1)
    assert "read-only" in line or "cannot open" in line


def test_corrupt_database_is_one_line(sqlite_desk):
    path, run = sqlite_desk
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.write_bytes(b"this is not a database, just garbage bytes\x00\xff" * 200)
    assert "corrupt" in one_error_line(run("ticket", "list"), 1)


def test_locked_database_is_one_line(sqlite_desk, monkeypatch):
    path, run = sqlite_desk
    monkeypatch.setitem(dbmod.SQLITE_PRAGMAS, "busy_timeout", 200)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        result = run("ticket", "new", "--subject", "s", "--body", "b")
    finally:
        holder.close()
    assert "locked" in one_error_line(result, 1)


def test_list_takes_a_query_in_several_words_even_starting_with_minus(desk):
    spam = new_ticket(desk, "Win a prize", "click here")
    desk("ticket", "set", str(spam), "--tag", "+spam")
    real = new_ticket(desk, "Printer broken", "it smokes")
    listed = desk("ticket", "list", "-tag:spam", "is:open", "--json")
    assert [t["number"] for t in json.loads(listed.stdout)["tickets"]] == [real]


def test_queues_are_added_by_leads_and_used_by_everyone(desk):
    assert desk("agent", "add", "bob").exit_code == 0
    assert desk("queue", "add", "Billing", "--description", "Invoices and refunds").exit_code == 0
    assert "Billing" in desk("queue", "list").stdout
    number = new_ticket(desk, "Refund please", "Charged twice", "--queue", "billing")
    shown = json.loads(desk("ticket", "show", str(number), "--json").stdout)
    assert shown["queue"] == "Billing"
    assert "already exists" in one_error_line(desk("queue", "add", "billing"), 3)
