"""Every ``sportello`` command. Nothing here imports textual: the full-screen app is imported only
when a command opens it."""

from tui.cli.root import main

__all__ = ["main"]
