"""``sportello agent …``: add, list, deactivate and reactivate the desk's agents, and grant their
PostgreSQL roles."""

from __future__ import annotations

import click

from models.directory import agents
from models.enums import Role
from models.errors import InvalidInput
from models.store import roles as db_roles
from tui.cli.common import echo_json, echo_line, json_option, pad, pass_state
from tui.text.safe import one_line

__all__ = ["agent_group"]


@click.group("agent")
def agent_group() -> None:
    """Add, list, deactivate and reactivate agents, and grant their PostgreSQL roles (changes need an admin)."""


@agent_group.command("add")
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


@agent_group.command("grant")
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


@agent_group.command("list")
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


@agent_group.command("deactivate")
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


@agent_group.command("activate")
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
