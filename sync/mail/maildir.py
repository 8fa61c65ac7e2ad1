"""A local Maildir as a mail source: the files in ``new/`` and ``cur/``, oldest first.

Once the desk committed a message, its file is moved into the processed folder (a Maildir++
sub-folder, ``.Processed`` for ``processed_folder = "Processed"``, made when missing; ``new/``
stays ``new/`` and ``cur/`` stays ``cur/``, so a mail program shows it as before). Without a
processed folder the file is marked seen instead (flag ``S``, moved from ``new/`` to ``cur/``), and
files marked seen are not read again — nor files someone else marked seen first, so a Maildir that a
person also reads wants a processed folder. Files flagged ``T`` (deleted, not yet expunged) are
never read.

A file renamed meanwhile (a mail program changing its flags, or moving it from ``new/`` to
``cur/``) is found again by its unique name; one removed meanwhile is left alone.

``batches()`` gives the waiting files ``batch`` at a time (read, not yet acknowledged), so that the
fetcher commits each group in one transaction before it moves any; ``messages()`` gives them one
by one. Each file is acknowledged on its own (a rename), whenever the fetcher says so.
"""

from __future__ import annotations

import mailbox
import os
from collections.abc import Iterator
from pathlib import Path

from sync.mail.errors import MailSourceError
from sync.mail.source import Incoming

__all__ = ["MaildirSource"]

_COLON = mailbox.Maildir.colon  # ":" (or "!" where the file system forbids ":")


def _split(name: str) -> tuple[str, str]:
    """(unique name, flags) of a Maildir file name ``unique:2,FLAGS``."""
    unique, sep, info = name.partition(_COLON)
    return unique, info[2:] if sep and info.startswith("2,") else ""


def _arrival(unique: str) -> tuple[int, str]:
    """Sort key: the delivery time the unique name starts with, then the name."""
    head = unique.split(".", 1)[0]
    return (int(head) if head.isdigit() else 0, unique)


