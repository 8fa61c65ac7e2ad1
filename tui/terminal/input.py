"""Keys that are not UTF-8 must not end the app.

Textual's Linux driver decodes the terminal's bytes strictly: a paste of Latin-1 text, a stray
byte from a flaky SSH link or a hostile ``printf '\\xff'`` raised UnicodeDecodeError in its input
thread and took the app down with a traceback. The driver looks the decoder factory up by name in
its module when it starts reading, so giving it one that decodes with ``errors="replace"`` turns
such bytes into U+FFFD (shown as ``�``) and the app goes on.
"""

from __future__ import annotations

import codecs
import functools

__all__ = ["tolerate_bad_bytes"]


def _tolerant_factory(encoding: str):
    return functools.partial(codecs.getincrementaldecoder(encoding), errors="replace")


def tolerate_bad_bytes() -> None:
    """Make the terminal driver replace undecodable input bytes instead of failing (idempotent)."""
    try:
        from textual.drivers import linux_driver
    except ImportError:  # not on a POSIX terminal: Windows' driver reads keys, not bytes
        return
    if getattr(linux_driver, "getincrementaldecoder", None) is not None:
        linux_driver.getincrementaldecoder = _tolerant_factory
