"""The FAQ screen's status changes: publish, back to draft, archive (asking first)."""

from __future__ import annotations

from textual import work

from models.errors import Conflict
from models.faq.search import FAQHit
from tui.dialogs.confirm import ConfirmDialog
from tui.text.safe import one_line

__all__ = ["FAQPublishing"]


class FAQPublishing:
    """The status changes of :class:`~tui.screens.faq.screen.FAQScreen`, a mixin of it; the screen's handlers of
    ``StatusSet`` and ``StatusRefused`` say how they went."""

    @work(group="faq-action", exclusive=True, exit_on_error=False)
    async def action_archive(self) -> None:
        hit = self.current
        if hit is None:
            return
        question = (
            f"Archive FAQ #{hit.id} {one_line(hit.title, 50)}? It leaves the lists and cannot be linked to tickets."
        )
        if await self.app.push_screen_wait(ConfirmDialog(question, yes="Archive", no="Keep it")):
            self._set_status(hit, "archived")

    def action_set_status(self, status: str) -> None:
        hit = self.current
        if hit is not None:
            self._set_status(hit, status)

    @work(thread=True, group="faq-change", exit_on_error=False)
    def _set_status(self, hit: FAQHit, status: str) -> None:
        try:
            article = self.desk.faq_set_status(hit.id, status, hit.version)
        except Conflict as err:
            self.post_message(self.StatusRefused(err.message))
            return
        self.post_message(self.StatusSet(article))
