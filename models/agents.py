"""Agents: who may act on the desk, and with which role. Admin-only actions are enforced here."""

from __future__ import annotations

import getpass
import os
import pwd

import peewee as pw

from . import validate
from .db import write_transaction
from .enums import Role
from .errors import Conflict, InvalidInput, NotFound, PermissionDenied
from .tables import Agent

__all__ = [
    "os_login",
    "get_agent",
    "resolve_actor",
    "add_agent",
    "set_agent_active",
    "list_agents",
    "ensure_admin",
]


def os_login() -> str:
    """The login of the person at the keyboard (the acting agent by default).

    Taken from the process's user id, not from $LOGNAME or $USER, which anyone can set.
    """
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except (KeyError, OSError):  # a uid without a passwd entry (some containers)
        return getpass.getuser()


def get_agent(login: str) -> Agent:
    agent = Agent.get_or_none(Agent.login == login)
    if agent is None:
        raise NotFound(f"no agent {login[:64]!r}")
    return agent


def resolve_actor(login: str, as_login: str | None = None) -> Agent:
    """The agent acting for ``login``; ``as_login`` lets an admin act as someone else."""
    agent = Agent.get_or_none(Agent.login == login)
    if agent is None or not agent.active:
        state = "is not an agent of this desk" if agent is None else "is deactivated on this desk"
        raise PermissionDenied(f"{login!r} {state}: an admin can run `sportello agent add {login}`")
    if as_login is None or as_login == login:
        return agent
    if not agent.is_admin:
        raise PermissionDenied(f"only an admin may act as another agent (--as); {login!r} is {agent.role}")
    target = get_agent(as_login)
    if not target.active:
        raise PermissionDenied(f"agent {as_login!r} is deactivated")
    return target


def _require_admin(actor: Agent, what: str) -> None:
    if not actor.is_admin:
        raise PermissionDenied(f"only an admin may {what}; {actor.login!r} is {actor.role}")


def add_agent(actor: Agent, login: str, name: str = "", role: str = Role.AGENT.value) -> Agent:
    """Add an agent (admins only)."""
    _require_admin(actor, "add agents")
    login = validate.login(login)
    try:
        role = Role(role).value
    except ValueError:
        raise InvalidInput(f"unknown role {role!r} (one of: agent, lead, admin)") from None
    name = validate.name(name, fallback=login)
    try:
        with write_transaction():
            return Agent.create(login=login, name=name, role=role)
    except pw.IntegrityError:
        raise Conflict(f"agent {login!r} already exists") from None


def set_agent_active(actor: Agent, login: str, active: bool) -> Agent:
    """Deactivate or reactivate an agent (admins only). An admin cannot deactivate themself."""
    _require_admin(actor, "change agents")
    agent = get_agent(login)
    if agent.id == actor.id and not active:
        raise InvalidInput("you cannot deactivate yourself")
    with write_transaction():
        Agent.update(active=active).where(Agent.id == agent.id).execute()
    agent.active = active
    return agent


def list_agents() -> list[Agent]:
    return list(Agent.select().order_by(Agent.login))


def ensure_admin(login: str, name: str | None = None) -> Agent:
    """Make ``login`` the first admin of a desk that has no agents yet; return its agent."""
    with write_transaction():
        existing = Agent.get_or_none(Agent.login == login)
        if existing is not None:
            return existing
        if Agent.select().exists():
            raise PermissionDenied(
                f"this desk already has agents and {login!r} is not one: an admin can run `sportello agent add {login}`"
            )
        return Agent.create(login=validate.login(login), name=name or login, role=Role.ADMIN.value)


