"""An FAQ article in a list of results (search, suggestions), read from a query in one go."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import peewee as pw

from models.errors import QueryError
from models.store.tables import FAQTag, Tag

__all__ = ["FAQHit"]  # read_hits and word_errors serve the modules of this room only


@dataclass(frozen=True)
class FAQHit:
    """One article in a list of results."""

    id: int
    title: str
    category: str
    status: str
    tags: tuple[str, ...]
    updated_at: datetime
    version: int
    score: float | None = None  # higher is more relevant; None without words
    linked: bool = False  # (suggestions) already linked to the ticket


def read_hits(select: pw.ModelSelect) -> list[FAQHit]:
    rows = list(select.tuples())
    tags = _tags_of([row[0] for row in rows])
    return [
        FAQHit(id=i, title=t, category=c, status=s, tags=tags.get(i, ()), updated_at=u, version=v,
               score=(float(score) if score is not None else None))
        for i, t, c, s, u, v, score in rows
    ]  # fmt: skip


def _tags_of(ids: list[int]) -> dict[int, tuple[str, ...]]:
    if not ids:
        return {}
    found: dict[int, list[str]] = {}
    rows = FAQTag.select(FAQTag.article, Tag.name).join(Tag, on=(FAQTag.tag == Tag.id)).where(FAQTag.article.in_(ids))
    for article, name in rows.tuples():
        found.setdefault(article, []).append(name)
    return {article: tuple(sorted(names)) for article, names in found.items()}


class word_errors:
    """A driver error while matching words becomes a plain QueryError."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, tb) -> bool:
        if kind is not None and issubclass(kind, pw.DatabaseError):
            raise QueryError("these words cannot be searched for; try other words") from None
        return False
