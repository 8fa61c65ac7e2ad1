"""The customer's view of a ticket: only what they may see, next step and due time, inert in every format."""

from __future__ import annotations

from html.parser import HTMLParser

from models.reports.customer_view import customer_status
from models.reports.status_page import render_status
from models.sla import rules as sla
from models.tickets import changes as tickets
from support.cli import HOSTILE, RAW_CONTROLS

EVIL = HOSTILE + " <script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3)) **bold**"


def ticket_with_history(admin):
    t = tickets.create_ticket(admin, subject=EVIL, body=EVIL, customer="eva@example.com", customer_name="Eva " + EVIL)
    tickets.add_reply(admin, t.number, "We are looking into it.")
    tickets.add_note(admin, t.number, "INTERNAL: customer is a pain")
    tickets.set_priority(admin, t.number, "urgent", reason="SECRET-PRIORITY-REASON", requested_by="own call")
    tickets.change_tags(admin, t.number, add=["vip-secret"])
    return t


def test_only_public_messages_and_status_changes(admin):
    t = ticket_with_history(admin)
    view = customer_status(t.number)
    assert [e.kind for e in view.entries] == ["message", "message", "status"]
    everything = "\n".join(render_status(view, fmt) for fmt in ("text", "markdown", "html"))
    for secret in ("INTERNAL", "SECRET-PRIORITY-REASON", "vip-secret", "urgent", admin.login + "@"):
        assert secret not in everything
    assert view.status_name == "in progress"


def test_next_step_and_due_time_in_the_desks_timezone(admin):
    sla.save_calendar(admin, "Rome", timezone="Europe/Rome", hours={"mon": "09:00-18:00"})
    sla.save_policy(admin, "All", calendar="Rome", resolution=60)
    t = tickets.create_ticket(admin, subject="Printer", body="Broken", customer="eva@example.com")
    view = customer_status(t.number)
    assert view.due is not None and view.timezone == "Europe/Rome"
    assert "We aim to solve it by " in render_status(view) and "(Europe/Rome)." in render_status(view)
    tickets.set_status(admin, t.number, "pending")
    paused = customer_status(t.number)
    assert paused.due is None and "the clock is paused" in render_status(paused)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs


def test_hostile_text_is_inert_in_every_format(admin):
    view = customer_status(ticket_with_history(admin).number)
    page = render_status(view, "html")
    parser = _Tags()
    parser.feed(page)
    assert set(parser.tags) <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "div", "p", "strong"}
    assert not any(name.startswith("on") or name in ("src", "href") for name, _ in parser.attrs)
    assert "&lt;script&gt;" in page and "<script" not in page
    assert "default-src 'none'" in page
    markdown = render_status(view, "markdown")
    assert (
        "\\<script\\>" in markdown and "\\[x\\]\\(javascript:alert\\(3\\)\\)" in markdown and "\\*\\*bold" in markdown
    )
    for text in (page, markdown, render_status(view, "text")):
        assert not any(c in text for c in RAW_CONTROLS)
