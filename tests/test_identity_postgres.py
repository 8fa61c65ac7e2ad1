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

from models import close_database, open_database
from models.directory import agents
from models.errors import PermissionDenied
from models.faq import articles as faq
from models.search import views
from models.store import roles as db_roles
from models.store.tables import Customer, TicketEvent
from models.tickets import changes as tickets
from models.tickets import csat, drafts
from models.tickets.timeline import events_of, who
from support.databases import admin_connection, drop_postgres_schema, need_postgres, postgres_schema_url

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

    from tui.cli.root import cli

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
        with admin_connection() as conn, conn.cursor() as cur:
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
            _refused(
                conn, *_event_sql(ids[victim]), match="actor_id of ticket_event must be the agent of database role"
            )
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
    assert (
        as_giulia.exit_code == 1 and "only an admin may act as another agent (--as); 'bob' is agent" in as_giulia.output
    )
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


def test_a_deactivated_agent_can_neither_log_in_nor_write(pg_desk):
    ids = pg_desk.ids()
    with pg_desk.sql("bob") as before:  # a session bob opened before he was deactivated
        deactivate = pg_desk.run("agent", "deactivate", "bob")
        assert deactivate.exit_code == 0 and deactivate.output == "deactivated bob\n"  # the DBA could: no note
        with pytest.raises(psycopg2.Error, match="not permitted to log in"):
            psycopg2.connect(pg_desk.url_of("bob")).close()
        with pytest.raises(psycopg2.Error), before.cursor() as cur:  # ended by the DBA's session
            cur.execute("SELECT count(*) FROM ticket")
    assert pg_desk.run("agent", "activate", "bob").exit_code == 0
    with pg_desk.sql("bob") as conn, conn.cursor() as cur:
        cur.execute(*_event_sql(ids["bob"]))
    # An admin without CREATEROLE (carla) deactivates: the role keeps LOGIN, and the CLI says what to run.
    note = pg_desk.run("agent", "deactivate", "bob", db=pg_desk.url_of("carla"))
    assert note.exit_code == 0 and note.output.splitlines() == [
        "deactivated bob",
        f"database role {pg_desk.role('bob')} can still log in and read the desk (its writes are refused): "
        f'ask the DBA to run ALTER ROLE "{pg_desk.role("bob")}" NOLOGIN',
    ]


def test_a_deactivated_agents_open_session_writes_nothing(pg_desk):
    """Whatever table the role may write: the agent's row says deactivated, every write is refused."""
    ids, before = pg_desk.ids(), _events(pg_desk)
    pg_desk.dba("INSERT INTO customer (email, name, phone, created_at) VALUES ('ann@example.com', 'Ann', '', now())")
    with pg_desk.sql("bob") as conn:
        pg_desk.dba("UPDATE agent SET active = false WHERE login = 'bob'")  # as deactivation by an admin leaves it
        for sql, params in (
            _event_sql(ids["bob"]),
            ("INSERT INTO customer (email, name, phone, created_at) VALUES ('eve@example.com', 'Eve', '', now())", ()),
            ("UPDATE customer SET name = 'Not Ann'", ()),
            ("UPDATE ticket SET subject = 'rewritten'", ()),
            ("INSERT INTO tag (name) VALUES ('x')", ()),
            ("INSERT INTO organization (name, tier, industry, region, size_band, revenue_band) "
             "VALUES ('Evil', 'standard', '', '', '', '')", ()),
            ("INSERT INTO draft (agent_id, ticket_id, kind, body, updated_at) VALUES (%s, 1, 'note', 'x', now())",
             (ids["bob"],)),
            ("DELETE FROM ticket_tag", ()),
            ("UPDATE sync_remote SET name = name", ()),
        ):  # fmt: skip
            _refused(conn, sql, params, match="is deactivated")
    assert _events(pg_desk) == before
    assert pg_desk.dba("SELECT name FROM customer") == [("Ann",)]
    assert pg_desk.dba("SELECT subject FROM ticket") == [("Printer jams",)]


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
    assert (
        pg_desk.run("init", db=pg_desk.url_of("giulia.rossi")).output.splitlines()[-1]
        == "You are giulia.rossi (agent)."
    )


def test_a_role_that_could_escape_its_grants_is_refused(pg_desk):
    for role in ("postgres", pg_desk.role("bob")):
        result = pg_desk.run("agent", "add", f"x{role[:5]}", "--db-role", role)
        assert result.exit_code in (1, 3), result.output
    assert "superuser" in pg_desk.run("agent", "add", "eve", "--db-role", "postgres").output
    assert "already agent 'bob'" in pg_desk.run("agent", "add", "eve", "--db-role", pg_desk.role("bob")).output
    assert "eve" not in pg_desk.ids()


