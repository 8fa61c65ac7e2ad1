"""Reading the FAQ: ``sportello faq list``, ``search``, ``show``, ``history``, ``diff`` and ``suggest``,
and the JSON shapes of an article and of a search hit."""

from __future__ import annotations

import click

from models.errors import InvalidInput
from models.faq import articles as faq
from models.faq import search as faq_search
from tui.cli.common import (
    MAX_ID,
    TICKET_ID,
    age,
    echo_json,
    echo_line,
    iso,
    json_option,
    pad,
    pass_state,
    table_width,
    when,
)
from tui.text.safe import one_line, safe_text

__all__ = [
    "ARTICLE_ID",
    "article_json",
    "hit_json",
    "faq_list",
    "faq_search_cmd",
    "faq_show",
    "faq_history",
    "faq_diff",
    "faq_suggest",
]

#: An article number: a positive whole number that fits the database, as a ticket's.
ARTICLE_ID = TICKET_ID


def article_json(a: faq.Article) -> dict:
    """An article as ``faq show --json`` gives it."""
    return {
        "id": a.id, "title": a.title, "body": a.body, "category": a.category, "tags": list(a.tags),
        "status": a.status, "author": a.author, "created_at": iso(a.created_at), "updated_at": iso(a.updated_at),
        "version": a.version, "source_ticket": a.source_ticket,
    }  # fmt: skip


def hit_json(h: faq_search.FAQHit) -> dict:
    """A search hit as ``faq list --json`` gives it."""
    return {
        "id": h.id, "title": h.title, "category": h.category, "status": h.status, "tags": list(h.tags),
        "updated_at": iso(h.updated_at), "version": h.version, "score": h.score, "linked": h.linked,
    }  # fmt: skip


def _print_hits(hits: list[faq_search.FAQHit]) -> None:
    width = table_width()
    category_w = 12
    title_w = width - 6 - 10 - category_w - 7 - 4
    columns = [("#", 6, True), ("STATUS", 10, False), ("CATEGORY", category_w, False), ("TITLE", title_w, False),
               ("UPDATED", 7, True)]  # fmt: skip
    echo_line(" ".join(pad(name, w, right=right) for name, w, right in columns).rstrip())
    for h in hits:
        title = h.title + (" (linked)" if h.linked else "")
        cells = [str(h.id), h.status, h.category or "-", title, age(h.updated_at)]
        echo_line(
            " ".join(pad(one_line(v, w), w, right=r) for v, (_, w, r) in zip(cells, columns, strict=True)).rstrip()
        )


def _list(state, words: tuple[str, ...], limit: int, offset: int, as_json: bool, required: bool) -> None:
    query = " ".join(words)
    if required and not query.strip():
        raise InvalidInput("give words or filters to search for (see: sportello faq search --help)")
    with state.desk():
        state.actor()
        hits = faq_search.search_faq(query, limit=limit, offset=offset)
        total = faq_search.count_faq(query)
    if as_json:
        echo_json({"articles": [hit_json(h) for h in hits], "total": total})
        return
    if not hits:
        echo_line("sportello: no articles match" if query else "sportello: no articles yet", err=True)
        return
    _print_hits(hits)
    if offset + len(hits) < total:
        echo_line(f"sportello: {total - offset - len(hits)} more; add --offset {offset + len(hits)}", err=True)


_QUERY_HELP = "\n\n\b\n" + faq_search.FAQ_QUERY_HELP


@click.command("list", help="List articles matching QUERY (all but archived by default)." + _QUERY_HELP,
                   context_settings={"ignore_unknown_options": True})  # fmt: skip
@click.argument("words", nargs=-1, metavar="[QUERY]...")
@click.option("--limit", type=click.IntRange(1, 1000), default=100, show_default=True)
@click.option("--offset", type=click.IntRange(0, MAX_ID), default=0)
@json_option
@pass_state
def faq_list(state, words, limit, offset, as_json) -> None:
    _list(state, words, limit, offset, as_json, required=False)


