"""What the KPIs and the organizations screen need.

``tier``: the contract tiers organizations may have, in order (seeded none/standard/premium plus
any tier already in use). ``organization`` gains ``revenue_band`` and ``contract_valid_from``.
``ticket`` gains the measures the KPIs aggregate in SQL — business minutes to first response and
to resolution, reopen count, SLA missed — and ``survey`` the ticket's assignee, queue and
organization when it opened; both get covering indexes for the KPIs. Existing tickets are
measured here from their timelines, with the pure clock functions and raw SQL only (the models
may have moved on by the time an old desk runs this).
"""

import json
from datetime import datetime

from peewee import PostgresqlDatabase

from models.sla.business_time import ALWAYS, Calendar
from models.sla.clock import measure

_BATCH = 2000
_AGENT, _ORG = ("queue_id", "organization_id"), ("queue_id", "assignee_id")
# Covering indexes for models.reports.kpi (see KPI_INDEXES in models.store.tables, as of this migration).
INDEXES = (
    ("ticket_kpi_created", "ticket", ("created_at", "assignee_id", "queue_id", "organization_id")),
    ("ticket_kpi_resolved", "ticket", ("resolved_at", "assignee_id", "queue_id", "organization_id")),
    ("ticket_kpi_agent_created", "ticket", ("assignee_id", "created_at", "ticket_type", *_AGENT)),
    (
        "ticket_kpi_agent_resolved",
        "ticket",
        ("assignee_id", "resolution_minutes", "resolved_at", "sla_breached", "reopen_count", *_AGENT),
    ),
    ("ticket_kpi_agent_first", "ticket", ("assignee_id", "first_response_minutes", "first_response_at", *_AGENT)),
    ("ticket_kpi_org_created", "ticket", ("organization_id", "created_at", "ticket_type", *_ORG)),
    (
        "ticket_kpi_org_resolved",
        "ticket",
        ("organization_id", "resolution_minutes", "resolved_at", "sla_breached", "reopen_count", *_ORG),
    ),
    ("ticket_kpi_org_first", "ticket", ("organization_id", "first_response_minutes", "first_response_at", *_ORG)),
    ("survey_kpi_agent", "survey", ("assignee_id", "opened_at", "score", "queue_id", "organization_id")),
    ("survey_kpi_org", "survey", ("organization_id", "opened_at", "score", "queue_id", "assignee_id")),
)


def up(migrator, db):
    pg = isinstance(db, PostgresqlDatabase)
    serial, boolean = ("SERIAL", "BOOLEAN") if pg else ("INTEGER", "INTEGER")
    for sql in (
        f"CREATE TABLE tier (id {serial} NOT NULL PRIMARY KEY, name VARCHAR(32) NOT NULL, position INTEGER NOT NULL)",
        "CREATE UNIQUE INDEX tier_name ON tier (name)",
        "ALTER TABLE organization ADD COLUMN revenue_band VARCHAR(32) NOT NULL DEFAULT ''",
        "ALTER TABLE organization ADD COLUMN contract_valid_from DATE",
        "ALTER TABLE ticket ADD COLUMN first_response_minutes INTEGER",
        "ALTER TABLE ticket ADD COLUMN resolution_minutes INTEGER",
        "ALTER TABLE ticket ADD COLUMN reopen_count SMALLINT NOT NULL DEFAULT 0",
        f"ALTER TABLE ticket ADD COLUMN sla_breached {boolean}",
        "ALTER TABLE survey ADD COLUMN assignee_id INTEGER REFERENCES agent (id)",
        "ALTER TABLE survey ADD COLUMN queue_id INTEGER REFERENCES queue (id)",
        "ALTER TABLE survey ADD COLUMN organization_id INTEGER REFERENCES organization (id)",
    ):
        db.execute_sql(sql)
    for column in ("assignee_id", "queue_id", "organization_id"):  # whose ticket it is now: the best we know
        db.execute_sql(
            f"UPDATE survey SET {column} = (SELECT t.{column} FROM ticket t WHERE t.number = survey.ticket_id)"
        )
    mark = "%s" if pg else "?"
    used = {row[0] for row in db.execute_sql("SELECT DISTINCT tier FROM organization WHERE tier <> ''")}
    used |= {row[0] for row in db.execute_sql("SELECT DISTINCT tier FROM sla_policy WHERE tier IS NOT NULL")}
    tiers = ["none", "standard", "premium"] + sorted(used - {"none", "standard", "premium"})
    for position, name in enumerate(tiers):
        db.execute_sql(f"INSERT INTO tier (name, position) VALUES ({mark}, {mark})", (name, position))
    _measure_existing(db, mark)
    for name, table, columns in INDEXES:
        db.execute_sql(f'CREATE INDEX "{name}" ON "{table}" ({", ".join(columns)})')
    yes, no = ("TRUE", "FALSE") if pg else ("1", "0")
    # A stored due date is the moment the target fell due; missed when the event came later (or not yet).
    db.execute_sql(
        f"UPDATE ticket SET sla_breached = CASE WHEN sla_policy_id IS NULL THEN NULL "
        f"WHEN first_response_due IS NOT NULL AND COALESCE(first_response_at, {mark}) > first_response_due THEN {yes} "
        f"WHEN resolution_due IS NOT NULL AND COALESCE(resolved_at, closed_at, {mark}) > resolution_due THEN {yes} "
        f"ELSE {no} END",
        (datetime.utcnow(), datetime.utcnow()),
    )


