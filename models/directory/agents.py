"""Agents: who may act on the desk, and with which role. Admin-only actions are enforced here."""

from __future__ import annotations

import getpass
import os
import pwd

import peewee as pw

from models import validate
from models.enums import Role
from models.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from models.store import namespace
from models.store import roles as db_roles
from models.store.db import write_transaction
from models.store.tables import Agent

__all__ = [
    "os_login",
    "remapped_ids",
    "acting_agent",
    "first_agent",
    "get_agent",
    "resolve_actor",
    "add_agent",
    "set_agent_active",
    "grant_agent",
    "list_agents",
    "ensure_admin",
]

NAMESPACE_REFUSAL = (
    "refusing to act inside a user namespace that remaps user ids (unshare -r): the acting agent could not be proven"
)


def remapped_ids() -> bool:
    """True when this process runs in a user namespace that maps ids (``unshare -r`` makes anyone
    uid 0), or when a faked ``/proc`` keeps that from being proven (see ``models.store.namespace``)."""
    return namespace.remapped_ids()


def os_login() -> str:
    """The login of the person at the keyboard (the acting agent by default).

    Taken from the process's user id, not from $LOGNAME or $USER, which anyone can set; refused
    inside a user namespace that remaps ids, where anyone can choose their uid. (Someone who runs
    a changed copy of Sportello can still lie: only a database role proves who acts, see
    ``models.store.roles``.)
    """
    if remapped_ids():
        raise PermissionDenied(NAMESPACE_REFUSAL)
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except (KeyError, OSError):  # a uid without a passwd entry (some containers)
        return getpass.getuser()


def get_agent(login: str) -> Agent:
    agent = Agent.get_or_none(Agent.login == login)
    if agent is None:
        raise NotFound(f"no agent {login[:64]!r}")
    return agent


def acting_agent(as_login: str | None = None) -> Agent:
    """The agent this process acts for; ``as_login`` lets an admin act as someone else.

    On PostgreSQL, a session whose role is an agent's database role is that agent: the server
    authenticated it, and the OS login is not asked. Otherwise (SQLite, the desk's owner, a
    superuser) it is the OS login.
    """
    mapped = db_roles.session_agent()
    return resolve_actor(mapped.login if mapped is not None else os_login(), as_login)


def first_agent() -> Agent:
    """``sportello init``: the session's agent, or the OS login, made the first admin of an empty desk."""
    mapped = db_roles.session_agent()
    return mapped if mapped is not None else ensure_admin(os_login())


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


def add_agent(
    actor: Agent, login: str, name: str = "", role: str = Role.AGENT.value, *, db_role: str | None = None
) -> Agent:
    """Add an agent (admins only); with ``db_role``, also their PostgreSQL role (made if missing), granted.

    All or nothing: a role that cannot be made or granted leaves no agent behind."""
    _require_admin(actor, "add agents")
    if db_role is not None:
        db_role = db_roles.check_role_name(db_role)
    login = validate.login(login)
    try:
        role = Role(role).value
    except ValueError:
        raise InvalidInput(f"unknown role {role!r} (one of: agent, lead, admin)") from None
    name = validate.name(name, fallback=login)
    try:
        with write_transaction():
            if Agent.select().where(Agent.login == login).exists():
                raise Conflict(f"agent {login!r} already exists")
            agent = Agent.create(login=login, name=name, role=role)
            if db_role is not None:
                db_roles.attach_role(agent, db_role)
            return agent
    except pw.IntegrityError:
        raise Conflict(f"agent {login!r} already exists") from None


def grant_agent(actor: Agent, login: str, db_role: str | None = None) -> str:
    """Give ``login`` a database role (``db_role``; default: the one recorded, else the login) and
    grant it what an agent needs, afresh (admins only; the session must own the desk). Returns the role."""
    _require_admin(actor, "grant database roles")
    agent = get_agent(login)
    with write_transaction():
        name = db_role if db_role is not None else (db_roles.db_role_of(agent) or agent.login)
        return db_roles.attach_role(agent, name)


def set_agent_active(actor: Agent, login: str, active: bool) -> Agent:
    """Deactivate or reactivate an agent (admins only). An admin cannot deactivate themself.

    On PostgreSQL the agent's database role loses (or gets back) LOGIN too, when this session may
    alter roles; ``db_roles.login_mismatch`` says what the DBA must run when it could not."""
    _require_admin(actor, "change agents")
    agent = get_agent(login)
    if agent.id == actor.id and not active:
        raise InvalidInput("you cannot deactivate yourself")
    with write_transaction():
        Agent.update(active=active).where(Agent.id == agent.id).execute()
        db_roles.set_login(agent, active)
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
