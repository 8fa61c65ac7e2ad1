"""The FAQ screens, driven as a user drives them: Pilot key presses on a copy of the demo desk.

Changes "by another agent" are made through the model functions on the test's own connection,
as another TUI or the CLI would make them.
"""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Markdown

from models.directory import agents
from models.faq import articles as faq
from models.faq import health as faq_health
from models.faq import search as faq_search
from models.search import tickets as search
from models.tickets import changes as tickets
from models.tickets import timeline
from support.tui import (
    NOW,
    editor_ready,
    faq_ready,
    make_app,
    notifications,
    queue_ready,
    run,
    screen_strips,
    screen_text,
    ticket_ready,
    until,
)
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.faq_picker import FAQPicker
from tui.dialogs.text_prompt import TextPrompt
from tui.screens.faq import FAQScreen
from tui.screens.faq_editor import FAQEditor
from tui.screens.faq_health import FAQHealthScreen
from tui.screens.faq_history import FAQHistoryScreen
from tui.widgets.diff_view import DiffView


def other_agent():
    return next(a for a in agents.list_agents() if a.active and a.login != "ada")


async def open_faq_article(pilot, article_id: int) -> FAQScreen:
    """From the queue: f, then search for the article by its number."""
    await queue_ready(pilot)
    await pilot.press("f")
    await faq_ready(pilot)
    await pilot.press("slash", *f"#{article_id}", "enter")
    screen = await faq_ready(pilot, f"#{article_id}")
    assert [h.id for h in screen.hits] == [article_id]
    return screen


async def open_ticket(pilot, number: int):
    """From the queue's "All" view, find ``number`` with the filter and open it."""
    screen = await queue_ready(pilot)
    await pilot.press("7", "slash", *f"#{number}", "enter")
    await until(pilot, lambda: screen.table.query_text == f"#{number}", "the filter")
    await queue_ready(pilot)
    await until(pilot, lambda: screen.table.current_row and screen.table.current_row.number == number, f"#{number}")
    await pilot.press("enter")
    return await ticket_ready(pilot)


async def on_screen(pilot, *texts: str) -> None:
    """Wait until every one of ``texts`` is on screen (the screen repaints after the widgets change)."""
    await until(pilot, lambda: all(t in screen_text(pilot.app) for t in texts), f"{texts!r} on screen")


async def type_in_body(pilot, editor: FAQEditor, text: str) -> None:
    """Put the cursor at the end of the article's text and type ``text``."""
    editor.area.focus()
    editor.area.move_cursor(editor.area.document.end)
    await pilot.press(*("enter" if c == "\n" else c for c in text))


async def save_with_note(pilot, note: str) -> None:
    await pilot.press("ctrl+s")
    await until(pilot, lambda: isinstance(pilot.app.screen, TextPrompt), "the change-note prompt")
    await pilot.press(*note, "enter")


# --- the list ------------------------------------------------------------------------------


def test_f_opens_the_faq_search_narrows_as_you_type_and_a_bad_query_shows_inline(tui_desk):
    everything = faq_search.count_faq("")
    parcel = [h.id for h in faq_search.search_faq("parcel")]
    assert 0 < len(parcel) < everything

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            await queue_ready(pilot)
            await pilot.press("f")
            screen = await faq_ready(pilot)
            assert screen.total == everything and len(screen.hits) == everything
            await on_screen(pilot, f"{everything} articles", screen.hits[0].title[:20])
            assert screen.shown.id == screen.hits[0].id  # the preview follows the cursor

            await pilot.press("slash", *"parcel")  # no enter: the list follows the typing
            await faq_ready(pilot, "parcel")
            assert [h.id for h in screen.hits] == parcel
            await on_screen(pilot, f"{len(parcel)} article")

            await pilot.press(*" tag:")  # a filter without a value
            await until(pilot, lambda: screen.query_one("#faq-error").display, "the error")
            await on_screen(pilot, "empty value")
            assert pilot.app.is_running and [h.id for h in screen.hits] == parcel  # the last good list stays

            await pilot.press("escape")  # clears the search
            await faq_ready(pilot, "")
            assert screen.total == everything and not screen.query_one("#faq-error").display
            await pilot.press("escape")  # then leaves
            await queue_ready(pilot)

    run(scenario())


