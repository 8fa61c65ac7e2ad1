"""An mbox file as a one-off mail source (``sportello mail import FILE.mbox``).

The file is read, never changed: there is nothing to acknowledge. Importing it again takes nothing
twice (the desk recognises the same bytes), so an import stopped half way is simply run again.
"""

from __future__ import annotations

import mailbox
import os
from collections.abc import Iterator
from pathlib import Path

from sync.mail.errors import MailSourceError
from sync.mail.source import Incoming, no_ack

__all__ = ["MboxSource"]


class MboxSource:
    """One mbox file. Use as a context manager; ``messages()`` yields each message in file order."""

    def __init__(self, path: str | os.PathLike, *, queue: str | None = None, name: str | None = None) -> None:
        self.path = Path(path).expanduser()
        self.queue = queue
        self.name = name or f"mbox:{self.path.name}"
        self._box: mailbox.mbox | None = None

    def __repr__(self) -> str:
        return f"MboxSource({str(self.path)!r})"

    def __enter__(self) -> MboxSource:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        box, self._box = self._box, None
        if box is not None:
            box.close()

    def open(self) -> None:
        where = f"{self.path}"
        try:
            with open(self.path, "rb") as file:
                first = file.readline(200)
        except FileNotFoundError:
            raise MailSourceError(f"{where}: no such file", temporary=False) from None
        except IsADirectoryError:
            raise MailSourceError(f"{where}: a folder, not an mbox file (for a Maildir set maildir)",
                                  temporary=False) from None  # fmt: skip
        except OSError as exc:
            raise MailSourceError(f"{where}: cannot read it: {exc.strerror or exc}", temporary=False) from None
        if first and not first.startswith(b"From "):
            raise MailSourceError(f"{where}: not an mbox file (it does not begin with a 'From ' line)",
                                  temporary=False)  # fmt: skip
        self._box = mailbox.mbox(str(self.path), factory=None, create=False)

    def messages(self) -> Iterator[Incoming]:
        box = self._box
        if box is None:
            raise MailSourceError(f"{self.path}: not open", temporary=False)
        try:
            keys = list(box.iterkeys())
            for index, key in enumerate(keys):
                yield Incoming(key=str(index), data=box.get_bytes(key), ack=no_ack)
        except OSError as exc:
            raise MailSourceError(f"{self.path}: cannot read it: {exc.strerror or exc}", temporary=False) from None
