"""``sportello faq export`` and ``faq import``: the FAQ as one Markdown file per article."""

from __future__ import annotations

from pathlib import Path

import click

from models.errors import InvalidInput
from models.faq import files as faq_files
from tui.cli.common import echo_json, echo_line, json_option, pass_state
from tui.text.safe import one_line

__all__ = ["faq_export", "faq_import"]


@click.command("export")
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


@click.command("import")
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