def test_categories_narrow_the_list_beside_it_and_through_c_when_narrow(tui_desk):
    counts = dict(faq.categories())

    async def scenario():
        async with make_app(tui_desk).run_test(size=(120, 40)) as pilot:
            await queue_ready(pilot)
            await pilot.press("f")
            screen = await faq_ready(pilot)
            assert screen.query_one("#faq-categories").display
            options = screen.query_one("#faq-categories")
            options.focus()
            await pilot.press("down")  # the first category
            first = sorted(counts, key=str.casefold)[0]
            await until(pilot, lambda: screen.category == first, "the category")
            await faq_ready(pilot, 'category:"' + first + '"')
            assert {h.category for h in screen.hits} == {first}
            assert len(screen.hits) == faq_search.count_faq(f'category:"{first}"')

            await pilot.resize_terminal(80, 24)
            await until(pilot, lambda: not screen.query_one("#faq-categories").display, "the list to hide")
            await pilot.press("c")
            await until(pilot, lambda: pilot.app.screen.__class__.__name__ == "ChoiceDialog", "the category picker")
            await pilot.press(*"All categories", "enter")
            await faq_ready(pilot, "")
            assert screen.category is None and screen.total == faq_search.count_faq("")

    run(scenario())


def test_publish_and_archive_from_the_list(tui_desk):
    draft = faq_search.search_faq("status:draft", limit=1)[0]

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            screen = await open_faq_article(pilot, draft.id)
            await pilot.press("P")
            await until(pilot, lambda: faq.get_article(draft.id).status == "published", "published")
            await faq_ready(pilot, f"#{draft.id}")
            await pilot.press("X")
            await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog), "the question")
            await pilot.press("n")  # not archived after all
            await until(pilot, lambda: pilot.app.screen is screen, "back to the list")
            assert faq.get_article(draft.id).status == "published"
            await pilot.press("X")
            await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog), "the question")
            await pilot.press("y")
            await until(pilot, lambda: faq.get_article(draft.id).status == "archived", "archived")
            await faq_ready(pilot, f"#{draft.id}")
            assert screen.hits == []  # archived articles leave the list unless status: asks for them
            history = faq.revisions(draft.id)
            assert [(r.status, r.author) for r in history[:2]] == [("archived", "ada"), ("published", "ada")]

    run(scenario())


# --- the editor ----------------------------------------------------------------------------


def test_edit_and_save_with_a_note_makes_a_revision(tui_desk):
    article = faq_search.search_faq("status:published", limit=1)[0]
    before = faq.get_article(article.id)

    async def scenario():
        async with make_app(tui_desk).run_test(size=(120, 40)) as pilot:
            await open_faq_article(pilot, article.id)
            await pilot.press("enter")
            editor = await editor_ready(pilot)
            assert editor.area.text == before.body and editor.query_one("#editor-title").value == before.title
            await type_in_body(pilot, editor, "\nCall us on **0800 123**.")
            await on_screen(pilot, "unsaved")
            await until(pilot, lambda: "0800 123" in editor.query_one("#editor-markdown").source, "the live preview")
            await save_with_note(pilot, "phone number")
            await until(pilot, lambda: faq.get_article(article.id).version == 2, "the new revision")
            newest = faq.revisions(article.id)[0]
            assert (newest.number, newest.author, newest.note) == (2, "ada", "phone number")
            assert newest.body == before.body + "\nCall us on **0800 123**."
            assert (newest.title, newest.status, newest.tags) == (before.title, before.status, before.tags)
            await until(pilot, lambda: editor.version == 2 and not editor.dirty, "the editor on revision 2")
            await on_screen(pilot, "revision 2")
            await pilot.press("escape")  # nothing unsaved: no question
            await faq_ready(pilot)

    run(scenario())


