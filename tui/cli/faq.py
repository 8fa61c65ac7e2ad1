"""``sportello faq …``: the knowledge base from the command line."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from models.errors import InvalidInput, SportelloError
from models.faq import articles as faq
from models.faq import files as faq_files
from models.faq import health as faq_health
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
    read_body,
    table_width,
    when,
)
from tui.text.safe import one_line, safe_text

__all__ = ["faq_group"]

_EXPECT = click.option(
    "--expect-version",
    type=click.IntRange(1, MAX_ID),
    metavar="REV",
    help="Fail with exit 3 if the article is no longer at revision REV (someone else saved).",
)
_NOTE = click.option(
    "--note", metavar="TEXT", default="", help="A short note saying what changed (kept in the history)."
)
ARTICLE_ID = TICKET_ID


def article_json(a: faq.Article) -> dict:
    return {
        "id": a.id, "title": a.title, "body": a.body, "category": a.category, "tags": list(a.tags),
        "status": a.status, "author": a.author, "created_at": iso(a.created_at), "updated_at": iso(a.updated_at),
        "version": a.version, "source_ticket": a.source_ticket,
    }  # fmt: skip


def hit_json(h: faq_search.FAQHit) -> dict:
    return {
        "id": h.id, "title": h.title, "category": h.category, "status": h.status, "tags": list(h.tags),
        "updated_at": iso(h.updated_at), "version": h.version, "score": h.score, "linked": h.linked,
    }  # fmt: skip


@click.group("faq")
def faq_group() -> None:
    """The FAQ the front office answers from: articles, revisions, search, health."""


# --- reading ---------------------------------------------------------------------------------


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


@faq_group.command("list", help="List articles matching QUERY (all but archived by default)." + _QUERY_HELP,
                   context_settings={"ignore_unknown_options": True})  # fmt: skip
@click.argument("words", nargs=-1, metavar="[QUERY]...")
@click.option("--limit", type=click.IntRange(1, 1000), default=100, show_default=True)
@click.option("--offset", type=click.IntRange(0, MAX_ID), default=0)
@json_option
@pass_state
def faq_list(state, words, limit, offset, as_json) -> None:
    _list(state, words, limit, offset, as_json, required=False)


@faq_group.command("search", help="Search articles, most relevant first." + _QUERY_HELP,
                   context_settings={"ignore_unknown_options": True})  # fmt: skip
@click.argument("words", nargs=-1, metavar="QUERY...")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(0, MAX_ID), default=0)
@json_option
@pass_state
def faq_search_cmd(state, words, limit, offset, as_json) -> None:
    _list(state, words, limit, offset, as_json, required=True)


@faq_group.command("show")
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


@faq_group.command("history")
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


@faq_group.command("diff")
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


# --- writing ---------------------------------------------------------------------------------


@faq_group.command("new")
@click.option("--title", required=True, metavar="TEXT", help="One line, up to 300 characters.")
@click.option("--body", metavar="TEXT", help="Markdown; without it, read from standard input (UTF-8).")
@click.option("--category", default="", metavar="NAME", help="An existing category (see: sportello faq category list).")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="A tag (repeat for more).")
@click.option("--publish", is_flag=True, help="Publish at once instead of saving a draft.")
@_NOTE
@json_option
@pass_state
def faq_new(state, title, body, category, tags, publish, note, as_json) -> None:
    """Write a new article (a draft unless --publish); print its id (--json: the article as faq show gives it)."""
    text = read_body(body, "article body")
    with state.desk():
        article = faq.create_article(
            state.actor(), title=title, body=text, category=category, tags=tags,
            status="published" if publish else "draft", note=note,
        )  # fmt: skip
    echo_json(article_json(article)) if as_json else echo_line(str(article.id))


@faq_group.command("edit")
@click.argument("article_id", type=ARTICLE_ID, metavar="ID")
@click.option("--title", metavar="TEXT")
@click.option("--body", metavar="TEXT", help="New Markdown body ('-' reads standard input).")
@click.option("--category", metavar="NAME")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Replace the tags (repeat for more; '' for none).")
@_NOTE
@_EXPECT
@pass_state
def faq_edit(state, article_id, title, body, category, tags, note, expect_version) -> None:
    """Change an article: with options, just those fields; without, the whole article in $EDITOR.

    In the editor the article is a file with front matter (title, category, tags, status) and the
    body; save and quit to store it as a new revision. A file that does not read back is kept,
    and its path printed, so nothing typed is lost.
    """
    with state.desk():
        actor = state.actor()
        if title is None and body is None and category is None and not tags:
            saved = _edit_in_editor(actor, article_id, note, expect_version)
        else:
            saved = faq.save_article(
                actor, article_id, title=title, body=read_body(None, "article body") if body == "-" else body,
                category=category, tags=[t for t in tags if t] if tags else None, note=note,
                expect_version=expect_version,
            )  # fmt: skip
    if saved is not None:
        echo_line(str(saved.version))


def _edit_in_editor(actor, article_id: int, note: str, expect_version: int | None) -> faq.Article | None:
    article = faq.get_article(article_id)
    if expect_version is not None and expect_version != article.version:
        faq.save_article(actor, article_id, expect_version=expect_version)  # raises the Conflict, naming who
    original = faq_files.render_article(article)
    edited = click.edit(original, extension=".md", require_save=True)
    if edited is None or edited == original:
        echo_line("sportello: no changes", err=True)
        return None
    try:
        wanted = faq_files.parse_article(edited)
    except faq_files.ParseError as bad:
        kept = _keep(edited, article_id)
        raise InvalidInput(f"line {bad.line}: {bad.message}; your text is kept in {kept}") from None
    try:
        return faq.save_article(
            actor, article_id, title=wanted.title, body=wanted.body, category=wanted.category, tags=wanted.tags,
            status=wanted.status, note=note, expect_version=article.version,
        )  # fmt: skip
    except SportelloError as exc:  # a conflict, a bad category, …: the edit is kept all the same
        exc.message = f"{exc.message}; your text is kept in {_keep(edited, article_id)}"
        raise


def _keep(text: str, article_id: int) -> str:
    """Save an edit that could not be stored, so that it is not lost; return its path."""
    handle, path = tempfile.mkstemp(prefix=f"sportello-faq-{article_id}-", suffix=".md")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    return path


def _status_command(name: str, status: str, summary: str) -> None:
    @faq_group.command(name, help=summary)
    @click.argument("article_id", type=ARTICLE_ID, metavar="ID")
    @_NOTE
    @_EXPECT
    @pass_state
    def command(state, article_id, note, expect_version) -> None:
        with state.desk():
            saved = faq.set_article_status(state.actor(), article_id, status, note=note, expect_version=expect_version)
        echo_line(str(saved.version))


_status_command("publish", "published", "Publish an article: suggested to agents and searchable by default.")
_status_command("archive", "archived", "Archive an article: kept with its history, hidden unless asked for.")
_status_command("unpublish", "draft", "Return an article to draft.")


@faq_group.command("revert")
@click.argument("article_id", type=ARTICLE_ID, metavar="ID")
@click.argument("number", type=click.IntRange(1, MAX_ID), metavar="REV")
@_NOTE
@_EXPECT
@pass_state
def faq_revert(state, article_id, number, note, expect_version) -> None:
    """Bring back revision REV's text as a new revision (the status stays); print the new revision."""
    with state.desk():
        saved = faq.revert_article(state.actor(), article_id, number, note=note, expect_version=expect_version)
    echo_line(str(saved.version))