def _schema(desk: Desk) -> str:
    return desk.dba("SELECT current_schema()")[0][0]


def test_an_operator_of_the_agents_own_disarms_no_guard(pg_desk):
    """A role that may create objects in the desk's schema (PUBLIC's CREATE on public, PG 14 and
    older) made "=(varchar, text)" answer false: the guards then saw no agent at all."""
    ids, schema = pg_desk.ids(), _schema(pg_desk)
    open_database(pg_desk.url)
    drafts.save_draft(agents.get_agent("giulia.rossi"), 1, "reply", "Dear customer, …")
    close_database()
    pg_desk.dba(f'GRANT CREATE ON SCHEMA {schema} TO "{pg_desk.role("bob")}"')  # a careless DBA, after the grant
    before = _events(pg_desk)
    with pg_desk.sql("bob") as conn:
        with conn.cursor() as cur:
            cur.execute(f"CREATE FUNCTION {schema}.never(varchar, text) RETURNS boolean LANGUAGE sql AS 'SELECT false'")
            cur.execute(f"CREATE OPERATOR {schema}.= (LEFTARG = varchar, RIGHTARG = text, FUNCTION = {schema}.never)")
            cur.execute("SELECT count(*) FROM agent WHERE db_role = session_user::text")
            assert cur.fetchone() == (0,)  # the trick works on an unguarded query …
            cur.execute("SELECT count(*) FROM draft")
            assert cur.fetchone() == (0,)  # … not on the guards
        _refused(conn, *_event_sql(ids["giulia.rossi"]), match="must be the agent")
        _refused(conn, "UPDATE agent SET role = 'admin' WHERE login = 'bob'", match="only an admin")
    assert _events(pg_desk) == before
    # Every session that searches the schema now runs bob's function, the DBA's too: why granting
    # must take CREATE away (below). The DBA drops it first.
    assert pg_desk.dba("SELECT role FROM agent WHERE login = 'bob'") == []
    pg_desk.dba(f"DROP OPERATOR {schema}.= (varchar, text); DROP FUNCTION {schema}.never(varchar, text)")
    assert pg_desk.dba("SELECT role FROM agent WHERE login = 'bob'") == [("agent",)]
    # Granting again takes CREATE away (from the role and from PUBLIC) on the desk's schema and on public.
    pg_desk.dba(f'GRANT CREATE ON SCHEMA {schema} TO PUBLIC; GRANT CREATE ON SCHEMA public TO "{pg_desk.role("bob")}"')
    granted = pg_desk.run("agent", "grant", "bob")
    assert granted.exit_code == 0, granted.output
    with pg_desk.sql("bob") as conn:
        _refused(
            conn, f"CREATE FUNCTION {schema}.again() RETURNS int LANGUAGE sql AS 'SELECT 1'", match="permission denied"
        )
        _refused(conn, "CREATE TABLE public.mine (x int)", match="permission denied")


def test_updates_cannot_take_over_someone_elses_rows(pg_desk):
    ids = pg_desk.ids()
    open_database(pg_desk.url)
    try:
        shared = views.save_view(agents.get_agent("lena"), "Team VPN", "vpn", shared=True)
        lenas = views.save_view(agents.get_agent("lena"), "Lena's", "printer")
        article = faq.create_article(agents.get_agent("carla"), title="Printer jams", body="Open tray 2.")
        tickets.link_faq(agents.get_agent("lena"), 1, article.id)
        tickets.set_status(agents.get_agent("lena"), 1, "resolved")
        csat.record(agents.get_agent("lena"), 1, 5, "quick")
    finally:
        close_database()
    with pg_desk.sql("bob") as conn:
        for sql in (
            f"UPDATE saved_view SET owner_id = {ids['bob']} WHERE id = {shared.id}",
            f"UPDATE saved_view SET owner_id = {ids['bob']} WHERE id = {lenas.id}",
            "UPDATE survey SET score = 1, comment = 'awful' WHERE ticket_id = 1",
            f"UPDATE survey SET score = 1, recorded_by_id = {ids['bob']} WHERE ticket_id = 1",
            f"UPDATE faq_article SET author_id = {ids['bob']}",
            "UPDATE faq_article SET author_id = NULL",
            f"UPDATE ticket_faq SET linked_by_id = {ids['bob']}",
        ):
            _refused(conn, sql, match="only an admin" if "faq" in sql else "must be the agent of database role")
        _refused(conn, f"DELETE FROM saved_view WHERE id = {shared.id}", match="a shared row needs a lead")
        # Editing another's article is every agent's job: only its signature is kept.
        with conn.cursor() as cur:
            cur.execute("UPDATE faq_article SET body = 'Open tray 2, then 3.'")
    assert pg_desk.dba("SELECT id, owner_id FROM saved_view ORDER BY id") == [
        (shared.id, None),
        (lenas.id, ids["lena"]),
    ]
    assert pg_desk.dba("SELECT score, comment, recorded_by_id FROM survey") == [(5, "quick", ids["lena"])]
    assert pg_desk.dba("SELECT author_id, body FROM faq_article") == [(ids["carla"], "Open tray 2, then 3.")]
    assert pg_desk.dba("SELECT linked_by_id FROM ticket_faq") == [(ids["lena"],)]


