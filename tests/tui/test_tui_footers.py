"""Issue 14.15 on every screen: at 80×24 the footer keeps ``?`` help and the way back in view,
whatever else gives way."""

from __future__ import annotations

import pytest

from support.tui import make_app, queue_ready, run, screen_text, ticket_ready, until


def footer_text(app) -> str:
    return screen_text(app).splitlines()[-1]


@pytest.mark.parametrize("key, back", [("enter", "q Back"), ("f", "q Back"), ("c", "q Back")])
def test_help_and_back_stay_in_every_screens_footer_at_80_columns(tui_desk, key, back):
    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            queue = await queue_ready(pilot)
            await pilot.press(key)
            await until(pilot, lambda: pilot.app.screen is not queue, "the screen")
            if key == "enter":
                await ticket_ready(pilot)
            await pilot.pause(0.2)
            footer = footer_text(pilot.app)
            assert "? Help" in footer and back in footer, footer

    run(scenario())
