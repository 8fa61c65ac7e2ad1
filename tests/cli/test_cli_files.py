"""Files the command line writes and reads (issue 15, points 4, 5 and 9): `faq export`, `status -o`,
`sla export -o` and `export -o` never follow a planted link and refuse a folder another user could
write; `faq import` reads regular files only, never more than its limit; `sla export` shows no
terminal control yet round-trips exactly.

The tests run as root: "another user" is uid 65534 given the folder with os.chown.
"""

from __future__ import annotations

import json
import os
import pwd
import resource
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from models.faq import files as faq_files
from support.cli import one_error_line

REPO = Path(__file__).resolve().parents[2]
ME = pwd.getpwuid(os.geteuid()).pw_name
NOBODY = 65534
C1_AND_BIDI = ("\x9b", "\x85", "\u202e", "\u2066")


@pytest.fixture(autouse=True)
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def kb(desk):
    """A desk with a published article (#1) and a draft (#2)."""
    for title in ("Reset your password", "Draft about refunds"):
        assert desk("faq", "new", "--title", title, "--body", f"{title}.\n").exit_code == 0
    assert desk("faq", "publish", "1").exit_code == 0
    return desk


@pytest.fixture
def victim() -> Path:
    """A file another user would like overwritten: the exporter's ~/.bashrc (HOME is a test folder)."""
    bashrc = Path.home() / ".bashrc"
    bashrc.write_text("echo original\n")
    return bashrc


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def private_folder(path: Path) -> Path:
    path.mkdir(mode=0o700)
    return path


# --- faq export ----------------------------------------------------------------------------------


def test_faq_export_replaces_a_planted_link_never_writing_through_it(kb, tmp_path, victim):
    out = private_folder(tmp_path / "out")
    published = out / "00001-reset-your-password.md"
    draft = out / "00002-draft-about-refunds.md"
    published.symlink_to(victim)
    draft.symlink_to(victim)
    assert kb("faq", "export", str(out)).exit_code == 0
    assert victim.read_text() == "echo original\n"
    for path in (published, draft):
        assert not path.is_symlink()
        assert faq_files.parse_article(path.read_text()).title in ("Reset your password", "Draft about refunds")
    # a published article is meant for anyone; a draft may hold a customer's words
    assert (mode(published), mode(draft)) == (0o644, 0o600)
    assert sorted(os.listdir(out)) == [published.name, draft.name]  # no temporary file left


def test_faq_export_creates_a_missing_folder_private(kb, tmp_path):
    out = tmp_path / "new" / "faq"
    assert kb("faq", "export", str(out)).exit_code == 0
    assert (mode(tmp_path / "new"), mode(out)) == (0o700, 0o700)
    assert len(os.listdir(out)) == 2


def test_faq_export_again_replaces_a_renamed_articles_file(kb, tmp_path):
    out = tmp_path / "out"
    assert kb("faq", "export", str(out)).exit_code == 0
    assert kb("faq", "edit", "2", "--title", "Refunds, explained").exit_code == 0
    assert kb("faq", "export", str(out)).exit_code == 0
    assert sorted(os.listdir(out)) == ["00001-reset-your-password.md", "00002-refunds-explained.md"]


@pytest.mark.parametrize(("bits", "owner", "message"), [
    (0o777, None, "may be written by other users"),
    (0o1777, None, "may be written by other users"),
    (0o775, None, "may be written by other users"),
    (0o755, NOBODY, "belongs to another user (uid 65534)"),
])  # fmt: skip
def test_faq_export_refuses_a_folder_another_user_could_write(kb, tmp_path, bits, owner, message):
    out = tmp_path / "planted"
    out.mkdir()
    os.chmod(out, bits)
    if owner is not None:
        os.chown(out, owner, owner)
    line = one_error_line(kb("faq", "export", str(out)), 2)
    assert message in line and str(out) in line
    assert os.listdir(out) == []


# --- status -o, sla export -o, export -o ---------------------------------------------------------


def file_commands(desk) -> list[tuple[str, ...]]:
    number = desk("ticket", "new", "--subject", "Printer", "--body", "It jams.").stdout.strip()
    return [("status", number, "--format", "html", "-o"), ("sla", "export", "-o"), ("export", "-o")]


def test_file_outputs_replace_a_planted_link_and_are_private(desk, tmp_path, victim):
    out = private_folder(tmp_path / "out")
    for n, command in enumerate(file_commands(desk)):
        target = out / f"file{n}"
        target.symlink_to(victim)
        result = desk(*command, str(target))
        assert result.exit_code == 0, (command, result.output)
        assert victim.read_text() == "echo original\n", command
        assert not target.is_symlink() and target.stat().st_size > 0, command
        assert mode(target) == 0o600, command


