"""App-wide news, told by signal (``textual.signal.Signal``) instead of the app calling screens' methods
by name: a screen subscribes in its ``on_mount`` and hears the news while it lives.

* ``app.desk_changed`` carries a :class:`DeskChange` each time the desk's latest change moves on;
* ``app.sync_done`` tells that a sync finished (its results were notified already);
* ``app.quitting`` carries a :class:`Quitting` before the app quits: a screen keeps what was typed
  and says what unsaved work would be lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = ["DeskChange", "Quitting", "FollowsDesk"]


class DeskChange(NamedTuple):
    """The desk's latest change is now ``number``; ``first``: the first the app learns of, which
    tells each screen how recent what it shows is, with nothing to reload."""

    number: int
    first: bool = False


@dataclass
class Quitting:
    """The app is about to quit: each screen adds what it would lose to ``unsaved`` (``FAQ #3 "Printers"``)."""

    unsaved: list[str] = field(default_factory=list)


class FollowsDesk:
    """A screen that shows the desk's latest: it calls :meth:`follow_desk` in ``on_mount`` and defines
    ``desk_changed(change: int)``, which hears each change while the screen is on top (one that comes
    back on top calls it itself, with ``app.latest_change``)."""

    seen_change = 0  # the latest change the screen shows

    def follow_desk(self) -> None:
        self.app.desk_changed.subscribe(self, self._desk_news, immediate=True)  # type: ignore[attr-defined]

    def _desk_news(self, change: DeskChange) -> None:
        if change.first:
            self.seen_change = self.seen_change or change.number
        elif self.app.screen is self:  # type: ignore[attr-defined]
            self.desk_changed(change.number)  # type: ignore[attr-defined]
