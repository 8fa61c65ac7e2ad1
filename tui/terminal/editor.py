"""Handing a text to the user's own editor ($VISUAL, $EDITOR, else vi) and taking it back.

The app is suspended (``App.suspend``) while the editor owns the terminal; in a headless run
(tests) the editor simply runs. Failures are told to the user and give None: the text on
screen is never replaced by something half-written.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import tempfile

from textual.app import App, SuspendNotSupported

from tui.text.safe import one_line

__all__ = ["edit_externally"]


def edit_externally(app: App, text: str, *, prefix: str = "sportello-") -> str | None:
    """``text`` after the user edited it in $VISUAL / $EDITOR; None if that failed (the user is told)."""
    configured = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        command = shlex.split(configured) or ["vi"]
    except ValueError:  # an unbalanced quote in $EDITOR
        app.notify(one_line(f"Cannot read the editor command {configured!r}", 200), severity="error", markup=False)
        return None
    handle, path = tempfile.mkstemp(prefix=prefix, suffix=".md")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        try:
            suspended = app.suspend() if not app.is_headless else contextlib.nullcontext()
            with suspended:
                result = subprocess.run([*command, path], check=False)
        except SuspendNotSupported:
            app.notify("This terminal cannot hand over to an editor.", severity="warning", markup=False)
            return None
        except OSError as exc:
            app.notify(
                one_line(f"Cannot run the editor {command[0]!r}: {exc.strerror}", 200), severity="error", markup=False
            )
            return None
        if result.returncode != 0:
            app.notify(
                f"The editor exited with status {result.returncode}; the text is unchanged.",
                severity="warning",
                markup=False,
            )
            return None
        with open(path, encoding="utf-8", errors="replace") as file:
            return file.read()
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
