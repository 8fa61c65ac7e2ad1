"""``sportello mail …`` and ``attachment …``: what an MTA and an agent at the shell rely on."""

from __future__ import annotations

import json
import os
from email.message import EmailMessage

import pytest

from support.cli import HOSTILE, RAW_CONTROLS, one_error_line

MAIL_CONFIG = '[mail]\nfrom = "Acme Support <support@acme.example>"\n'


@pytest.fixture
def cfg(tmp_path) -> str:
    path = tmp_path / "config.toml"
    path.write_text(MAIL_CONFIG)
    os.chmod(path, 0o600)
    return str(path)


def message(subject="Printer on fire", sender="Alice <alice@customer.example>", body="It burns.\n",
            attachment: tuple[str, bytes] | None = None, **headers) -> bytes:  # fmt: skip
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "support@acme.example", subject
    msg["Message-ID"] = f"<{abs(hash((subject, sender, body)))}@customer.example>"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    if attachment:
        msg.add_attachment(attachment[1], maintype="application", subtype="pdf", filename=attachment[0])
    return bytes(msg)


def test_ingest_puts_a_message_on_a_ticket_and_says_where(desk, cfg):
    result = desk("--config", cfg, "mail", "ingest", "--json", input=message())
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["state"] == "ticket" and out["ticket"] == 1 and out["new"] is True
    again = desk("--config", cfg, "mail", "ingest", input=message())
    assert again.exit_code == 0 and "ticket #1" in again.stdout and "already on the desk" in again.stdout
    shown = desk("timeline", "1")
    assert "a new request" in shown.stdout


def test_ingest_exits_75_when_the_desk_cannot_take_the_message(run, cfg, tmp_path):
    missing = f"sqlite:///{tmp_path}/nowhere/desk.db"
    result = run("--config", cfg, "mail", "ingest", input=message(), db=missing)
    line = one_error_line(result, 75)
    assert "tries again" in line


def test_ingest_without_mail_configured_asks_the_mta_to_keep_it(desk, tmp_path):
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    os.chmod(empty, 0o600)
    result = desk("--config", str(empty), "mail", "ingest", input=message())
    assert "[mail]" in one_error_line(result, 75)


def test_ingest_of_nothing_is_a_usage_error(desk, cfg):
    one_error_line(desk("--config", cfg, "mail", "ingest", input=b""), 2)


def test_a_message_that_cannot_be_processed_waits_in_quarantine_and_is_retried(desk, cfg):
    result = desk("--config", cfg, "mail", "ingest", "--json", input=message(sender=""))
    assert result.exit_code == 0 and json.loads(result.stdout)["state"] == "quarantined"
    listed = desk("--config", cfg, "mail", "quarantine", "list")
    assert "sender" in listed.stdout
    retried = desk("--config", cfg, "mail", "quarantine", "retry", "--all", "--json")
    assert json.loads(retried.stdout)[0]["state"] == "quarantined"
    assert desk("--config", cfg, "mail", "quarantine", "retry").exit_code == 2  # name one, or --all


def test_hostile_text_in_mail_is_shown_inert(desk, cfg):
    desk("--config", cfg, "mail", "ingest", input=message(subject=HOSTILE, sender=f'"{HOSTILE}" <eve@x.example>'))
    for args in (("mail", "list"), ("mail", "show", "1"), ("mail", "show", "1", "--raw")):
        out = desk("--config", cfg, *args).stdout
        assert not any(c in out for c in RAW_CONTROLS), args


def test_attachments_are_listed_and_saved_never_over_a_file(desk, cfg, tmp_path):
    desk("--config", cfg, "mail", "ingest", input=message(attachment=("../../invoice\u202efdp.exe", b"%PDF-1.4 x")))
    listed = desk("attachment", "list", "1", "--json")
    [found] = json.loads(listed.stdout)
    assert "/" not in found["filename"] and "\u202e" not in found["filename"]
    target = tmp_path / "saved.pdf"
    saved = desk("attachment", "save", str(found["mail"]), str(found["position"]), "-o", str(target))
    assert saved.exit_code == 0 and target.read_bytes() == b"%PDF-1.4 x"
    again = desk("attachment", "save", str(found["mail"]), str(found["position"]), "-o", str(target))
    assert "exists" in one_error_line(again, 2)
    one_error_line(desk("attachment", "save", "99", "0"), 4)


def test_move_and_split_from_the_shell(desk, cfg):
    desk("--config", cfg, "mail", "ingest", input=message())
    desk("--config", cfg, "mail", "ingest", input=message(subject="Invoice", sender="dario@other.example", body="x"))
    moved = desk("mail", "move", "2", "--to", "1", "--reason", "same printer")
    assert moved.exit_code == 0 and "now on #1" in moved.stdout
    split = desk("mail", "split", "2", "--reason", "an invoice after all")
    assert split.exit_code == 0 and "now ticket #3" in split.stdout
    one_error_line(desk("mail", "move", "2", "--to", "999", "--reason", "x"), 4)
    assert desk("mail", "move", "2", "--to", "1").exit_code == 2  # a move needs a reason


def test_mail_config_errors_name_the_key(desk, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[mail]\nfrom = "not an address"\n')
    os.chmod(bad, 0o600)
    assert "from" in one_error_line(desk("--config", str(bad), "mail", "quarantine", "retry", "--all"), 2)


def test_send_outbox_and_run_from_the_shell(desk, tmp_path):
    from support.smtp_sink import running_sink

    with running_sink() as sink:
        path = tmp_path / "relay.toml"
        path.write_text(MAIL_CONFIG + f'smtp_url = "{sink.url()}"\n')
        os.chmod(path, 0o600)
        cfg = str(path)
        desk("--config", cfg, "mail", "outbox")  # the outbox starts here: nothing before is mailed
        desk("--config", cfg, "mail", "ingest", input=message())
        desk("ticket", "reply", "1", "--body", "Unplug it.")
        listed = desk("--config", cfg, "mail", "outbox", "--json")
        assert json.loads(listed.stdout)["counts"] == {}  # composed only when sending
        sent = desk("--config", cfg, "mail", "send", "--json")
        assert sent.exit_code == 0 and json.loads(sent.stdout)["sent"] == 2 and len(sink.received) == 2
        again = desk("--config", cfg, "mail", "run", "--once")
        assert again.exit_code == 0 and len(sink.received) == 2
        shown = desk("--config", cfg, "mail", "outbox", "--all", "--json")
        assert [m["state"] for m in json.loads(shown.stdout)["mail"]] == ["sent", "sent"]
    down = desk("--config", cfg, "mail", "send")  # the relay has gone
    desk("ticket", "reply", "1", "--body", "Again.")
    down = desk("--config", cfg, "mail", "send")
    assert "cannot reach the relay" in one_error_line(down, 75)
    waiting = desk("--config", cfg, "mail", "outbox")
    assert waiting.stdout.startswith("1 waiting")
