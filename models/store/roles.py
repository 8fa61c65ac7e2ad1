"""PostgreSQL roles for agents: the database, not the client, says who acts.

One role per agent (``agent.db_role``, migration 0012), made with LOGIN and no password:
authentication is the server's job (``pg_hba.conf``: peer, certificates, scram with a
``~/.pgpass`` …). A session whose role is an agent's *is* that agent; the role holds only what the
service functions need on the desk's schema, and migration 0012's triggers refuse the rest even
from raw SQL: a forged actor, an admin- or lead-only write, another agent's draft, TRUNCATE.

Only a session that owns the desk's tables (the DBA who ran ``sportello init``, or a superuser)
and may create roles can make and grant them. On SQLite there are no roles: every function here
says so or does nothing.
"""

from __future__ import annotations

import re

from models.errors import Conflict, InvalidInput, PermissionDenied
from models.store.db import database, is_postgres
from models.store.tables import Agent

__all__ = [
    "check_role_name",
    "session_role",
    "session_agent",
    "db_role_of",
    "attach_role",
    "agents_with_roles",
    "privileges_for",
    "set_login",
    "login_mismatch",
]

#: Tables an agent's role may delete rows from (a tag taken off, a draft sent, a view removed,
#: an SLA rule or tier dropped by a lead or an admin). Every other table: no DELETE.
_DELETABLE = frozenset({"ticket_tag", "faq_tag", "draft", "saved_view", "tier", "sla_policy", "sla_calendar"})
#: Written once, never changed.
_APPEND_ONLY = frozenset({"ticket_event", "faq_revision"})
#: The schema's version: the DBA's upgrades write it, agents read it.
_READ_ONLY = frozenset({"schema_migration", "desk_secret"})

_ROLE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.@\-]{0,62}$")


def privileges_for(table: str) -> str:
    """What an agent's role may do on ``table`` of the desk (never TRUNCATE, REFERENCES or TRIGGER)."""
    if table in _READ_ONLY:
        return "SELECT"
    if table in _APPEND_ONLY:
        return "SELECT, INSERT"
    return "SELECT, INSERT, UPDATE" + (", DELETE" if table in _DELETABLE else "")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def check_role_name(value: str) -> str:
    """A role name as an agent's: letters, digits, ``_ . @ -``, at most 63 bytes, not ``pg_…``."""
    name = str(value).strip()
    if not _ROLE_NAME.match(name) or name.lower().startswith("pg_"):
        raise InvalidInput(
            f"bad database role {name[:40]!r}: use letters, digits, '.', '-', '_' or '@' (up to 63), not pg_…"
        )
    return name


def _one(sql: str, params: tuple = ()) -> tuple | None:
    return database.execute_sql(sql, params).fetchone()


def session_role() -> str | None:
    """The role the server authenticated for this session (None on SQLite). ``SET ROLE`` cannot change it."""
    if not is_postgres():
        return None
    return _one("SELECT session_user::text")[0]


def session_agent() -> Agent | None:
    """The agent whose database role this session logged in as (None: no such agent, or SQLite)."""
    if not is_postgres():
        return None
    # The built-in operator, named: a role's own "=(varchar, text)" must not answer "no agent".
    row = _one("SELECT id FROM agent WHERE db_role::text OPERATOR(pg_catalog.=) session_user::text")
    return Agent.get_or_none(Agent.id == row[0]) if row else None


def db_role_of(agent: Agent) -> str | None:
    """The database role ``agent`` logs in as, if any."""
    row = _one(f"SELECT db_role FROM agent WHERE id = {_mark()}", (agent.id,))
    return row[0] if row else None


def _mark() -> str:
    return "%s" if is_postgres() else "?"


def _schema() -> str:
    """The schema the desk's tables live in (the one ``agent`` resolves to)."""
    return _one("SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.oid = 'agent'::regclass")[0]  # fmt: skip


