"""A ticket's type: question, incident, request or complaint (complaints have their own KPI)."""


def up(migrator, db):
    db.execute_sql("ALTER TABLE ticket ADD COLUMN ticket_type VARCHAR(16) NOT NULL DEFAULT 'question'")
    db.execute_sql("CREATE INDEX ticket_type_created ON ticket (ticket_type, created_at)")


def down(migrator, db):
    db.execute_sql("DROP INDEX ticket_type_created")
    migrator.migrate(migrator.drop_column("ticket", "ticket_type"))