class MaildirSource:
    """One Maildir. Use as a context manager; ``messages()`` yields what is waiting, with its ack."""

    def __init__(
        self, path: str | os.PathLike, *, processed_folder: str | None = None, queue: str | None = None,
        name: str | None = None, batch: int = 200,
    ) -> None:  # fmt: skip
        self.path = Path(path).expanduser()
        self.processed_folder = processed_folder or None
        self.queue = queue
        self.name = name or f"maildir:{self.path}"
        self.batch = max(1, batch)
        self._processed: Path | None = None
        self._where_now: dict[str, Path] = {}  # unique name -> where its file was last seen

    def __repr__(self) -> str:
        return f"MaildirSource({str(self.path)!r})"

    def __enter__(self) -> MaildirSource:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self._where_now.clear()

    def open(self) -> None:
        """Check that the Maildir is one, and make the processed folder when it is missing."""
        if not ((self.path / "new").is_dir() and (self.path / "cur").is_dir()):
            raise MailSourceError(f"{self.name}: not a Maildir (it needs cur/ and new/ folders)", temporary=False)
        if not self.processed_folder:
            return
        folder = self.processed_folder
        if folder.startswith(".") or any(c in folder for c in "/\\\x00") or folder.strip() != folder:
            raise MailSourceError(f"{self.name}: processed_folder {folder!r} is not a Maildir folder name "
                                  "(no slashes, no leading dot)", temporary=False)  # fmt: skip
        try:
            box = mailbox.Maildir(str(self.path), factory=None, create=False)
            try:
                box.get_folder(folder)
            except mailbox.NoSuchMailboxError:
                box.add_folder(folder)
        except OSError as exc:
            raise MailSourceError(
                f"{self.name}: cannot make the processed folder .{folder}: {exc.strerror or exc}",
                temporary=not isinstance(exc, PermissionError),
            ) from None
        self._processed = self.path / f".{folder}"

    def check(self) -> tuple[int, str]:
        """Look, changing nothing: (files waiting, what else is worth saying)."""
        if not ((self.path / "new").is_dir() and (self.path / "cur").is_dir()):
            raise MailSourceError(f"{self.name}: not a Maildir (it needs cur/ and new/ folders)", temporary=False)
        count = len(self._waiting(skip_seen=not self.processed_folder))
        if not self.processed_folder:
            return count, "fetched mail is marked seen (no processed_folder)"
        made = "" if (self.path / f".{self.processed_folder}").is_dir() else " (made at the first fetch)"
        return count, f"fetched mail moves to .{self.processed_folder}{made}"

    def _waiting(self, *, skip_seen: bool) -> list[tuple[tuple[int, str], str, Path]]:
        """(sort key, unique name, path) of the files to take, oldest first."""
        waiting = []
        for sub in ("new", "cur"):
            for name in self._listing(self.path / sub):
                unique, flags = _split(name)
                if "T" in flags or (skip_seen and "S" in flags):
                    continue
                waiting.append((_arrival(unique), unique, self.path / sub / name))
        waiting.sort()
        return waiting

    def messages(self) -> Iterator[Incoming]:
        """Every waiting message, oldest first."""
        for _, unique, path in self._waiting(skip_seen=self._processed is None):
            data = self._read(unique, path)
            if data is None:
                continue
            yield Incoming(key=unique, data=data, ack=self._acker(unique))

    def batches(self) -> Iterator[list[Incoming]]:
        """Every waiting message, oldest first, ``batch`` files at a time."""
        batch: list[Incoming] = []
        for item in self.messages():
            batch.append(item)
            if len(batch) >= self.batch:
                yield batch
                batch = []
        if batch:
            yield batch

    def _listing(self, folder: Path) -> list[str]:
        try:
            return [name for name in os.listdir(folder) if not name.startswith(".")]
        except OSError as exc:
            raise MailSourceError(f"{self.name}: cannot list {folder.name}/: {exc.strerror or exc}",
                                  temporary=not isinstance(exc, PermissionError)) from None  # fmt: skip

    def _find(self, unique: str) -> Path | None:
        """Where the file with this unique name is now (its flags, or new/ or cur/, may have changed)."""
        for sub in ("new", "cur"):
            for name in self._listing(self.path / sub):
                if _split(name)[0] == unique:
                    return self.path / sub / name
        return None

    def _read(self, unique: str, path: Path) -> bytes | None:
        for _ in range(3):
            try:
                data = path.read_bytes()
            except (FileNotFoundError, IsADirectoryError):
                found = self._find(unique)
                if found is None or found == path:
                    return None  # removed meanwhile
                path = found
                continue
            except OSError as exc:
                raise MailSourceError(f"{self.name}: cannot read {path.parent.name}/{path.name}: "
                                      f"{exc.strerror or exc}", temporary=not isinstance(exc, PermissionError)) from None  # fmt: skip
            self._where_now[unique] = path
            return data
        return None

    def _acker(self, unique: str):
        def ack(message_id: int) -> None:
            self._ack(unique)

        return ack

    def _ack(self, unique: str) -> None:
        """Move the file into the processed folder, or mark it seen."""
        for _ in range(3):
            path = self._where_now.get(unique)
            if path is None or not path.exists():
                path = self._find(unique)
            if path is None:
                return  # removed meanwhile: nothing left to move
            if self._processed is not None:
                target = self._processed / path.parent.name / path.name
            else:
                flags = "".join(sorted(set(_split(path.name)[1]) | {"S"}))
                target = self.path / "cur" / f"{unique}{_COLON}2,{flags}"
            try:
                os.rename(path, target)
            except FileNotFoundError:
                self._where_now.pop(unique, None)
                continue  # renamed by someone else just now: look again
            except OSError as exc:
                raise MailSourceError(f"{self.name}: cannot move {path.parent.name}/{path.name} to "
                                      f"{target.parent.parent.name}/{target.parent.name}: {exc.strerror or exc}",
                                      temporary=not isinstance(exc, PermissionError)) from None  # fmt: skip
            self._where_now.pop(unique, None)
            return
