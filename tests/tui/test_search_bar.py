"""The SearchBar: one Typed after a pause in typing, Entered on enter carrying what was still waiting."""

from __future__ import annotations

from textual import on
from textual.app import App, ComposeResult
from textual.widgets import Input

from support.tui import run, until
from tui.widgets.search_bar import SearchBar


class Searching(App[None]):
    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay
        self.heard: list[tuple[str, str, bool | None]] = []

    def compose(self) -> ComposeResult:
        yield SearchBar(delay=self.delay, id="search")

    @on(SearchBar.Typed, "#search")
    def changed(self, event: SearchBar.Typed) -> None:
        self.heard.append(("typed", event.value, None))

    @on(SearchBar.Entered, "#search")
    def submitted(self, event: SearchBar.Entered) -> None:
        self.heard.append(("entered", event.value, event.pending))

    @on(Input.Changed)
    @on(Input.Submitted)
    def raw(self, event: Input.Changed | Input.Submitted) -> None:
        self.heard.append(("input", event.value, None))


def test_typing_is_heard_once_it_rests():
    async def scenario():
        app = Searching(delay=0.1)
        async with app.run_test() as pilot:
            await pilot.press(*"vpn")
            assert app.query_one(SearchBar).pending
            assert app.heard == []  # not on every key
            await until(pilot, lambda: app.heard, "the change")
            await pilot.pause(0.2)
            assert app.heard == [("typed", "vpn", None)]
            assert not app.query_one(SearchBar).pending

    run(scenario())


def test_enter_carries_what_was_waiting_and_drops_the_change():
    async def scenario():
        app = Searching(delay=5)
        async with app.run_test() as pilot:
            await pilot.press(*"tag:vip", "enter")
            await until(pilot, lambda: app.heard, "the submit")
            assert app.heard == [("entered", "tag:vip", True)]
            assert not app.query_one(SearchBar).pending
            await pilot.press("enter")  # nothing waiting now
            await until(pilot, lambda: len(app.heard) == 2, "the second submit")
            assert app.heard[1] == ("entered", "tag:vip", False)

    run(scenario())
