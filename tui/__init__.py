"""Sportello's user interfaces: the ``sportello`` command line (:mod:`tui.cli`) and, later, the
full-screen Textual app. Both call ``models`` functions only, and show stored text only through
:mod:`tui.textsafe`."""

from __future__ import annotations

from importlib import metadata

__all__ = ["__version__"]

try:
    __version__ = metadata.version("sportello")
except metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
