"""``sportello faq category …``: the categories FAQ articles are filed under."""

from __future__ import annotations

import click

from models.faq import articles as faq
from tui.cli.common import echo_json, echo_line, json_option, pass_state
from tui.text.safe import one_line

__all__ = ["faq_category"]


@click.group("category")
def faq_category() -> None:
    """The categories articles are filed under."""


@faq_category.command("list")
@json_option
@pass_state
def faq_category_list(state, as_json) -> None:
    """Every category with its number of articles."""
    with state.desk():
        state.actor()
        found = faq.categories()
    if as_json:
        echo_json([{"name": name, "articles": count} for name, count in found])
        return
    for name, count in found:
        echo_line(f"{count:>6}  {one_line(name, 70)}")


@faq_category.command("add")
@click.argument("name")
@json_option
@pass_state
def faq_category_add(state, name, as_json) -> None:
    """Add a category; print its name as stored (categories are named, not numbered)."""
    with state.desk():
        added = faq.add_category(state.actor(), name)
    echo_json({"name": added, "articles": 0}) if as_json else echo_line(one_line(added))
