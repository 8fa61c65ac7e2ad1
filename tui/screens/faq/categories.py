"""The FAQ screen's categories: the list beside the articles (hidden when narrow) and ``c`` to pick one."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.dialogs.choice import ChoiceDialog
from tui.text.safe import one_line

__all__ = ["FAQCategories"]

ALL = "all"  # the option id of every category


class FAQCategories:
    """The categories of :class:`~tui.screens.faq.screen.FAQScreen`, a mixin of it; ``category`` is the one shown
    (None: all)."""

    @work(thread=True, group="faq-categories", exclusive=True, exit_on_error=False)
    def _load_categories(self) -> None:
        found = self.desk.faq_categories()
        everything = self.desk.faq_count("")
        self.post_message(self.CategoriesLoaded(found, everything))

    def _show_categories(self, found: list[tuple[str, int]], everything: int) -> None:
        self.categories = found
        options = self.query_one("#faq-categories", OptionList)
        items = [Option(Text(f"All ({everything})"), id=ALL)]
        items += [Option(Text(f"{one_line(name, 14)} ({count})"), id=f"c{i}") for i, (name, count) in enumerate(found)]
        options.clear_options()
        options.add_options(items)
        chosen = (
            ALL
            if self.category is None
            else next((f"c{i}" for i, (n, _) in enumerate(found) if n == self.category), ALL)
        )
        options.highlighted = options.get_option_index(chosen)

    @work(group="faq-action", exclusive=True, exit_on_error=False)
    async def action_category(self) -> None:
        choices = [(ALL, "All categories")] + [
            (f"c{i}", f"{name} ({count})") for i, (name, count) in enumerate(self.categories)
        ]
        current = (
            ALL
            if self.category is None
            else next((f"c{i}" for i, (n, _) in enumerate(self.categories) if n == self.category), ALL)
        )
        chosen = await self.app.push_screen_wait(ChoiceDialog("Show the category", choices, current=current))
        if chosen is None:
            return
        self.category = None if chosen == ALL else self.categories[int(chosen[1:])][0]
        options = self.query_one("#faq-categories", OptionList)
        if options.option_count:
            options.highlighted = options.get_option_index(chosen)
        self._run()
