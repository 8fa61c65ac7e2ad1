"""Who acts is proven by the database, and the append-only record has no back door (issue 15).

Both backends:

* ``agent.db_role``: the PostgreSQL role an agent logs in as (NULL: none), unique. It is not a
  field of the ``Agent`` model, so an export never carries one server's role names to another.
* ``faq_revision`` is append-only like ``ticket_event`` ("a revert is a new revision").

SQLite: ``INSERT OR REPLACE`` (Peewee's ``replace()``) deleted the row it replaced without firing
the delete trigger. Every connection now turns ``recursive_triggers`` on (``models.db``), and a
BEFORE INSERT trigger refuses a row whose id (or revision number) is already there, for the
connections that do not.

PostgreSQL:

* a statement-level BEFORE TRUNCATE trigger on both tables (TRUNCATE fires no row trigger);
* ``sportello_session_agent()``: the agent whose ``db_role`` is the session's role, if any;
* statement-level guards, for sessions that are an agent's role (the desk owner, a superuser and
  any other role the DBA made are not checked: they can drop a trigger anyway):
  - ``sportello_require_role(lead|admin)``: writes to ``agent`` and ``tier`` need an admin,
    to ``queue``, ``sla_policy`` and ``sla_calendar`` (and updates of ``organization``) a lead;
  - ``sportello_check_actor(column, exempt)``: a row naming an agent in ``column`` other than the
    session's is refused, unless the session's agent is an admin (``--as``); NULL (a customer's
    message, a synced change, an SLA alert) is allowed. Events, FAQ articles and revisions, FAQ
    links, surveys, sync conflicts and saved views are checked. A deactivated agent writes none;
  - ``draft`` rows are visible and writable only by their agent (row-level security).

The functions pin ``search_path`` to the desk's schema (then ``pg_temp``), so a temporary table
called ``agent`` cannot stand in for the real one.
"""

from peewee import PostgresqlDatabase

_SQLITE = [
    "CREATE TRIGGER ticket_event_no_replace BEFORE INSERT ON ticket_event "
    "WHEN EXISTS (SELECT 1 FROM ticket_event WHERE id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'ticket events are append-only'); END",
    "CREATE TRIGGER faq_revision_no_update BEFORE UPDATE ON faq_revision "
    "BEGIN SELECT RAISE(ABORT, 'FAQ revisions are append-only'); END",
    "CREATE TRIGGER faq_revision_no_delete BEFORE DELETE ON faq_revision "
    "BEGIN SELECT RAISE(ABORT, 'FAQ revisions are append-only'); END",
    "CREATE TRIGGER faq_revision_no_replace BEFORE INSERT ON faq_revision "
    "WHEN EXISTS (SELECT 1 FROM faq_revision WHERE id = NEW.id "
    "OR (article_id = NEW.article_id AND number = NEW.number)) "
    "BEGIN SELECT RAISE(ABORT, 'FAQ revisions are append-only'); END",
]

# {path}: the desk's schema, then pg_temp (filled in at upgrade time).
_POSTGRES = [
    "CREATE FUNCTION faq_revision_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'FAQ revisions are append-only'; END $$",
    "CREATE TRIGGER faq_revision_no_rewrite BEFORE UPDATE OR DELETE ON faq_revision "
    "FOR EACH ROW EXECUTE FUNCTION faq_revision_append_only()",
    "CREATE TRIGGER faq_revision_no_truncate BEFORE TRUNCATE ON faq_revision "
    "FOR EACH STATEMENT EXECUTE FUNCTION faq_revision_append_only()",
    "CREATE TRIGGER ticket_event_no_truncate BEFORE TRUNCATE ON ticket_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION ticket_event_append_only()",
    # NULLs when the session's role is no agent's.
    """CREATE FUNCTION sportello_session_agent(OUT id integer, OUT role text, OUT active boolean)
    LANGUAGE sql STABLE SET search_path = {path} AS
    $$ SELECT a.id, a.role::text, a.active FROM agent a WHERE a.db_role = session_user::text $$""",
    """CREATE FUNCTION sportello_require_role() RETURNS trigger LANGUAGE plpgsql SET search_path = {path} AS $$
    DECLARE me record;
    BEGIN
        SELECT * INTO me FROM sportello_session_agent();
        IF me.id IS NULL THEN RETURN NULL; END IF;
        IF NOT me.active THEN
            RAISE EXCEPTION 'the agent of database role % is deactivated', session_user USING ERRCODE = '42501';
        END IF;
        IF me.role = 'admin' OR (TG_ARGV[0] = 'lead' AND me.role = 'lead') THEN RETURN NULL; END IF;
        RAISE EXCEPTION 'only % may change %: database role % is %', CASE TG_ARGV[0] WHEN 'lead'
            THEN 'a lead or an admin' ELSE 'an admin' END, TG_TABLE_NAME, session_user, me.role
            USING ERRCODE = '42501';
    END $$""",
    """CREATE FUNCTION sportello_check_actor() RETURNS trigger LANGUAGE plpgsql SET search_path = {path} AS $$
    DECLARE me record; forged boolean; shared boolean := false;
    BEGIN
        SELECT * INTO me FROM sportello_session_agent();
        IF me.id IS NULL THEN RETURN NULL; END IF;
        IF NOT me.active THEN
            RAISE EXCEPTION 'the agent of database role % is deactivated', session_user USING ERRCODE = '42501';
        END IF;
        IF me.role = 'admin' THEN RETURN NULL; END IF;
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM sportello_rows WHERE %I <> $1)', TG_ARGV[0]) INTO forged USING me.id;
        IF TG_ARGV[1] = 'shared-needs-lead' AND me.role <> 'lead' THEN
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM sportello_rows WHERE %I IS NULL)', TG_ARGV[0]) INTO shared;
        END IF;
        IF forged OR shared THEN
            RAISE EXCEPTION '% of % must be the agent of database role % (%)', TG_ARGV[0], TG_TABLE_NAME,
                session_user, CASE WHEN shared THEN 'a shared row needs a lead' ELSE 'only an admin acts for others' END
                USING ERRCODE = '42501';
        END IF;
        RETURN NULL;
    END $$""",
    "ALTER TABLE draft ENABLE ROW LEVEL SECURITY",
    # Row-level security binds every role but the table's owner and superusers: another agent's
    # draft is neither seen nor written; a role that is no agent's sees them all, as before.
    "CREATE POLICY draft_own ON draft USING ((SELECT s.id IS NULL OR s.role = 'admin' OR s.id = draft.agent_id "
    "FROM sportello_session_agent() s))",
]

