"""The questions behind each ticket action, shared by the queue (one or many tickets) and the ticket screen.

Each ``ask_*`` coroutine runs the dialogs an action needs and returns a :data:`Change` — a
function ``(desk, number, version)`` that makes the change through the desk — and a short
description of it; or None when the user cancelled. The screens then apply the change to one
ticket or to each marked ticket on its own.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Collection

from textual.app import App
from textual.dom import DOMNode
from textual.worker import WorkerFailed

from models.enums import REASON_REQUIRED_STATUSES, Priority, Status
from tui.desk.desk import Desk
from tui.desk.rows import Outcome
from tui.dialogs.choice import ChoiceDialog
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.tags import TagsDialog
from tui.dialogs.text_prompt import TextPrompt
from tui.text.labels import priority_label, status_label
from tui.text.safe import one_line

__all__ = [
    "Change", "ask_status", "ask_priority", "ask_assignee", "ask_tags", "ask_take", "ask_merge", "take", "in_thread",
    "apply_one", "summary", "plural", "kept_tags", "TAGS_KEPT",
]  # fmt: skip

Change = Callable[[Desk, int, int], None]


def plural(count: int, word: str) -> str:
    """``1 ticket``, ``3 tickets``."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _of(count: int) -> str:
    """`` of 3 tickets`` for a bulk prompt; nothing for one ticket."""
    return f" of {plural(count, 'ticket')}" if count != 1 else ""


#: Statuses that end the work on a ticket: done to several at once, they are confirmed first.
_FINISHING = {Status.RESOLVED.value: "Resolve", Status.CLOSED.value: "Close"}


async def ask_status(app: App, choices: list[str], current: str | None, count: int = 1) -> tuple[Change, str] | None:
    if not choices:
        app.notify("A closed ticket cannot change status.", severity="warning", markup=False)
        return None
    status = await app.push_screen_wait(
        ChoiceDialog(f"Set status{_of(count)}", [(s, status_label(s)) for s in choices], current=current)
    )
    if status is None:
        return None
    if count > 1 and status in _FINISHING:
        verb = _FINISHING[status]
        sure = await app.push_screen_wait(
            ConfirmDialog(f"{verb} {plural(count, 'ticket')}?", yes=f"{verb} {count}", no="Cancel")
        )
        if not sure:
            return None
    reason = None
    if status in REASON_REQUIRED_STATUSES:
        prompt = f"Why {status_label(status)}? The customer reads this reason."
        reason = await app.push_screen_wait(TextPrompt(prompt, placeholder="waiting for the supplier"))
        if reason is None:
            return None
    return (lambda desk, n, v: desk.set_status(n, status, reason or None, v)), f"status → {status}"


async def ask_priority(app: App, current: str | None, count: int = 1) -> tuple[Change, str] | None:
    choices = [(p.value, priority_label(p.value)) for p in reversed(Priority)]
    priority = await app.push_screen_wait(ChoiceDialog(f"Set priority{_of(count)}", choices, current=current))
    if priority is None:
        return None
    reason = await app.push_screen_wait(
        TextPrompt(
            "Why? A priority change is on the record for everyone to see.",
            placeholder="e.g. production down for the whole office",
        )
    )
    if reason is None:
        return None
    asked = await app.push_screen_wait(
        TextPrompt(
            "Who asked for it? Shown in the override report.",
            placeholder='e.g. sales: Rossi — or "own call"',
            max_length=200,
        )
    )
    if asked is None:
        return None
    return (lambda desk, n, v: desk.set_priority(n, priority, reason, asked, v)), f"priority → {priority}"


UNASSIGN = "\x00unassign"  # never a login: logins are validated


async def ask_assignee(
    app: App, agents: list[tuple[str, str]], current: str | None, count: int = 1
) -> tuple[Change, str] | None:
    choices = [(login, f"{login} — {name}" if name else login) for login, name in agents]
    choices.append((UNASSIGN, "— nobody (unassign)"))
    title = f"Assign {plural(count, 'ticket')} to" if count != 1 else "Assign to"
    login = await app.push_screen_wait(ChoiceDialog(title, choices, current=current))
    if login is None:
        return None
    target = None if login == UNASSIGN else login
    return (lambda desk, n, v: desk.assign(n, target, v)), f"assignee → {target or 'nobody'}"


def take(login: str) -> tuple[Change, str]:
    return (lambda desk, n, v: desk.assign(n, login, v)), f"assignee → {login}"


async def ask_take(app: App, me: str, assignees: dict[int, str]) -> tuple[Change, str] | None:
    """Take these tickets (number → its assignee, "" for nobody); asks first when one belongs to someone else."""
    others = {n: who for n, who in assignees.items() if who and who != me}
    if others:
        who = sorted(set(others.values()))
        names = ", ".join(who[:3]) + (", …" if len(who) > 3 else "")
        if len(assignees) == 1:
            question = f"#{next(iter(others))} is assigned to {names}. Take it anyway?"
        else:
            verb = "is" if len(others) == 1 else "are"
            question = f"{len(others)} of the {plural(len(assignees), 'ticket')} {verb} assigned to someone else ({names}). Take them all?"
        if not await app.push_screen_wait(ConfirmDialog(one_line(question, 300), yes="Take", no="Cancel")):
            return None
    return take(me)


