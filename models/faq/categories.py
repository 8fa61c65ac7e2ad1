"""FAQ categories: the list with how many articles each files, adding one, and matching a typed name."""

from __future__ import annotations

import peewee as pw

from models import validate
from models.enums import FAQStatus
from models.errors import Conflict, InvalidInput
from models.faq import checks
from models.store.db import write_transaction
from models.store.tables import Agent, FAQArticle, FAQCategory

__all__ = ["categories", "add_category"]


def categories(*, archived: bool = True) -> list[tuple[str, int]]:
    """Every category with how many articles are filed under it (archived ones too unless ``archived=False``)."""
    counted = FAQArticle.select(FAQArticle.category, pw.fn.COUNT(FAQArticle.id)).group_by(FAQArticle.category)
    if not archived:
        counted = counted.where(FAQArticle.status != FAQStatus.ARCHIVED.value)
    counts = dict(counted.tuples())
    names = [name for (name,) in FAQCategory.select(FAQCategory.name).tuples()]
    return sorted(((name, counts.get(name, 0)) for name in names), key=lambda item: item[0].casefold())


def add_category(actor: Agent, name: str) -> str:
    checks.active(actor)
    cleaned = validate.line(name, "category name", 100, required=True)
    with write_transaction():
        for (existing,) in FAQCategory.select(FAQCategory.name).tuples():
            if existing.casefold() == cleaned.casefold():
                raise Conflict(f"category {existing!r} already exists")
        FAQCategory.create(name=cleaned)
    return cleaned


def known_category(value: str) -> str:
    """A known category's stored spelling (matched without regard to case), or "" for none."""
    cleaned = " ".join(validate.text(value or "").split())
    if not cleaned:
        return ""
    found = FAQCategory.get_or_none(FAQCategory.name == cleaned)
    if found is None:
        for (name,) in FAQCategory.select(FAQCategory.name).tuples():
            if name.casefold() == cleaned.casefold():
                return name
        known = ", ".join(name for name, _ in categories()) or "none yet"
        raise InvalidInput(
            f"unknown category {cleaned[:60]!r} (known: {known}; add one with `sportello faq category add NAME`)"
        )
    return found.name
