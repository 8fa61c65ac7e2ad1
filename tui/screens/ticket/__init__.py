"""One ticket: the screen itself (:mod:`.screen`), writing a reply or note on it (:mod:`.composer`), the FAQ
from it (:mod:`.faq`) and the changes made to it (:mod:`.changes`)."""

from tui.screens.ticket.screen import TicketScreen

__all__ = ["TicketScreen"]
