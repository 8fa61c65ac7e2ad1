"""Keys as people read and remap them: a binding's keys under the user's keymap (the ``[keys]`` table of
config.toml, binding id -> keys), the rows of the key reference, and the check of that table."""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable, Mapping
from typing import NamedTuple

from textual.binding import Binding
from textual.keys import KEY_NAME_REPLACEMENTS, Keys, key_to_character

__all__ = ["KeyGroup", "key_names", "keys_text", "key_rows", "bindings_of", "is_key", "check_keymap", "clashes"]

#: How the reference and the palette name a few keys (others read as Textual names them: ``ctrl+r``, ``down``).
_SHOWN = {"slash": "/", "question_mark": "?", "colon": ":", "space": "space", "escape": "esc"}

_MODIFIERS = {"ctrl", "shift", "alt", "meta", "super", "hyper"}
_NAMED = {k.value for k in Keys if "+" not in k.value and not k.value.startswith("<")}
_NAMED |= set(KEY_NAME_REPLACEMENTS.values())  # slash, backslash, minus, plus, at, underscore
_FUNCTION_KEY = re.compile(r"f([1-9]|1[0-9]|2[0-4])")


class KeyGroup(NamedTuple):
    """A titled part of the key reference: ``rows`` of (keys, what) and the screens whose keys they are."""

    title: str
    rows: list[tuple[str, str]]
    screens: tuple[type, ...] = ()


def key_names(binding: Binding, keymap: Mapping[str, str] | None = None) -> list[str]:
    """The keys of ``binding`` as a person reads them (``/``, ``esc``, ``ctrl+r``), remapped by ``keymap``."""
    keys = (keymap or {}).get(binding.id or "") or binding.key
    return [_SHOWN.get(key.strip(), key.strip()) for key in keys.split(",") if key.strip()]


def keys_text(binding: Binding, keymap: Mapping[str, str] | None = None, joiner: str = " or ") -> str:
    """``e or enter``: the keys of ``binding`` in one string."""
    return joiner.join(key_names(binding, keymap))


def key_rows(
    classes: Iterable[type], keymap: Mapping[str, str] | None = None, skip: Collection[str] = ()
) -> list[tuple[str, str]]:
    """(keys, what) for every described binding of ``classes`` but those whose id is in ``skip``, in order,
    each action once."""
    seen: set[str] = set()
    found: list[tuple[str, str]] = []
    for cls in classes:
        for binding in cls.BINDINGS:
            if not isinstance(binding, Binding) or binding.id in skip:
                continue
            if binding.description and binding.action not in seen:
                seen.add(binding.action)
                found.append((keys_text(binding, keymap, " "), binding.tooltip or binding.description))
    return found


def bindings_of(classes: Iterable[type]) -> dict[str, Binding]:
    """Every binding with an id in the ``BINDINGS`` of ``classes`` (and the classes they inherit from), by id."""
    found: dict[str, Binding] = {}
    for cls in classes:
        for klass in cls.__mro__:
            for binding in vars(klass).get("BINDINGS", ()):
                if isinstance(binding, Binding) and binding.id:
                    found.setdefault(binding.id, binding)
    return found


def is_key(key: str) -> bool:
    """Whether ``key`` names a key Textual can bind: ``o``, ``?``, ``f5``, ``ctrl+o``, ``shift+tab``, ``slash``."""
    if len(key) == 1:
        return key.isprintable()
    *modifiers, name = key.split("+")
    if not name or any(m not in _MODIFIERS for m in modifiers) or len(set(modifiers)) != len(modifiers):
        return False
    if len(name) == 1:
        return name.isprintable() and not name.isspace()
    return name in _NAMED or bool(_FUNCTION_KEY.fullmatch(name)) or key_to_character(name) is not None


def check_keymap(keys: Mapping[str, str], bindings: Mapping[str, Binding]) -> tuple[dict[str, str], list[str]]:
    """The entries of ``keys`` that name a binding of ``bindings`` and keys that exist (their keys
    cleaned of spaces), and one line for each entry that does not (an unknown id, a bad key)."""
    good: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, value in keys.items():
        if binding_id not in bindings:
            near = difflib.get_close_matches(binding_id, list(bindings), n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            problems.append(f"{binding_id!r} is not a binding id{hint}")
            continue
        wanted = [key.strip() if key.strip() else key for key in value.split(",")]
        bad = [key for key in wanted if not is_key(key)]
        if not value.strip() or bad:
            problems.append(f"{binding_id} = {value!r}: {', '.join(repr(k) for k in bad) or 'nothing'} is not a key")
            continue
        good[binding_id] = ",".join(wanted)
    return good, problems


def _bound(keys: str) -> set[str]:
    """``keys`` as Textual binds them (``?`` is ``question_mark``)."""
    return {b.key for b in Binding.make_bindings([Binding(keys, "")])}


def clashes(keymap: Mapping[str, str], classes: Iterable[type]) -> list[str]:
    """A line for each binding that a remapped key leaves without its key where both work (one class's
    bindings): ``queue.status has lost s to queue.take``. Textual gives the key to the remapped binding."""
    found: list[str] = []
    for cls in classes:
        bindings = bindings_of([cls])
        for binding_id, keys in keymap.items():
            if binding_id not in bindings:
                continue
            for other_id, other in bindings.items():
                if other_id == binding_id:
                    continue
                lost = _bound(keys) & _bound(keymap.get(other_id) or other.key)
                line = f"{other_id} has lost {', '.join(sorted(lost))} to {binding_id}"
                if lost and line not in found:
                    found.append(line)
    return found
