"""On PostgreSQL the database says who acts: one role per agent (issue 15.1).

A desk is made by the DBA (the test server's superuser, with ada as the OS login), which gives
bob (agent), lena (lead) and carla (admin) roles of their own with ``sportello agent add
--db-role``; giulia.rossi has none. Each role logs in without a password (the test server's
pg_hba trusts loopback). Then, connected as those roles, raw SQL tries what the app would refuse,
and the command line acts as the session's agent whatever the OS login says.

Role names are cluster-wide: each test makes its own and drops them at teardown.
"""

from __future__ import annotations

import contextlib
import uuid
from urllib.parse import urlparse, urlunparse

import pytest

from models import agents, close_database, db_roles, drafts, faq, open_database, tickets, views
from models.errors import PermissionDenied
from models.tables import TicketEvent
from tests.conftest import _admin_connection, drop_postgres_schema, need_postgres, postgres_schema_url

psycopg2 = pytest.importorskip("psycopg2")


def _as_role(url: str, role: str) -> str:
    parsed = urlparse(url)
    host = parsed.netloc.rsplit("@", 1)[-1]
    return urlunparse(parsed._replace(netloc=f"{role}@{host}"))


class Desk:
    """The DBA's URL, each agent's role and URL, and the CLI."""

    def __init__(self, url: str, prefix: str, run) -> None:
        self.url = url
        self.prefix = prefix
        self.run = run
        self.roles: dict[str, str] = {}

    def role(self, login: str) -> str:
        return self.roles.setdefault(login, f"{self.prefix}_{login.split('.')[0]}")

    def url_of(self, login: str) -> str:
        return _as_role(self.url, self.role(login))

    def sql(self, login: str):
        """A raw connection as ``login``'s role (autocommit: each statement stands alone), closed after ``with``."""
        conn = psycopg2.connect(self.url_of(login))
        conn.autocommit = True
        return contextlib.closing(conn)

    def ids(self) -> dict[str, int]:
        return dict(self.dba("SELECT login, id FROM agent"))

    def dba(self, sql: str) -> list[tuple]:
        """Run ``sql`` as the DBA (committed); its rows, if any."""
        with contextlib.closing(psycopg2.connect(self.url)) as conn, conn, conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall() if cur.description else []


@pytest.fixture
def pg_desk(monkeypatch):
    """A desk on its own schema: ada (admin, OS login, no role), bob, lena, carla with roles, giulia.rossi without."""
    need_postgres()
    from click.testing import CliRunner

    from tui.cli import cli

    monkeypatch.setattr(agents, "os_login", lambda: "ada")
    schema, url = postgres_schema_url()
    runner = CliRunner()

    def run(*args: str, db: str | None = None, input=None):
        return runner.invoke(cli, ["--db", db or url, *args], input=input, catch_exceptions=False)

    desk = Desk(url, "sp" + uuid.uuid4().hex[:10], run)
    try:
        assert run("init").exit_code == 0
        for login, role in (("bob", "agent"), ("lena", "lead"), ("carla", "admin")):
            result = run("agent", "add", login, "--role", role, "--db-role", desk.role(login))
            assert result.exit_code == 0, result.output
            assert f"database role {desk.role(login)} granted" in result.output
        assert run("agent", "add", "giulia.rossi").exit_code == 0
        assert run("ticket", "new", "--subject", "Printer jams", "--body", "Page 3.").exit_code == 0
        yield desk
    finally:
        close_database()
        drop_postgres_schema(schema)
        with _admin_connection() as conn, conn.cursor() as cur:
            for role in desk.roles.values():
                cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
                if cur.fetchone():
                    cur.execute(f'DROP OWNED BY "{role}"')
                    cur.execute(f'DROP ROLE "{role}"')


def _refused(conn, sql: str, params=(), match: str = "") -> str:
    with pytest.raises(psycopg2.Error) as caught, conn.cursor() as cur:
        cur.execute(sql, params)
    text = str(caught.value)
    assert match in text, text
    return text