async def ask_merge(node: DOMNode, desk: Desk, number: int) -> tuple[Change, str] | None:
    """Merge ticket ``number`` into another: which one, why (optional; its customer reads it), then
    a confirmation. When the two tickets belong to different customers the confirmation names both
    and says why it matters, and only a yes to it merges them (the desk refuses otherwise). The
    customers are those the confirmation was asked for: if either ticket's changes before the
    merge, it is refused naming the change."""
    app = node.app
    typed = await app.push_screen_wait(
        TextPrompt(
            f"Merge #{number} into which ticket? #{number} will be closed and point there.",
            placeholder="its number, e.g. 1234",
            max_length=12,
        )  # fmt: skip
    )
    if typed is None:
        return None
    digits = typed.removeprefix("#")
    target = int(digits) if digits.isascii() and digits.isdecimal() else None
    if target is None or not 0 < target < 2**31 or target == number:
        app.notify(one_line(f"{typed!r} is not another ticket's number.", 200), severity="warning", markup=False)
        return None
    checked = await in_thread(node, lambda: desk.merge_warning(number, target))  # None: it failed
    if checked is None:
        return None
    warning, customers = checked  # the merge is refused if either ticket's customer changes meanwhile
    reason = await app.push_screen_wait(
        TextPrompt(
            f"Why? (optional) The customer of #{number} reads it.", placeholder="e.g. the same request", required=False
        )  # fmt: skip
    )
    if reason is None:
        return None
    if warning is not None:
        question, yes = f"{warning}. Merge anyway?", "Merge anyway"
    else:
        question, yes = (
            f"Merge #{number} into #{target}? #{number} is closed for good; replies to it go on #{target}.",
            "Merge",
        )
    if not await app.push_screen_wait(ConfirmDialog(one_line(question, 600), yes=yes, no="Cancel")):
        return None
    across = warning is not None

    def change(desk: Desk, n: int, version: int) -> None:
        desk.merge(n, target, reason or None, version, across_customers=across, customers=customers)

    return change, f"merged into #{target}"


# Tags typed into a tag edit that was refused (a conflict), kept per app and ticket until they
# are applied or the next edit is cancelled: the next ``t`` on the same tickets starts with them.
_kept: weakref.WeakKeyDictionary[App, dict[int, str]] = weakref.WeakKeyDictionary()

#: What a refusal says when the tags typed are kept.
TAGS_KEPT = "your tags are kept: t starts with them"


def _tag_drafts(app: App) -> dict[int, str]:
    return _kept.setdefault(app, {})


def kept_tags(app: App, numbers: Collection[int]) -> str | None:
    """The tags typed into a refused edit of exactly these tickets (the same text for each), if any."""
    drafts = _tag_drafts(app)
    found = {drafts.get(n) for n in numbers}
    return found.pop() if len(found) == 1 else None


async def ask_tags(
    app: App, current: tuple[str, ...] | None, known: list[str], numbers: Collection[int]
) -> tuple[Change, str] | None:
    drafts = _tag_drafts(app)
    edit = await app.push_screen_wait(TagsDialog(current, known, count=len(numbers), value=kept_tags(app, numbers)))
    for n in numbers:
        drafts.pop(n, None)
    if edit is None:
        return None
    for n in numbers:  # kept until this ticket's change is made
        drafts[n] = edit.text
    words = " ".join([*(f"+{t}" for t in edit.add), *(f"-{t}" for t in edit.remove)])

    def change(desk: Desk, number: int, version: int) -> None:
        desk.change_tags(number, edit.add, edit.remove, version)
        drafts.pop(number, None)

    return change, f"tags {words}"


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


async def apply_one(node: DOMNode, desk: Desk, change: Change, number: int, version: int) -> Outcome | None:
    """``change`` made to one ticket in a thread worker of ``node``: its outcome, a refusal included;
    None when it failed otherwise (the app has said why)."""
    return await in_thread(node, lambda: desk.bulk({number: version}, lambda n, v: change(desk, n, v))[0])


def summary(outcomes: list[Outcome], what: str, kept: str | None = None) -> tuple[str, str]:
    """What to tell the user after a change to one or more tickets: (message, severity).

    ``kept`` says what is kept for another try, told with a refusal.
    """
    done = [o for o in outcomes if o.error is None]
    refused = [o for o in outcomes if o.error is not None]
    if len(outcomes) == 1 and refused:
        return one_line(f"#{refused[0].number}: {refused[0].error}" + (f" — {kept}" if kept else ""), 400), "warning"
    if refused:
        lines = [f"{what}: {len(done)} of {plural(len(outcomes), 'ticket')} changed; refused:"]
        lines += [one_line(f"#{o.number}: {o.error}", 200) for o in refused[:5]]
        if len(refused) > 5:
            lines.append(f"…and {len(refused) - 5} more")
        if kept:
            lines.append(kept[0].upper() + kept[1:])
        return "\n".join(lines), "warning"
    return one_line(f"{what}: {plural(len(done), 'ticket')} changed", 200), "information"
