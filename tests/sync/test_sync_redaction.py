"""What a remote answers is kept in the sync log only with the secret redacted: a hostile (or
chatty) remote that echoes the token, the password or the Authorization header in its error body
never gets them stored in the desk or printed by ``sportello sync`` and ``sportello sync-log``."""

from __future__ import annotations

import base64
import html
import json
import re
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, quote_plus

import pytest
import stamina

from models.exchange import sync_state
from models.redaction import MASK, redact, remember_secret
from models.store.config import Config
from models.store.sync_tables import SyncDelivery, SyncRun
from models.tickets import changes as tickets
from support.fake_remote import FakeRemote
from sync.config import remotes_from
from sync.engine import Engine
from sync.remotes.base import RemoteRefused


class EchoingServer(ThreadingHTTPServer):
    """Answers every request with ``status`` and a body that repeats the request's credentials."""

    status = 401


class _Echo(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        auth = self.headers.get("Authorization", "")
        scheme, _, credentials = auth.partition(" ")
        decoded = base64.b64decode(credentials).decode() if scheme == "Basic" else credentials
        body = json.dumps({"error": f"denied for Authorization: {auth}", "you sent": decoded,
                           "headers": dict(self.headers)})  # fmt: skip
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    do_GET = do_POST = do_PUT = do_PATCH = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def echo_server():
    server = EchoingServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def config_file(tmp_path, url: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(f'[remotes.rt]\ntype = "rt"\nurl = "{url}/rt"\nuser = "sportello"\ntoken_env = "RT_TOKEN"\n'
                    f'[remotes.rd]\ntype = "roundup"\nurl = "{url}/rd"\nuser = "sportello"\npassword_env = "RD_PW"\n',
                    encoding="utf-8")  # fmt: skip
    return str(path)


def stored_text() -> str:
    runs = " ".join(r.report for r in SyncRun.select())
    return runs + " ".join(d.note or "" for d in SyncDelivery.select())


# --- the redaction itself ---------------------------------------------------------------------


def test_redact_hides_remembered_secrets_in_every_form_urls_and_authorization_values():
    token = "tok-" + secrets.token_hex(12)
    remember_secret(token)
    said = redact(f'{token} {token.upper()} "x": "{json.dumps(token)[1:-1]}" '
                  "http://ann:hunter2@rt.example/REST Authorization: Basic YW5uOmh1bnRlcjI= "
                  '{"authorization": "token abc"} Bearer eyJhbGciOiJIUzI1NiJ9.payload')  # fmt: skip
    assert token not in said and "hunter2" not in said and "YW5uOmh1bnRlcjI" not in said and "abc" not in said
    assert "eyJhbGci" not in said and said.count(MASK) == 6 and token.upper() in said  # another word entirely
    assert redact("the ticket could not be read: 404") == "the ticket could not be read: 404"


def test_redact_hides_html_escaped_lower_case_percent_and_json_unicode_forms():
    """A remote's HTML error page escapes what it echoes, a proxy lower-cases %2f, JSON writes é
    as \\u00e9 or \\u00E9 and / as \\/: each form of the secret goes."""
    secret = "p&w<'\"/> é+" + secrets.token_hex(8)
    remember_secret(secret)
    hex_tail = secret[-16:]
    forms = {
        "html": html.escape(secret),
        "html, quotes kept": html.escape(secret, quote=False),
        "html, &#39;": html.escape(secret).replace("&#x27;", "&#39;"),
        "percent, lower case": re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), quote(secret, safe="")),
        "form encoded": quote_plus(secret),
        "json \\u00e9": json.dumps(secret)[1:-1],
        "json \\u00E9": json.dumps(secret)[1:-1].replace("\\u00e9", "\\u00E9"),
        "json as UTF-8": json.dumps(secret, ensure_ascii=False)[1:-1],
        "json with \\/": json.dumps(secret)[1:-1].replace("/", "\\/"),
    }
    for name, form in forms.items():
        assert form != secret
        said = redact(f"<p>denied for {form} at 12:00</p>")
        assert said == f"<p>denied for {MASK} at 12:00</p>", name
        assert hex_tail not in said


def test_a_secret_cut_short_at_the_end_goes_too():
    token = "cut-" + secrets.token_hex(12)
    remember_secret(token)
    assert redact(f"refused: field was {token[:11]}") == f"refused: field was {MASK}"
    assert redact("refused: cut") == "refused: cut"  # under four characters: not a secret's start worth hiding


