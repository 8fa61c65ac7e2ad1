"""``unshare -r`` no longer lets anyone become any agent (issue 15.1).

The acting login comes from the process's user id; in a user namespace that remaps ids anyone
is uid 0, or whoever they map themselves to. Sportello now refuses to act there, on SQLite and on
PostgreSQL (when the session's role is not an agent's own), and writes nothing. These run the real
program under the real ``unshare -r``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from models import agents
from models.errors import PermissionDenied
from tests.conftest import _admin_connection, drop_postgres_schema, need_postgres, postgres_schema_url

REPO = Path(__file__).resolve().parents[1]
REFUSAL = (
    "sportello: refusing to act inside a user namespace that remaps user ids (unshare -r): "
    "the acting agent could not be proven"
)


def _unshare_works() -> bool:
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-r", "true"], capture_output=True).returncode == 0


needs_unshare = pytest.mark.skipif(not _unshare_works(), reason="unprivileged user namespaces are not available here")


@pytest.fixture
def sportello(tmp_path):
    """Run ``python -m tui`` (optionally under ``unshare -r``); returns the CompletedProcess."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPORTELLO_")}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""))  # fmt: skip

    def run(*args: str, unshare: bool = False) -> subprocess.CompletedProcess:
        prefix = ["unshare", "-r"] if unshare else []
        return subprocess.run([*prefix, sys.executable, "-m", "tui", *args], capture_output=True, text=True,
                              env=env, cwd=tmp_path, timeout=120)  # fmt: skip

    return run


@pytest.fixture(params=["sqlite", "postgres"])
def desk_url(request, tmp_path):
    if request.param == "sqlite":
        yield str(tmp_path / "desk.db")
        return
    need_postgres()
    schema, url = postgres_schema_url()
    try:
        yield url
    finally:
        drop_postgres_schema(schema)


def _ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


@needs_unshare
def test_unshare_cannot_add_an_admin_or_sign_for_someone_else(sportello, desk_url):
    db = ("--db", desk_url)
    _ok(sportello(*db, "init"))
    _ok(sportello(*db, "agent", "add", "giulia.rossi"))
    number = _ok(sportello(*db, "ticket", "new", "--subject", "Printer jams", "--body", "Page 3.")).strip()
    agents_before = _ok(sportello(*db, "agent", "list", "--json"))
    timeline_before = _ok(sportello(*db, "timeline", number, "--json"))

    for args in (("agent", "add", "eve", "--role", "admin"),
                 ("--as", "giulia.rossi", "ticket", "note", number, "--body", "x"),
                 ("ticket", "note", number, "--body", "x")):  # fmt: skip
        refused = sportello(*db, *args, unshare=True)
        assert (refused.returncode, refused.stdout, refused.stderr) == (1, "", REFUSAL + "\n")

    assert _ok(sportello(*db, "agent", "list", "--json")) == agents_before
    assert _ok(sportello(*db, "timeline", number, "--json")) == timeline_before


@needs_unshare
def test_unshare_changes_nothing_for_an_agents_own_database_role(sportello):
    """On PostgreSQL the role proves who acts: the uid is not asked, so a namespace does not matter."""
    need_postgres()
    schema, url = postgres_schema_url()
    role = "sp" + uuid.uuid4().hex[:10] + "_bob"
    bob_url = url.replace("postgres@", f"{role}@", 1)
    try:
        _ok(sportello("--db", url, "init"))
        _ok(sportello("--db", url, "agent", "add", "bob", "--db-role", role))
        number = _ok(sportello("--db", bob_url, "ticket", "new", "--subject", "VPN", "--body", "drops")).strip()
        _ok(sportello("--db", bob_url, "ticket", "note", number, "--body", "from a namespace", unshare=True))
        events = json.loads(_ok(sportello("--db", url, "timeline", number, "--json")))["events"]
        assert [(e["actor"], e["body"]) for e in events] == [("bob", "drops"), ("bob", "from a namespace")]
    finally:
        drop_postgres_schema(schema)
        with _admin_connection() as conn, conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
            if cur.fetchone():
                cur.execute(f'DROP OWNED BY "{role}"')
                cur.execute(f'DROP ROLE "{role}"')


# --- reading the maps ---------------------------------------------------------------------------


def _proc(tmp_path: Path, uid_map: str | None, gid_map: str | None) -> str:
    proc = tmp_path / "self"
    proc.mkdir()
    for name, text in (("uid_map", uid_map), ("gid_map", gid_map)):
        if text is not None:
            (proc / name).write_text(text)
    return str(proc)


INITIAL = "         0          0 4294967295\n"


@pytest.mark.parametrize(
    ("uid_map", "gid_map", "remapped"),
    [
        (INITIAL, INITIAL, False),
        ("         0       1000          1\n", INITIAL, True),  # unshare -r by uid 1000
        ("         0          0          1\n", "         0          0          1\n", True),  # unshare -r by root
        (INITIAL, "         0       1000          1\n", True),
        ("      1000       1000          1\n", INITIAL, True),  # unshare --map-user=1000
        ("         0     100000      65536\n", "         0     100000      65536\n", True),  # a userns-remap container
        ("", "", True),  # a namespace whose maps were never written
        (INITIAL + "    100000     100000 1\n", INITIAL, True),
        (None, None, False),  # /proc is there, the kernel has no user namespaces
    ],
)
def test_remapped_ids_reads_both_maps(tmp_path, monkeypatch, uid_map, gid_map, remapped):
    monkeypatch.setattr(sys, "platform", "linux")
    assert agents.remapped_ids(_proc(tmp_path, uid_map, gid_map)) is remapped


def test_without_proc_linux_refuses_and_other_systems_do_not_ask(tmp_path, monkeypatch):
    missing = str(tmp_path / "no-proc" / "self")
    monkeypatch.setattr(sys, "platform", "linux")
    assert agents.remapped_ids(missing) is True  # hiding /proc must not get past the check
    monkeypatch.setattr(sys, "platform", "darwin")
    assert agents.remapped_ids(missing) is False


def test_os_login_refuses_in_a_remapped_namespace(monkeypatch):
    monkeypatch.setattr(agents, "remapped_ids", lambda: True)
    with pytest.raises(PermissionDenied, match="user namespace that remaps user ids"):
        agents.os_login()
