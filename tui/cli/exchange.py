"""``sportello export`` and ``sportello import``: the whole desk as JSON Lines, out and back in."""

from __future__ import annotations

import contextlib
import io
import os

import click

from models.errors import InvalidInput, StorageError
from models.exchange import jsonl as exchange
from models.store import safe_files
from tui.cli.common import echo_line, pass_state
from tui.text.safe import one_line

__all__ = ["export_command", "import_command"]


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items() if n) or "nothing"


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True,
              help="JSON Lines: one object per row, lossless.")  # fmt: skip
@click.option(
    "-o", "--output", default="-", metavar="FILE", help="Write to FILE (mode 0600) instead of standard output."
)
@pass_state
def export_command(state, fmt, output) -> None:
    """Write the whole desk to FILE or standard output; a summary goes to standard error."""
    with state.desk():
        state.actor()
        if output == "-":
            out = io.TextIOWrapper(click.get_binary_stream("stdout"), encoding="utf-8", newline="\n")
            try:
                counts = exchange.export_jsonl(out)
                out.flush()
            finally:
                with contextlib.suppress(ValueError):
                    out.detach()
            where = "standard output"
        else:
            counts = _export_to_file(output)
            where = output
    echo_line(f"sportello: exported {_summary(counts)} to {one_line(where)}", err=True)


def _export_to_file(path: str) -> dict[str, int]:
    """Export into a private temporary file next to ``path``, then rename it into place; the folder
    must be yours and writable by no one else (see :func:`safe_files.output_folder`)."""
    target = os.path.abspath(os.path.expanduser(path))
    try:
        with safe_files.output_folder(os.path.dirname(target)) as folder:
            with folder.open(os.path.basename(target), safe_files.PRIVATE) as out:
                return exchange.export_jsonl(out)
    except OSError as exc:
        raise StorageError(f"cannot write {target}: {exc.strerror or exc}") from None


@click.command("import")
@click.argument("file", metavar="FILE")
@pass_state
def import_command(state, file) -> None:
    """Load an export (FILE, or - for standard input) into an empty desk, all or nothing (admins only).

    The desk may already have agents (run `sportello init` first); it must have nothing else.
    """
    if file == "-":
        raw = click.get_binary_stream("stdin")
        with contextlib.suppress(AttributeError, ValueError):
            if raw.isatty():
                raise InvalidInput("import reads an export: give a FILE, or pipe one into `sportello import -`")
    else:
        try:
            raw = open(os.path.expanduser(file), "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise InvalidInput(f"cannot read {file}: {exc.strerror}") from None
    inp = io.TextIOWrapper(raw, encoding="utf-8", errors="strict")
    try:
        with state.desk():
            counts = exchange.import_jsonl(inp, actor=state.actor())
    finally:
        if file == "-":
            with contextlib.suppress(ValueError):
                inp.detach()
        else:
            inp.close()
    echo_line(f"imported {_summary(counts)}")