def test_redaction_is_linear_on_a_hostile_text():
    hostile = "://" + ":" * 200_000 + " authorization:" + " " * 200_000 + " token " + " " * 200_000 + "x"
    started = time.perf_counter()
    redact(hostile * 2)
    assert time.perf_counter() - started < 1


# --- a remote that echoes the credential in its error bodies ---------------------------------------


@pytest.mark.parametrize("status", [401, 500])
def test_sync_and_sync_log_never_show_the_token_or_password_a_remote_echoed(desk, tmp_path, echo_server, status):
    echo_server.status = status
    token, password = "rt-" + secrets.token_hex(16), "pw-" + secrets.token_hex(16)
    basic = base64.b64encode(f"sportello:{password}".encode()).decode()
    env = {"RT_TOKEN": token, "RD_PW": password}
    cfg = config_file(tmp_path, f"http://127.0.0.1:{echo_server.server_port}")
    with stamina.set_testing(True, attempts=2):
        first = desk("--config", cfg, "sync", env=env)  # pull: refused (or failing) at once
        assert desk("ticket", "new", "--subject", "After adding", "--body", "hello").exit_code == 0
        second = desk("--config", cfg, "sync", "--push-only", "--json", env=env)  # push: refused by the remote
    assert first.exit_code == 1 and "errors" in first.stdout
    assert second.exit_code == 1 and json.loads(second.stdout)["remotes"][0]["errors"] >= 1
    printed = [first.output, second.output]
    for argv in (("sync-log",), ("sync-log", "--json")):
        log = desk("--config", cfg, *argv, env=env)
        assert log.exit_code == 0
        printed.append(log.output)
    if status == 401:
        assert "refused with 401" in printed[-2] and MASK in printed[-2]  # the body is kept, redacted
    for text in [*printed, stored_text()]:
        assert token not in text and password not in text and basic not in text


def test_sync_log_redacts_a_run_stored_before_redaction(desk, tmp_path):
    """Rows an older version stored as the remote said them: printed with the configured secrets hidden."""
    token = "old-" + secrets.token_hex(16)
    cfg = config_file(tmp_path, "http://127.0.0.1:9")
    from models import close_database, open_database

    open_database(desk.url)
    remote = sync_state.remote_state("rt", "rt")
    run = sync_state.start_run(remote, "both")
    SyncRun.update(report=json.dumps([{"what": "error", "where": "rt", "problem": f"GET /tickets: refused ({token})"}]),
                   finished_at=run.started_at, errors=1).where(SyncRun.id == run.id).execute()  # fmt: skip
    close_database()
    for argv in (("sync-log",), ("sync-log", "--json")):
        log = desk("--config", cfg, *argv, env={"RT_TOKEN": token, "RD_PW": "unset-" + secrets.token_hex(4)})
        assert log.exit_code == 0 and "GET /tickets: refused" in log.stdout and token not in log.output


# --- the engine: remote text in a refused delivery ------------------------------------------------


class EchoingRemote(FakeRemote):
    """An in-memory remote whose refusal quotes the secret, cut at 200 characters as RT's adapter cuts it."""

    def __init__(self, secret: str):
        super().__init__("fake")
        self.secret = secret

    def add_message(self, remote_id, body, *, public):
        said = f"field refused; you sent {self.secret}; " + "x" * 128 + self.secret  # ten characters of it fit
        raise RemoteRefused(f"PUT /ticket/{remote_id}: refused: {said[:200]}")


def test_a_refused_push_stores_and_reports_the_remotes_words_redacted(admin):
    secret = "eng-" + secrets.token_hex(16)
    remember_secret(secret)  # as the transport does for what it sends
    remote = EchoingRemote(secret)
    key = remote.remote_create("VPN drops", "It drops every hour.")
    table = {"type": "rt", "url": "http://127.0.0.1:9/rt", "user": "sportello", "token_env": "X"}
    config = remotes_from(Config(remotes={"fake": table}))["fake"]
    Engine(config, remote).run()
    number = sync_state.ticket_link_by_key(sync_state.find_remote("fake"), key).ticket_id
    tickets.add_reply(admin, number, "On it.")
    summary = Engine(config, remote).run()
    (item,) = [i for i in summary.report if i["what"] == "error"]
    assert "field refused; you sent ***" in item["problem"] and item["problem"].endswith(MASK)
    (delivery,) = SyncDelivery.select().where(SyncDelivery.state == "refused")
    assert "you sent ***" in delivery.note
    stored = stored_text()
    assert secret not in stored and secret[:8] not in stored
