"""An index for the "Unassigned" and "Mine" views: open tickets by assignee, newest first.

``is:open`` covers four statuses, so the (assignee, status, updated_at, number) index can only
answer it by reading every open ticket of the assignee and sorting them. This partial index holds
open tickets only, keyed by (assignee, updated_at, number): a page of either view is a short walk
in index order. ``models.search.tickets`` spells ``is:open`` with the same literal list as the WHERE clause
below (SQLite uses a partial index only when the query repeats its condition word for word).
"""

_INDEX = (
    "CREATE INDEX ticket_open_assignee ON ticket (assignee_id, updated_at, number) "
    "WHERE status IN ('new', 'open', 'pending', 'on_hold')"
)


def up(migrator, db):
    db.execute_sql(_INDEX)


def down(migrator, db):
    db.execute_sql("DROP INDEX ticket_open_assignee")
