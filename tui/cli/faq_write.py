"""Writing the FAQ: ``sportello faq new``, ``edit`` (with options or in $EDITOR), ``publish``,
``archive``, ``unpublish`` and ``revert``; each prints the article's new id or revision."""

from __future__ import annotations

import os
import tempfile

import click

from models.errors import InvalidInput, SportelloError
from models.faq import articles as faq
from models.faq import files as faq_files
from tui.cli.common import MAX_ID, echo_json, echo_line, json_option, pass_state, read_body
from tui.cli.faq_read import ARTICLE_ID, article_json

__all__ = ["faq_new", "faq_edit", "faq_publish", "faq_archive", "faq_unpublish", "faq_revert"]

_EXPECT = click.option(
    "--expect-version",
    type=click.IntRange(1, MAX_ID),
    metavar="REV",
    help="Fail with exit 3 if the article is no longer at revision REV (someone else saved).",
)
_NOTE = click.option(
    "--note", metavar="TEXT", default="", help="A short note saying what changed (kept in the history)."
)


@click.command("new")
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


@click.command("edit")
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


def _status_command(name: str, status: str, summary: str) -> click.Command:
    @click.command(name, help=summary)
    @click.argument("article_id", type=ARTICLE_ID, metavar="ID")
    @_NOTE
    @_EXPECT
    @pass_state
    def command(state, article_id, note, expect_version) -> None:
        with state.desk():
            saved = faq.set_article_status(state.actor(), article_id, status, note=note, expect_version=expect_version)
        echo_line(str(saved.version))

    return command


faq_publish = _status_command(
    "publish", "published", "Publish an article: suggested to agents and searchable by default."
)
faq_archive = _status_command(
    "archive", "archived", "Archive an article: kept with its history, hidden unless asked for."
)
faq_unpublish = _status_command("unpublish", "draft", "Return an article to draft.")


@click.command("revert")
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
