"""The queue's saved views: loaded as tabs, switched with 1 … 9, saved from the filter, removed."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.widgets import Tab, Tabs

from models.search.views import View
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.text_prompt import TextPrompt
from tui.screens.queue.filters import combine_queries
from tui.text.safe import one_line
from tui.widgets.search_bar import SearchBar

__all__ = ["QueueViews"]


class QueueViews:
    """The saved views of :class:`~tui.screens.queue.screen.QueueScreen`, a mixin of it: ``views``, the one shown
    (``view_index``), its tabs; the screen's handlers of ``ViewsLoaded`` and ``ViewRemoved`` call in here."""

    @work(thread=True, group="views", exclusive=True, exit_on_error=False)
    def _load_views(self) -> None:
        self.post_message(self.ViewsLoaded(self.desk.views()))

    def _views_loaded(self, found: list[View]) -> None:
        if found == self.views:
            return
        current = self.views[self.view_index] if self.views else None
        self.views = found
        if current is not None:
            self.view_index = next(
                (i for i, v in enumerate(found) if (v.name, v.query) == (current.name, current.query)), 0
            )
        self._show_tabs()

    def _tabs(self) -> list[Tab]:
        tabs = []
        for index, view in enumerate(self.views):
            key = f"{index + 1} " if index < 9 else ""
            tabs.append(Tab(Text(key + one_line(view.name, 24)), id=f"view-{index}"))
        return tabs

    @work(group="tabs", exclusive=True, exit_on_error=False)
    async def _show_tabs(self) -> None:
        tabs = self.query_one("#views", Tabs)
        wanted = self._tabs()
        shown = [(t.id, str(t.label)) for t in tabs.query(Tab)]
        self._rebuilding_tabs = True
        try:
            with self.app.batch_update():
                if shown != [(t.id, str(t.label)) for t in wanted[: len(shown)]]:
                    await tabs.clear()
                    shown = []
                for tab in wanted[len(shown) :]:
                    await tabs.add_tab(tab)
                tabs.active = f"view-{self.view_index}"
        finally:
            self.call_after_refresh(setattr, self, "_rebuilding_tabs", False)

    def action_view(self, index: int) -> None:
        if index >= len(self.views) or index == self.view_index:
            return
        self.view_index = index
        self._run()
        tabs = self.query_one("#views", Tabs)
        if tabs.query(f"#view-{index}"):  # the tabs may be being rebuilt right now
            tabs.active = f"view-{index}"

    @property
    def view(self) -> View:
        return self.views[self.view_index]

    @work(group="action", exclusive=True, exit_on_error=False)
    async def action_save_view(self) -> None:
        query = combine_queries(self.view.query, self.typed)
        name = await self.app.push_screen_wait(
            TextPrompt(f"Save {one_line(query, 50)!s} as a view named:", max_length=100)
        )
        if not name:
            return
        shared = await self.app.push_screen_wait(
            ConfirmDialog("Share it with the whole team?", yes="Shared", no="Just me")
        )
        view = await self._in_thread(lambda: self.desk.save_view(name, query, shared=shared))
        if view is None:
            return
        self.notify(one_line(f"Saved view {view.name!r}", 200), markup=False)
        self.typed = ""
        self.query_one("#filter", SearchBar).value = ""
        self.query_one("#filter-bar").display = False
        self.views.append(view)
        self.view_index = len(self.views) - 1
        self._show_tabs()
        self._run()

    @work(group="action", exclusive=True, exit_on_error=False)
    async def ask_remove_view(self, view: View) -> None:
        whose = "the whole team's view" if view.shared else "your view"
        question = one_line(f"Remove {whose} {view.name!r}? Its query goes with it.", 200)
        if await self.app.push_screen_wait(ConfirmDialog(question, yes="Remove", no="Keep")):
            self.remove_view(view)

    @work(thread=True, group="views", exit_on_error=False)
    def remove_view(self, view: View) -> None:
        self.desk.delete_view(view.id)
        self.post_message(self.ViewRemoved(view))

    def _view_removed(self, view: View) -> None:
        self.notify(one_line(f"Removed view {view.name!r}", 200), markup=False)
        if self.view == view:
            self.view_index = 0
        self._load_views()
        self._run()
