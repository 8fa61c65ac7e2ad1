"""The footer of every screen: its keys in their usual order, keeping help, quit and back in view at any width.

Textual's ``Footer`` lets the last keys fall off a narrow row, help and quit among them; this one drops
the least important keys first. It reads the screen's active bindings, so a key remapped in the
``[keys]`` table of config.toml shows as remapped.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from tui.text.safe import cells

__all__ = ["KeysFooter"]


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
