"""Two-way sync with remote helpdesks (Request Tracker 5, Roundup) over httpx.

Calls into ``models`` only. ``open_remote`` builds the adapter a ``[remotes.NAME]`` table names;
``sync_one`` runs the engine for it.
"""

from __future__ import annotations

import httpx

from models import redaction
from sync.config import RemoteConfig, read_secret, remotes_from
from sync.engine import Engine, Progress, Summary
from sync.errors import SyncError, remote_errors_as_sync_errors
from sync.remotes import transport
from sync.remotes.base import Remote

# The adapters send credentials and quote answers; the desk's redaction keeps both out of what is
# stored and printed. Installed here, in the package every adapter is imported through.
transport.use_redaction(remember=redaction.remember_secret, redact=redaction.redact)

__all__ = ["RemoteConfig", "remotes_from", "read_secret", "open_remote", "sync_one", "Summary", "SyncError"]


def open_remote(config: RemoteConfig, *, env: dict[str, str] | None = None,
                http: httpx.BaseTransport | None = None) -> Remote:  # fmt: skip
    """The adapter for ``config``, with its secret read now (never stored)."""
    secret, kind = read_secret(config, env)
    with remote_errors_as_sync_errors(config.name):
        return _adapter(config, secret, kind, http)


def _adapter(config: RemoteConfig, secret: str, kind: str, http: httpx.BaseTransport | None) -> Remote:
    if config.kind == "rt":
        from sync.remotes.rt import RTRemote

        return RTRemote(name=config.name, url=config.url, user=config.user, secret=secret, secret_kind=kind,
                        queue=config.queue, http=http, min_interval=config.min_interval,
                        timeout=config.timeout)  # fmt: skip
    from sync.remotes.roundup import RoundupRemote

    return RoundupRemote(name=config.name, url=config.url, user=config.user, secret=secret, http=http,
                         min_interval=config.min_interval, timeout=config.timeout)  # fmt: skip


def sync_one(config: RemoteConfig, *, pull: bool = True, push: bool = True, dry_run: bool = False,
             progress: Progress | None = None, env: dict[str, str] | None = None,
             http: httpx.BaseTransport | None = None) -> Summary:  # fmt: skip
    """One sync of the open desk with one remote."""
    remote = open_remote(config, env=env, http=http)
    try:
        with remote_errors_as_sync_errors(config.name):
            return Engine(config, remote, progress=progress).run(pull=pull, push=push, dry_run=dry_run)
    finally:
        remote.close()