def test_an_agents_event_is_signed_by_the_agent_whatever_it_claims(pg_desk):
    ids = pg_desk.ids()
    open_database(pg_desk.url)
    try:
        ada = agents.get_agent("ada")
        ann = tickets.create_ticket(ada, subject="VPN", body="Drops.", customer="ann@example.com").number
        bea = tickets.create_ticket(ada, subject="Mail", body="Bounces.", customer="bea@example.com").number
        cid = {c.email: c.id for c in Customer.select()}
    finally:
        close_database()
    insert = ("INSERT INTO ticket_event (ticket_id, at, version, actor_id, customer_id, origin, origin_actor, kind, "
              "visibility, body) VALUES (%s, now(), 9, %s, %s, %s, %s, 'reply', 'public', %s)")  # fmt: skip
    with pg_desk.sql("bob") as conn:
        with conn.cursor() as cur:
            cur.execute(insert, (ann, None, None, None, None, "by nobody"))
            cur.execute(insert, (ann, ids["bob"], None, "rt", "giulia.rossi", "giulia wrote this in rt"))
            cur.execute(insert, (ann, None, cid["ann@example.com"], None, None, "Ann's words, typed by bob"))
        _refused(conn, insert, (ann, None, cid["bea@example.com"], None, None, "Bea on Ann's ticket"),
                 match="is not the customer of ticket")  # fmt: skip
    open_database(pg_desk.url)
    try:
        shown = [(who(e), e.body) for e in events_of(ann) if e.version == 9]
        assert shown == [
            ("bob", "by nobody"),
            ("giulia.rossi (synced from rt by bob)", "giulia wrote this in rt"),
            ("ann <ann@example.com>", "Ann's words, typed by bob"),
        ]
        assert {e.actor_id for e in events_of(ann) if e.version == 9} == {ids["bob"]}
        # Once Bea's ticket is merged into Ann's, Bea's replies land there: her id is allowed on it.
        tickets.merge_tickets(agents.get_agent("ada"), bea, ann, across_customers=True)
    finally:
        close_database()
    with pg_desk.sql("bob") as conn, conn.cursor() as cur:
        cur.execute(insert, (ann, None, cid["bea@example.com"], None, None, "Bea, after the merge"))


def test_a_role_with_other_roles_grants_is_refused_and_truncate_is_guarded(pg_desk):
    schema, group, member, led = _schema(pg_desk), pg_desk.role("group"), pg_desk.role("dave"), pg_desk.role("erin")
    pg_desk.dba(f'CREATE ROLE "{group}"; CREATE ROLE "{member}" LOGIN; GRANT "{group}" TO "{member}"; '
                f'GRANT TRUNCATE, DELETE ON {schema}.draft, {schema}.saved_view TO "{group}"; '
                f'CREATE ROLE "{led}" LOGIN; GRANT "{led}" TO "{group}"')  # fmt: skip
    for login, role in (("dave", member), ("erin", led)):  # in a group role; with members
        result = pg_desk.run("agent", "add", login, "--db-role", role)
        assert result.exit_code == 1 and "belongs to a group role or has members" in result.output, result.output
    assert {"dave", "erin"}.isdisjoint(pg_desk.ids())
    # PUBLIC's grants are every role's: granting refuses while one goes beyond an agent's.
    pg_desk.dba(f"GRANT TRUNCATE ON {schema}.draft TO PUBLIC")
    result = pg_desk.run("agent", "grant", "bob")
    assert result.exit_code == 1 and "may still TRUNCATE draft (granted to PUBLIC)" in result.output, result.output
    open_database(pg_desk.url)
    drafts.save_draft(agents.get_agent("giulia.rossi"), 1, "reply", "Dear customer, …")
    views.save_view(agents.get_agent("lena"), "Team", "vpn", shared=True)
    close_database()
    pg_desk.dba(f"GRANT TRUNCATE ON {schema}.saved_view, {schema}.tier TO PUBLIC")
    with pg_desk.sql("bob") as conn:
        for table in ("draft", "saved_view", "tier"):  # TRUNCATE skips DELETE triggers and row security
            _refused(conn, f"TRUNCATE {table}", match=f"may not truncate {table}")
    assert pg_desk.dba("SELECT count(*) FROM draft") == [(1,)]
    assert pg_desk.dba("SELECT count(*) FROM saved_view") == [(1,)]
