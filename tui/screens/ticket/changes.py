"""The ticket screen's changes to the ticket: status, priority, assignee, take, tags and merge, each carrying
the version on screen when its key was pressed; a conflict reloads and says so."""

from __future__ import annotations

from textual import work

from models.errors import Conflict, SportelloError
from tui.dialogs import flows
from tui.text.safe import one_line

__all__ = ["TicketChanges"]


class TicketChanges:
    """The changes of :class:`~tui.screens.ticket.screen.TicketScreen`, a mixin of it."""

    @work(group="ticket-action", exclusive=True, exit_on_error=False)
    async def action_status(self) -> None:
        if self.view:
            view = self.view  # the version on screen when s was pressed, whatever reloads meanwhile
            self._apply(await flows.ask_status(self.app, list(view.next_statuses), view.status), view.version)

    @work(group="ticket-action", exclusive=True, exit_on_error=False)
    async def action_priority(self) -> None:
        if self.view:
            view = self.view  # the version on screen when p was pressed: three prompts leave time for others
            self._apply(await flows.ask_priority(self.app, view.priority), view.version)

    @work(group="ticket-action", exclusive=True, exit_on_error=False)
    async def action_assign(self) -> None:
        view = self.view  # the version on screen when a was pressed
        if view is None:
            return
        agents = await self._in_thread(self.desk.agent_logins)
        if agents is not None:
            self._apply(await flows.ask_assignee(self.app, agents, view.assignee), view.version)

    @work(group="ticket-action", exclusive=True, exit_on_error=False)
    async def action_take(self) -> None:
        if self.view is None:
            return
        version = self.view.version  # as on screen when A was pressed, whatever reloads meanwhile
        asked = await flows.ask_take(self.app, self.desk.me.login, {self.number: self.view.assignee})
        if asked is not None:
            self._change(*asked, version)

    @work(group="ticket-action", exclusive=True, exit_on_error=False)
    async def action_tags(self) -> None:
        if self.view is None:
            return
        view = self.view  # the tags and the version on screen when t was pressed
        known = await self._in_thread(self.desk.tag_names)
        asked = await flows.ask_tags(self.app, view.tags, known, [self.number]) if known is not None else None
        if asked is None:
            return
        change, what = asked
        outcome = await flows.apply_one(self, self.desk, change, self.number, view.version)
        if outcome is None:
            return
        if outcome.error is None:
            self.notify(one_line(f"#{self.number}: {what}", 200), markup=False)
        else:
            message = f"{outcome.error} — the ticket is refreshed; {flows.TAGS_KEPT}"
            self.notify(one_line(message, 400), severity="warning", markup=False, timeout=10)
        self.load()

    @work(group="ticket-action", exclusive=True, exit_on_error=False)
    async def action_merge(self) -> None:
        if self.view is None:
            return
        version = self.view.version  # as on screen when m was pressed, whatever reloads meanwhile
        asked = await flows.ask_merge(self, self.desk, self.number)
        if asked is not None:
            self._change(*asked, version)

    async def _in_thread(self, fn):
        return await flows.in_thread(self, fn)

    def _apply(self, asked, version: int) -> None:
        """Make the change asked for, carrying ``version``: the one on screen when the action began."""
        if asked is None:
            return
        change, what = asked
        self._change(change, what, version)

    @work(thread=True, group="ticket-change", exit_on_error=False)
    def _change(self, change, what: str, version: int) -> None:
        try:
            change(self.desk, self.number, version)
        except Conflict as err:
            self._conflict(err.message, draft_kept=False)
            return
        except SportelloError as err:
            self.notify(one_line(f"#{self.number}: {err.message}", 400), severity="warning", markup=False, timeout=10)
            return
        self.notify(one_line(f"#{self.number}: {what}", 200), markup=False)
        self.post_message(self.Reload())

    def _conflict(self, message: str, *, draft_kept: bool = True) -> None:
        """(In a worker thread) a send or a change met a newer version: say so, and reload."""
        tail = (
            " — the ticket is refreshed; your draft is kept."
            if draft_kept
            else " — the ticket is refreshed; nothing was changed."
        )
        self.notify(one_line(message, 400) + tail, severity="warning", markup=False, timeout=10)
        self.post_message(self.Reload())
