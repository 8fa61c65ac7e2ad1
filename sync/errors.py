"""What a sync tells the user when it stops: :class:`SyncError`, a ``SportelloError`` like any other.

The remote adapters raise their own :class:`sync.remotes.base.RemoteError` (they know nothing of
the desk); the sync's entry points turn one that escapes into a ``SyncError`` with the same
message, so the command line and the app report it as one line with its exit code.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from models.errors import SportelloError
from sync.remotes.base import RemoteError

__all__ = ["SyncError", "remote_errors_as_sync_errors"]


class SyncError(SportelloError):
    """A sync could not go on: the remote was unreachable, refused, or answered what cannot be read."""

    exit_code = 1


@contextmanager
def remote_errors_as_sync_errors(remote: str) -> Iterator[None]:
    """Inside, a ``RemoteError`` that escapes becomes a ``SyncError`` naming ``remote``."""
    try:
        yield
    except RemoteError as exc:
        message = str(exc)
        raise SyncError(message if message.startswith(f"{remote}:") else f"{remote}: {message}") from exc