def _calendars(db) -> dict[int, Calendar]:
    rows = db.execute_sql(
        "SELECT p.id, c.timezone, c.hours, c.holidays FROM sla_policy p JOIN sla_calendar c ON c.id = p.calendar_id"
    )
    return {pid: Calendar.parse(tz, json.loads(hours), json.loads(holidays)) for pid, tz, hours, holidays in rows}


def _when(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _measure_existing(db, mark: str) -> None:
    calendars = _calendars(db)
    last = 0
    while True:
        tickets = list(
            db.execute_sql(
                "SELECT number, created_at, first_response_at, resolved_at, closed_at, status, sla_policy_id "
                f"FROM ticket WHERE number > {mark} ORDER BY number LIMIT {_BATCH}",
                (last,),
            )
        )
        if not tickets:
            return
        first, last = tickets[0][0], tickets[-1][0]
        statuses: dict[int, list] = {}
        for ticket, at, kind, value in db.execute_sql(
            "SELECT ticket_id, at, kind, new_value FROM ticket_event "
            f"WHERE ticket_id BETWEEN {mark} AND {mark} AND kind IN ('created', 'status') ORDER BY ticket_id, id",
            (first, last),
        ):
            status = json.loads(value or "{}").get("status", "new") if kind == "created" else value
            statuses.setdefault(ticket, []).append((_when(at), status))
        for number, created, responded, resolved, closed, status, policy in tickets:
            done = (resolved or closed) if status in ("resolved", "closed") else None
            found = measure(
                calendars.get(policy, ALWAYS),
                statuses.get(number, [(_when(created), "new")]),
                _when(created),
                responded and _when(responded),
                done and _when(done),
            )
            db.execute_sql(
                f"UPDATE ticket SET first_response_minutes = {mark}, resolution_minutes = {mark}, "
                f"reopen_count = {mark} WHERE number = {mark}",
                (found.first_response_minutes, found.resolution_minutes, found.reopen_count, number),
            )


def down(migrator, db):
    for name, _, _ in INDEXES:
        db.execute_sql(f'DROP INDEX "{name}"')
    migrator.migrate(
        migrator.drop_column("survey", "organization_id"),
        migrator.drop_column("survey", "queue_id"),
        migrator.drop_column("survey", "assignee_id"),
        migrator.drop_column("ticket", "sla_breached"),
        migrator.drop_column("ticket", "reopen_count"),
        migrator.drop_column("ticket", "resolution_minutes"),
        migrator.drop_column("ticket", "first_response_minutes"),
        migrator.drop_column("organization", "contract_valid_from"),
        migrator.drop_column("organization", "revenue_band"),
    )
    db.execute_sql("DROP TABLE tier")
