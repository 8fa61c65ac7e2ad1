"""The FAQ: articles and their revisions, search, Markdown files and health."""

from .articles import (
    Article,
    create_article,
    extract_from_ticket,
    get_article,
    linked_articles,
    revert_article,
    save_article,
    set_article_status,
)
from .categories import (
    add_category,
    categories,
)
from .checks import (
    MAX_NOTE,
    MAX_TITLE,
)
from .files import (
    ArticleFile,
    ImportReport,
    ParseError,
    export_faq,
    import_faq,
    parse_article,
    render_article,
)
from .health import (
    GAP_SAMPLE,
    Draft,
    FAQHealth,
    Gap,
    Usage,
    faq_gaps,
    faq_health,
)
from .hits import (
    FAQHit,
)
from .revisions import (
    Revision,
    diff_revisions,
    get_revision,
    revisions,
)
from .salutations import (
    without_salutations,
)
from .search import (
    FAQ_FILTERS,
    FAQ_QUERY_HELP,
    FAQQuery,
    count_faq,
    parse_faq_query,
    search_faq,
)
from .suggestions import (
    suggest_for_ticket,
)
from .words import (
    STOP_WORDS,
    folded_words,
)

__all__ = [
    "Article",
    "ArticleFile",
    "Draft",
    "FAQHealth",
    "FAQHit",
    "FAQQuery",
    "FAQ_FILTERS",
    "FAQ_QUERY_HELP",
    "GAP_SAMPLE",
    "Gap",
    "ImportReport",
    "MAX_NOTE",
    "MAX_TITLE",
    "ParseError",
    "Revision",
    "STOP_WORDS",
    "Usage",
    "add_category",
    "categories",
    "count_faq",
    "create_article",
    "diff_revisions",
    "export_faq",
    "extract_from_ticket",
    "faq_gaps",
    "faq_health",
    "folded_words",
    "get_article",
    "get_revision",
    "import_faq",
    "linked_articles",
    "parse_article",
    "parse_faq_query",
    "render_article",
    "revert_article",
    "revisions",
    "save_article",
    "search_faq",
    "set_article_status",
    "suggest_for_ticket",
    "without_salutations",
]