def test_a_conflicting_save_is_refused_keeps_the_text_and_a_second_save_overwrites(tui_desk):
    article = faq_search.search_faq("status:published", limit=1)[0]
    other = other_agent()

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            await open_faq_article(pilot, article.id)
            await pilot.press("e")
            editor = await editor_ready(pilot)
            await type_in_body(pilot, editor, "\nMine.")
            mine = editor.area.text
            faq.save_article(other, article.id, body="Theirs.", note="rewrote it", expect_version=1)
            await save_with_note(pilot, "my addition")
            await until(pilot, lambda: editor.conflict_with == 2, "the refusal")
            assert editor.area.text == mine  # nothing typed is lost
            assert faq.get_article(article.id).body == "Theirs." and faq.get_article(article.id).version == 2
            said = notifications(pilot.app)
            assert other.login in said and "rewrote it" in said and "text is kept" in said
            await on_screen(pilot, "Someone else saved revision 2")

            await save_with_note(pilot, "mine wins")  # deliberately, over their revision
            await until(pilot, lambda: faq.get_article(article.id).version == 3, "the second save")
            newest = faq.revisions(article.id)[0]
            assert (newest.body, newest.note, newest.author) == (mine, "mine wins", "ada")

    run(scenario())


def test_new_article_and_leaving_with_unsaved_changes_asks_first(tui_desk):
    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            await pilot.press("f")
            await faq_ready(pilot)
            await pilot.press("n")
            editor = await editor_ready(pilot)
            await pilot.press(*"Printing a receipt")
            await type_in_body(pilot, editor, "Open *Orders* and choose Print.")
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog), "the question")
            await pilot.press("n")  # keep editing
            await until(pilot, lambda: pilot.app.screen is editor, "back in the editor")
            assert editor.area.text == "Open *Orders* and choose Print."
            await save_with_note(pilot, "")  # enter alone: the first revision says "created"
            await until(pilot, lambda: editor.article_id is not None, "the new article")
            created = faq.get_article(editor.article_id)
            assert (created.title, created.body, created.status, created.author) == (
                "Printing a receipt", "Open *Orders* and choose Print.", "draft", "ada")  # fmt: skip
            assert faq.revisions(created.id)[0].note == "created"
            assert f"FAQ #{created.id} created" in notifications(pilot.app)

    run(scenario())


def test_e_in_the_editor_hands_the_text_to_editor(tui_desk, tmp_path, monkeypatch):
    script = tmp_path / "editor.sh"
    script.write_text('#!/bin/sh\nprintf "\\nFrom my editor." >> "$1"\n')
    script.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(script))
    monkeypatch.delenv("VISUAL", raising=False)
    article = faq_search.search_faq("status:published", limit=1)[0]

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            await open_faq_article(pilot, article.id)
            await pilot.press("e")
            editor = await editor_ready(pilot)
            body = editor.area.text
            await pilot.press("ctrl+o")
            await until(pilot, lambda: editor.area.text.endswith("From my editor."), "the edited text")
            assert editor.area.text == body + "\nFrom my editor." and editor.dirty

    run(scenario())


# --- the history ---------------------------------------------------------------------------


