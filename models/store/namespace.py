"""Is this process in a user namespace that remaps ids? (``unshare -r`` makes anyone uid 0.)

The answer is in ``/proc/self/uid_map`` and ``gid_map``, but inside its own mount namespace
(``unshare -rm``) anyone may mount a tmpfs over ``/proc`` or bind any file — even a real procfs
file that reads like the initial maps, such as a namespace's own ``projid_map`` — over the maps.
So the maps are read only through a ``/proc`` that is the root of a real procfs (``fstatfs`` magic
and root inode), whose ``self`` names this process, and with ``openat2(RESOLVE_NO_XDEV)``, which
refuses to cross any mount point on the way: a file or folder mounted over ``/proc/self/…``
makes the check fail, and a failed check counts as remapped.

A fresh procfs mounted in a new pid namespace (``unshare -rmpf --mount-proc``) is real: it shows
the namespace's true maps, which are not the initial ones.

Kernels before 5.6 have no ``openat2``; there each step is opened without following links and
must be on the same procfs as ``/proc`` itself. That still stops a tmpfs or a file of another
file system, not a file of the same procfs bound over the maps.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import platform
import sys

__all__ = ["remapped_ids", "is_initial_map"]

PROC_SUPER_MAGIC = 0x9FA0
PROC_ROOT_INO = 1

_SYS_OPENAT2 = 437  # the same number on every architecture that has it (Linux >= 5.6)
_RESOLVE_NO_XDEV = 0x01
_RESOLVE_NO_MAGICLINKS = 0x02
_RESOLVE_BENEATH = 0x08
_MAP_LIMIT = 1 << 16  # a map has at most 340 lines of 33 bytes

#: The map of the initial user namespace: every id is itself.
_INITIAL = [["0", "0", "4294967295"]]


class _Unproven(Exception):
    """The maps could not be read from a real procfs: count as remapped."""


class _OpenHow(ctypes.Structure):
    _fields_ = [("flags", ctypes.c_uint64), ("mode", ctypes.c_uint64), ("resolve", ctypes.c_uint64)]


def is_initial_map(text: str) -> bool:
    """True when ``text`` (a ``uid_map`` or ``gid_map``) maps every id to itself."""
    return [line.split() for line in text.splitlines() if line.strip()] == _INITIAL


def remapped_ids(proc: str = "/proc") -> bool:
    """True when this process runs in a user namespace that maps ids, or when that cannot be proven.

    Linux only (other systems have no user namespaces to ask about). A kernel without user
    namespaces has no map files in a real procfs: not remapped. No ``/proc``, a ``/proc`` that is
    not a procfs root, a ``self`` that is not this process, or a mount point on the way: remapped.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        maps = _own_maps(proc)
    except _Unproven:
        return True
    if maps is None:
        return False
    return not all(is_initial_map(text) for text in maps)


def _own_maps(proc: str) -> list[str] | None:
    """The texts of this process's uid_map and gid_map, None when the kernel has none."""
    try:
        root = os.open(proc, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        raise _Unproven from None
    with _closing(root):
        root_info = os.fstat(root)
        if not _on_procfs(root) or root_info.st_ino != PROC_ROOT_INO:
            raise _Unproven
        try:
            if os.readlink("self", dir_fd=root) != str(os.getpid()):
                raise _Unproven
        except OSError:
            raise _Unproven from None
        directory = _open_beneath(root, "self", os.O_DIRECTORY, root_info.st_dev)
        with _closing(directory):
            texts = []
            for name in ("uid_map", "gid_map"):
                try:
                    fd = _open_beneath(directory, name, 0, root_info.st_dev)
                except FileNotFoundError:  # on a real procfs: a kernel without user namespaces
                    return None
                with _closing(fd):
                    texts.append(_read(fd))
            return texts


def _open_beneath(dir_fd: int, name: str, flags: int, proc_dev: int) -> int:
    """Open ``name`` under ``dir_fd`` without crossing a mount point (FileNotFoundError passes)."""
    flags |= os.O_RDONLY | os.O_CLOEXEC
    fd = _openat2(dir_fd, name, flags if name == "self" else flags | os.O_NOFOLLOW)
    if fd is None:  # no openat2: each step on the same procfs, and no link followed (self was read)
        try:
            fd = os.open(str(os.getpid()) if name == "self" else name, flags | os.O_NOFOLLOW, dir_fd=dir_fd)
        except FileNotFoundError:
            raise
        except OSError:
            raise _Unproven from None
    try:
        if os.fstat(fd).st_dev != proc_dev or not _on_procfs(fd):
            raise _Unproven
    except BaseException:
        os.close(fd)
        raise
    return fd


def _openat2(dir_fd: int, name: str, flags: int) -> int | None:
    """``openat2`` with RESOLVE_NO_XDEV | RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS; None when the
    kernel (or a seccomp filter) does not offer it."""
    how = _OpenHow(flags=flags, resolve=_RESOLVE_NO_XDEV | _RESOLVE_BENEATH | _RESOLVE_NO_MAGICLINKS)
    fd = _libc().syscall(_SYS_OPENAT2, dir_fd, name.encode(), ctypes.byref(how), ctypes.sizeof(how))
    if fd >= 0:
        return fd
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EPERM):
        return None
    if code == errno.ENOENT:
        raise FileNotFoundError(code, os.strerror(code), name)
    raise _Unproven  # EXDEV (a mount point on the way), ELOOP, EACCES…


def _on_procfs(fd: int) -> bool:
    buffer = ctypes.create_string_buffer(512)  # struct statfs is 120 bytes on 64-bit Linux
    if _libc().fstatfs(fd, buffer) != 0:
        return False
    f_type = (ctypes.c_uint if platform.machine() == "s390x" else ctypes.c_long).from_buffer(buffer).value
    return f_type == PROC_SUPER_MAGIC


def _read(fd: int) -> str:
    data = b""
    while chunk := os.read(fd, _MAP_LIMIT):
        data += chunk
        if len(data) > _MAP_LIMIT:
            raise _Unproven
    try:
        return data.decode("ascii")
    except UnicodeDecodeError:
        raise _Unproven from None


_LIBC: ctypes.CDLL | None = None


def _libc() -> ctypes.CDLL:
    global _LIBC
    if _LIBC is None:
        _LIBC = ctypes.CDLL(None, use_errno=True)
        _LIBC.syscall.restype = ctypes.c_long
    return _LIBC


@contextlib.contextmanager
def _closing(fd: int):
    try:
        yield fd
    finally:
        os.close(fd)