# (table, minimum role, events) for sportello_require_role.
_ROLE_GUARDS = [
    ("agent", "admin", "INSERT OR UPDATE OR DELETE"),
    ("tier", "admin", "INSERT OR UPDATE OR DELETE"),
    ("queue", "lead", "INSERT OR UPDATE OR DELETE"),
    ("sla_policy", "lead", "INSERT OR UPDATE OR DELETE"),
    ("sla_calendar", "lead", "INSERT OR UPDATE OR DELETE"),
    ("organization", "lead", "UPDATE OR DELETE"),
]

# (table, column, event, extra) for sportello_check_actor; the rows are the event's new rows
# (old ones for DELETE).
_ACTOR_GUARDS = [
    ("ticket_event", "actor_id", "INSERT", ""),
    ("faq_article", "author_id", "INSERT", ""),
    ("faq_revision", "author_id", "INSERT", ""),
    ("ticket_faq", "linked_by_id", "INSERT", ""),
    ("survey", "recorded_by_id", "INSERT", ""),
    ("survey", "recorded_by_id", "UPDATE", ""),
    ("sync_conflict", "resolved_by_id", "UPDATE", ""),
    ("saved_view", "owner_id", "INSERT", ""),
    ("saved_view", "owner_id", "UPDATE", "shared-needs-lead"),
    ("saved_view", "owner_id", "DELETE", "shared-needs-lead"),
]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def up(migrator, db):
    pg = isinstance(db, PostgresqlDatabase)
    db.execute_sql("ALTER TABLE agent ADD COLUMN db_role VARCHAR(63)")
    db.execute_sql("CREATE UNIQUE INDEX agent_db_role ON agent (db_role)")
    if not pg:
        for sql in _SQLITE:
            db.execute_sql(sql)
        return
    schema = db.execute_sql("SELECT current_schema()").fetchone()[0]
    path = f"{_quote(schema)}, pg_temp"
    cursor = db.cursor()  # the driver's own: no parameters, so "%" in PL/pgSQL's RAISE stays as it is
    for sql in _POSTGRES:
        cursor.execute(sql.replace("{path}", path))
    for table, role, events in _ROLE_GUARDS:
        db.execute_sql(
            f"CREATE TRIGGER {table}_needs_{role} BEFORE {events} ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION sportello_require_role('{role}')"
        )
    for table, column, event, extra in _ACTOR_GUARDS:
        rows = "OLD" if event == "DELETE" else "NEW"
        db.execute_sql(
            f"CREATE TRIGGER {table}_{column}_{event.lower()} AFTER {event} ON {table} "
            f"REFERENCING {rows} TABLE AS sportello_rows FOR EACH STATEMENT "
            f"EXECUTE FUNCTION sportello_check_actor('{column}', '{extra}')"
        )


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        for table, column, event, _ in _ACTOR_GUARDS:
            db.execute_sql(f"DROP TRIGGER {table}_{column}_{event.lower()} ON {table}")
        for table, role, _ in _ROLE_GUARDS:
            db.execute_sql(f"DROP TRIGGER {table}_needs_{role} ON {table}")
        db.execute_sql("DROP POLICY draft_own ON draft")
        db.execute_sql("ALTER TABLE draft DISABLE ROW LEVEL SECURITY")
        for name in ("sportello_check_actor()", "sportello_require_role()", "sportello_session_agent()"):
            db.execute_sql(f"DROP FUNCTION {name}")
        db.execute_sql("DROP TRIGGER ticket_event_no_truncate ON ticket_event")
        db.execute_sql("DROP FUNCTION faq_revision_append_only() CASCADE")
    else:
        for name in ("ticket_event_no_replace", "faq_revision_no_update", "faq_revision_no_delete",
                     "faq_revision_no_replace"):  # fmt: skip
            db.execute_sql(f"DROP TRIGGER {name}")
    db.execute_sql("DROP INDEX agent_db_role")
    migrator.migrate(migrator.drop_column("agent", "db_role"))
