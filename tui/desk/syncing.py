"""The Desk's side of sync: :class:`SyncDesk` — the header's sync status, the runs and open conflicts
as rows, resolving a conflict, and syncing with one remote now.

``models.exchange.sync_state`` and the ``sync`` package load with the first call (start-up time).
"""

from __future__ import annotations

import json

from tui.desk.connection import DeskConnection
from tui.desk.rows import SyncConflictRow, SyncRunRow, SyncStatus

__all__ = ["SyncDesk"]


def _report_items(text: str | None) -> tuple[tuple[str, str, str], ...]:
    try:
        items = json.loads(text or "[]")
    except ValueError:
        return (("error", "report", "the stored report is not valid JSON"),)
    if not isinstance(items, list):
        return ()
    return tuple((str(i.get("what", "")), str(i.get("where", "")), str(i.get("problem", "")))
                 for i in items if isinstance(i, dict))  # fmt: skip


class SyncDesk(DeskConnection):
    """Sync status, runs and conflicts."""

    def sync_status(self) -> SyncStatus:
        from models.exchange import sync_state

        return self._call(lambda: SyncStatus(tuple(sync_state.overview()), sync_state.open_conflict_count()))

    def sync_runs(self, limit: int = 50) -> list[SyncRunRow]:
        """The latest runs, newest first."""
        from models.exchange import sync_state

        def read() -> list[SyncRunRow]:
            return [SyncRunRow(r.id, r.remote.name, r.started_at, r.finished_at, r.mode, r.pulled, r.pushed,
                               r.conflicts, r.errors, _report_items(r.report))
                    for r in sync_state.recent_runs(limit)]  # fmt: skip

        return self._call(read)

    def sync_conflicts(self) -> list[SyncConflictRow]:
        """The open conflicts, newest first."""
        from models.exchange import sync_state

        def read() -> list[SyncConflictRow]:
            return [SyncConflictRow(c.id, c.remote.name, c.ticket_id, c.field, c.local_value or "",
                                    c.remote_value or "", c.kept, c.created_at)
                    for c in sync_state.open_conflicts()]  # fmt: skip

        return self._call(read)

    def resolve_sync_conflict(self, conflict_id: int) -> None:
        from models.exchange import sync_state

        self._call(sync_state.resolve_conflict, self.me, conflict_id)

    def sync(self, remote, progress=None) -> object:
        """Sync the desk with one remote (a ``sync.RemoteConfig``) now; its ``sync.Summary``.
        ``progress(stage, done, total)`` is called from the syncing thread."""
        from sync import sync_one

        return self._call(sync_one, remote, progress=progress)
