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

from models.directory import agents
from models.errors import PermissionDenied
from models.store import namespace
from support.databases import admin_connection, drop_postgres_schema, need_postgres, postgres_schema_url

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


def _ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


@needs_unshare
def test_unshare_cannot_add_an_admin_or_sign_for_someone_else(sportello, db_url):
    db = ("--db", db_url)
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
        with admin_connection() as conn, conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
            if cur.fetchone():
                cur.execute(f'DROP OWNED BY "{role}"')
                cur.execute(f'DROP ROLE "{role}"')


# --- reading the maps ---------------------------------------------------------------------------

INITIAL = "         0          0 4294967295\n"


@pytest.mark.parametrize(
    ("text", "initial"),
    [
        (INITIAL, True),
        ("         0       1000          1\n", False),  # unshare -r by uid 1000
        ("         0          0          1\n", False),  # unshare -r by root
        ("      1000       1000          1\n", False),  # unshare --map-user=1000
        ("         0     100000      65536\n", False),  # a userns-remap container
        ("", False),  # a namespace whose maps were never written
        (INITIAL + "    100000     100000 1\n", False),
    ],
)
def test_only_the_initial_map_counts_as_not_remapped(text, initial):
    assert namespace.is_initial_map(text) is initial


def test_this_test_run_is_not_remapped_but_a_folder_posing_as_proc_is(tmp_path, monkeypatch):
    """The real /proc of this (not namespaced) run passes; a plain folder laid out like /proc with
    the initial maps does not, nor a missing /proc; other systems are not asked."""
    if namespace.remapped_ids():
        pytest.skip("this test run itself is in a user namespace")
    (tmp_path / "self").mkdir()
    for name in ("uid_map", "gid_map"):
        (tmp_path / "self" / name).write_text(INITIAL)
    assert namespace.remapped_ids(str(tmp_path)) is True
    assert namespace.remapped_ids(str(tmp_path / "missing")) is True  # hiding /proc must not get past the check
    monkeypatch.setattr(sys, "platform", "darwin")
    assert namespace.remapped_ids(str(tmp_path / "missing")) is False


def test_os_login_refuses_in_a_remapped_namespace(monkeypatch):
    monkeypatch.setattr(agents, "remapped_ids", lambda: True)
    with pytest.raises(PermissionDenied, match="user namespace that remaps user ids"):
        agents.os_login()


# --- a faked /proc (review point 4) -------------------------------------------------------------
# In its own mount namespace (`unshare -rm`) anyone may mount over /proc or over files in it. Each
# script below prepares such a view and then `exec`s Sportello (same pid, so $$ is its pid).

FAKE_IDENTITY = "         0          0 4294967295"
FAKE_PROC_VIEWS = {
    "an empty /proc/self on a tmpfs": "mount -t tmpfs none /proc; mkdir /proc/self",
    "identity maps on a tmpfs /proc": (
        "mount -t tmpfs none /proc; mkdir /proc/self; "
        f"echo '{FAKE_IDENTITY}' > /proc/self/uid_map; echo '{FAKE_IDENTITY}' > /proc/self/gid_map"
    ),
    "a /proc/self link to a folder of fake maps": (
        f"mkdir fake; echo '{FAKE_IDENTITY}' > fake/uid_map; echo '{FAKE_IDENTITY}' > fake/gid_map; "
        'mount -t tmpfs none /proc; ln -s "$PWD/fake" /proc/self'
    ),
    "fake map files bound over the real ones": (
        f"echo '{FAKE_IDENTITY}' > fake_map; "
        "mount --bind fake_map /proc/$$/uid_map; mount --bind fake_map /proc/$$/gid_map"
    ),
    "a folder bound over the real /proc/PID": (
        f"mkdir fake; echo '{FAKE_IDENTITY}' > fake/uid_map; echo '{FAKE_IDENTITY}' > fake/gid_map; mount --bind fake /proc/$$"
    ),
    # a real procfs file that reads like the initial maps: a namespace's own projid_map
    "the real projid_map bound over the maps": (
        f"echo '{FAKE_IDENTITY}' > /proc/$$/projid_map; "
        "mount --bind /proc/$$/projid_map /proc/$$/uid_map; mount --bind /proc/$$/projid_map /proc/$$/gid_map"
    ),
}