@click.command("search", help="Search articles, most relevant first." + _QUERY_HELP,
                   context_settings={"ignore_unknown_options": True})  # fmt: skip
@click.argument("words", nargs=-1, metavar="QUERY...")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(0, MAX_ID), default=0)
@json_option
@pass_state
def faq_search_cmd(state, words, limit, offset, as_json) -> None:
    _list(state, words, limit, offset, as_json, required=True)


@click.command("show")
@click.argument("article_id", type=ARTICLE_ID, metavar="ID")
@click.option("--revision", type=click.IntRange(1, MAX_ID), metavar="N", help="Show revision N instead of the latest.")
@json_option
@pass_state
def faq_show(state, article_id, revision, as_json) -> None:
    """Show an article (or one of its revisions)."""
    with state.desk():
        state.actor()
        article = faq.get_article(article_id)
        old = faq.get_revision(article_id, revision) if revision else None
    if as_json:
        data = article_json(article)
        if old is not None:
            data.update(title=old.title, body=old.body, category=old.category, tags=list(old.tags),
                        status=old.status, version=old.number, note=old.note)  # fmt: skip
        echo_json(data)
        return
    shown = old or article
    echo_line(f"FAQ #{article.id}  {one_line(shown.title)}")
    rows = [
        ("status", shown.status),
        ("category", shown.category or "-"),
        ("tags", " ".join(shown.tags) or "-"),
        ("revision", f"{old.number} of {article.version}" if old else str(article.version)),
        ("author", article.author or "-"),
        ("updated", f"{when(old.at if old else article.updated_at)} UTC"),
    ]
    if article.source_ticket:
        rows.append(("drafted from", f"ticket #{article.source_ticket}"))
    for name, value in rows:
        echo_line(f"  {name + ':':<14}{one_line(value, 62)}")
    echo_line()
    for line in safe_text(shown.body).split("\n"):
        echo_line(line)


@click.command("history")
@click.argument("article_id", type=ARTICLE_ID, metavar="ID")
@json_option
@pass_state
def faq_history(state, article_id, as_json) -> None:
    """Every revision of an article, newest first."""
    with state.desk():
        state.actor()
        revisions = faq.revisions(article_id)
    if as_json:
        echo_json([
            {"number": r.number, "at": iso(r.at), "author": r.author, "note": r.note, "title": r.title,
             "category": r.category, "tags": list(r.tags), "status": r.status}
            for r in revisions
        ])  # fmt: skip
        return
    echo_line("REV  WHEN (UTC)        WHO          STATUS     NOTE")
    for r in revisions:
        echo_line(f"{r.number:>3}  {when(r.at):<16}  {pad(one_line(r.author or '-', 12), 12)} {r.status:<10} "
                  f"{one_line(r.note, 40)}".rstrip())  # fmt: skip


@click.command("diff")
@click.argument("article_id", type=ARTICLE_ID, metavar="ID")
@click.argument("old", type=click.IntRange(1, MAX_ID))
@click.argument("new", type=click.IntRange(1, MAX_ID), required=False)
@pass_state
def faq_diff(state, article_id, old, new) -> None:
    """A unified diff from revision OLD to NEW (default: the latest)."""
    with state.desk():
        state.actor()
        text = faq.diff_revisions(article_id, old, new or faq.get_article(article_id).version)
    for line in safe_text(text).splitlines():
        echo_line(line)
    if not text:
        echo_line("sportello: the two revisions are the same", err=True)


@click.command("suggest")
@click.argument("number", type=TICKET_ID, metavar="TICKET")
@click.option("--limit", type=click.IntRange(1, 50), default=5, show_default=True)
@json_option
@pass_state
def faq_suggest(state, number, limit, as_json) -> None:
    """Published articles that best match a ticket's subject and messages."""
    with state.desk():
        state.actor()
        hits = faq_search.suggest_for_ticket(number, limit=limit)
    if as_json:
        echo_json([hit_json(h) for h in hits])
    elif hits:
        _print_hits(hits)
    else:
        echo_line("sportello: no published article matches this ticket", err=True)