def _events(desk: Desk) -> list[tuple]:
    return desk.dba("SELECT ticket_id, actor_id, kind, body FROM ticket_event ORDER BY id")


def _event_sql(actor_id) -> tuple[str, tuple]:
    return (
        "INSERT INTO ticket_event (ticket_id, at, version, actor_id, kind, visibility, body) "
        "VALUES (1, now(), 1, %s, 'note', 'internal', 'signed by someone else')",
        (actor_id,),
    )


def test_a_forged_actor_is_refused_from_raw_sql(pg_desk):
    ids, before = pg_desk.ids(), _events(pg_desk)
    with pg_desk.sql("bob") as conn:
        for victim in ("giulia.rossi", "carla", "ada"):
            _refused(conn, *_event_sql(ids[victim]), match="actor_id of ticket_event must be the agent of database role")
        # Not even behind a temporary table that shadows the agent list in this session.
        with conn.cursor() as cur:
            cur.execute("CREATE TEMP TABLE agent (id integer, role text, active boolean, db_role text)")
            cur.execute("INSERT INTO agent VALUES (%s, 'admin', true, current_user)", (ids["bob"],))
        _refused(conn, *_event_sql(ids["giulia.rossi"]), match="must be the agent")
        # The same note signed by bob himself goes in: the guard is about who, not about notes.
        with conn.cursor() as cur:
            cur.execute(*_event_sql(ids["bob"]))
    assert _events(pg_desk) == [*before, (1, ids["bob"], "note", "signed by someone else")]


def test_agent_and_admin_tables_are_refused_to_a_non_admin(pg_desk):
    ids = pg_desk.ids()
    with pg_desk.sql("bob") as conn:
        _refused(conn, "UPDATE agent SET role = 'admin' WHERE login = 'bob'", match="only an admin may change agent")
        _refused(conn, "INSERT INTO agent (login, name, role, active, created_at) VALUES ('eve', 'Eve', 'admin', true, now())",
                 match="only an admin")  # fmt: skip
        _refused(conn, "UPDATE agent SET db_role = NULL WHERE login = 'bob'", match="only an admin")
        _refused(conn, "UPDATE agent SET active = false WHERE login = 'carla'", match="only an admin")
        _refused(conn, "INSERT INTO tier (name, position) VALUES ('gold', 9)", match="only an admin may change tier")
        _refused(conn, "INSERT INTO queue (name, description) VALUES ('vip', '')", match="a lead or an admin")
        _refused(conn, "INSERT INTO sla_calendar (name, timezone, hours, holidays, created_at) "
                       "VALUES ('x', 'UTC', '{}', '[]', now())", match="a lead or an admin")  # fmt: skip
        _refused(conn, "UPDATE organization SET tier = 'premium'", match="a lead or an admin")
    with pg_desk.sql("lena") as conn:  # a lead: queues yes, agents and tiers no
        with conn.cursor() as cur:
            cur.execute("INSERT INTO queue (name, description) VALUES ('vip', '')")
        _refused(conn, "UPDATE agent SET role = 'admin' WHERE login = 'lena'", match="only an admin")
        _refused(conn, "INSERT INTO tier (name, position) VALUES ('gold', 9)", match="only an admin")
    rows = pg_desk.dba("SELECT login, role, active, db_role FROM agent ORDER BY login")
    assert [r[:3] for r in rows] == [("ada", "admin", True), ("bob", "agent", True), ("carla", "admin", True),
                                     ("giulia.rossi", "agent", True), ("lena", "lead", True)]  # fmt: skip
    assert dict((r[0], r[3]) for r in rows)["bob"] == pg_desk.role("bob") and set(ids) == {r[0] for r in rows}


