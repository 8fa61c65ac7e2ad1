"""Who acts is proven by the database, and the append-only record has no back door (issue 15).

Both backends:

* ``agent.db_role``: the PostgreSQL role an agent logs in as (NULL: none), unique. It is not a
  field of the ``Agent`` model, so an export never carries one server's role names to another.
* ``faq_revision`` is append-only like ``ticket_event`` ("a revert is a new revision").

SQLite: ``INSERT OR REPLACE`` (Peewee's ``replace()``) deleted the row it replaced without firing
the delete trigger. Every connection now turns ``recursive_triggers`` on (``models.store.db``), and a
BEFORE INSERT trigger refuses a row whose id (or revision number) is already there, for the
connections that do not.

PostgreSQL:

* a statement-level BEFORE TRUNCATE trigger on both tables (TRUNCATE fires no row trigger);
* ``sportello_session_agent()``: the agent whose ``db_role`` is the session's role, if any;
* guards, for sessions that are an agent's role (the desk owner, a superuser and any other role
  the DBA made are not checked: they can drop a trigger anyway):
  - ``sportello_statement_guard`` on every table: a deactivated agent writes nothing, and no
    agent's role truncates anything (TRUNCATE skips row triggers and row security);
  - ``sportello_require_role(lead|admin)``: writes to ``agent`` and ``tier`` need an admin,
    to ``queue``, ``sla_policy`` and ``sla_calendar`` (and updates of ``organization``) a lead;
  - ``sportello_check_actor(column, exempt)``: a row naming an agent in ``column`` other than the
    session's is refused, unless the session's agent is an admin (``--as``); NULL is allowed. An
    UPDATE is checked on the rows before as well as after (taking over another's saved view or
    survey, or a shared view without being a lead). Events, FAQ articles and revisions, FAQ
    links, surveys, sync conflicts and saved views are checked;
  - ``sportello_keep_signature(column)``: an FAQ article's author and who linked an FAQ stay;
  - ``sportello_event_author()``: an event is the session's agent's (NULL becomes the agent,
    so neither "system" nor a synced change can be forged anonymously), and names a customer
    only if the ticket or one merged into it is theirs;
  - ``draft`` rows are visible and writable only by their agent (row-level security).

The functions run with ``search_path = pg_catalog, <desk schema>, pg_temp``, qualify every name
and pin the operators they compare with, so neither a temporary table called ``agent`` nor an
operator an agent made stands in for the real one (``models.store.roles`` also takes CREATE on the
desk's schema away from agents' roles).
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

# {s}: the desk's schema, quoted; {path}: pg_catalog first (a role's own operator, function or type
# never stands in for a built-in one), then the desk's schema, then pg_temp. Every name in a body is
# qualified as well, and the comparison with the session's role is pinned to the built-in operator:
# ``varchar = text`` once resolved to a "schema.=(varchar, text)" a role had made, and every guard
# then saw no agent.
_POSTGRES = [
    "CREATE FUNCTION faq_revision_append_only() RETURNS trigger LANGUAGE plpgsql SET search_path = {path} AS "
    "$$ BEGIN RAISE EXCEPTION 'FAQ revisions are append-only'; END $$",
    "CREATE TRIGGER faq_revision_no_rewrite BEFORE UPDATE OR DELETE ON {s}.faq_revision "
    "FOR EACH ROW EXECUTE FUNCTION {s}.faq_revision_append_only()",
    "CREATE TRIGGER faq_revision_no_truncate BEFORE TRUNCATE ON {s}.faq_revision "
    "FOR EACH STATEMENT EXECUTE FUNCTION {s}.faq_revision_append_only()",
    "CREATE TRIGGER ticket_event_no_truncate BEFORE TRUNCATE ON {s}.ticket_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION {s}.ticket_event_append_only()",
    # NULLs when the session's role is no agent's.
    """CREATE FUNCTION sportello_session_agent(OUT id integer, OUT role text, OUT active boolean)
    LANGUAGE sql STABLE SET search_path = {path} AS
    $$ SELECT a.id, a.role::pg_catalog.text, a.active FROM {s}.agent a
       WHERE a.db_role::pg_catalog.text OPERATOR(pg_catalog.=) session_user::pg_catalog.text $$""",
    # On every table, before any write: a deactivated agent's role writes nothing, and no agent's
    # role truncates (TRUNCATE fires no row trigger and skips row security). models.store.roles adds it
    # to tables later migrations make, when it grants them.
    """CREATE FUNCTION sportello_statement_guard() RETURNS trigger LANGUAGE plpgsql SET search_path = {path} AS $$
    DECLARE me record;
    BEGIN
        SELECT * INTO me FROM {s}.sportello_session_agent();
        IF me.id IS NULL THEN RETURN NULL; END IF;
        IF NOT me.active THEN
            RAISE EXCEPTION 'the agent of database role % is deactivated', session_user USING ERRCODE = '42501';
        END IF;
        IF TG_OP = 'TRUNCATE' THEN
            RAISE EXCEPTION 'an agent''s database role may not truncate % (role %)', TG_TABLE_NAME, session_user
                USING ERRCODE = '42501';
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION sportello_require_role() RETURNS trigger LANGUAGE plpgsql SET search_path = {path} AS $$
    DECLARE me record;
    BEGIN
        SELECT * INTO me FROM {s}.sportello_session_agent();
        IF me.id IS NULL THEN RETURN NULL; END IF;
        IF NOT me.active THEN
            RAISE EXCEPTION 'the agent of database role % is deactivated', session_user USING ERRCODE = '42501';
        END IF;
        IF me.role = 'admin' OR (TG_ARGV[0] = 'lead' AND me.role = 'lead') THEN RETURN NULL; END IF;
        RAISE EXCEPTION 'only % may change %: database role % is %', CASE TG_ARGV[0] WHEN 'lead'
            THEN 'a lead or an admin' ELSE 'an admin' END, TG_TABLE_NAME, session_user, me.role
            USING ERRCODE = '42501';
    END $$""",
    # TG_ARGV: the column, then 'shared-needs-lead' (a NULL there needs a lead) or ''. On UPDATE the
    # rows before (sportello_old) are checked as well as the rows after: taking over someone else's
    # row, or a shared one, is as much a forgery as writing one.
    """CREATE FUNCTION sportello_check_actor() RETURNS trigger LANGUAGE plpgsql SET search_path = {path} AS $$
    DECLARE me record; forged boolean := false; shared boolean := false; rows text;
    BEGIN
        SELECT * INTO me FROM {s}.sportello_session_agent();
        IF me.id IS NULL THEN RETURN NULL; END IF;
        IF NOT me.active THEN
            RAISE EXCEPTION 'the agent of database role % is deactivated', session_user USING ERRCODE = '42501';
        END IF;
        IF me.role = 'admin' THEN RETURN NULL; END IF;
        FOREACH rows IN ARRAY CASE TG_OP WHEN 'UPDATE' THEN ARRAY['sportello_rows', 'sportello_old']
                                         ELSE ARRAY['sportello_rows'] END LOOP
            EXECUTE pg_catalog.format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I OPERATOR(pg_catalog.<>) $1)', rows, TG_ARGV[0])
                INTO forged USING me.id;
            IF TG_ARGV[1] = 'shared-needs-lead' AND me.role <> 'lead' THEN
                EXECUTE pg_catalog.format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I IS NULL)', rows, TG_ARGV[0]) INTO shared;
            END IF;
            IF forged OR shared THEN
                RAISE EXCEPTION '% of % must be the agent of database role % (%)', TG_ARGV[0], TG_TABLE_NAME,
                    session_user, CASE WHEN shared THEN 'a shared row needs a lead'
                                       ELSE 'only an admin acts for others' END
                    USING ERRCODE = '42501';
            END IF;
        END LOOP;
        RETURN NULL;
    END $$""",
    # Who wrote a row stays who wrote it (an FAQ article's author, who linked an article): anyone
    # may edit an article, no agent but an admin may re-sign it.
    """CREATE FUNCTION sportello_keep_signature() RETURNS trigger LANGUAGE plpgsql SET search_path = {path} AS $$
    DECLARE me record;
    BEGIN
        SELECT * INTO me FROM {s}.sportello_session_agent();
        IF me.id IS NULL OR me.role = 'admin' THEN RETURN NEW; END IF;
        IF (pg_catalog.to_jsonb(NEW) OPERATOR(pg_catalog.->) TG_ARGV[0])
           IS DISTINCT FROM (pg_catalog.to_jsonb(OLD) OPERATOR(pg_catalog.->) TG_ARGV[0]) THEN
            RAISE EXCEPTION '% of % is who wrote it: only an admin may change it (database role %)', TG_ARGV[0],
                TG_TABLE_NAME, session_user USING ERRCODE = '42501';
        END IF;
        RETURN NEW;
    END $$""",
    # An event written by an agent's role (not an admin's) is that agent's: NULL ("system") becomes
    # the agent, another agent is refused, and a customer may be named only if the ticket, or one
    # merged into it, is theirs. A synced event (origin) so carries the agent who ran the sync.
    """CREATE FUNCTION sportello_event_author() RETURNS trigger LANGUAGE plpgsql SET search_path = {path} AS $$
    DECLARE me record;
    BEGIN
        SELECT * INTO me FROM {s}.sportello_session_agent();
        IF me.id IS NULL OR me.role = 'admin' THEN RETURN NEW; END IF;
        IF NEW.actor_id IS NOT NULL AND NEW.actor_id OPERATOR(pg_catalog.<>) me.id THEN
            RAISE EXCEPTION 'actor_id of ticket_event must be the agent of database role % (only an admin acts '
                'for others)', session_user USING ERRCODE = '42501';
        END IF;
        NEW.actor_id := me.id;
        IF NEW.customer_id IS NOT NULL AND NOT EXISTS (
            WITH RECURSIVE chain(number) AS (
                SELECT NEW.ticket_id
                UNION
                SELECT t.number FROM {s}.ticket t JOIN chain c ON t.merged_into_id OPERATOR(pg_catalog.=) c.number
            )
            SELECT 1 FROM {s}.ticket t JOIN chain c ON t.number OPERATOR(pg_catalog.=) c.number
            WHERE t.customer_id OPERATOR(pg_catalog.=) NEW.customer_id
        ) THEN
            RAISE EXCEPTION 'customer % is not the customer of ticket % nor of a ticket merged into it '
                '(database role %)', NEW.customer_id, NEW.ticket_id, session_user USING ERRCODE = '42501';
        END IF;
        RETURN NEW;
    END $$""",
    "CREATE TRIGGER ticket_event_author BEFORE INSERT ON {s}.ticket_event "
    "FOR EACH ROW EXECUTE FUNCTION {s}.sportello_event_author()",
    "ALTER TABLE {s}.draft ENABLE ROW LEVEL SECURITY",
    # Row-level security binds every role but the table's owner and superusers: another agent's
    # draft is neither seen nor written; a role that is no agent's sees them all, as before.
    "CREATE POLICY draft_own ON {s}.draft USING ((SELECT s.id IS NULL OR s.role OPERATOR(pg_catalog.=) 'admin' "
    "OR s.id OPERATOR(pg_catalog.=) draft.agent_id FROM {s}.sportello_session_agent() s))",
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
# (old ones for DELETE, both for UPDATE).
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

# (table, column) for sportello_keep_signature, on UPDATE.
_SIGNATURES = [("faq_article", "author_id"), ("ticket_faq", "linked_by_id")]

#: The name of the statement guard on each table (models.store.roles adds it to later tables).
STATEMENT_GUARD = "sportello_statement_guard"


def statement_guard_sql(schema: str, table: str) -> str:
    """The statement guard (deactivated agents, TRUNCATE) on ``schema.table``, both quoted here."""
    s = _quote(schema)
    return (
        f"CREATE TRIGGER {STATEMENT_GUARD} BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON {s}.{_quote(table)} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {s}.sportello_statement_guard()"
    )


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
    s = _quote(schema)
    cursor = db.cursor()  # the driver's own: no parameters, so "%" in PL/pgSQL's RAISE stays as it is
    for sql in _POSTGRES:
        cursor.execute(sql.replace("{path}", f"pg_catalog, {s}, pg_temp").replace("{s}", s))
    for (table,) in db.execute_sql(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY c.relname",
        (schema,),
    ).fetchall():
        db.execute_sql(statement_guard_sql(schema, table))
    for table, role, events in _ROLE_GUARDS:
        db.execute_sql(
            f"CREATE TRIGGER {table}_needs_{role} BEFORE {events} ON {s}.{table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {s}.sportello_require_role('{role}')"
        )
    for table, column, event, extra in _ACTOR_GUARDS:
        rows = {"DELETE": "OLD TABLE AS sportello_rows", "INSERT": "NEW TABLE AS sportello_rows",
                "UPDATE": "OLD TABLE AS sportello_old NEW TABLE AS sportello_rows"}[event]  # fmt: skip
        db.execute_sql(
            f"CREATE TRIGGER {table}_{column}_{event.lower()} AFTER {event} ON {s}.{table} "
            f"REFERENCING {rows} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION {s}.sportello_check_actor('{column}', '{extra}')"
        )
    for table, column in _SIGNATURES:
        db.execute_sql(
            f"CREATE TRIGGER {table}_{column}_kept BEFORE UPDATE ON {s}.{table} "
            f"FOR EACH ROW EXECUTE FUNCTION {s}.sportello_keep_signature('{column}')"
        )


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        for table, column in _SIGNATURES:
            db.execute_sql(f"DROP TRIGGER {table}_{column}_kept ON {table}")
        for table, column, event, _ in _ACTOR_GUARDS:
            db.execute_sql(f"DROP TRIGGER {table}_{column}_{event.lower()} ON {table}")
        for table, role, _ in _ROLE_GUARDS:
            db.execute_sql(f"DROP TRIGGER {table}_needs_{role} ON {table}")
        db.execute_sql("DROP TRIGGER ticket_event_author ON ticket_event")
        db.execute_sql("DROP POLICY draft_own ON draft")
        db.execute_sql("ALTER TABLE draft DISABLE ROW LEVEL SECURITY")
        for name in ("sportello_event_author()", "sportello_keep_signature()", "sportello_check_actor()",
                     "sportello_require_role()"):  # fmt: skip
            db.execute_sql(f"DROP FUNCTION {name}")
        db.execute_sql("DROP FUNCTION sportello_statement_guard() CASCADE")  # and its trigger on every table
        db.execute_sql("DROP FUNCTION sportello_session_agent()")
        db.execute_sql("DROP TRIGGER ticket_event_no_truncate ON ticket_event")
        db.execute_sql("DROP FUNCTION faq_revision_append_only() CASCADE")
    else:
        for name in ("ticket_event_no_replace", "faq_revision_no_update", "faq_revision_no_delete",
                     "faq_revision_no_replace"):  # fmt: skip
            db.execute_sql(f"DROP TRIGGER {name}")
    db.execute_sql("DROP INDEX agent_db_role")
    migrator.migrate(migrator.drop_column("agent", "db_role"))
