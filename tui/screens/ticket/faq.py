"""The ticket screen and the FAQ: an article inserted into the reply (linked when it is sent), or a draft
article extracted from the ticket's latest reply."""

from __future__ import annotations

from textual import work

from tui.dialogs.text_prompt import TextPrompt
from tui.text.safe import one_line, safe_text
from tui.widgets.composer import REPLY

__all__ = ["TicketFAQ"]


class TicketFAQ:
    """The FAQ actions of :class:`~tui.screens.ticket.screen.TicketScreen`, a mixin of it."""

    @work(group="ticket-action", exclusive=True, exit_on_error=False)
    async def action_insert_faq(self) -> None:
        """Pick an FAQ article; its text goes at the end of the reply draft, and the ticket links to it
        when the reply is sent (a discarded draft links nothing)."""
        from tui.dialogs.faq_picker import FAQPicker

        if self.composer.display and self.composer.kind != REPLY and self.composer.draft.strip():
            self.notify(
                "Finish or close the note you are writing first: FAQ articles go into replies.",
                severity="warning",
                markup=False,
            )
            self.composer.area.focus()
            return
        linked = [number for number, _ in self.view.faqs] if self.view else []
        article_id = await self.app.push_screen_wait(FAQPicker(self.desk, self.number, linked=linked))
        if article_id is None:
            return
        article = await self._in_thread(lambda: self.desk.faq_article(article_id))
        if article is None:
            return
        if not (self.composer.display and self.composer.kind == REPLY):
            self.action_compose(REPLY)
        area = self.composer.area
        draft = area.text
        gap = "" if not draft.strip() or draft.endswith("\n\n") else ("\n" if draft.endswith("\n") else "\n\n")
        area.insert(gap + safe_text(article.body).strip("\n") + "\n", area.document.end)  # appended, one undo step
        area.move_cursor(area.document.end)
        area.focus()
        self.app.drafts.put(self.number, REPLY, area.text)
        self.app.drafts.add_faq(self.number, REPLY, article.id)
        self.app.save_drafts_soon()
        self.notify(f"FAQ #{article.id} inserted into the reply; it will be linked to #{self.number} when the reply is sent.",
                    markup=False)  # fmt: skip

    @work(group="ticket-action", exclusive=True, exit_on_error=False)
    async def action_extract_faq(self) -> None:
        """A draft FAQ article from this ticket (its latest agent reply), opened in the editor."""
        if self.view is None:
            return
        title = await self.app.push_screen_wait(
            TextPrompt(
                "Extract to FAQ: title of the new draft (its text is the latest reply)",
                value=one_line(self.view.subject, 300),
                max_length=300,
            )
        )
        if title is None:
            return
        article = await self._in_thread(lambda: self.desk.faq_extract(self.number, title=title))
        if article is None:
            return
        self.notify(f"Draft FAQ #{article.id} created from #{self.number}.", markup=False)
        self.load()
        self.app.open_faq_editor(article.id)
