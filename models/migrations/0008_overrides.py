"""Who asked for a manual change (a priority change, a deadline override), kept on its event."""


def up(migrator, db):
    db.execute_sql("ALTER TABLE ticket_event ADD COLUMN requested_by VARCHAR(200)")
    db.execute_sql("CREATE INDEX ticket_event_kind_at ON ticket_event (kind, at)")


def down(migrator, db):
    db.execute_sql("DROP INDEX ticket_event_kind_at")
    migrator.migrate(migrator.drop_column("ticket_event", "requested_by"))
