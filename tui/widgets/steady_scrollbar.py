"""A scrollbar that repaints only when its size or content changed (bytes on the wire: issue 14.20)."""

from __future__ import annotations

__all__ = ["SteadyScrollbar"]


class SteadyScrollbar:
    """For a ``ScrollView``: repaint its scrollbar when its size or content changed, not on every layout.

    Textual (8.x) hands a ``ScrollView`` the laid-out size as ``virtual_size``, never its own, so
    every layout pass anywhere on the screen (a status line updated, a preview filled) repaints
    the whole scrollbar column: a few bytes per row, every key. With nothing changed, nothing is
    done and no Resize is sent.
    """

    _steady_seen: tuple | None = None

    def _size_updated(self, size, virtual_size, container_size, layout: bool = True) -> bool:
        seen = (size, self.virtual_size, container_size)  # type: ignore[attr-defined]
        if seen == self._steady_seen:
            return False
        self._steady_seen = seen
        return super()._size_updated(size, virtual_size, container_size, layout)  # type: ignore[misc]