def test_truncate_delete_and_rewrites_are_refused(pg_desk):
    before = _events(pg_desk)
    with pg_desk.sql("bob") as conn:
        for sql in (
            "TRUNCATE ticket_event CASCADE",
            "TRUNCATE ticket CASCADE",
            "DELETE FROM ticket_event",
            "UPDATE ticket_event SET body = 'rewritten'",
            "ALTER TABLE ticket_event DISABLE TRIGGER ALL",
            "DROP TRIGGER ticket_event_no_rewrite ON ticket_event",
            "DELETE FROM ticket",
            "UPDATE schema_migration SET name = name",
            "CREATE TABLE mine (x int)",
        ):
            _refused(conn, sql)
    assert _events(pg_desk) == before


def test_another_agents_draft_is_neither_seen_nor_written(pg_desk):
    ids = pg_desk.ids()
    open_database(pg_desk.url)
    drafts.save_draft(agents.get_agent("giulia.rossi"), 1, "reply", "Dear customer, …")
    close_database()
    with pg_desk.sql("bob") as conn:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM draft")
            assert cur.fetchone() == (0,)
            cur.execute("UPDATE draft SET body = 'hijacked'")
            assert cur.rowcount == 0
        _refused(conn, "INSERT INTO draft (agent_id, ticket_id, kind, body, updated_at) "
                       "VALUES (%s, 1, 'note', 'x', now())", (ids["giulia.rossi"],), match="row-level security")  # fmt: skip
    open_database(pg_desk.url)
    try:
        assert [d.body for d in drafts.drafts_of(agents.get_agent("giulia.rossi"))] == ["Dear customer, …"]
    finally:
        close_database()


def test_the_cli_acts_as_the_sessions_agent_whatever_the_os_login(pg_desk, monkeypatch):
    run, bob = pg_desk.run, pg_desk.url_of("bob")
    for os_login in ("ada", "nobody-here"):  # an admin of the desk, and a login the desk never heard of
        monkeypatch.setattr(agents, "os_login", lambda os_login=os_login: os_login)
        result = run("ticket", "note", "1", "--body", f"from bob while the OS says {os_login}", db=bob)
        assert result.exit_code == 0, result.output
    ids = pg_desk.ids()
    assert [(actor, body) for _, actor, kind, body in _events(pg_desk) if kind == "note"] == [
        (ids["bob"], "from bob while the OS says ada"), (ids["bob"], "from bob while the OS says nobody-here"),
    ]  # fmt: skip
    as_giulia = run("--as", "giulia.rossi", "ticket", "note", "1", "--body", "x", db=bob)
    assert as_giulia.exit_code == 1 and "only an admin may act as another agent (--as); 'bob' is agent" in as_giulia.output
    add = run("agent", "add", "eve", "--role", "admin", db=bob)
    assert add.exit_code == 1 and "only an admin may add agents" in add.output
    assert run("init", db=bob).output.splitlines()[-1] == "You are bob (agent)."
    assert "eve" not in pg_desk.ids()


def test_an_admins_role_acts_for_others(pg_desk, monkeypatch):
    monkeypatch.setattr(agents, "os_login", lambda: "giulia.rossi")  # not an admin: the role decides
    run, carla = pg_desk.run, pg_desk.url_of("carla")
    assert run("--as", "giulia.rossi", "ticket", "note", "1", "--body", "for giulia", db=carla).exit_code == 0
    assert run("agent", "add", "dave", db=carla).output.strip() == "added dave (agent)"
    ids = pg_desk.ids()
    with pg_desk.sql("carla") as conn, conn.cursor() as cur:  # documented: an admin may sign for another agent
        cur.execute(*_event_sql(ids["giulia.rossi"]))
    notes = [(actor, body) for _, actor, kind, body in _events(pg_desk) if kind == "note"]
    assert notes == [(ids["giulia.rossi"], "for giulia"), (ids["giulia.rossi"], "signed by someone else")]
    # Granting roles stays the DBA's: carla's role owns nothing and may create no role.
    refused = run("agent", "grant", "dave", "--db-role", pg_desk.role("dave"), db=carla)
    assert refused.exit_code == 1 and "CREATEROLE" in refused.output


