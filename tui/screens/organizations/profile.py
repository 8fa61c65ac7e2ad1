"""The organizations screen's profile pane: it follows the cursor side by side (once it rests), opens with enter
when narrow, and says why a profile could not be read."""

from __future__ import annotations

from datetime import datetime

from textual import work

from models.errors import SportelloError
from models.reports.organizations import PROFILE_DAYS

__all__ = ["OrgProfilePane"]

PREVIEW_DELAY = 0.1  # seconds the cursor rests on a row before its profile loads (side by side only)


class OrgProfilePane:
    """The profile pane of :class:`~tui.screens.organizations.screen.OrganizationsScreen`, a mixin of it; ``wanted``
    is the organization it is for."""

    def _preview_soon(self) -> None:
        """Side by side, the profile follows the cursor (once it rests)."""
        if self._preview_timer is not None:
            self._preview_timer.stop()
        if not self.narrow:
            self._preview_timer = self.set_timer(PREVIEW_DELAY, self._preview)

    def _preview(self) -> None:
        key = self.current()
        if key is not None and key != self.wanted:
            self._ask_profile(key)
        elif key is None and self.wanted is not None:
            self.wanted = self.profile = None
            self.profile_view.say("No organization matches." if self.mode == "list" else "No organization is at risk.")

    def _open_profile(self) -> None:
        key = self.current()
        if key is None:
            return
        if key != self.wanted or self.profile is None:
            self._ask_profile(key)
        self.profile_open = True
        self._show_panes()
        self.set_focus(self.profile_view.tickets)

    def _ask_profile(self, key: int | str) -> None:
        if key != self.wanted:
            self.profile = None
            self.profile_view.say("loading…")
        self.wanted = key
        self._load_profile(key, self._now())

    @work(thread=True, group="orgs-profile", exclusive=True, exit_on_error=False)
    def _load_profile(self, key: int | str, now: datetime) -> None:
        try:
            found = self.desk.organization(key, now=now)
        except SportelloError as err:  # gone or renamed meanwhile: said in the pane
            self.post_message(self.Profiled(key, None, now, err.message))
            return
        self.post_message(self.Profiled(key, found, now))

    def _show_profile(self, message) -> None:
        if message.key != self.wanted:
            return
        if message.profile is None:
            self.profile_view.say(f"✗ {message.error}")
        else:
            self.profile = message.profile
            self.profile_view.show(message.profile, at=message.now, days=PROFILE_DAYS)
            self._show_status()

    def _close_profile(self) -> None:
        self.profile_open = False
        self._show_panes()
        self.set_focus(self._side())