# --- categories, suggestions, health ------------------------------------------------------------


@faq_group.group("category")
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


@faq_group.command("suggest")
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


@faq_group.command("health")
@click.option("--days", type=click.IntRange(1, 3650), default=90, show_default=True, help="The window for gaps.")
@json_option
@pass_state
def faq_health_cmd(state, days, as_json) -> None:
    """Usage over 30/90 days, articles never used, drafts waiting, and FAQ gaps."""
    with state.desk():
        state.actor()
        report = faq_health.faq_health(gap_days=days)
    if as_json:
        echo_json({
            "at": iso(report.at),
            "usage": [{"id": u.id, "title": u.title, "status": u.status, "uses_30": u.uses_30, "uses_90": u.uses_90,
                       "uses": u.uses, "last_used": iso(u.last_used)} for u in report.usage],
            "never_used": [u.id for u in report.never_used],
            "drafts": [{"id": d.id, "title": d.title, "author": d.author, "updated_at": iso(d.updated_at)}
                       for d in report.drafts],
            "gaps": [{"topic": g.topic, "tickets": g.tickets, "examples": list(g.examples), "covered_by": g.covered_by}
                     for g in report.gaps],
            "gap_days": report.gap_days, "gap_tickets": report.gap_tickets,
        })  # fmt: skip
        return
    echo_line("Most used (tickets linked, last 30 / 90 days / ever):")
    for u in report.usage[:10]:
        echo_line(f"  #{u.id:<5} {u.uses_30:>4} {u.uses_90:>4} {u.uses:>6}  {one_line(u.title, 52)}")
    echo_line(f"Published but never used: {len(report.never_used)}")
    for u in report.never_used[:10]:
        echo_line(f"  #{u.id:<5} {one_line(u.title, 66)}")
    echo_line(f"Drafts waiting: {len(report.drafts)} (oldest first)")
    for d in report.drafts[:10]:
        echo_line(
            f"  #{d.id:<5} {age(d.updated_at):>4}  {pad(one_line(d.author or '-', 10), 10)} {one_line(d.title, 50)}"
        )
    echo_line(
        f"FAQ gaps: topics of {report.gap_tickets} tickets resolved in {report.gap_days} days without an FAQ link:"
    )
    for g in report.gaps:
        covered = f"  (FAQ #{g.covered_by} matches)" if g.covered_by else ""
        examples = ", ".join(f"#{n}" for n in g.examples)
        echo_line(f"  {g.tickets:>5}  {one_line(g.topic, 28):<28}  e.g. {examples}{covered}")


