"""The command palette's entries, made from the bindings.

A screen names which of its bindings the palette offers and under what title (``PALETTE``, binding id ->
title); the help line (the binding's tooltip and its keys, as the user's keymap has them) and what runs
(the binding's action) come from the binding itself. An entry is offered while its action is enabled:
the palette offers what the keys could do now.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from textual.actions import parse

from tui.keys import bindings_of, keys_text

if TYPE_CHECKING:
    from textual.dom import DOMNode

__all__ = ["Command", "PaletteCommands", "binding_commands"]


class Command(NamedTuple):
    """One entry of the palette: its title, its help line and what it does."""

    title: str
    help: str
    callback: Callable[[], object]


def binding_commands(node: DOMNode, titles: Mapping[str, str], keymap: Mapping[str, str]) -> list[Command]:
    """The palette entries of ``node``'s bindings named in ``titles`` (in that order) whose action is enabled."""
    bindings = bindings_of([type(node)])
    commands = []
    for binding_id, title in titles.items():
        binding = bindings[binding_id]
        namespace, name, parameters = parse(binding.action)
        target = node.app if namespace == "app" else node
        if target.check_action(name, parameters) is not True:
            continue
        what = binding.tooltip or binding.description
        commands.append(
            Command(title, f"{what} ({keys_text(binding, keymap)})", partial(node.run_action, binding.action))
        )
    return commands


class PaletteCommands:
    """A screen whose bindings the palette offers: ``PALETTE`` maps binding ids to titles.

    A screen with entries that are not keys (its saved views, say) adds them to :meth:`palette_commands`.
    """

    PALETTE: ClassVar[Mapping[str, str]] = {}

    def palette_commands(self) -> list[Command]:
        return binding_commands(self, self.PALETTE, self.app.keymap)  # type: ignore[attr-defined]