def test_history_shows_the_diff_between_two_revisions_and_revert_makes_a_new_one(tui_desk):
    admin = agents.get_agent("ada")
    article = faq_search.search_faq("status:published", limit=1)[0]
    original = faq.get_article(article.id)
    faq.save_article(admin, article.id, body="Step one.\nStep two.", note="shorter")
    faq.save_article(admin, article.id, body="Step one.\nStep 2, now simpler.", title="Renamed", note="clearer")

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            await open_faq_article(pilot, article.id)
            await pilot.press("h")
            await until(pilot, lambda: isinstance(pilot.app.screen, FAQHistoryScreen), "the history")
            history = pilot.app.screen
            diff = history.query_one("#history-diff", DiffView)
            await until(pilot, lambda: history.compared == (2, 3) and "Step 2" in str(diff.render()), "the newest diff")
            shown = str(diff.render())
            assert "-Step two." in shown and "+Step 2, now simpler." in shown and "+Title: Renamed" in shown
            await on_screen(pilot, "clearer", "shorter", "Changes from revision 2 to revision 3")

            await pilot.press("space", "down", "down")  # mark 3, then the cursor on 1: compare 1 with 3
            await until(
                pilot, lambda: history.compared == (1, 3) and "+Step one." in str(diff.render()), "the diff 1 → 3"
            )
            shown = str(diff.render())
            assert "+Title: Renamed" in shown and "-Step two." not in shown

            await pilot.press("r")  # revert to revision 1
            await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog), "the question")
            await pilot.press("y")
            await until(pilot, lambda: faq.get_article(article.id).version == 4, "the revert")
            reverted = faq.get_article(article.id)
            assert (reverted.title, reverted.body) == (original.title, original.body)
            assert faq.revisions(article.id)[0].note == "reverted to revision 1"
            await until(
                pilot, lambda: history.revisions and history.revisions[0].number == 4, "the new revision listed"
            )
            await until(pilot, lambda: history.table.current_key == 4, "the cursor on it")

    run(scenario())


def test_revert_is_refused_when_someone_saved_meanwhile(tui_desk):
    admin = agents.get_agent("ada")
    other = other_agent()
    article = faq_search.search_faq("status:published", limit=1)[0]
    faq.save_article(admin, article.id, body="Second text.", note="second")

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            await open_faq_article(pilot, article.id)
            await pilot.press("h")
            await until(
                pilot,
                lambda: isinstance(pilot.app.screen, FAQHistoryScreen) and pilot.app.screen.revisions,
                "the history",
            )
            history = pilot.app.screen
            await pilot.press("down")  # revision 1
            faq.save_article(other, article.id, body="Third text.", note="meanwhile")
            await pilot.press("r")
            await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog), "the question")
            await pilot.press("y")
            await until(pilot, lambda: "meanwhile" in notifications(pilot.app), "the refusal")
            assert faq.get_article(article.id).body == "Third text."
            await until(pilot, lambda: len(history.revisions) == 3, "the history refreshed")

    run(scenario())


# --- from a ticket -------------------------------------------------------------------------


def ticket_with_suggestions() -> tuple[int, list]:
    for ticket in search.search_tickets("is:open is:unassigned", limit=100).tickets:
        found = faq_search.suggest_for_ticket(ticket.number, limit=8)
        if len(found) >= 2 and not any(h.linked for h in found):
            return ticket.number, found
    raise AssertionError("no open ticket with suggestions in the demo desk")


def test_i_inserts_a_suggestion_into_the_reply_draft_and_links_it(tui_desk):
    number, suggested = ticket_with_suggestions()
    searched = faq_search.search_faq("parcel status:published")[0]

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            screen = await open_ticket(pilot, number)
            await pilot.press("r", *"Hello,", "tab")  # a draft, then out of it
            await until(pilot, lambda: pilot.app.focused is not screen.composer.area, "focus out of the draft")
            version = screen.view.version
            await pilot.press("i")
            await until(
                pilot,
                lambda: isinstance(pilot.app.screen, FAQPicker) and pilot.app.screen.shown_for is None,
                "the suggestions",
            )
            picker = pilot.app.screen
            assert [h.id for h in picker.hits] == [h.id for h in suggested]
            await pilot.press("enter")  # the best suggestion
            first = faq.get_article(suggested[0].id)
            await until(pilot, lambda: first.body.strip() in screen.composer.draft, "the article in the draft")
            assert screen.composer.draft == f"Hello,\n\n{first.body.strip()}\n"  # appended, not overwritten
            assert pilot.app.drafts[(number, "reply")] == screen.composer.draft
            assert not faq.linked_articles(number)  # linked when the reply is sent, not before
            assert screen.view.version == version

            await pilot.press("tab")
            await until(pilot, lambda: pilot.app.focused is not screen.composer.area, "focus out of the draft")
            await pilot.press("i")
            await until(
                pilot,
                lambda: isinstance(pilot.app.screen, FAQPicker) and pilot.app.screen.shown_for is None,
                "the suggestions",
            )
            await pilot.press(*"parcel")  # search instead of the suggestions
            await until(pilot, lambda: pilot.app.screen.shown_for == "parcel status:published", "the search")
            await pilot.press("enter")
            await until(
                pilot,
                lambda: screen.composer.draft.endswith(faq.get_article(searched.id).body.strip() + "\n"),
                "the second article",
            )
            assert screen.composer.draft.startswith(f"Hello,\n\n{first.body.strip()}\n\n")
            assert not faq.linked_articles(number)

            await pilot.press("ctrl+s")  # the reply goes out, and the articles it holds are linked with it
            await until(
                pilot,
                lambda: any(e.kind == "reply" for e in timeline.events_of(number, since_version=version)),
                "the reply",
            )
            events = timeline.events_of(number, since_version=version)
            reply = next(e for e in events if e.kind == "reply")
            assert reply.body.startswith("Hello,")
            links = [e for e in events if e.kind == "faq_linked"]
            assert {e.new_value for e in links} == {str(first.id), str(searched.id)}
            assert all(e.version == reply.version and e.reason == "inserted in a reply" for e in links)  # one change
            await ticket_ready(pilot, reply.version)
            await on_screen(pilot, f"FAQ #{first.id}")  # the header lists it

    run(scenario())