# --- files ---------------------------------------------------------------------------------------


@faq_group.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@pass_state
def faq_export(state, directory) -> None:
    """Write one Markdown file per article (front matter: id, title, category, tags, status, revision).

    DIRECTORY must be yours and writable by no one else; it is created (mode 0700) when missing.
    Published articles are written with mode 0644, the others 0600.
    """
    with state.desk():
        state.actor()
        try:
            written = faq_files.export_faq(directory)
        except OSError as exc:
            raise InvalidInput(f"cannot write to {directory}: {exc.strerror}") from None
    echo_line(f"{len(written)} articles written to {one_line(str(directory))}")


@faq_group.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@json_option
@pass_state
def faq_import(state, directory, as_json) -> None:
    """Read the Markdown files of DIRECTORY back: new revisions only where something changed.

    Categories the files name that this desk lacks are created. A file that cannot be read (a link,
    a FIFO, a device, over 2 MB) is reported by name and line; the others are still imported.
    """
    with state.desk():
        report = faq_files.import_faq(state.actor(), directory)
    if as_json:
        echo_json({"created": report.created, "updated": report.updated, "unchanged": report.unchanged,
                   "categories_added": report.categories, "errors": report.errors})  # fmt: skip
        if report.errors:
            raise click.exceptions.Exit(2)
        return
    echo_line(f"{len(report.created)} created, {len(report.updated)} updated, {len(report.unchanged)} unchanged, "
              f"{len(report.errors)} refused")  # fmt: skip
    if report.categories:
        names = ", ".join(one_line(name, 60) for name in report.categories)
        echo_line(
            f"{len(report.categories)} {'category' if len(report.categories) == 1 else 'categories'} added: {names}"
        )
    for error in report.errors:
        echo_line(f"sportello: {one_line(error)}", err=True)
    if report.errors:
        raise click.exceptions.Exit(2)
