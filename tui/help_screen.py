"""``?`` / F1: every key of the app, grouped by where it works, read from the bindings themselves."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

__all__ = ["HelpScreen", "key_groups"]


def _keys(binding: Binding) -> str:
    names = []
    for key in binding.key.split(","):
        key = key.strip()
        names.append({"slash": "/", "question_mark": "?", "colon": ":", "space": "space", "escape": "esc"}.get(key, key))
    return " ".join(names)


def key_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """(title, [(keys, what)]) for every screen and widget, in the order a new user meets them."""
    from .app import SportelloApp
    from .composer import Composer
    from .faq_editor import FAQEditor
    from .faq_health_view import FAQHealthScreen
    from .faq_history import FAQHistoryScreen
    from .faq_screen import FAQScreen
    from .faq_table import RowTable
    from .kpi_screen import KPIScreen
    from .org_screen import OrganizationsScreen
    from .queue_screen import QueueScreen
    from .queue_table import QueueTable
    from .sync_screen import SyncScreen
    from .ticket_screen import TicketScreen
    from .timeline_view import Timeline

    def rows(*classes) -> list[tuple[str, str]]:
        seen, found = set(), []
        for cls in classes:
            for binding in cls.BINDINGS:
                if isinstance(binding, Binding) and binding.description and binding.action not in seen:
                    seen.add(binding.action)
                    found.append((_keys(binding), binding.tooltip or binding.description))
        return found

    queue = rows(QueueTable, QueueScreen)
    queue = [r for r in queue if not r[1].startswith("View ")] + [("1 … 9", "Saved view N")]
    return [
        ("Everywhere", rows(SportelloApp)),
        ("Queue", queue),
        ("Ticket", rows(TicketScreen, Timeline)),
        ("Writing a reply or note", rows(Composer)),
        ("FAQ", rows(FAQScreen, RowTable)),
        ("FAQ editor", rows(FAQEditor)),
        ("FAQ history", rows(FAQHistoryScreen)),
        ("FAQ health", [r for r in rows(FAQHealthScreen) if not r[1].startswith("Show: ")] + [("1 … 4", "Usage, never used, drafts, gaps")]),
        ("Organizations", rows(OrganizationsScreen)),
        ("KPI dashboard", rows(KPIScreen)),
        ("Sync", rows(SyncScreen)),
    ]


#: Room for text inside the help dialog (its width, less border and padding).
HELP_WIDTH = 72


def _group_text(title: str, rows: list[tuple[str, str]]) -> Text:
    """One group as ``keys  what`` lines: in two columns when they fit the dialog, else one."""
    text = Text()
    text.append(title + "\n", style="bold underline")
    key_width = max((len(k) for k, _ in rows), default=0) + 2
    half = (len(rows) + 1) // 2
    left, right = rows[:half], rows[half:]
    what_width = max((len(w) for _, w in left), default=0) + 2
    widest_right = max((len(w) for _, w in right), default=0)
    if key_width * 2 + what_width + widest_right + 2 > HELP_WIDTH:
        left, right = rows, []
    for index, (keys, what) in enumerate(left):
        text.append(f" {keys:<{key_width}}", style="bold")
        if index < len(right):
            text.append(f"{what:<{what_width}}")
            other_keys, other_what = right[index]
            text.append(f" {other_keys:<{key_width}}", style="bold")
            text.append(other_what)
        else:
            text.append(what)
        text.append("\n")
    return text


class HelpScreen(ModalScreen[None]):
    """The full key reference; any of esc, q, ? or F1 closes it."""

    BINDINGS = [Binding("escape,q,question_mark,f1", "close", "Close", id="help.close")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="help"):
            yield Label(Text("Sportello keys — the footer shows the ones that apply now"), classes="dialog-title")
            with VerticalScroll():
                for title, rows in key_groups():
                    yield Static(_group_text(title, rows))
            yield Label(Text("esc close · ctrl+p or : finds any action by name"), classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
