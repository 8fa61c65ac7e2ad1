"""The FAQ editor's two fields picked from a list: the category and the status (saved with ctrl+s)."""

from __future__ import annotations

from textual import work

from tui.dialogs.choice import ChoiceDialog
from tui.text.faq import FAQ_STATUS_LABELS

__all__ = ["FAQEditorChoices"]

NO_CATEGORY = "\x00none"  # never a category name: names are cleaned of NUL

_STATUS_CHOICES = [
    ("draft", f"{FAQ_STATUS_LABELS['draft']} — agents only, not offered in replies"),
    ("published", f"{FAQ_STATUS_LABELS['published']} — offered when replying to tickets"),
    ("archived", f"{FAQ_STATUS_LABELS['archived']} — hidden; can no longer be linked"),
]


class FAQEditorChoices:
    """The category and status pickers of :class:`~tui.screens.faq_editor.screen.FAQEditor`, a mixin of it."""

    @work(group="faq-editor-ask", exclusive=True, exit_on_error=False)
    async def action_category(self) -> None:
        choices = [(name, name) for name in self.categories] + [(NO_CATEGORY, "— no category")]
        current = self.category or NO_CATEGORY
        chosen = await self.app.push_screen_wait(
            ChoiceDialog("Category (add new ones with `sportello faq category add`)", choices, current=current)
        )
        if chosen is not None:
            self.category = "" if chosen == NO_CATEGORY else chosen
            self._show_choices()
            self._refresh_facts()

    @work(group="faq-editor-ask", exclusive=True, exit_on_error=False)
    async def action_status(self) -> None:
        chosen = await self.app.push_screen_wait(
            ChoiceDialog("Status (saved with ctrl+s)", _STATUS_CHOICES, current=self.status)
        )
        if chosen is not None:
            self.status = chosen
            self._show_choices()
            self._refresh_facts()
