"""Mail sources: where incoming mail is read (an IMAP mailbox, a local Maildir, an mbox file) and the
fetch that hands each message to the desk (``models.mail.ingest``) before it moves or flags it at
its source. No textual here; the command line and the app call :func:`sync.mail.fetch.fetch`."""

from sync.mail.errors import EX_TEMPFAIL, MailSourceError
from sync.mail.source import Incoming, Source

__all__ = ["EX_TEMPFAIL", "MailSourceError", "Incoming", "Source"]
