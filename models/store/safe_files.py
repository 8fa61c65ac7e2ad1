"""Files the desk writes and reads, safe against another user of the same machine.

Another user could create an export folder first and plant a link named like the next file
(``00012-reset.md -> ~/.bashrc``), leave a FIFO or a link to ``/dev/zero`` among files to
import, or make a config file point a secret at ``~/.ssh/id_ed25519``. So:

* :func:`output_folder` opens a folder to write in only when it is the user's own and nobody
  else may write in it (no group or other write bit); a missing folder is created with mode 0700.
  It is reached one name at a time, each opened relative to the folder before it (never looked up
  by its whole name again), through no symbolic link owned by another user and through folders
  only the user or root can change (another user's folder, or one others may write without the
  sticky bit, could have what is in it swapped for a link to one of the user's own folders). The
  folder is then used through its descriptor, so it cannot be swapped while files are written.
* :meth:`OutputFolder.write` / :meth:`OutputFolder.open` write through a temporary file created
  next to the target (``O_EXCL | O_NOFOLLOW``, the chosen mode), flushed to disk, then renamed
  onto the target: a link planted at the target name is replaced, never followed, and a reader
  never sees half a file. :func:`write_file` does it for one file.
* :func:`read_regular` reads a regular file only (no FIFO, device or link), never more than a
  limit, whatever the size the file claims.
* :func:`read_owned_file` reads a config or secret file: a regular file owned by the user (or
  root) that no one else may write, reached the same way (so a ``secret_file`` in a shared folder
  cannot be pointed at ``~/.pgpass``).
* :func:`loose_desk_warning` tells about a SQLite desk file every user may read or write.

Modes: :data:`PRIVATE` (0600) unless the content is meant for anyone (:data:`SHARED`, 0644);
the umask can only narrow them.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from models.errors import InvalidInput
from models.store.db import sqlite_file

__all__ = [
    "PRIVATE",
    "SHARED",
    "UnsafePath",
    "OutputFolder",
    "output_folder",
    "write_file",
    "write_new_bytes",
    "read_regular",
    "read_owned_file",
    "loose_desk_warning",
]

#: Readable and writable by the owner only.
PRIVATE = 0o600
#: Readable by everyone (for what is meant to be published).
SHARED = 0o644

_MAX_LINKS = 40  # as the kernel's ELOOP limit


class UnsafePath(InvalidInput):
    """A file or folder another user could have planted or could change (exit 2, as for any path
    the user gave that cannot be used); ``reason`` says why without the path, the message has both."""

    def __init__(self, path: str | os.PathLike, reason: str):
        super().__init__(f"{path} {reason}")
        self.reason = reason


def _owner(uid: int) -> str:
    return "root" if uid == 0 else f"uid {uid}"


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISLNK, "a symbolic link")):  # fmt: skip
        if test(mode):
            return name
    return "not a regular file"


# --- writing -------------------------------------------------------------------------------------


_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC


def _walk(path: Path, *, create: bool = False, file: bool = False) -> tuple[int, Path]:
    """Open ``path`` one name at a time, each relative to the folder opened just before (never by
    its whole name again, which could reach somewhere else by then); returns the descriptor and the
    path it was reached by, every link resolved.

    A symbolic link is followed only when it is the user's or root's. Every folder passed through
    must be one that only the user or root can change (theirs, and no group or other write bit
    unless the sticky bit is set), else someone could swap what is in it for a link to one of the
    user's folders or files. With ``create`` the missing folders are made with mode 0700; with
    ``file`` the last name is opened to be read (without blocking on a FIFO), else as a folder.
    """
    euid = os.geteuid()
    pending = list(reversed(Path(os.path.abspath(path)).parts[1:]))
    folders = [(os.open("/", _FOLDER_FLAGS), Path("/"))]
    links = 0
    try:
        while pending:
            name = pending.pop()
            if name in ("", "."):
                continue
            if name == "..":
                if len(folders) > 1:
                    os.close(folders.pop()[0])
                continue
            parent, where = folders[-1]
            _check_passage(path, where, os.fstat(parent), euid)
            last = file and not pending
            try:
                fd = os.open(name, _FILE_FLAGS if last else _FOLDER_FLAGS, dir_fd=parent)
            except FileNotFoundError:
                if not create or last:
                    what = "file" if last else "folder"
                    raise FileNotFoundError(errno.ENOENT, f"no such {what}", str(where / name)) from None
                with contextlib.suppress(FileExistsError):  # made meanwhile: opened and checked as any other
                    os.mkdir(name, 0o700, dir_fd=parent)
                pending.append(name)
                continue
            except OSError as exc:
                if exc.errno not in (errno.ELOOP, errno.ENOTDIR):
                    raise
                target = _link_target(path, where / name, parent, name, euid)
                links += 1
                if links > _MAX_LINKS:
                    raise UnsafePath(path, "has too many levels of symbolic links") from None
                if os.path.isabs(target):
                    while len(folders) > 1:
                        os.close(folders.pop()[0])
                pending.extend(reversed(Path(target).parts[1:] if os.path.isabs(target) else Path(target).parts))
                continue
            if last:
                return fd, where / name
            folders.append((fd, where / name))
        fd, where = folders.pop()
        return fd, where
    finally:
        for fd, _ in folders:
            os.close(fd)


def _check_passage(path: Path, folder: Path, info: os.stat_result, euid: int) -> None:
    """``folder``, on the way to ``path``, may be changed by no one but the user and root."""
    if info.st_uid not in (euid, 0):
        raise UnsafePath(path, f"is reached through {folder}, which belongs to another user ({_owner(info.st_uid)}) "
                               "who could swap what is in it")  # fmt: skip
    if info.st_mode & 0o022 and not info.st_mode & stat.S_ISVTX:
        raise UnsafePath(path, f"is reached through {folder}, which other users may write (no sticky bit), "
                               "so what is in it could be swapped")  # fmt: skip


def _link_target(path: Path, link: Path, parent: int, name: str, euid: int) -> str:
    """Where the link ``name`` in ``parent`` points, when it is the user's or root's."""
    info = os.stat(name, dir_fd=parent, follow_symlinks=False)
    if not stat.S_ISLNK(info.st_mode):
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(link))
    if info.st_uid not in (euid, 0):
        where = "is" if link == Path(os.path.abspath(path)) else f"is reached through {link},"
        raise UnsafePath(path, f"{where} a symbolic link owned by another user ({_owner(info.st_uid)}); not followed")
    return os.readlink(name, dir_fd=parent)


def _check_folder(path: Path, info: os.stat_result) -> None:
    if not stat.S_ISDIR(info.st_mode):
        raise UnsafePath(path, "is not a folder")
    if info.st_uid != os.geteuid():
        raise UnsafePath(path, f"belongs to another user ({_owner(info.st_uid)}); write into a folder of your own")
    if info.st_mode & 0o022:
        fix = "" if info.st_mode & stat.S_ISVTX else f" (or run: chmod go-w {path})"  # never advise it for /tmp
        raise UnsafePath(path, f"may be written by other users; write into a folder only you can write{fix}")


class OutputFolder:
    """A folder checked by :func:`output_folder`, held open by its descriptor. Names given to its
    methods are plain file names inside it."""

    def __init__(self, path: Path, fd: int):
        self.path, self._fd = path, fd

    def __enter__(self) -> OutputFolder:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def names(self) -> list[str]:
        """The names in the folder, sorted."""
        return sorted(os.listdir(self._fd))

    def remove(self, name: str) -> None:
        """Remove ``name`` (a link is removed itself, never what it points to)."""
        os.unlink(_plain(name), dir_fd=self._fd)

    @contextlib.contextmanager
    def open(self, name: str, mode: int = PRIVATE) -> Iterator[TextIO]:
        """Write ``name`` as UTF-8 text through a temporary file renamed onto it when the block ends
        without error (the temporary file is removed otherwise)."""
        name = _plain(name)
        fd, temp = self._temporary(name, mode)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
                yield out
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, name, src_dir_fd=self._fd, dst_dir_fd=self._fd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp, dir_fd=self._fd)
            raise
        with contextlib.suppress(OSError):  # the rename itself on disk; not every file system allows it
            os.fsync(self._fd)

    def write(self, name: str, text: str, mode: int = PRIVATE) -> Path:
        """Write ``text`` to ``name`` (see :meth:`open`); returns its path."""
        with self.open(name, mode) as out:
            out.write(text)
        return self.path / name

    def _temporary(self, name: str, mode: int) -> tuple[int, str]:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        for _ in range(100):
            temp = f".{name[:200]}.{os.urandom(6).hex()}.tmp"
            try:
                return os.open(temp, flags, mode, dir_fd=self._fd), temp
            except FileExistsError:
                continue
        raise FileExistsError(f"no free temporary name in {self.path}")


def _plain(name: str) -> str:
    if not name or name in (".", "..") or "/" in name or "\0" in name:
        raise ValueError(f"not a plain file name: {name!r}")
    return name


def output_folder(path: str | os.PathLike, *, create: bool = False) -> OutputFolder:
    """Open ``path`` to write files in: it must be a folder of the user's own that no one else may
    write, reached through no symbolic link owned by another user (root's are trusted). With
    ``create`` the missing folders are made with mode 0700.

    Raises :class:`UnsafePath` when the folder is not safe, ``OSError`` when it cannot be used.
    """
    given = Path(path).expanduser()
    fd, _ = _walk(given, create=create)
    try:
        _check_folder(given, os.fstat(fd))
    except BaseException:
        os.close(fd)
        raise
    return OutputFolder(given, fd)


def write_file(path: str | os.PathLike, text: str, *, mode: int = PRIVATE) -> None:
    """Write ``text`` to ``path`` through :func:`output_folder` (its folder must exist)."""
    target = Path(path).expanduser()
    with output_folder(target.parent) as folder:
        folder.write(target.name, text, mode)


def write_new_bytes(path: str | os.PathLike, data: bytes, *, mode: int = PRIVATE) -> Path:
    """Write ``data`` to a file that must not exist yet (never over a file, never through a link)."""
    target = Path(path).expanduser()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(target, flags, mode)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(target)
        raise
    return target


# --- reading -------------------------------------------------------------------------------------


def read_regular(path: str | os.PathLike, *, limit: int, dir_fd: int | None = None,
                 follow_symlinks: bool = False) -> bytes:  # fmt: skip
    """The bytes of ``path``, a regular file of at most ``limit`` bytes.

    A FIFO, device, socket or folder is refused without blocking, a symbolic link unless
    ``follow_symlinks``, and a file over ``limit`` after reading at most ``limit + 1`` bytes
    (a size on disk is not trusted: ``/proc`` files claim 0). Raises :class:`UnsafePath` for these,
    ``OSError`` when the file cannot be opened.
    """
    fd = _open_for_reading(path, dir_fd=dir_fd, follow_symlinks=follow_symlinks)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafePath(path, f"is {_kind(info.st_mode)}, not a regular file; not read")
        return _read_at_most(fd, path, limit)
    finally:
        os.close(fd)


def _open_for_reading(path, *, dir_fd: int | None, follow_symlinks: bool) -> int:
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow_symlinks else os.O_NOFOLLOW)
    try:
        return os.open(path, flags, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_symlinks:
            raise UnsafePath(path, "is a symbolic link; not followed") from None
        raise


def _read_at_most(fd: int, path, limit: int) -> bytes:
    chunks, size = [], 0
    while size <= limit:
        chunk = os.read(fd, min(1 << 20, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise UnsafePath(path, f"is over {limit:,} bytes; not read")
    return b"".join(chunks)


def read_owned_file(path: str | os.PathLike, *, limit: int, private: bool = False) -> bytes:
    """The bytes of a config or secret file: a regular file owned by the user or root that no one
    else may write, and with ``private`` no one else may read either; reached as :func:`output_folder`
    reaches a folder (links only the user's or root's, through folders no one else may change).

    Raises :class:`UnsafePath` naming the file and the fix, ``OSError`` when it cannot be opened.
    """
    fd, _ = _walk(Path(path), file=True)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafePath(path, f"is {_kind(info.st_mode)}, not a regular file")
        if info.st_uid not in (os.geteuid(), 0):
            raise UnsafePath(path, f"belongs to another user ({_owner(info.st_uid)}); use a file of your own")
        if private and info.st_mode & 0o077:
            raise UnsafePath(path, f"must be readable by you only (run: chmod 600 {path})")
        if info.st_mode & 0o022:
            raise UnsafePath(path, f"may be changed by other users (run: chmod go-w {path})")
        return _read_at_most(fd, path, limit)
    finally:
        os.close(fd)


def loose_desk_warning(url: str) -> str | None:
    """One line when the desk at ``url`` is a SQLite file every user of the machine may read or
    write (a group may share a desk on purpose, so group bits pass); else None."""
    path = sqlite_file(url)
    if path is None:
        return None
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if not stat.S_ISREG(mode) or not mode & 0o006:
        return None
    what = {0o004: "read", 0o002: "written", 0o006: "read and written"}[mode & 0o006]
    return f"the desk file {path} may be {what} by every user of this machine (run: chmod o-rw {path})"
