"""The knowledge base: FAQ categories and tags, full revisions, full-text search, usage indexes.

* ``faq_category``: the categories an article may be filed under (an unknown one is refused);
  filled from the categories existing articles already use.
* ``faq_tag``: an article's tags, from the same ``tag`` vocabulary as tickets.
* ``faq_revision`` gains ``category``, ``tags`` (names, space-separated, sorted) and ``status``,
  so that each revision is the whole article as it stood; existing revisions take the article's.
* ``faq_article.source_ticket_id``: the ticket an article was drafted from ("extract to FAQ").
* Full text over title and body: FTS5 ``faq_fts`` (rowid = article id) on SQLite; on PostgreSQL
  ``faq_search`` with a weighted tsvector (title A, body B) built like ``ticket_search``.
* ``ticket_faq (article_id, linked_at)`` for usage counts; ``ticket (resolved_at)`` for the gaps
  report (recently resolved tickets without an FAQ link).
"""

from peewee import PostgresqlDatabase

_COMMON = [
    "CREATE TABLE faq_tag (article_id INTEGER NOT NULL REFERENCES faq_article (id), "
    "tag_id INTEGER NOT NULL REFERENCES tag (id), PRIMARY KEY (article_id, tag_id))",
    "CREATE INDEX faq_tag_tag ON faq_tag (tag_id, article_id)",
    "INSERT INTO faq_category (name, created_at) SELECT DISTINCT category, CURRENT_TIMESTAMP "
    "FROM faq_article WHERE category <> ''",
    "ALTER TABLE faq_article ADD COLUMN source_ticket_id INTEGER NULL REFERENCES ticket (number)",
    "ALTER TABLE faq_revision ADD COLUMN category VARCHAR(100) NOT NULL DEFAULT ''",
    "ALTER TABLE faq_revision ADD COLUMN tags TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE faq_revision ADD COLUMN status VARCHAR(16) NOT NULL DEFAULT 'draft'",
    "UPDATE faq_revision SET category = (SELECT a.category FROM faq_article a WHERE a.id = faq_revision.article_id), "
    "status = (SELECT a.status FROM faq_article a WHERE a.id = faq_revision.article_id)",
    "CREATE INDEX faq_article_status ON faq_article (status, category)",
    "CREATE INDEX ticket_faq_article_linked ON ticket_faq (article_id, linked_at)",
    "CREATE INDEX ticket_resolved_at ON ticket (resolved_at)",
]

_SQLITE = [
    "CREATE TABLE faq_category (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(100) NOT NULL, "
    "created_at DATETIME NOT NULL)",
    "CREATE UNIQUE INDEX faq_category_name ON faq_category (name)",
    *_COMMON,
    "CREATE VIRTUAL TABLE faq_fts USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2')",
    "INSERT INTO faq_fts (rowid, title, body) SELECT id, title, substr(body, 1, 600000) FROM faq_article",
]

_POSTGRES = [
    "CREATE TABLE faq_category (id SERIAL NOT NULL PRIMARY KEY, name VARCHAR(100) NOT NULL, "
    "created_at TIMESTAMP NOT NULL)",
    "CREATE UNIQUE INDEX faq_category_name ON faq_category (name)",
    *_COMMON,
    "CREATE TABLE faq_search (article_id INTEGER PRIMARY KEY REFERENCES faq_article (id), document TSVECTOR NOT NULL)",
    "INSERT INTO faq_search (article_id, document) SELECT id, "
    "setweight(to_tsvector('simple', sportello_search_text(title)), 'A') || "
    "setweight(to_tsvector('simple', sportello_search_text(left(body, 600000))), 'B') FROM faq_article",
    "CREATE INDEX faq_search_document ON faq_search USING GIN (document)",
]


def up(migrator, db):
    for sql in _POSTGRES if isinstance(db, PostgresqlDatabase) else _SQLITE:
        db.execute_sql(sql)


def down(migrator, db):
    search = "faq_search" if isinstance(db, PostgresqlDatabase) else "faq_fts"
    for sql in (
        f"DROP TABLE {search}",
        "DROP INDEX ticket_resolved_at",
        "DROP INDEX ticket_faq_article_linked",
        "DROP INDEX faq_article_status",
        "DROP TABLE faq_tag",
        "DROP TABLE faq_category",
    ):
        db.execute_sql(sql)
    for column in ("category", "tags", "status"):
        migrator.migrate(migrator.drop_column("faq_revision", column))
    migrator.migrate(migrator.drop_column("faq_article", "source_ticket_id"))
