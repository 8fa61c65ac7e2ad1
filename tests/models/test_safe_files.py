"""models.store.safe_files: folders another user could control are refused, writes never follow a planted
link, reads take regular files only and never more than the limit.

The tests run as root, so "another user" is simulated by giving a folder, link or file to uid 65534.
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from models.store import safe_files
from models.store.safe_files import UnsafePath

NOBODY = 65534


@pytest.fixture(autouse=True)
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


# --- the output folder ---------------------------------------------------------------------------


def test_a_missing_folder_is_created_private_at_every_level(tmp_path):
    target = tmp_path / "a" / "b"
    with safe_files.output_folder(target, create=True) as folder:
        folder.write("x.txt", "hi")
    assert (mode(tmp_path / "a"), mode(target)) == (0o700, 0o700)
    assert (target / "x.txt").read_text() == "hi"


def test_a_missing_folder_is_not_created_unless_asked(tmp_path):
    with pytest.raises(FileNotFoundError):
        safe_files.output_folder(tmp_path / "missing")
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("bits", [0o777, 0o770, 0o757, 0o1777])
def test_a_folder_others_may_write_is_refused(tmp_path, bits):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, bits)
    with pytest.raises(UnsafePath, match="may be written by other users"):
        safe_files.output_folder(shared)


def test_a_folder_of_another_user_is_refused(tmp_path):
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o755)
    os.chown(theirs, NOBODY, NOBODY)
    with pytest.raises(UnsafePath, match=r"belongs to another user \(uid 65534\)"):
        safe_files.output_folder(theirs)


def test_a_path_through_another_users_link_is_refused_and_ones_own_link_is_followed(tmp_path):
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(real)
    with safe_files.output_folder(link) as folder:  # my own link: followed
        folder.write("mine.txt", "ok")
    assert (real / "mine.txt").read_text() == "ok"
    os.lchown(link, NOBODY, NOBODY)
    with pytest.raises(UnsafePath, match="symbolic link owned by another user"):
        safe_files.output_folder(link)
    with pytest.raises(UnsafePath, match="symbolic link owned by another user"):
        safe_files.output_folder(link / "deeper", create=True)
    assert not (real / "deeper").exists()


def test_a_folder_on_the_way_that_others_may_change_is_refused(tmp_path):
    """Another user who may write a folder above the target (no sticky bit), or who owns it, could
    swap the folder inside for a link to one of yours between the check and the write."""
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "mine" / "out").mkdir(parents=True, mode=0o700)
    for bits, owner in ((0o777, 0), (0o775, 0), (0o757, 0), (0o755, NOBODY)):
        os.chmod(shared, bits)
        os.chown(shared, owner, owner)
        with pytest.raises(UnsafePath, match=f"is reached through {shared}, which ") as refused:
            safe_files.output_folder(shared / "mine" / "out")
        assert ("belongs to another user (uid 65534)" if owner else "other users may write (no sticky bit)") in str(
            refused.value)  # fmt: skip
        with pytest.raises(UnsafePath, match=f"is reached through {shared}, which "):
            safe_files.output_folder(shared / "mine" / "new", create=True)
        assert not (shared / "mine" / "new").exists()
    os.chown(shared, 0, 0)
    os.chmod(shared, 0o1777)  # as /tmp: no one may rename or remove what is yours in it
    with safe_files.output_folder(shared / "mine" / "out") as folder:
        folder.write("x.txt", "ok")
    assert (shared / "mine" / "out" / "x.txt").read_text() == "ok"


def test_a_folder_is_reached_by_descriptors_not_by_its_name_again(tmp_path, monkeypatch):
    """The folder written in is the one checked: swapping a folder on the way just after each step
    was looked at changes nothing (before, the whole name was looked up again at the end)."""
    mine = tmp_path / "mine"
    (mine / "out").mkdir(parents=True, mode=0o700)
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "out").mkdir(parents=True, mode=0o700)
    real_lstat = os.lstat
    swapped = []

    def swap_after(path):
        if not swapped and Path(str(path)).name == "out":  # the last step was looked at: swap its parent now
            os.rename(mine, tmp_path / "old")
            os.symlink(elsewhere, mine)
            swapped.append(True)

    def lstat(path, *args, **kwargs):
        info = real_lstat(path, *args, **kwargs)
        swap_after(path)
        return info

    monkeypatch.setattr(os, "lstat", lstat)
    real_open = os.open

    def opened(path, flags, *args, dir_fd=None, **kwargs):
        fd = real_open(path, flags, *args, dir_fd=dir_fd, **kwargs)
        swap_after(path)
        return fd

    monkeypatch.setattr(os, "open", opened)
    with safe_files.output_folder(mine / "out") as folder:
        folder.write("x.txt", "checked")
    monkeypatch.undo()
    assert swapped and (tmp_path / "old" / "out" / "x.txt").read_text() == "checked"
    assert not (elsewhere / "out" / "x.txt").exists()


# --- atomic writes -------------------------------------------------------------------------------


def test_a_link_planted_at_the_target_name_is_replaced_never_followed(tmp_path):
    victim = tmp_path / "bashrc"
    victim.write_text("original\n")
    out = tmp_path / "out"
    out.mkdir(mode=0o700)
    (out / "00001-reset.md").symlink_to(victim)
    with safe_files.output_folder(out) as folder:
        folder.write("00001-reset.md", "article\n", safe_files.SHARED)
    assert victim.read_text() == "original\n"
    assert not (out / "00001-reset.md").is_symlink()
    assert (out / "00001-reset.md").read_text() == "article\n"
    assert mode(out / "00001-reset.md") == 0o644


def test_the_chosen_mode_is_kept_even_over_an_existing_wider_file(tmp_path):
    (tmp_path / "page.html").write_text("old")
    os.chmod(tmp_path / "page.html", 0o666)
    safe_files.write_file(tmp_path / "page.html", "new")
    assert (tmp_path / "page.html").read_text() == "new" and mode(tmp_path / "page.html") == 0o600


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path):
    (tmp_path / "data.jsonl").write_text("old")
    with pytest.raises(RuntimeError), safe_files.output_folder(tmp_path) as folder:
        with folder.open("data.jsonl") as out:
            out.write("half")
            raise RuntimeError("disk full")
    assert sorted(os.listdir(tmp_path)) == ["data.jsonl"]
    assert (tmp_path / "data.jsonl").read_text() == "old"


def test_names_must_be_plain(tmp_path):
    with safe_files.output_folder(tmp_path) as folder:
        for bad in ("../escape", "a/b", "", ".."):
            with pytest.raises(ValueError):
                folder.write(bad, "x")


# --- reading -------------------------------------------------------------------------------------


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "article.md"
    os.mkfifo(fifo)
    outcome: list = []

    def read() -> None:
        try:
            safe_files.read_regular(fifo, limit=100)
        except UnsafePath as exc:
            outcome.append(exc.reason)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(10)  # a blocking open would never return: no writer ever comes
    assert not reader.is_alive(), "reading a FIFO blocked"
    assert outcome == ["is a FIFO, not a regular file; not read"]


def test_links_and_devices_are_refused(tmp_path):
    (tmp_path / "zero.md").symlink_to("/dev/zero")
    with pytest.raises(UnsafePath, match="symbolic link; not followed"):
        safe_files.read_regular(tmp_path / "zero.md", limit=100)
    with pytest.raises(UnsafePath, match="is a device"):
        safe_files.read_regular("/dev/zero", limit=100)
    with pytest.raises(UnsafePath, match="is a device"):
        safe_files.read_regular(tmp_path / "zero.md", limit=100, follow_symlinks=True)


def test_the_limit_counts_bytes_read_not_the_size_claimed(tmp_path):
    exact = tmp_path / "exact"
    exact.write_bytes(b"x" * 100)
    assert safe_files.read_regular(exact, limit=100) == b"x" * 100
    exact.write_bytes(b"x" * 101)
    with pytest.raises(UnsafePath, match="over 100 bytes"):
        safe_files.read_regular(exact, limit=100)
    claimed = os.stat("/proc/self/status").st_size
    assert claimed == 0  # a regular file whose size on disk says nothing
    with pytest.raises(UnsafePath, match="over 10 bytes"):
        safe_files.read_regular("/proc/self/status", limit=10)


def test_an_owned_file_must_be_the_users_and_not_writable_by_others(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("db = 'x'\n")
    os.chmod(config, 0o644)
    assert safe_files.read_owned_file(config, limit=1000) == b"db = 'x'\n"
    with pytest.raises(UnsafePath, match=r"readable by you only \(run: chmod 600 "):
        safe_files.read_owned_file(config, limit=1000, private=True)
    for bits in (0o664, 0o646):
        os.chmod(config, bits)
        with pytest.raises(UnsafePath, match=r"may be changed by other users \(run: chmod go-w "):
            safe_files.read_owned_file(config, limit=1000)
    os.chmod(config, 0o600)
    os.chown(config, NOBODY, NOBODY)
    with pytest.raises(UnsafePath, match="belongs to another user"):
        safe_files.read_owned_file(config, limit=1000)
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(UnsafePath, match="a FIFO, not a regular file"):
        safe_files.read_owned_file(tmp_path / "fifo", limit=1000)


def test_an_owned_file_is_reached_only_through_links_and_folders_no_one_else_controls(tmp_path):
    """A config or secret file named through another user's link, or in a folder others may
    change, could be pointed at ~/.pgpass: refused. One's own link is followed."""
    pgpass = tmp_path / ".pgpass"
    pgpass.write_text("127.0.0.1:5432:*:postgres:s3cret\n")
    os.chmod(pgpass, 0o600)
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o1777)
    link = shared / "rt.secret"
    link.symlink_to(pgpass)
    assert safe_files.read_owned_file(link, limit=1000, private=True).startswith(b"127.0.0.1")  # my own link
    os.lchown(link, NOBODY, NOBODY)
    with pytest.raises(UnsafePath, match=r"is a symbolic link owned by another user \(uid 65534\); not followed"):
        safe_files.read_owned_file(link, limit=1000, private=True)
    theirs = tmp_path / "theirs"
    theirs.symlink_to(tmp_path)
    os.lchown(theirs, NOBODY, NOBODY)
    with pytest.raises(UnsafePath, match=f"is reached through {theirs}, a symbolic link owned by another user"):
        safe_files.read_owned_file(theirs / ".pgpass", limit=1000)
    os.unlink(link)
    os.link(pgpass, link)  # a hard link: the same file, yours, in a folder others may write
    os.chmod(shared, 0o777)
    with pytest.raises(UnsafePath, match=f"is reached through {shared}, which other users may write"):
        safe_files.read_owned_file(link, limit=1000, private=True)


def test_a_desk_file_others_may_use_is_reported(tmp_path):
    desk = tmp_path / "desk.db"
    desk.write_bytes(b"")
    url = f"sqlite:///{desk}"
    for bits, expected in (
        (0o600, None),
        (0o660, None),
        (0o644, "read"),
        (0o602, "written"),
        (0o666, "read and written"),
    ):
        os.chmod(desk, bits)
        warning = safe_files.loose_desk_warning(url)
        if expected is None:
            assert warning is None, oct(bits)
        else:
            assert f"may be {expected} by every user" in warning and f"chmod o-rw {desk}" in warning
    assert safe_files.loose_desk_warning("postgresql://u@127.0.0.1/db") is None
