"""Finding tickets: the query language, ticket search with keyset cursors, and saved views."""

from .conditions import (
    CANDIDATES,
)
from .cursors import (
    FOREIGN_CURSOR,
)
from .query import (
    FILTER_NAMES,
    MAX_QUERY_ITEMS,
    MAX_QUERY_LENGTH,
    QUERY_HELP,
    DateRange,
    Filter,
    Query,
    Sort,
    Term,
    drop_bad_characters,
    parse_query,
)
from .tickets import (
    MAX_PAGE_SIZE,
    RELEVANCE_WINDOW,
    Page,
    count_tickets,
    saved_view_queries,
    search_tickets,
)
from .views import (
    MAX_VIEWS,
    View,
    built_in_views,
    delete_view,
    list_views,
    save_view,
)

__all__ = [
    "CANDIDATES",
    "DateRange",
    "FILTER_NAMES",
    "FOREIGN_CURSOR",
    "Filter",
    "MAX_PAGE_SIZE",
    "MAX_QUERY_ITEMS",
    "MAX_QUERY_LENGTH",
    "MAX_VIEWS",
    "Page",
    "QUERY_HELP",
    "Query",
    "RELEVANCE_WINDOW",
    "Sort",
    "Term",
    "View",
    "built_in_views",
    "count_tickets",
    "delete_view",
    "drop_bad_characters",
    "list_views",
    "parse_query",
    "save_view",
    "saved_view_queries",
    "search_tickets",
]
