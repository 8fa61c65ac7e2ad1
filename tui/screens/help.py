"""``?`` / F1: every key of the app, grouped by where it works, read from the bindings themselves;
the current screen's keys come first. Also the footer that keeps help and quit in view at any width."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Label, Static
from textual.widgets._footer import FooterKey

from tui.text.safe import cells

__all__ = ["HelpScreen", "KeysFooter", "key_groups"]


def _keys(binding: Binding) -> str:
    names = []
    for key in binding.key.split(","):
        key = key.strip()
        names.append(
            {"slash": "/", "question_mark": "?", "colon": ":", "space": "space", "escape": "esc"}.get(key, key)
        )
    return " ".join(names)


def key_groups() -> list[tuple[str, list[tuple[str, str]], tuple[type, ...]]]:
    """(title, [(keys, what)], screens) for every screen and widget, in the order a new user
    meets them; ``screens`` are the screens whose keys the group lists (none for "Everywhere")."""
    from tui.app import SportelloApp
    from tui.screens.faq import FAQScreen
    from tui.screens.faq_editor import FAQEditor
    from tui.screens.faq_health import FAQHealthScreen
    from tui.screens.faq_history import FAQHistoryScreen
    from tui.screens.kpi import KPIScreen
    from tui.screens.message import MessageView, MessageViewer
    from tui.screens.organizations import OrganizationsScreen
    from tui.screens.queue import QueueScreen
    from tui.screens.sync import SyncScreen
    from tui.screens.ticket import TicketScreen
    from tui.widgets.composer import Composer
    from tui.widgets.queue_table import QueueTable
    from tui.widgets.row_table import RowTable
    from tui.widgets.timeline import Timeline

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
        ("Everywhere", rows(SportelloApp), ()),
        ("Queue", queue, (QueueScreen,)),
        ("Ticket", rows(TicketScreen, Timeline), (TicketScreen,)),
        ("Writing a reply or note", rows(Composer), (TicketScreen,)),
        ("Reading a message whole", rows(MessageViewer, MessageView), (MessageViewer,)),
        ("FAQ", rows(FAQScreen, RowTable), (FAQScreen,)),
        ("FAQ editor", rows(FAQEditor), (FAQEditor,)),
        ("FAQ history", rows(FAQHistoryScreen), (FAQHistoryScreen,)),
        (
            "FAQ health",
            [r for r in rows(FAQHealthScreen) if not r[1].startswith("Show: ")]
            + [("1 … 4", "Usage, never used, drafts, gaps")],
            (FAQHealthScreen,),
        ),
        ("Organizations", rows(OrganizationsScreen), (OrganizationsScreen,)),
        ("KPI dashboard", rows(KPIScreen), (KPIScreen,)),
        ("Sync", rows(SyncScreen), (SyncScreen,)),
    ]


def groups_for(screen: Screen | None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The key groups with ``screen``'s own first, then "Everywhere", then the rest."""
    groups = key_groups()
    here = [g for g in groups if screen is not None and any(isinstance(screen, cls) for cls in g[2])]
    everywhere = [g for g in groups if not g[2]]
    rest = [g for g in groups if g not in here and g not in everywhere]
    return [(title, rows) for title, rows, _ in here + everywhere + rest]


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
    """The full key reference, the keys of ``screen`` (where ? was pressed) first; esc, q, ? or F1 closes it."""

    BINDINGS = [Binding("escape,q,question_mark,f1", "close", "Close", id="help.close")]

    def __init__(self, screen: Screen | None = None) -> None:
        super().__init__()
        self.for_screen = screen

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="help"):
            yield Label(
                Text("Sportello keys — this screen's first; the footer shows the ones that apply now"),
                classes="dialog-title",
            )
            with VerticalScroll():
                for title, rows in groups_for(self.for_screen):
                    yield Static(_group_text(title, rows))
            yield Label(Text("esc close · ctrl+p or : finds any action by name"), classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)


class KeysFooter(Footer):
    """A footer that keeps help and quit in view at any width.

    The keys come in their usual order; when the row is too narrow for all of them the last
    ones give way (they stay in help and the palette), never the ``essential`` actions. The
    ``extras`` (binding ids of keys not shown by default, like A and L) join when there is room.
    """

    def __init__(
        self, *, essential: tuple[str, ...] = ("help", "app.quit", "back"), extras: tuple[str, ...] = ()
    ) -> None:
        super().__init__()
        self.essential = essential
        self.extras = extras
        self._laid_out_for = 0

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        active = self.screen.active_bindings
        palette = (
            active.get(self.app.COMMAND_PALETTE_BINDING)
            if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE
            else None
        )
        by_action: dict[str, tuple[Binding, bool, str]] = {}
        for _, binding, enabled, tooltip in active.values():
            if not (binding.show or binding.id in self.extras) or binding.action in by_action:
                continue
            if any(binding.description == other.description for other, _, _ in by_action.values()):
                continue  # ^q Quit beside q Quit: one is enough in a narrow row
            by_action[binding.action] = (binding, enabled, tooltip)
        room = self.size.width or self.app.size.width
        if palette is not None:
            room -= self._width(palette.binding) + 2  # its border and padding
        chosen = self._fit(list(by_action.values()), room)
        for binding, enabled, tooltip in chosen:
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip or binding.tooltip,
            ).data_bind(compact=Footer.compact)
        if palette is not None:
            binding = palette.binding
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                classes="-command-palette",
                disabled=not palette.enabled,
                tooltip=binding.tooltip or binding.description,
            )
        self._laid_out_for = self.size.width

    def _width(self, binding: Binding) -> int:
        """Cells a key takes in the footer: `` k Description `` (the default, non-compact padding)."""
        return cells(self.app.get_key_display(binding)) + cells(binding.description) + 3

    def _fit(self, keys: list[tuple[Binding, bool, str]], room: int) -> list[tuple[Binding, bool, str]]:
        """The keys that fit ``room`` cells, in order: essential ones first reserved, then the
        shown ones while they fit, then the extras while they fit."""
        essential = [k for k in keys if k[0].action in self.essential]
        left = room - sum(self._width(k[0]) for k in essential)
        keep: set[int] = {id(k) for k in essential}
        for wanted in (lambda b: b.show, lambda b: not b.show):
            for key in keys:
                if id(key) in keep or not wanted(key[0]):
                    continue
                width = self._width(key[0])
                if width > left:
                    left = -1  # the rest give way in order: no later, shorter key jumps the queue
                    continue
                left -= width
                keep.add(id(key))
        return [k for k in keys if id(k) in keep]

    def on_resize(self, event: events.Resize) -> None:
        if self._bindings_ready and event.size.width != self._laid_out_for:
            self.call_after_refresh(self.recompose)