def _unshare_mount_works() -> bool:
    if not shutil.which("unshare"):
        return False
    return (
        subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs none /proc"], capture_output=True).returncode == 0
    )


needs_unshare_mount = pytest.mark.skipif(not _unshare_mount_works(),
                                         reason="unprivileged user and mount namespaces are not available here")  # fmt: skip


@pytest.fixture
def in_namespace(tmp_path):
    """Run ``sportello ARGS`` (or ``python CODE`` with ``code=``) after the shell ``script`` under
    ``unshare OPTIONS`` (cwd: tmp_path)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPORTELLO_")}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""))  # fmt: skip

    def run(options: list[str], script: str, *args: str, code: str | None = None) -> subprocess.CompletedProcess:
        command = f'{script}\nexec "$0" "$@"'
        python = ["-c", code] if code is not None else ["-m", "tui", *args]
        return subprocess.run(["unshare", *options, "sh", "-ec", command, sys.executable, *python], capture_output=True,
                              text=True, env=env, cwd=tmp_path, timeout=120)  # fmt: skip

    return run


@needs_unshare_mount
@pytest.mark.parametrize("view", list(FAKE_PROC_VIEWS))
def test_a_faked_proc_does_not_get_past_the_namespace_check(sportello, in_namespace, tmp_path, view):
    db = ("--db", str(tmp_path / "desk.db"))
    _ok(sportello(*db, "init"))
    agents_before = _ok(sportello(*db, "agent", "list", "--json"))

    refused = in_namespace(["-rm"], FAKE_PROC_VIEWS[view], *db, "agent", "add", "eve", "--role", "admin")
    assert (refused.returncode, refused.stdout, refused.stderr) == (1, "", REFUSAL + "\n")
    assert _ok(sportello(*db, "agent", "list", "--json")) == agents_before


@needs_unshare_mount
def test_a_fresh_procfs_in_a_new_pid_namespace_still_shows_the_remapped_ids(sportello, in_namespace, tmp_path):
    db = ("--db", str(tmp_path / "desk.db"))
    _ok(sportello(*db, "init"))
    fresh = in_namespace(["-rmpf", "--mount-proc"], "test -e /proc/self/uid_map", *db, "agent", "add", "eve")
    assert (fresh.returncode, fresh.stdout, fresh.stderr) == (1, "", REFUSAL + "\n")


@needs_unshare_mount
def test_a_mount_namespace_alone_is_no_reason_to_refuse(in_namespace, sportello, tmp_path):
    """Only the user namespace matters: a private mount namespace by someone who may make one works."""
    if os.geteuid() != 0:
        pytest.skip("only root may make a mount namespace without a user namespace")
    db = ("--db", str(tmp_path / "desk.db"))
    _ok(sportello(*db, "init"))
    _ok(in_namespace(["-m"], 'mount -t tmpfs none "$PWD/config" 2>/dev/null || true', *db, "agent", "add", "eve"))
    assert "eve" in _ok(sportello(*db, "agent", "list"))


@needs_unshare_mount
@pytest.mark.parametrize("view", [v for v in FAKE_PROC_VIEWS if "projid_map" not in v])
def test_without_openat2_a_faked_proc_is_still_refused(in_namespace, view):
    """Kernels before 5.6 (no openat2): the step-by-step walk on the same procfs still sees through
    these (not through a file of the same procfs bound over the maps: see models/store/namespace.py)."""
    code = "from models.store import namespace; namespace._openat2 = lambda *_: None; print(namespace.remapped_ids())"
    faked = in_namespace(["-rm"], FAKE_PROC_VIEWS[view], code=code)
    assert faked.stdout.split() == ["True"], faked.stderr
    if os.geteuid() == 0:  # the same walk on the real /proc (a mount namespace only: root may)
        plain = in_namespace(["-m"], "true", code=code)
        assert plain.stdout.split() == ["False"], plain.stderr