def _role(name: str) -> tuple | None:
    """(superuser, createrole, bypassrls, member of the desk's owner, in a group or with members)
    of an existing role."""
    return _one(
        "SELECT r.rolsuper, r.rolcreaterole, r.rolbypassrls, "
        "pg_has_role(r.oid, (SELECT relowner FROM pg_class WHERE oid = 'agent'::regclass), 'MEMBER'), "
        "EXISTS (SELECT 1 FROM pg_auth_members m WHERE m.member = r.oid OR m.roleid = r.oid) "
        "FROM pg_roles r WHERE r.rolname = %s",
        (name,),
    )


def _require_postgres() -> None:
    if not is_postgres():
        raise InvalidInput("database roles exist only on PostgreSQL; a SQLite desk is as safe as its file (see README)")


def _require_dba(schema: str, *, create: bool) -> None:
    """The session must own every table of the desk (to grant) and, to make a role, create roles."""
    superuser, createrole = _one("SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user")
    if superuser:
        return
    if create and not createrole:
        raise PermissionDenied(
            "this database session may not create roles (it needs CREATEROLE): ask the DBA to run "
            "CREATE ROLE … LOGIN, then `sportello agent grant`"
        )
    foreign = _one(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'S') AND NOT pg_has_role(current_user, c.relowner, 'USAGE')",
        (schema,),
    )[0]
    if foreign:
        raise PermissionDenied(
            "only the desk's owner (the role that ran `sportello init`) or a superuser can grant an agent's role"
        )


def attach_role(agent: Agent, name: str) -> str:
    """Record ``name`` as ``agent``'s database role, creating the role if it is missing, and grant it.

    Runs in the caller's transaction: a refusal leaves neither the record nor the role. A role that
    is a superuser, may create roles, bypasses row security or belongs to the desk's owner is refused:
    the database could not hold it to an agent's rights; so is one in a group role or with members
    of its own (another role's grants would be its own, or its grants another role's, unchecked).
    After granting, a role that may still do more than ``privileges_for`` says (through PUBLIC) or
    create objects in the desk's schema or ``public`` is refused, naming what to revoke.
    """
    _require_postgres()
    name = check_role_name(name)
    schema = _schema()
    existing = _role(name)
    _require_dba(schema, create=existing is None)
    if existing is not None and any(existing):
        raise PermissionDenied(
            f"database role {name!r} is a superuser, may create roles, bypasses row security, owns the desk, "
            "belongs to a group role or has members: an agent's role must be an ordinary one of its own"
        )
    holder = _one("SELECT login FROM agent WHERE db_role = %s AND id <> %s", (name, agent.id))
    if holder:
        raise Conflict(f"database role {name!r} is already agent {holder[0]!r}'s")
    if existing is None:
        database.execute_sql(f"CREATE ROLE {_quote(name)} LOGIN")
    database.execute_sql("UPDATE agent SET db_role = %s WHERE id = %s", (name, agent.id))
    _grant(name, schema)
    _check_grants(name, schema)
    return name


def agents_with_roles() -> list[tuple[str, str]]:
    """(login, role) of every agent that has a database role, by login."""
    if not is_postgres():
        return []
    return [tuple(row) for row in database.execute_sql(
        "SELECT login, db_role FROM agent WHERE db_role IS NOT NULL ORDER BY login"
    ).fetchall()]  # fmt: skip


def _grant(role: str, schema: str) -> None:
    """Exactly what an agent needs on ``schema``, and nothing left from before."""
    who, where = _quote(role), _quote(schema)
    for sql in (
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {where} FROM {who}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {where} FROM {who}",
        f"GRANT USAGE ON SCHEMA {where} TO {who}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {where} TO {who}",
    ):
        database.execute_sql(sql)
    tables = database.execute_sql(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY c.relname",
        (schema,),
    ).fetchall()
    for (table,) in tables:
        database.execute_sql(f"GRANT {privileges_for(table)} ON {where}.{_quote(table)} TO {who}")
    _revoke_create(schema, role, public_too=True)
    if schema != "public":
        _revoke_create("public", role, public_too=False)  # PUBLIC's there is the DBA's call: _check_grants
    for (table,) in database.execute_sql(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND NOT EXISTS "
        "(SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'sportello_statement_guard') "
        "ORDER BY c.relname",
        (schema,),
    ).fetchall():  # a table a later migration made: deactivated agents and TRUNCATE, as on the others
        database.execute_sql(
            f"CREATE TRIGGER sportello_statement_guard BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {where}.{_quote(table)} FOR EACH STATEMENT EXECUTE FUNCTION {where}.sportello_statement_guard()"
        )


