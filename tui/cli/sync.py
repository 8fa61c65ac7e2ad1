"""``sportello sync``: sync the desk with the remotes of config.toml, and what the runs left."""

from __future__ import annotations

import contextlib
import sys

import click

from models.errors import InvalidInput, NotFound, SportelloError
from models.exchange import sync_state
from tui.cli.common import echo_json, echo_line, iso, json_option, pass_state, when
from tui.text.safe import one_line

__all__ = ["sync_command", "sync_log_command", "sync_conflicts_command", "progress_line"]


def progress_line(name: str, stage: str, done: int, total: int | None, width: int = 20) -> str:
    """``rt: pull [########------------]  40% 4,000/10,000``; a plain count when the total is unknown."""
    head = f"{one_line(name, 30)}: {stage} "
    if not total:
        return f"{head}{done:,}"
    share = min(done / total, 1.0)
    filled = round(share * width)
    return f"{head}[{'#' * filled}{'-' * (width - filled)}] {share:4.0%} {done:,}/{total:,}"


class _Bar:
    """A one-line progress bar on standard error, only when it is a terminal."""

    def __init__(self, name: str):
        self.name, self.live = name, sys.stderr.isatty()

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if self.live:
            click.echo(f"\r{progress_line(self.name, stage, done, total)}\x1b[K", err=True, nl=False)

    def end(self) -> None:
        if self.live:
            click.echo("", err=True)


@click.command("sync")
@click.argument("name", required=False)
@click.option("--pull-only", is_flag=True, help="Only bring remote changes here.")
@click.option("--push-only", is_flag=True, help="Only send what changed here.")
@click.option("--dry-run", is_flag=True, help="Say what would be pulled and pushed; change nothing.")
@json_option
@pass_state
def sync_command(state, name, pull_only, push_only, dry_run, as_json) -> None:
    """Sync with the remote NAME (default: every remote in config.toml).

    Exit code 1 when any item failed; the summary and `sportello sync-log` say which.
    """
    from sync import remotes_from, sync_one

    if pull_only and push_only:
        raise click.UsageError("--pull-only and --push-only exclude each other")
    remotes = remotes_from(state.config())
    if not remotes:
        raise InvalidInput("no remote is configured: add a [remotes.NAME] table to config.toml (see the README)")
    if name is not None and name not in remotes:
        raise NotFound(f"no remote {name!r} in config.toml (configured: {', '.join(remotes)})")
    chosen = [remotes[name]] if name else list(remotes.values())
    summaries = []
    with state.desk():
        state.actor()
        for config in chosen:
            bar = _Bar(config.name)
            try:
                summaries.append(
                    sync_one(config, pull=not push_only, push=not pull_only, dry_run=dry_run, progress=bar)
                )
            finally:
                bar.end()
    if as_json:
        echo_json({"remotes": [s.as_dict() for s in summaries]})
    else:
        for s in summaries:
            verb = "would pull" if s.dry_run else "pulled"
            pushed = f"{s.pending} to push" if s.dry_run else f"pushed {s.pushed}"
            echo_line(f"{one_line(s.remote, 40)}: {verb} {s.pulled}, {pushed}, {s.conflicts} conflicts, "
                      f"{s.errors} errors" + ("" if s.dry_run else f", {s.pending} waiting"))  # fmt: skip
            for item in s.report[:20]:
                echo_line(f"  {item['what']}: {one_line(item['where'], 50)}: {one_line(item['problem'], 120)}")
            if len(s.report) > 20:
                echo_line(f"  … and {len(s.report) - 20} more (sportello sync-log)")
    if any(s.errors for s in summaries):
        raise click.exceptions.Exit(1)


@click.command("sync-log")
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True)
@json_option
@pass_state
def sync_log_command(state, limit, as_json) -> None:
    """The latest sync runs: when, what moved, and what went wrong."""
    import json

    with state.desk():
        state.actor()
        runs = sync_state.recent_runs(limit)
    _remember_configured_secrets(state)  # a run stored before redaction prints without them all the same
    rows = [{"remote": r.remote.name, "started_at": iso(r.started_at), "finished_at": iso(r.finished_at),
             "mode": r.mode, "pulled": r.pulled, "pushed": r.pushed, "conflicts": r.conflicts, "errors": r.errors,
             "report": [sync_state.redacted_item(item) for item in json.loads(r.report)]} for r in runs]  # fmt: skip
    if as_json:
        echo_json({"runs": rows})
        return
    if not rows:
        echo_line("No sync has run yet.")
    for run, row in zip(runs, rows, strict=True):
        state_word = "running or cut off" if run.finished_at is None else ("errors" if run.errors else "ok")
        echo_line(f"{when(run.started_at)}  {one_line(row['remote'], 20):<20} {row['mode']:<5} pulled {run.pulled}, "
                  f"pushed {run.pushed}, {run.conflicts} conflicts, {run.errors} errors  [{state_word}]")  # fmt: skip
        for item in row["report"][:5]:
            echo_line(f"    {one_line(item.get('what', ''), 10)}: {one_line(item.get('where', ''), 40)}: "
                      f"{one_line(item.get('problem', ''), 100)}")  # fmt: skip


def _remember_configured_secrets(state) -> None:
    """Read the secrets of the remotes in config.toml, which remembers them for redaction; a remote
    whose secret cannot be read now is left out (its runs were stored redacted)."""
    from sync.config import read_secret, remotes_from

    try:
        remotes = remotes_from(state.config())
    except SportelloError:
        return
    for config in remotes.values():
        with contextlib.suppress(SportelloError):
            read_secret(config, state.env)


@click.command("sync-conflicts")
@click.option("--resolve", "resolve_id", type=int, metavar="ID", help="Mark conflict ID as dealt with.")
@json_option
@pass_state
def sync_conflicts_command(state, resolve_id, as_json) -> None:
    """Fields both sides changed: here the local value was kept and sent; check and resolve."""
    with state.desk():
        actor = state.actor()
        if resolve_id is not None:
            conflict = sync_state.resolve_conflict(actor, resolve_id)
            echo_line(f"Conflict {conflict.id} on ticket #{conflict.ticket_id} resolved.")
            return
        conflicts = sync_state.open_conflicts()
    if as_json:
        echo_json({"conflicts": [{"id": c.id, "remote": c.remote.name, "ticket": c.ticket_id, "field": c.field,
                                  "local": c.local_value, "remote_value": c.remote_value, "kept": c.kept,
                                  "at": iso(c.created_at)} for c in conflicts]})  # fmt: skip
        return
    if not conflicts:
        echo_line("No open sync conflicts.")
    for c in conflicts:
        echo_line(f"{c.id:>5}  {when(c.created_at)}  #{c.ticket_id:<7} {one_line(c.field, 10)}: here "
                  f"{one_line(c.local_value or '—', 20)}, {one_line(c.remote.name, 20)} "
                  f"{one_line(c.remote_value or '—', 20)}; kept {c.kept}")  # fmt: skip
