"""The FAQ feels right (issue 14, point 18 a–b), driven with Pilot on a copy of the demo desk: the editor opens
where people add to an article and says which field has focus; the picker behind `i` previews the article."""

from __future__ import annotations

from models.faq import articles as faq
from models.tickets import changes as tickets
from support.tui import editor_ready, faq_ready, make_app, queue_ready, run, screen_text, ticket_ready, until
from tui.dialogs.faq_picker import FAQPicker
from tui.screens.faq_editor import FAQEditor

PRINTER_ARTICLES = {
    "Printer offline after sleep": "Press the blue button twice to wake the printer from sleep.",
    "Printer prints blank pages": "Replace the toner cartridge, then print a test page from Settings.",
}


def focus_marks(app) -> list[str]:
    """The field names marked as having focus, as the screen shows them."""
    text = screen_text(app)
    return [name for name in ("Title", "Tags", "Text", "Preview") if f"▸ {name}" in text]


def test_the_editor_opens_at_the_end_of_the_text_and_marks_the_focused_field(tui_desk):
    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            await pilot.press("f")
            await faq_ready(pilot)
            await pilot.press("down", "e")
            editor = await editor_ready(pilot)
            body = faq.get_article(editor.article_id).body
            assert pilot.app.focused is editor.area
            assert editor.area.cursor_location == editor.area.document.end
            await until(pilot, lambda: focus_marks(pilot.app) == ["Text"], "the text marked")

            await pilot.press(*" More.")  # the first keys typed add to the end
            assert editor.area.text == body + " More."

            await pilot.press("shift+tab")  # back to the tags field: the mark follows
            await until(pilot, lambda: focus_marks(pilot.app) == ["Tags"], "the tags marked")
            await pilot.press("shift+tab", "shift+tab", "shift+tab")
            await until(pilot, lambda: focus_marks(pilot.app) == ["Title"], "the title marked")

    run(scenario())


def test_a_new_article_starts_in_its_title_marked(tui_desk):
    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            await pilot.press("f")
            await faq_ready(pilot)
            await pilot.press("n")
            editor = await editor_ready(pilot)
            assert isinstance(editor, FAQEditor) and editor.article_id is None
            assert pilot.app.focused is editor.query_one("#editor-title")
            await until(pilot, lambda: focus_marks(pilot.app) == ["Title"], "the title marked")

    run(scenario())


def printer_ticket(desk) -> tuple[int, dict[str, int]]:
    made = {
        title: faq.create_article(desk.me, title=title, body=body, category="Technical", status="published").id
        for title, body in PRINTER_ARTICLES.items()
    }
    ticket = tickets.create_ticket(
        desk.me, subject="Printer offline and prints blank pages", body="After sleep the printer prints blank pages."
    )
    return ticket.number, made


async def open_ticket(pilot, number: int):
    screen = await queue_ready(pilot)
    await pilot.press("7", "slash", *f"#{number}", "enter")
    await until(pilot, lambda: screen.table.current_row and screen.table.current_row.number == number, f"#{number}")
    await pilot.press("enter")
    return await ticket_ready(pilot)


def test_the_faq_picker_previews_the_highlighted_article(tui_desk):
    number, made = printer_ticket(tui_desk)
    bodies = {made[title]: body for title, body in PRINTER_ARTICLES.items()}

    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            await open_ticket(pilot, number)
            await pilot.press("i")
            await until(
                pilot,
                lambda: isinstance(pilot.app.screen, FAQPicker) and pilot.app.screen.shown_for is None,
                "the suggestions",
            )
            picker = pilot.app.screen
            first, second = (h.id for h in picker.hits[:2])
            assert {first, second} == set(made.values())  # the ticket's own articles come first
            await until(pilot, lambda: bodies[first][:40] in screen_text(pilot.app), "the first article's text")
            await pilot.press("down")  # the search box keeps the focus; the preview follows the list
            await until(pilot, lambda: bodies[second][:40] in screen_text(pilot.app), "the second article's text")
            assert bodies[first][:40] not in screen_text(pilot.app)
            assert "enter insert" in screen_text(pilot.app)  # the whole dialog fits at 80×24

    run(scenario())


def test_the_faq_picker_still_returns_the_highlighted_articles_id(tui_desk):
    number, made = printer_ticket(tui_desk)
    chosen: list[int | None] = []

    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            pilot.app.push_screen(FAQPicker(tui_desk, number), chosen.append)
            await until(
                pilot,
                lambda: isinstance(pilot.app.screen, FAQPicker) and pilot.app.screen.shown_for is None,
                "the suggestions",
            )
            second = pilot.app.screen.hits[1].id
            await pilot.press("down")
            await until(pilot, lambda: pilot.app.screen.query_one("#faq-pick-list").highlighted == 1, "the second row")
            await pilot.press("enter")
            await until(pilot, lambda: chosen, "the answer")
            assert chosen == [second] and second in made.values()

    run(scenario())


def test_the_preview_shows_hostile_text_inertly(tui_desk):
    number, made = printer_ticket(tui_desk)
    article_id = made["Printer offline after sleep"]
    faq.save_article(
        tui_desk.me, article_id, body="Press [@click=app.quit]here[/] \x1b[31mRED\x1b[0m now.", note="hostile"
    )

    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            pilot.app.push_screen(FAQPicker(tui_desk, number))
            await until(
                pilot,
                lambda: isinstance(pilot.app.screen, FAQPicker) and pilot.app.screen.shown_for is None,
                "the suggestions",
            )
            picker = pilot.app.screen
            if picker.hits[0].id != article_id:
                await pilot.press("down")
            await until(pilot, lambda: "Press [@click=app.quit]here[/]" in screen_text(pilot.app), "the text, as typed")
            assert "\x1b" not in screen_text(pilot.app) and isinstance(pilot.app.screen, FAQPicker)

    run(scenario())