def _revoke_create(schema: str, role: str, *, public_too: bool) -> None:
    """Take CREATE on ``schema`` away from ``role`` (and PUBLIC): with an operator of its own there,
    a role turned every guard off, and ran its code in other sessions. Only grants that exist are
    revoked: a schema's privileges are one catalog row, and concurrent REVOKEs of it fail."""
    grantees = [row[0] for row in database.execute_sql(
        "SELECT a.grantee FROM pg_namespace n, aclexplode(n.nspacl) a WHERE n.nspname = %s "
        "AND a.privilege_type = 'CREATE' AND (a.grantee = (SELECT oid FROM pg_roles WHERE rolname = %s) "
        "OR (%s AND a.grantee = 0))",
        (schema, role, public_too),
    ).fetchall()]  # fmt: skip
    if grantees:
        who = ", ".join("PUBLIC" if oid == 0 else _quote(role) for oid in grantees)
        database.execute_sql(f"REVOKE CREATE ON SCHEMA {_quote(schema)} FROM {who}")


_TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")


def _check_grants(role: str, schema: str) -> None:
    """Refuse a role that, once granted, may still do more than an agent (through PUBLIC)."""
    for space in dict.fromkeys((schema, "public")):
        row = _one(
            "SELECT has_schema_privilege(%s, n.oid, 'CREATE') FROM pg_namespace n WHERE n.nspname = %s", (role, space)
        )
        if row and row[0]:
            raise PermissionDenied(
                f"database role {role!r} may create objects in schema {space!r} (through PUBLIC), and with them "
                f"disarm the desk's guards: run REVOKE CREATE ON SCHEMA {_quote(space)} FROM PUBLIC, then grant again"
            )
    tables = database.execute_sql(
        "SELECT c.relname, c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY c.relname",
        (schema,),
    ).fetchall()
    for table, oid in tables:
        allowed = {p.strip() for p in privileges_for(table).split(",")}
        for privilege in _TABLE_PRIVILEGES:
            if privilege in allowed:
                continue
            if _one("SELECT has_table_privilege(%s, %s::oid, %s)", (role, oid, privilege))[0]:
                raise PermissionDenied(
                    f"database role {role!r} may still {privilege} {table} (granted to PUBLIC): run "
                    f"REVOKE {privilege} ON {_quote(schema)}.{_quote(table)} FROM PUBLIC, then grant again"
                )


def set_login(agent: Agent, allowed: bool) -> None:
    """Let ``agent``'s database role log in, or not (deactivation), when this session may alter roles
    (a superuser, or CREATEROLE); a refusal is no error: ``login_mismatch`` then says what to run.
    On deactivation the role's open sessions are ended too, where this session may signal them."""
    role = db_role_of(agent) if is_postgres() else None
    if role is None:
        return
    superuser, createrole = _one("SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user")
    target = _one("SELECT rolsuper FROM pg_roles WHERE rolname = %s", (role,))
    if target is None or target[0] or not (superuser or createrole):
        return
    database.execute_sql(f"ALTER ROLE {_quote(role)} {'LOGIN' if allowed else 'NOLOGIN'}")
    if not allowed and _one("SELECT %s OR pg_has_role(current_user, 'pg_signal_backend', 'MEMBER')", (superuser,))[0]:
        database.execute_sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s AND pid <> pg_backend_pid()",
            (role,),
        )


def login_mismatch(agent: Agent) -> str | None:
    """What to run when ``agent``'s role may log in while the agent is deactivated (or not while active)."""
    role = db_role_of(agent) if is_postgres() else None
    row = _one("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", (role,)) if role else None
    if row is None or row[0] == agent.active:
        return None
    verb = "LOGIN" if agent.active else "NOLOGIN"
    state = "cannot log in" if agent.active else "can still log in and read the desk (its writes are refused)"
    return f"database role {role} {state}: ask the DBA to run ALTER ROLE {_quote(role)} {verb}"