def test_x_extracts_a_draft_from_the_latest_reply_and_opens_it(tui_desk):
    admin = agents.get_agent("ada")
    number = search.search_tickets("is:open is:unassigned", limit=1).tickets[0].number
    tickets.add_reply(admin, number, "Restart the router, then sign in again.")

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            await open_ticket(pilot, number)
            await pilot.press("x")
            await until(pilot, lambda: isinstance(pilot.app.screen, TextPrompt), "the title prompt")
            await pilot.press("ctrl+u", *"Signing in after a router restart", "enter")
            editor = await editor_ready(pilot)
            created = faq.get_article(editor.article_id)
            assert (created.title, created.body, created.status, created.source_ticket) == (
                "Signing in after a router restart", "Restart the router, then sign in again.", "draft", number)  # fmt: skip
            assert editor.area.text == created.body
            assert f"Draft FAQ #{created.id} created from #{number}" in notifications(pilot.app)
            link = timeline.events_of(number)[-1]
            assert (link.kind, link.new_value, link.visibility) == ("faq_linked", str(created.id), "internal")
            await pilot.press("escape")
            screen = await ticket_ready(pilot)
            await until(pilot, lambda: (created.id, created.title) in screen.view.faqs, "the link in the header")

    run(scenario())


# --- health --------------------------------------------------------------------------------


def test_the_health_view_shows_usage_drafts_and_gaps(tui_desk):
    report = faq_health.faq_health(now=NOW)
    assert report.gaps and report.usage and report.drafts

    async def scenario():
        async with make_app(tui_desk).run_test(size=(120, 40)) as pilot:
            await queue_ready(pilot)
            await pilot.press("f")
            await faq_ready(pilot)
            await pilot.press("H")
            await until(
                pilot, lambda: isinstance(pilot.app.screen, FAQHealthScreen) and pilot.app.screen.report, "the report"
            )
            screen = pilot.app.screen
            await pilot.pause()
            assert screen.report == report  # computed for the app's clock
            assert screen.query_one("#health-usage").keys == [u.id for u in report.usage]
            await on_screen(pilot, report.usage[0].title[:20], f"Usage {len(report.usage)}", f"Gaps {len(report.gaps)}")
            await pilot.press("3")
            await on_screen(pilot, report.drafts[0].title[:20])
            await pilot.press("4")
            gap = report.gaps[0]
            covered = next(g for g in report.gaps if g.covered_by)
            await on_screen(pilot, gap.topic, " ".join(f"#{n}" for n in gap.examples), f"#{covered.covered_by}")
            index = report.gaps.index(covered)
            for _ in range(index):
                await pilot.press("down")
            await pilot.press("enter")  # the covering article opens in the editor
            editor = await editor_ready(pilot)
            assert editor.article_id == covered.covered_by

    run(scenario())


