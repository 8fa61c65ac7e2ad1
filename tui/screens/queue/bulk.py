"""The queue's actions on tickets: status, priority, assignee, take and tags, on the marked tickets or the one
under the cursor, each carrying the versions the agent saw; the outcome told in one notification."""

from __future__ import annotations

from textual import work

from models.enums import next_statuses
from tui.desk.desk import Outcome
from tui.dialogs import flows

__all__ = ["QueueBulkActions"]


class QueueBulkActions:
    """The actions on tickets of :class:`~tui.screens.queue.screen.QueueScreen`, a mixin of it; the screen's
    handler of ``ChangesMade`` calls :meth:`_show_outcomes`."""

    def _targets(self) -> dict[int, int]:
        table = self.table
        if table.marked:
            return dict(table.marked)
        row = table.current_row
        return {row.number: row.version} if row else {}

    # Each action reads its targets (numbers and the versions on screen) before its first prompt:
    # whatever reloads while the prompts are open, the change carries what the agent saw.

    @work(group="action", exclusive=True, exit_on_error=False)
    async def action_status(self) -> None:
        targets = self._targets()
        row = self.table.current_row
        if len(targets) == 1 and row is not None and row.number in targets:
            asked = await flows.ask_status(self.app, next_statuses(row.status), row.status)
        else:
            asked = await flows.ask_status(self.app, flows.next_statuses(""), None, count=len(targets))
        self._apply(targets, asked)

    @work(group="action", exclusive=True, exit_on_error=False)
    async def action_priority(self) -> None:
        targets = self._targets()
        row = self.table.current_row
        current = row.priority if row is not None and len(targets) == 1 else None
        self._apply(targets, await flows.ask_priority(self.app, current, count=len(targets)))

    @work(group="action", exclusive=True, exit_on_error=False)
    async def action_assign(self) -> None:
        targets = self._targets()
        agents = await self._in_thread(self.desk.agent_logins)
        if agents is None:
            return
        row = self.table.current_row
        current = row.assignee if row is not None and len(targets) == 1 else None
        self._apply(targets, await flows.ask_assignee(self.app, agents, current, count=len(targets)))

    @work(group="action", exclusive=True, exit_on_error=False)
    async def action_take(self) -> None:
        targets = self._targets()
        row = self.table.current_row
        if not self.table.marked and row is not None:
            assignees = {row.number: row.assignee}  # as on screen
        else:
            assignees = await self._in_thread(lambda: self._assignees(list(targets)))
            if assignees is None:
                return
        self._apply(targets, await flows.ask_take(self.app, self.desk.me.login, assignees))

    def _assignees(self, numbers: list[int]) -> dict[int, str]:
        """Who each of these tickets is assigned to now ("" for nobody); runs in a thread."""
        found = dict.fromkeys(numbers, "")
        for start in range(0, len(numbers), 200):  # 200 numbers stay well within a query's length
            chunk = numbers[start : start + 200]
            rows, _ = self.desk.queue_page("id:" + ",".join(map(str, chunk)), limit=200)
            found.update((r.number, r.assignee) for r in rows)
        return found

    @work(group="action", exclusive=True, exit_on_error=False)
    async def action_tags(self) -> None:
        targets = self._targets()
        known = await self._in_thread(self.desk.tag_names)
        if known is None:
            return
        self._apply(targets, await flows.ask_tags(self.app, None, known, list(targets)))

    async def _in_thread(self, fn):
        return await flows.in_thread(self, fn)

    def _apply(self, targets: dict[int, int], asked) -> None:
        if asked is None or not targets:
            return
        change, what = asked
        self._run_change(targets, change, what)

    @work(thread=True, group="change", exit_on_error=False)
    def _run_change(self, targets: dict[int, int], change, what: str) -> None:
        outcomes = self.desk.bulk(targets, lambda n, v: change(self.desk, n, v))
        self.post_message(self.ChangesMade(outcomes, what))

    def _show_outcomes(self, outcomes: list[Outcome], what: str) -> None:
        refused = [o.number for o in outcomes if o.error is not None]
        kept = flows.TAGS_KEPT if refused and flows.kept_tags(self.app, refused) else None
        message, severity = flows.summary(outcomes, what, kept)
        timeout = (12 if len(outcomes) > 1 else 8) if severity == "warning" else None
        self.notify(message, severity=severity, markup=False, timeout=timeout)
        done = [o for o in outcomes if o.error is None]
        if self.table.marked:
            for outcome in done:
                self.table.marked.pop(outcome.number, None)
        self.table.reload()
