"""A table column as the screens size it: :data:`Column`, (heading, width in cells)."""

from __future__ import annotations

__all__ = ["Column"]

#: (heading, width in cells)
Column = tuple[str, int]