def test_the_health_view_says_computing_until_the_report_is_there(tui_desk, monkeypatch):
    import threading

    from tui.desk.desk import Desk

    release = threading.Event()
    compute = Desk.faq_health

    def slow(self, now=None):
        release.wait(5)
        return compute(self, now)

    monkeypatch.setattr(Desk, "faq_health", slow)

    async def scenario():
        async with make_app(tui_desk).run_test(size=(80, 24)) as pilot:
            await queue_ready(pilot)
            await pilot.press("f")
            await faq_ready(pilot)
            await pilot.press("H")
            await until(pilot, lambda: isinstance(pilot.app.screen, FAQHealthScreen), "the health view")
            await on_screen(pilot, "computing…")
            release.set()
            await until(pilot, lambda: pilot.app.screen.report is not None, "the report")
            await until(pilot, lambda: "computing…" not in screen_text(pilot.app), "the report on screen")

    run(scenario())


# --- hostile text --------------------------------------------------------------------------

HOSTILE_TITLE = "[@click=app.quit]x[/] \x1b]0;pwned\x07 [link=file:///etc/passwd]y[/link] \u202eevil"
HOSTILE_BODY = (
    "# Head [@click=app.quit]x[/]\n\n"
    "\x1b]0;pwned\x07 [bold]loud[/bold] <script>alert(1)</script> \x1b[2J\n\n"
    "[link](file:///etc/passwd) and [web](https://evil.example/x) and <https://auto.example> "
    "and ![img](data:image/png;base64,AAAA) &#x202e;rev &#13;cr\n\n"
    "```[@click=app.quit]\n\x1b[31mcode\n```\n\n"
    "| a | b |\n|---|---|\n| [t](https://t.example) | \u202ex |\n"
)


def assert_inert(app) -> None:
    """No segment on screen carries a control character, a bidi override, a link or a click action."""
    for strip in screen_strips(app):
        for segment in strip:
            assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or c in "\u202e\u2066\u200f" for c in segment.text), (
                repr(segment.text)
            )
            style = segment.style
            if style is not None:
                assert not style.link, style.link
                assert not (style.meta or {}).get("@click"), style.meta


def test_hostile_article_text_is_inert_in_the_list_preview_editor_and_history(tui_desk, monkeypatch):
    admin = agents.get_agent("ada")
    category = faq.add_category(admin, "[bold]Cat\x1b[31m")
    article = faq.create_article(admin, title=HOSTILE_TITLE, body=HOSTILE_BODY, category=category, status="published")
    faq.save_article(
        admin, article.id, body=HOSTILE_BODY + "\nmore [@click=app.quit]q[/]\x07", note="[@click=app.quit]n\x1b[31m"
    )
    opened: list[str] = []

    async def scenario():
        app = make_app(tui_desk)
        monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await open_faq_article(pilot, article.id)
            # shown literally: markup, HTML, a link's address (not followed), the category in the list beside
            await on_screen(
                pilot,
                "Head",
                "[@click=app.quit]x[/]",
                "<script>alert(1)</script>",
                "https://evil.example/x",
                "[bold]Cat",
            )
            assert_inert(app)
            for y in range(0, 12):
                await pilot.click("#faq-preview", offset=(12, y))
            markdown = screen.query_one("#faq-markdown", Markdown)
            markdown.post_message(Markdown.LinkClicked(markdown, "file:///etc/passwd"))
            await pilot.pause()
            assert "Link, not opened: file:///etc/passwd" in notifications(app)
            assert app.is_running and app.screen is screen

            await pilot.click("#faq-list", offset=(10, 1))  # clicking the title opens the article, nothing else
            await pilot.pause(0.2)
            assert app.is_running
            if app.screen is screen:
                await pilot.press("e")
            editor = await editor_ready(pilot)
            await until(
                pilot, lambda: "evil.example" in editor.query_one("#editor-markdown").source, "the editor preview"
            )
            await pilot.pause(0.3)
            assert "\x1b" not in editor.area.text and "\x1b" not in editor.query_one("#editor-title").value
            assert_inert(app)
            for y in range(0, 10):
                await pilot.click("#editor-preview", offset=(8, y))
            assert app.is_running and not editor.dirty  # looking changes nothing
            await pilot.press("escape")
            await faq_ready(pilot, f"#{article.id}")

            await pilot.press("h")
            await until(
                pilot, lambda: isinstance(app.screen, FAQHistoryScreen) and app.screen.compared == (1, 2), "the history"
            )
            history = app.screen
            await until(pilot, lambda: "more" in str(history.query_one("#history-diff").render()), "the diff")
            await on_screen(pilot, "[@click=app.quit]n")
            assert_inert(app)
            await pilot.click("#history-diff-pane", offset=(5, 1))
            await pilot.click("#history-list", offset=(30, 1))
            assert app.is_running and opened == []

    run(scenario())