def test_file_outputs_refuse_a_folder_others_may_write(desk, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    for command in file_commands(desk):
        line = one_error_line(desk(*command, str(shared / "out")), 2)
        assert "may be written by other users" in line, command
    assert os.listdir(shared) == []


# --- faq import ----------------------------------------------------------------------------------


def _limit_memory() -> None:
    one_gib = 1 << 30  # a read of /dev/zero runs into this at once; the command itself needs far less
    resource.setrlimit(resource.RLIMIT_AS, (one_gib, one_gib))


@pytest.fixture
def import_in_child(desk):
    """Run `sportello faq import FOLDER` in a child process, with at most 1 GiB of memory and 30 s."""
    assert desk("agent", "add", ME).exit_code == 0  # the child acts as the real login
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}

    def run(folder: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "tui", "--db", desk.url, "faq", "import", str(folder)],
            capture_output=True, text=True, env=env, timeout=30, preexec_fn=_limit_memory,
        )  # fmt: skip

    return run


def good_article(folder: Path) -> None:
    (folder / "00001-good.md").write_text('---\ntitle: "Good"\n---\nBody\n')


def test_faq_import_skips_a_fifo_without_hanging(desk, import_in_child, tmp_path):
    folder = private_folder(tmp_path / "in")
    os.mkfifo(folder / "00000-fifo.md")  # no writer ever comes: opening it to read would wait forever
    good_article(folder)
    done = import_in_child(folder)
    assert done.returncode == 2, done.stderr
    assert done.stdout.startswith("1 created, 0 updated, 0 unchanged, 1 refused")
    assert done.stderr == "sportello: 00000-fifo.md:1: the file is a FIFO, not a regular file; not read\n"


def test_faq_import_refuses_a_link_to_dev_zero_and_an_oversized_file(desk, import_in_child, tmp_path):
    folder = private_folder(tmp_path / "in")
    (folder / "00000-zero.md").symlink_to("/dev/zero")  # its size says 0; reading it never ends
    (folder / "00002-big.md").write_bytes(b"---\ntitle: big\n---\n" + b"x" * faq_files.MAX_FILE_BYTES)
    good_article(folder)
    done = import_in_child(folder)
    assert done.returncode == 2, done.stderr
    assert done.stdout.startswith("1 created, 0 updated, 0 unchanged, 2 refused")
    assert done.stderr.splitlines() == [
        "sportello: 00000-zero.md:1: the file is a symbolic link; not followed",
        f"sportello: 00002-big.md:1: the file is over {faq_files.MAX_FILE_BYTES:,} bytes; not read",
    ]
    titles = [a["title"] for a in json.loads(desk("faq", "list", "status:draft", "--json").stdout)["articles"]]
    assert titles == ["Good"]


# --- sla export on a terminal and back -----------------------------------------------------------

HOSTILE_RULES = """\
[calendars."Off\\u009b31mice\\u202e"]
timezone = "UTC"
holidays = []
[calendars."Off\\u009b31mice\\u202e".hours]
mon = "09:00-17:00"

[[policies]]
name = "Gold\\u2066 \\u0085tier"
calendar = "Off\\u009b31mice\\u202e"
first_response = "1h"
"""


def test_sla_export_writes_no_terminal_control_and_round_trips_exactly(desk, tmp_path):
    source = tmp_path / "rules.toml"
    source.write_text(HOSTILE_RULES)
    assert desk("sla", "import", str(source)).exit_code == 0
    calendars_before = desk("sla", "calendar", "list", "--json").stdout
    policies_before = desk("sla", "policy", "list", "--json").stdout
    assert "\\u009b31mice\\u202e" in calendars_before  # the stored name holds the controls
    shown = desk("sla", "export").stdout
    assert not any(c in shown for c in C1_AND_BIDI), repr(shown)
    assert "Off\\u009B31mice\\u202E" in shown
    out = private_folder(tmp_path / "out") / "sla.toml"
    assert desk("sla", "export", "-o", str(out)).exit_code == 0
    assert out.read_text() == shown
    desk("sla", "policy", "remove", json.loads(policies_before)[0]["name"])
    desk("sla", "calendar", "remove", "Off\x9b31mice\u202e")
    assert desk("sla", "calendar", "list", "--json").stdout != calendars_before
    assert desk("sla", "import", str(out)).exit_code == 0
    assert desk("sla", "calendar", "list", "--json").stdout == calendars_before
    policies = [
        {k: v for k, v in p.items() if k != "id"} for p in json.loads(desk("sla", "policy", "list", "--json").stdout)
    ]
    assert policies == [{k: v for k, v in p.items() if k != "id"} for p in json.loads(policies_before)]
    assert policies[0]["name"] == "Gold\u2066 tier"  # as stored: names are trimmed and spaced on the way in
