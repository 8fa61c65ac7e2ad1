"""A search field that waits for a pause in typing: :class:`SearchBar`.

Every search box of the app (the queue's filter, the FAQ's search, the organizations' search, the
FAQ picker's) is one: its parent hears :class:`SearchBar.Typed` once typing rests for ``delay``
seconds — not on every key — and :class:`SearchBar.Entered` on enter. A change still waiting
when enter is pressed is not sent on its own: ``Entered`` carries the value and says so
(``pending``), so the parent searches once. The field's own ``Input.Changed`` and
``Input.Submitted`` stop here. (The messages are not named Changed and Submitted: ``Input`` posts
``self.Changed`` and ``self.Submitted`` itself, so a SearchBar's own classes of those names would
be posted on every key.)
"""

from __future__ import annotations

from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input

__all__ = ["SearchBar", "SEARCH_DELAY"]

#: Seconds of typing pause before a search runs (long enough to skip the keys of one word).
SEARCH_DELAY = 0.12


class SearchBar(Input):
    """An ``Input`` that tells its parent what to search for after a pause in typing, and on enter."""

    class Typed(Message):
        """Typing rested: search for ``value``."""

        def __init__(self, search_bar: SearchBar, value: str) -> None:
            super().__init__()
            self.search_bar = search_bar
            self.value = value

        @property
        def control(self) -> SearchBar:
            return self.search_bar

    class Entered(Message):
        """Enter: search for ``value`` now. ``pending``: a change was still waiting (no Typed comes for it)."""

        def __init__(self, search_bar: SearchBar, value: str, pending: bool) -> None:
            super().__init__()
            self.search_bar = search_bar
            self.value = value
            self.pending = pending

        @property
        def control(self) -> SearchBar:
            return self.search_bar

    def __init__(self, *, delay: float = SEARCH_DELAY, placeholder: str = "", id: str | None = None, **kwargs) -> None:
        super().__init__(placeholder=placeholder, id=id, **kwargs)
        self.delay = delay
        self._timer: Timer | None = None

    @property
    def pending(self) -> bool:
        """Typed, and the search for it not asked for yet."""
        return self._timer is not None

    def _on_input_changed(self, event: Input.Changed) -> None:
        if event.input is not self:
            return
        event.stop()
        self.drop_pending()
        value = event.value
        self._timer = self.set_timer(self.delay, lambda: self._rested(value))

    def _rested(self, value: str) -> None:
        self._timer = None
        self.post_message(self.Typed(self, value))

    def _on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input is not self:
            return
        event.stop()
        pending = self.pending
        self.drop_pending()
        self.post_message(self.Entered(self, event.value, pending))

    def drop_pending(self) -> None:
        """Forget a change still waiting: no Typed comes for it (the parent has searched already)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