def test_the_ticket_header_cuts_linked_faqs_to_the_width(tui_desk):
    from tui.text.ticket_header import ticket_header

    admin = agents.get_agent("ada")
    number = search.search_tickets("is:open", limit=1).tickets[0].number
    ids = [h.id for h in faq_search.search_faq("status:published", limit=6)]
    for article_id in ids:
        tickets.link_faq(admin, number, article_id)
    view = tui_desk.ticket(number)
    assert [i for i, _ in view.faqs] == ids
    for width in (60, 80, 200):
        lines = ticket_header(view, NOW + timedelta(days=1), width).plain.split("\n")
        assert lines[-1].startswith(f"FAQ #{ids[0]} ") and all(len(line) <= width for line in lines)


def test_hostile_article_titles_are_inert_in_the_ticket_header_and_the_picker(tui_desk):
    admin = agents.get_agent("ada")
    article = faq.create_article(admin, title=HOSTILE_TITLE + " parcel", body=HOSTILE_BODY, status="published")
    number, _ = ticket_with_suggestions()
    tickets.link_faq(admin, number, article.id)

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            screen = await open_ticket(pilot, number)
            await on_screen(pilot, f"FAQ #{article.id} [@click=app.quit]x[/]")
            assert_inert(pilot.app)
            await pilot.click("#ticket-header", offset=(12, 4))
            await pilot.press("i")
            await until(
                pilot,
                lambda: isinstance(pilot.app.screen, FAQPicker) and pilot.app.screen.shown_for is None,
                "the suggestions",
            )
            await pilot.press(*"parcel")
            await until(pilot, lambda: pilot.app.screen.shown_for == "parcel status:published", "the search")
            assert article.id in [h.id for h in pilot.app.screen.hits]
            await on_screen(pilot, f"★ #{article.id} [@click=app.quit]x[/]")  # ★: linked already
            assert_inert(pilot.app)
            await pilot.click("#faq-pick-list", offset=(10, 1))  # on the titles: at most it picks one
            await pilot.pause(0.2)
            assert pilot.app.is_running
            if isinstance(pilot.app.screen, FAQPicker):
                await pilot.press("escape")
            await until(pilot, lambda: pilot.app.screen is screen, "back on the ticket")
            assert_inert(pilot.app)

    run(scenario())


def test_quitting_with_an_unsaved_article_asks_first(tui_desk):
    article = faq_search.search_faq("status:published", limit=1)[0]

    async def scenario():
        app = make_app(tui_desk)
        async with app.run_test(size=(100, 30)) as pilot:
            await open_faq_article(pilot, article.id)
            await pilot.press("e")
            editor = await editor_ready(pilot)
            await type_in_body(pilot, editor, " More.")
            await pilot.press("ctrl+q")
            await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
            await pilot.press("n")
            await until(pilot, lambda: app.screen is editor, "back in the editor")
            assert app.is_running and editor.area.text.endswith(" More.")
            await pilot.press("ctrl+q")
            await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
            await pilot.press("y")
            await until(pilot, lambda: not app.is_running, "the app to quit")

    run(scenario())
