"""Sportello's user interfaces: the ``sportello`` command line (:mod:`tui.cli.root`) and the
full-screen Textual app (:mod:`tui.app`). Both call ``models`` functions only, and show stored
text only through :mod:`tui.text.safe`."""

from __future__ import annotations

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    # importlib.metadata costs ~15 ms at start; only --version needs it.
    if name != "__version__":
        raise AttributeError(name)
    from importlib import metadata

    try:
        return metadata.version("sportello")
    except metadata.PackageNotFoundError:  # a source tree that was never installed
        return "0+unknown"