def test_a_deactivated_agents_role_writes_nothing(pg_desk):
    ids = pg_desk.ids()
    assert pg_desk.run("agent", "deactivate", "bob").exit_code == 0
    cli = pg_desk.run("ticket", "note", "1", "--body", "x", db=pg_desk.url_of("bob"))
    assert cli.exit_code == 1 and "'bob' is deactivated on this desk" in cli.output
    with pg_desk.sql("bob") as conn:
        _refused(conn, *_event_sql(ids["bob"]), match="is deactivated")


def test_the_service_layer_works_within_an_agents_grants(pg_desk):
    """What bob does every day goes through: nothing he needs was left out of the grants."""
    open_database(pg_desk.url_of("bob"))
    try:
        bob = agents.acting_agent()
        assert bob.login == "bob" and db_roles.session_role() == pg_desk.role("bob")
        ticket = tickets.create_ticket(bob, subject="VPN drops", body="Every hour.", customer="ann@example.com",
                                       organization="Acme", tags=["vpn"])  # fmt: skip
        n = ticket.number
        tickets.set_assignee(bob, n, "bob")
        tickets.change_tags(bob, n, add=["network"], remove=["vpn"])
        tickets.set_status(bob, n, "open")
        drafts.save_draft(bob, n, "reply", "Try this")
        article = faq.create_article(bob, title="VPN drops", body="Renew the lease.")
        drafts.send_draft(bob, n, "reply", "Try this", faq_ids=[article.id])
        faq.save_article(bob, article.id, body="Renew the DHCP lease.", note="clearer")
        tickets.set_status(bob, n, "resolved")
        view = views.save_view(bob, "My VPN", "vpn")
        views.delete_view(bob, view.id)
        with pytest.raises(PermissionDenied):
            agents.add_agent(bob, "eve", role="admin")
        events = TicketEvent.select().where(TicketEvent.ticket == n)
        assert {e.actor_id for e in events if e.actor_id is not None} == {bob.id}
        assert drafts.drafts_of(bob) == []
    finally:
        close_database()


def test_agent_grant_after_an_upgrade_and_for_an_existing_agent(pg_desk):
    pg_desk.dba("CREATE TABLE later_table (id serial PRIMARY KEY, x int)")  # a later migration adds a table
    with pg_desk.sql("bob") as conn:
        _refused(conn, "SELECT * FROM later_table", match="permission denied")
    result = pg_desk.run("agent", "grant")
    assert result.exit_code == 0, result.output
    assert sorted(result.output.splitlines()) == sorted(
        f"granted database role {pg_desk.role(login)} to agent {login}" for login in ("bob", "carla", "lena")
    )
    with pg_desk.sql("bob") as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO later_table (x) VALUES (1)")
        _refused(conn, "TRUNCATE later_table", match="permission denied")
    # giulia.rossi had no role: she gets one, and from then on it is who she is.
    role = pg_desk.role("giulia.rossi")
    assert pg_desk.run("agent", "grant", "giulia.rossi", "--db-role", role).exit_code == 0
    assert pg_desk.run("init", db=pg_desk.url_of("giulia.rossi")).output.splitlines()[-1] == "You are giulia.rossi (agent)."


def test_a_role_that_could_escape_its_grants_is_refused(pg_desk):
    for role in ("postgres", pg_desk.role("bob")):
        result = pg_desk.run("agent", "add", f"x{role[:5]}", "--db-role", role)
        assert result.exit_code in (1, 3), result.output
    assert "superuser" in pg_desk.run("agent", "add", "eve", "--db-role", "postgres").output
    assert "already agent 'bob'" in pg_desk.run("agent", "add", "eve", "--db-role", pg_desk.role("bob")).output
    assert "eve" not in pg_desk.ids()
