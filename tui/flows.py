"""The questions behind each ticket action, shared by the queue (one or many tickets) and the ticket screen.

Each ``ask_*`` coroutine runs the dialogs an action needs and returns a :data:`Change` — a
function ``(desk, number, version)`` that makes the change through the desk — and a short
description of it; or None when the user cancelled. The screens then apply the change to one
ticket or to each marked ticket on its own.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App
from textual.dom import DOMNode
from textual.worker import WorkerFailed

from models.enums import REASON_REQUIRED_STATUSES, Priority, Status

from .desk import Desk, Outcome
from .pickers import ChoiceScreen, TagsScreen, TextPrompt
from .render import priority_label, status_label
from .textsafe import one_line

__all__ = ["Change", "ask_status", "ask_priority", "ask_assignee", "ask_tags", "take", "in_thread", "summary"]

Change = Callable[[Desk, int, int], None]


async def ask_status(app: App, choices: list[str], current: str | None) -> tuple[Change, str] | None:
    if not choices:
        app.notify("A closed ticket cannot change status.", severity="warning", markup=False)
        return None
    status = await app.push_screen_wait(
        ChoiceScreen("Set status", [(s, status_label(s)) for s in choices], current=current)
    )
    if status is None:
        return None
    reason = None
    if status in REASON_REQUIRED_STATUSES:
        reason = await app.push_screen_wait(TextPrompt(f"Why {status_label(status)}? (the customer is told it is on hold)", placeholder="waiting for the supplier"))
        if reason is None:
            return None
    return (lambda desk, n, v: desk.set_status(n, status, reason or None, v)), f"status → {status}"


async def ask_priority(app: App, current: str | None) -> tuple[Change, str] | None:
    choices = [(p.value, priority_label(p.value)) for p in reversed(Priority)]
    priority = await app.push_screen_wait(ChoiceScreen("Set priority", choices, current=current))
    if priority is None:
        return None
    reason = await app.push_screen_wait(
        TextPrompt("Why? A priority change is on the record for everyone to see.", placeholder="e.g. production down for the whole office")
    )
    if reason is None:
        return None
    asked = await app.push_screen_wait(
        TextPrompt("Who asked for it? Shown in the override report.", placeholder='e.g. sales: Rossi — or "own call"',
                   max_length=200)
    )
    if asked is None:
        return None
    return (lambda desk, n, v: desk.set_priority(n, priority, reason, asked, v)), f"priority → {priority}"


UNASSIGN = "\x00unassign"  # never a login: logins are validated


async def ask_assignee(app: App, agents: list[tuple[str, str]], current: str | None) -> tuple[Change, str] | None:
    choices = [(login, f"{login} — {name}" if name else login) for login, name in agents]
    choices.append((UNASSIGN, "— nobody (unassign)"))
    login = await app.push_screen_wait(ChoiceScreen("Assign to", choices, current=current))
    if login is None:
        return None
    target = None if login == UNASSIGN else login
    return (lambda desk, n, v: desk.assign(n, target, v)), f"assignee → {target or 'nobody'}"


def take(login: str) -> tuple[Change, str]:
    return (lambda desk, n, v: desk.assign(n, login, v)), f"assignee → {login}"


async def ask_tags(app: App, current: tuple[str, ...] | None, known: list[str], count: int = 1) -> tuple[Change, str] | None:
    edit = await app.push_screen_wait(TagsScreen(current, known, count=count))
    if edit is None:
        return None
    add, remove = edit
    words = " ".join([*(f"+{t}" for t in add), *(f"-{t}" for t in remove)])
    return (lambda desk, n, v: desk.change_tags(n, add, remove, v)), f"tags {words}"


def next_statuses(status: str) -> list[str]:
    """Every status a ticket may move to, for a bulk action (each ticket's own rules still apply)."""
    return [s.value for s in Status if s != Status.NEW and s.value != status]


async def in_thread(node: DOMNode, fn: Callable[[], object]):
    """``fn()`` run in a thread worker of ``node``; None when it failed (the app has said why)."""
    worker = node.run_worker(fn, thread=True, group="lookup", exit_on_error=False)
    try:
        return await worker.wait()
    except WorkerFailed:
        return None


def summary(outcomes: list[Outcome], what: str) -> tuple[str, str]:
    """What to tell the user after a change to one or more tickets: (message, severity)."""
    done = [o for o in outcomes if o.error is None]
    refused = [o for o in outcomes if o.error is not None]
    if len(outcomes) == 1 and refused:
        return one_line(f"#{refused[0].number}: {refused[0].error}", 400), "warning"
    if refused:
        lines = [f"{what}: {len(done)} of {len(outcomes)} tickets changed; refused:"]
        lines += [one_line(f"#{o.number}: {o.error}", 200) for o in refused[:5]]
        if len(refused) > 5:
            lines.append(f"…and {len(refused) - 5} more")
        return "\n".join(lines), "warning"
    return one_line(f"{what}: {len(done)} ticket{'s' if len(done) != 1 else ''} changed", 200), "information"
