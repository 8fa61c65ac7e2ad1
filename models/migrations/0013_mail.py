"""Mail in and out (issues 17 and 18): raw messages stored by content, their attachments, the IMAP
UIDs already taken, what the desk knows of an address (undeliverable), the people copied on a ticket,
and the desk's own signing key for its Message-IDs and reply addresses, made here once per desk.
"""

import secrets

from peewee import PostgresqlDatabase


def up(migrator, db):
    pg = isinstance(db, PostgresqlDatabase)
    serial = "SERIAL" if pg else "INTEGER"
    big = "BIGINT" if pg else "INTEGER"
    blob = "BYTEA" if pg else "BLOB"
    boolean = "BOOLEAN" if pg else "INTEGER"
    true, false = ("TRUE", "FALSE") if pg else ("1", "0")
    for sql in (
        "ALTER TABLE organization ADD COLUMN mail_domains VARCHAR(500) NOT NULL DEFAULT ''",
        f"""CREATE TABLE mail_message (
            id {serial} NOT NULL PRIMARY KEY, sha256 VARCHAR(64) NOT NULL, raw {blob} NOT NULL,
            size INTEGER NOT NULL, direction VARCHAR(3) NOT NULL DEFAULT 'in', state VARCHAR(16) NOT NULL,
            message_id VARCHAR(998), sender VARCHAR(254) NOT NULL DEFAULT '', subject TEXT NOT NULL DEFAULT '',
            source VARCHAR(300) NOT NULL DEFAULT '', received_at TIMESTAMP NOT NULL, processed_at TIMESTAMP,
            ticket_id INTEGER REFERENCES ticket (number), event_id INTEGER REFERENCES ticket_event (id),
            reason TEXT NOT NULL DEFAULT '', automatic VARCHAR(16), attempts INTEGER NOT NULL DEFAULT 0)""",
        "CREATE UNIQUE INDEX mail_message_sha256 ON mail_message (sha256)",
        "CREATE INDEX mail_message_message_id ON mail_message (message_id)",
        "CREATE INDEX mail_message_ticket_id ON mail_message (ticket_id, id)",
        "CREATE INDEX mail_message_sender_received ON mail_message (sender, received_at)",
        "CREATE INDEX mail_message_state_received ON mail_message (state, received_at)",
        f"""CREATE TABLE mail_attachment (
            id {serial} NOT NULL PRIMARY KEY, message_id INTEGER NOT NULL REFERENCES mail_message (id),
            position INTEGER NOT NULL, filename VARCHAR(255) NOT NULL,
            content_type VARCHAR(255) NOT NULL DEFAULT 'application/octet-stream', size INTEGER NOT NULL,
            kept {boolean} NOT NULL DEFAULT {true})""",
        "CREATE UNIQUE INDEX mail_attachment_message_position ON mail_attachment (message_id, position)",
        f"""CREATE TABLE mail_uid (
            id {serial} NOT NULL PRIMARY KEY, source VARCHAR(300) NOT NULL, uidvalidity {big} NOT NULL,
            uid {big} NOT NULL, message_id INTEGER NOT NULL REFERENCES mail_message (id),
            done {boolean} NOT NULL DEFAULT {false})""",
        "CREATE UNIQUE INDEX mail_uid_source_uidvalidity_uid ON mail_uid (source, uidvalidity, uid)",
        f"""CREATE TABLE mail_address (
            id {serial} NOT NULL PRIMARY KEY, email VARCHAR(254) NOT NULL, undeliverable_at TIMESTAMP,
            problem TEXT NOT NULL DEFAULT '', bounces INTEGER NOT NULL DEFAULT 0, updated_at TIMESTAMP NOT NULL)""",
        "CREATE UNIQUE INDEX mail_address_email ON mail_address (email)",
        f"""CREATE TABLE ticket_participant (
            id {serial} NOT NULL PRIMARY KEY, ticket_id INTEGER NOT NULL REFERENCES ticket (number),
            customer_id INTEGER NOT NULL REFERENCES customer (id), role VARCHAR(8) NOT NULL DEFAULT 'cc',
            added_at TIMESTAMP NOT NULL)""",
        "CREATE UNIQUE INDEX ticket_participant_ticket_customer ON ticket_participant (ticket_id, customer_id)",
        "CREATE INDEX ticket_participant_customer_id ON ticket_participant (customer_id)",
        f"""CREATE TABLE desk_secret (
            id {serial} NOT NULL PRIMARY KEY, name VARCHAR(64) NOT NULL, value VARCHAR(128) NOT NULL)""",
        "CREATE UNIQUE INDEX desk_secret_name ON desk_secret (name)",
    ):
        db.execute_sql(sql)
    db.execute_sql(
        "INSERT INTO desk_secret (name, value) VALUES ('mail', %s)"
        if pg
        else "INSERT INTO desk_secret (name, value) VALUES ('mail', ?)",
        (secrets.token_hex(32),),
    )


def down(migrator, db):
    for table in ("desk_secret", "ticket_participant", "mail_address", "mail_uid", "mail_attachment", "mail_message"):
        db.execute_sql(f"DROP TABLE {table}")
    migrator.migrate(migrator.drop_column("organization", "mail_domains"))
