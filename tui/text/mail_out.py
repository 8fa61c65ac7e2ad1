"""Mail going out as the screens word it: an outgoing message's state, the outbox's counts, a delivery record under
the event it is about, and what a reply will send (the composer's preview and its confirmation).

Recipients' names, subjects and the mail server's answers are hostile: each reaches the screen through
:func:`one_line` (inert), the message's text through :func:`tui.text.labels.plain`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from tui.text.labels import plain, when
from tui.text.safe import one_line

if TYPE_CHECKING:
    from tui.desk.mail_out_rows import DeliveryRow, OutboxRow, OutboxStateRow, ReplyPreview

__all__ = ["STATE_WORDS", "state_word", "outbox_detail", "outbox_summary", "delivery_line", "preview_lines",
           "preview_text", "NOTE_LINE"]  # fmt: skip

#: An outgoing message's state as the outbox says it (words and a glyph, never colour alone).
STATE_WORDS = {
    "queued": "to send",
    "sending": "sending…",
    "retrying": "⟳ retrying",
    "failed": "✗ failed",
    "unknown": "? maybe sent",
    "held": "⊘ held",
    "sent": "✓ sent",
    "skipped": "skipped",
}
#: A delivery record's outcome on the timeline: what the server said comes before to whom, when it failed.
_DELIVERY = {
    "sent": "✓ mailed to {who}{answer}",
    "retrying": "⟳ mail not sent yet, will retry{answer} · to {who}",
    "failed": "✗ mail could not be sent{answer} · to {who}",
    "unknown": "? mail may have been sent; not sent again unless resent from the outbox · to {who}",
    "held": "⊘ mail not sent: {held}",
}
#: What the composer says while an internal note is written and mail is configured.
NOTE_LINE = "Internal: no mail is sent. Only agents see a note."


def state_word(state: str) -> str:
    return STATE_WORDS.get(state, state)


def outbox_detail(row: OutboxRow, zone: str = "UTC") -> str:
    """What to know of one outgoing message in a line: when it is tried again, what the server answered, why it
    is held."""
    if row.state == "queued":
        return "waits for the next send"
    if row.state == "sending":
        return "being handed to the relay"
    if row.state == "retrying":
        again = f"next attempt {when(row.next_attempt_at, zone)} UTC" if row.next_attempt_at else "tried again soon"
        return f"{again} · {row.answer}" if row.answer else again
    if row.state == "unknown":
        return f"may have been sent: {row.answer or 'the sender stopped while handing it over'}"
    if row.state == "held":
        return row.reason or "nobody to send it to"
    return row.answer or row.reason or "—"


def outbox_summary(state: OutboxStateRow | None, rows: list[OutboxRow], relay: str | None, width: int) -> Text:
    """``2 to send · 1 failed · 1 may have been sent · next retry 10:45 UTC · relay smtp:host:587`` (one inert line;
    ``relay`` None: this app does not send)."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.state] = counts.get(row.state, 0) + 1
    waiting = counts.get("queued", 0) + counts.get("sending", 0) + counts.get("retrying", 0)
    words = [f"{waiting} to send"] if waiting else []
    words += [f"{counts[s]} {w}" for s, w in (("failed", "failed"), ("unknown", "may have been sent"),
                                              ("held", "held")) if counts.get(s)]  # fmt: skip
    line = " · ".join(words) if words else "Nothing waits to go out and nothing failed"
    if state is not None and state.next_attempt_at is not None:
        line += f" · next retry {when(state.next_attempt_at)} UTC"
    line += f" · relay {relay}" if relay else " · this app does not send (no smtp_url in [mail])"
    bad = any(counts.get(s) for s in ("failed", "unknown", "held"))
    return Text(one_line(line, width), style="bold" if bad else "")


def delivery_line(row: DeliveryRow, zone: str = "UTC") -> Text:
    """``✓ mailed to alice@example.com · 250 2.0.0 Ok: queued · 2026-11-02 10:43``, ``✗ mail could not be sent:
    550 5.1.1 … · to alice@example.com · …`` — a delivery record in one line (the timeline puts it under its
    event)."""
    who = ", ".join(row.recipients.split()) or "the customer"
    answer = (" · " if row.state == "sent" else ": ") + row.answer if row.answer else ""
    said = _DELIVERY.get(row.state, "{state}{answer}").format(who=who, state=row.state, answer=answer, held=row.answer)
    return Text(one_line(f"{said} · {when(row.at, zone)}", 2000))


def preview_lines(preview: ReplyPreview | None, error: str | None, width: int) -> Text:
    """The composer's two lines above a public reply: the addresses it goes to (the undeliverable marked and left
    out; the names are in the whole message, before it goes) and the subject it carries; or why no mail goes.
    ``preview`` None while it is being composed."""
    if error:
        return Text(one_line(f"✗ Mail: {error}", width), style="bold")
    if preview is None:
        return Text(one_line("Mail: composing what goes out…", width))
    left = " · ".join(f"✗ {one_line(email, 60)}{' (cc)' if role == 'cc' else ''} left out: undeliverable"
                      for email, role, _ in preview.left_out)  # fmt: skip
    if preview.problem:
        first = f"✗ No mail: {preview.problem}" + (f" · {left}" if left else "")
        return Text(one_line(first, width), style="bold")
    people = [one_line(a, 100) for a in preview.to] + [f"{one_line(a, 100)} (cc)" for a in preview.cc]
    first = f"Mail to: {', '.join(people)}" + (f" · {left}" if left else "")
    second = f"Subject: {one_line(preview.subject, 300)} · ctrl+s shows the whole message before it goes"
    return Text(one_line(first, width) + "\n" + one_line(second, width), style="bold" if left else "")


def preview_text(preview: ReplyPreview) -> Text:
    """The whole message a reply sends, as the confirmation shows it: From, To, Cc, Subject, the addresses left
    out, and the text (inert)."""
    lines = [f"From: {one_line(preview.sender, 200)}"]
    lines += [f"To: {one_line(preview.to_header, 2000)}"] if preview.to_header else []
    lines += [f"Cc: {one_line(preview.cc_header, 2000)}"] if preview.cc_header else []
    lines.append(f"Subject: {one_line(preview.subject, 300)}")
    lines += [f"Left out (undeliverable): {one_line(email, 80)} — {one_line(problem, 120) or 'bounced'}"
              for email, _, problem in preview.left_out]  # fmt: skip
    return Text("\n".join(lines) + "\n\n") + plain(preview.text.rstrip())
