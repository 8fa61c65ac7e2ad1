"""Where the app goes: the one place screens are made.

A screen never imports another screen: it asks the app (``self.app.open_ticket(12)``), and a widget
tells its screen with a message. Each screen's module loads the first time that screen opens, so the
app starts with the queue alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.screen import Screen

    from models.search.views import View
    from tui.desk.desk import Desk
    from tui.widgets.queue_table import FirstPage

__all__ = ["Navigation"]


class Navigation:
    """The app's ways to open each screen; mixed into :class:`tui.app.SportelloApp`, which gives the
    desk, the clock, the keymap and ``push_screen``."""

    desk: Desk
    now: Callable[[], datetime]
    keymap: Mapping[str, str]
    screen: Screen
    push_screen: Callable

    def open_queue(self, *, views: list[View] | None = None, first_page: FirstPage | None = None) -> None:
        """The home screen (``views`` and its ``first_page`` read before the app started, when given)."""
        from tui.screens.queue import QueueScreen

        self.push_screen(QueueScreen(self.desk, now=self.now, views=views, first_page=first_page))

    def open_ticket(self, number: int) -> None:
        from tui.screens.ticket import TicketScreen

        self.push_screen(TicketScreen(self.desk, number, now=self.now))

    def open_message(self, heading: str, body: str, *, title: str = "message") -> None:
        """One message whole, under ``heading`` (who, when); ``title`` names it in the header."""
        from tui.screens.message import MessageViewer

        self.push_screen(MessageViewer(heading, body, desk=self.desk, title=title))

    def open_faq(self) -> None:
        from tui.screens.faq import FAQScreen

        self.push_screen(FAQScreen(self.desk, now=self.now))

    def open_faq_editor(self, article_id: int | None, *, category: str = "") -> None:
        """The editor of FAQ article ``article_id``; None writes a new one (in ``category``)."""
        from tui.screens.faq_editor import FAQEditor

        self.push_screen(FAQEditor(self.desk, article_id, category=category, now=self.now))

    def open_faq_history(self, article_id: int) -> None:
        from tui.screens.faq_history import FAQHistoryScreen

        self.push_screen(FAQHistoryScreen(self.desk, article_id, now=self.now))

    def open_faq_health(self) -> None:
        from tui.screens.faq_health import FAQHealthScreen

        self.push_screen(FAQHealthScreen(self.desk, now=self.now))

    def open_organizations(self) -> None:
        from tui.screens.organizations import OrganizationsScreen

        self.push_screen(OrganizationsScreen(self.desk, now=self.now))

    def open_kpi(self) -> None:
        from tui.screens.kpi import KPIScreen

        self.push_screen(KPIScreen(self.desk, now=self.now))

    def open_sync(self) -> None:
        from tui.screens.sync import SyncScreen

        self.push_screen(SyncScreen(self.desk, now=self.now))

    def open_sla_rules(self) -> None:
        from tui.screens.sla_rules import SLARulesScreen

        self.push_screen(SLARulesScreen(self.desk))

    def open_mail_quarantine(self) -> None:
        """The mail that could not be processed."""
        from tui.screens.mail_quarantine import MailQuarantineScreen

        self.push_screen(MailQuarantineScreen(self.desk, now=self.now))

    def open_mail_outbox(self) -> None:
        """The mail going out that waits or needs a look."""
        from tui.screens.mail_outbox import MailOutboxScreen

        self.push_screen(MailOutboxScreen(self.desk, now=self.now))

    def show_help(self) -> None:
        """Every key, the current screen's first, as the keymap has them (not over the help itself); the mail
        keys only when mail is configured."""
        from tui.key_reference import groups_for, key_groups
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            groups = key_groups(type(self), self.keymap, mail=getattr(self, "mail_shown", False))
            self.push_screen(HelpScreen(groups_for(self.screen, groups)))
