"""Mail in (and, with issue 18, out): raw messages kept by content, parsed, recognised as automatic
or not, threaded onto the right ticket with the reason on its timeline, quarantined when they cannot
be processed. Sits above reports (the status mail will show the customer's page) and below exchange."""

from .settings import IMAP_SCHEMES, Mailbox, MailSettings, mail_settings, read_mailbox_secret
from .tables import (
    MAIL_TABLES,
    DeskSecret,
    InState,
    MailAddress,
    MailAttachment,
    MailMessage,
    MailUid,
    TicketParticipant,
)

__all__ = [
    "IMAP_SCHEMES",
    "Mailbox",
    "MailSettings",
    "mail_settings",
    "read_mailbox_secret",
    "MAIL_TABLES",
    "DeskSecret",
    "InState",
    "MailAddress",
    "MailAttachment",
    "MailMessage",
    "MailUid",
    "TicketParticipant",
]
