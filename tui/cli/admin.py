"""``sportello agent …``, ``sportello export`` and ``sportello import``: running the desk itself."""

from __future__ import annotations

import contextlib
import io
import os

import click

from models.directory import agents
from models.directory import lookup as directory
from models.enums import Role
from models.errors import InvalidInput, StorageError
from models.exchange import jsonl as exchange
from models.store import roles as db_roles
from models.store import safe_files
from tui.cli.common import echo_json, echo_line, json_option, pad, pass_state
from tui.text.safe import one_line

__all__ = ["agent", "export", "import_", "queue"]


@click.group()
def agent() -> None:
    """Add, list, deactivate and reactivate agents, and grant their PostgreSQL roles (changes need an admin)."""


@agent.command("add")
@click.argument("login")
@click.option("--name", default="", help="The agent's full name (default: the login).")
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default=Role.AGENT.value, show_default=True,
    help="lead and admin see the same tickets; only admins manage agents and use --as.",
)  # fmt: skip
@click.option(
    "--db-role", "db_role", is_flag=False, flag_value="", default=None, metavar="[NAME]",
    help="PostgreSQL: the database role the agent logs in as (default NAME: the login); made if missing "
    "(LOGIN, no password: the server's pg_hba.conf authenticates it) and granted what an agent needs.",
)  # fmt: skip
@json_option
@pass_state
def agent_add(state, login, name, role, db_role, as_json) -> None:
    """Add LOGIN (their OS login name) as an agent of this desk.

    On PostgreSQL, --db-role gives the agent a database role of their own: a session that logs in
    with it acts as that agent whatever the OS login, and the database refuses what the agent may
    not do, even from raw SQL. Run it as the desk's owner (the role that ran `sportello init`).
    """
    with state.desk():
        added = agents.add_agent(state.actor(), login, name, role, db_role=login if db_role == "" else db_role)
        granted = db_roles.db_role_of(added) if db_role is not None else None
    if as_json:
        echo_json(_agent_json(added))
    else:
        echo_line(f"added {one_line(added.login)} ({added.role})")
        if granted is not None:
            echo_line(f"database role {one_line(granted)} granted on this desk; it logs in without a password:")
            echo_line("let the server authenticate it (pg_hba.conf: peer, cert or scram with ~/.pgpass)")


@agent.command("grant")
@click.argument("logins", nargs=-1, metavar="[LOGIN]...")
@click.option("--db-role", "db_role", default=None, metavar="NAME",
              help="Give the one LOGIN this database role (made if missing) instead of the recorded one.")  # fmt: skip
@pass_state
def agent_grant(state, logins, db_role) -> None:
    """PostgreSQL: (re)grant agents' database roles exactly what an agent needs on this desk.

    Without LOGIN, every agent that has a role: run it after an upgrade that added tables. A LOGIN
    without a role gets one named like the login (or --db-role). Needs the desk's owner.
    """
    if db_role is not None and len(logins) != 1:
        raise click.UsageError("--db-role goes with exactly one LOGIN")
    with state.desk():
        actor = state.actor()
        targets = list(logins) or [login for login, _ in db_roles.agents_with_roles()]
        if not targets:
            raise InvalidInput("no agent has a database role yet: give a LOGIN (and --db-role NAME)")
        for login in targets:
            role = agents.grant_agent(actor, login, db_role)
            echo_line(f"granted database role {one_line(role)} to agent {one_line(login)}")


def _agent_json(a) -> dict:
    """An agent as ``agent list --json`` gives it, with the id the desk gave it."""
    return {"id": a.id, "login": a.login, "name": a.name, "role": a.role, "active": a.active}


@agent.command("list")
@json_option
@pass_state
def agent_list(state, as_json) -> None:
    """List every agent, active or not."""
    with state.desk():
        state.actor()
        rows = agents.list_agents()
    if as_json:
        echo_json([{"login": a.login, "name": a.name, "role": a.role, "active": a.active} for a in rows])
        return
    echo_line(f"{pad('LOGIN', 16)} {pad('ROLE', 6)} {pad('ACTIVE', 6)} NAME")
    for a in rows:
        active = "yes" if a.active else "no"
        echo_line(f"{pad(one_line(a.login, 16), 16)} {pad(a.role, 6)} {pad(active, 6)} {one_line(a.name, 48)}".rstrip())


@agent.command("deactivate")
@click.argument("login")
@pass_state
def agent_deactivate(state, login) -> None:
    """Stop LOGIN from acting on the desk (their history stays)."""
    with state.desk():
        changed = agents.set_agent_active(state.actor(), login, False)
        echo_line(f"deactivated {one_line(changed.login)}")
        note = db_roles.login_mismatch(changed)
    if note is not None:
        echo_line(one_line(note), err=True)


@agent.command("activate")
@click.argument("login")
@pass_state
def agent_activate(state, login) -> None:
    """Let a deactivated LOGIN act on the desk again."""
    with state.desk():
        changed = agents.set_agent_active(state.actor(), login, True)
        echo_line(f"activated {one_line(changed.login)}")
        note = db_roles.login_mismatch(changed)
    if note is not None:
        echo_line(one_line(note), err=True)


@click.group()
def queue() -> None:
    """Add and list the queues tickets are filed in (adding needs a lead or an admin)."""


@queue.command("add")
@click.argument("name")
@click.option("--description", default="", help="What the queue is for.")
@json_option
@pass_state
def queue_add(state, name, description, as_json) -> None:
    """Add a queue called NAME."""
    with state.desk():
        added = directory.add_queue(name, description, actor=state.actor())
    if as_json:
        echo_json(_queue_json(added))
    else:
        echo_line(f"added queue {one_line(added.name)}")


def _queue_json(q) -> dict:
    return {"id": q.id, "name": q.name, "description": q.description}


@queue.command("list")
@json_option
@pass_state
def queue_list(state, as_json) -> None:
    """List the queues."""
    with state.desk():
        state.actor()
        rows = directory.list_queues()
    if as_json:
        echo_json([_queue_json(q) for q in rows])
        return
    for q in rows:
        echo_line(f"{pad(one_line(q.name, 24), 24)} {one_line(q.description, 54)}".rstrip())


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items() if n) or "nothing"


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True,
              help="JSON Lines: one object per row, lossless.")  # fmt: skip
@click.option(
    "-o", "--output", default="-", metavar="FILE", help="Write to FILE (mode 0600) instead of standard output."
)
@pass_state
def export(state, fmt, output) -> None:
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
def import_(state, file) -> None:
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
