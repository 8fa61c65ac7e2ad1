"""The FAQ as a directory of Markdown files, one per article, and back.

Each file is front matter then the body, exactly as stored::

    ---
    id: 12
    title: "How do I reset my password?"
    category: "Accounts"
    tags: ["login", "password"]
    status: published
    revision: 3
    ---
    Open **Settings** …

Values are JSON (which YAML reads too), so any title survives. ``revision`` is the revision the
file was written from: importing a file whose article has moved on since is refused for that
file (someone else's edit would be lost); drop the line to overwrite on purpose. Import matches
articles by ``id``, writes a new revision only where something changed, creates an article for
a file without ``id`` (or with an id this desk does not have), creates the categories the files
name that this desk lacks, and reports each bad file by name and line while the others are
imported.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from models.errors import InvalidInput, SportelloError
from models.faq import articles as faq
from models.store import safe_files
from models.store.tables import Agent, FAQArticle

__all__ = ["ArticleFile", "ImportReport", "ParseError", "render_article", "parse_article", "export_faq", "import_faq"]

_KEYS = ("id", "title", "category", "tags", "status", "revision")
_FENCE = "---"
MAX_FILE_BYTES = 2_000_000


@dataclass(frozen=True)
class ArticleFile:
    """What one file says about an article."""

    title: str
    body: str
    category: str = ""
    tags: tuple[str, ...] = ()
    status: str = "draft"
    id: int | None = None
    revision: int | None = None


@dataclass
class ImportReport:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "FILE:LINE: message", one line each
    categories: list[str] = field(default_factory=list)  # created because a file named them


class ParseError(InvalidInput):
    """An article file that does not read: ``line`` is where (1-based), ``message`` what is wrong there.
    Invalid input like any other (exit 2); the callers name the file and the line."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def render_article(article: faq.Article) -> str:
    """The file for ``article``."""
    head = [
        _FENCE,
        f"id: {article.id}",
        f"title: {_json(article.title)}",
        f"category: {_json(article.category)}",
        f"tags: {_json(list(article.tags))}",
        f"status: {article.status}",
        f"revision: {article.version}",
        _FENCE,
    ]
    return "\n".join(head) + "\n" + article.body


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def parse_article(text: str) -> ArticleFile:
    """Read a file written by :func:`render_article` (or by hand); raises ParseError(line, message)."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip("\r") != _FENCE:
        raise ParseError(1, "no front matter: the file must start with a line '---'")
    values: dict = {}
    for number, raw in enumerate(lines[1:], start=2):
        line = raw.rstrip("\r")
        if line == _FENCE:
            body = "\n".join(lines[number:])
            return _article(values, body, number)
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, colon, value = line.partition(":")
        key = key.strip()
        if not colon or key not in _KEYS:
            raise ParseError(number, f"expected one of {', '.join(_KEYS)} followed by ':', not {line[:40]!r}")
        if key in values:
            raise ParseError(number, f"{key} is given twice")
        values[key] = (_value(key, value.strip(), number), number)
    raise ParseError(len(lines), "the front matter is not closed by a line '---'")


def _value(key: str, text: str, line: int):
    if text.startswith(('"', "[")):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ParseError(line, f"{key}: not valid JSON ({exc.msg})") from None
    else:
        value = text
    if key in ("id", "revision"):
        if isinstance(value, str) and value.isascii() and value.isdigit() and 0 < int(value) < 2**31:
            return int(value)
        raise ParseError(line, f"{key} must be a whole number, not {text[:20]!r}")
    if key == "tags":
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",")]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ParseError(line, 'tags must be a list such as ["vpn", "login"]')
        return tuple(v for v in value if v.strip())
    if not isinstance(value, str):
        raise ParseError(line, f"{key} must be text")
    return value


def _article(values: dict, body: str, end: int) -> ArticleFile:
    if "title" not in values:
        raise ParseError(end, "the front matter has no title")
    return ArticleFile(
        title=values["title"][0],
        body=body,
        category=values.get("category", ("", 0))[0],
        tags=values.get("tags", ((), 0))[0],
        status=values.get("status", ("draft", 0))[0],
        id=values.get("id", (None, 0))[0],
        revision=values.get("revision", (None, 0))[0],
    )


def file_name(article: faq.Article) -> str:
    """``00012-how-do-i-reset-my-password.md``: the id first, so files sort by id."""
    ascii_title = unicodedata.normalize("NFKD", article.title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:50].rstrip("-") or "article"
    return f"{article.id:05d}-{slug}.md"


def export_faq(directory: Path, *, query_ids: list[int] | None = None) -> list[Path]:
    """Write every article (or those ids) into ``directory``; a file for the same id under an
    older name is replaced. Returns the files written.

    The folder must be the user's own and writable by no one else (it is created, mode 0700, when
    missing): see :func:`safe_files.output_folder`. Each file is written through a temporary file
    and renamed into place, so a link planted under an article's name is replaced, never followed.
    A published article is written readable by all (mode 0644: it is meant for anyone), any other
    private (0600: a draft may still hold words from a customer's ticket).
    """
    ids = (
        query_ids
        if query_ids is not None
        else [i for (i,) in FAQArticle.select(FAQArticle.id).order_by(FAQArticle.id).tuples()]
    )
    written = []
    with safe_files.output_folder(directory, create=True) as folder:
        present: dict[str, list[str]] = {}  # "00012-" -> the files of article 12 already there
        for old in folder.names():
            if old.endswith(".md") and "-" in old:
                present.setdefault(old[: old.index("-") + 1], []).append(old)
        for article_id in ids:
            article = faq.get_article(article_id)
            name = file_name(article)
            for old in present.get(f"{article.id:05d}-", ()):
                if old != name:
                    folder.remove(old)
            mode = safe_files.SHARED if article.status == "published" else safe_files.PRIVATE
            written.append(folder.write(name, render_article(article), mode))
    return written


def import_faq(actor: Agent, directory: Path) -> ImportReport:
    """Read every ``*.md`` of ``directory`` (sorted by name); each file is applied on its own.

    Only regular files are read, at most :data:`MAX_FILE_BYTES` each: a link, FIFO or device is
    reported and skipped without being opened for reading.
    """
    report = ImportReport()
    try:
        folder = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        raise InvalidInput(f"{directory} is not a directory") from None
    try:
        known = {name.casefold() for name, _ in faq.categories()}
        for name in sorted(n for n in os.listdir(folder) if n.endswith(".md")):
            try:
                _import_one(actor, folder, name, report, known)
            except ParseError as bad:
                report.errors.append(f"{name}:{bad.line}: {bad.message}")
            except SportelloError as exc:
                report.errors.append(f"{name}:1: {exc.message}")
    finally:
        os.close(folder)
    return report


def _category(actor: Agent, name: str, report: ImportReport, known: set[str]) -> None:
    """Create the category a file names when this desk does not have it yet, so a FAQ moves
    between desks with its categories (only for a file about to be written)."""
    cleaned = " ".join(name.split())
    if cleaned and cleaned.casefold() not in known:
        report.categories.append(faq.add_category(actor, cleaned))
        known.add(cleaned.casefold())


def _read(folder: int, name: str) -> str:
    try:
        raw = safe_files.read_regular(name, limit=MAX_FILE_BYTES, dir_fd=folder)
    except safe_files.UnsafePath as refused:
        raise ParseError(1, f"the file {refused.reason}") from None
    except OSError as exc:
        raise ParseError(1, f"cannot read the file: {exc.strerror}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(1, f"not UTF-8 text (byte {exc.start})") from None


def _import_one(actor: Agent, folder: int, name: str, report: ImportReport, known: set[str]) -> None:
    wanted = parse_article(_read(folder, name))
    note = f"imported from {name}"
    current = None
    if wanted.id is not None and FAQArticle.get_or_none(FAQArticle.id == wanted.id) is not None:
        current = faq.get_article(wanted.id)
    if current is None:
        _category(actor, wanted.category, report, known)
        created = faq.create_article(
            actor, title=wanted.title, body=wanted.body, category=wanted.category, tags=wanted.tags,
            status=wanted.status, note=note, article_id=wanted.id,
        )  # fmt: skip
        report.created.append(created.id)
        return
    if wanted.revision is not None and wanted.revision < current.version:
        old = faq.get_revision(current.id, wanted.revision)
        if (old.title, old.body, old.category, old.tags, old.status) == (
            wanted.title, wanted.body, wanted.category, tuple(sorted(wanted.tags)), wanted.status,
        ):  # fmt: skip
            report.unchanged.append(current.id)  # an old export nobody edited: nothing to bring in
            return
    if wanted.revision in (None, current.version):  # else the save below is refused, naming who saved since
        _category(actor, wanted.category, report, known)
    saved = faq.save_article(
        actor, current.id, title=wanted.title, body=wanted.body, category=wanted.category, tags=wanted.tags,
        status=wanted.status, note=note, expect_version=wanted.revision,
    )  # fmt: skip
    (report.updated if saved.version != current.version else report.unchanged).append(current.id)
