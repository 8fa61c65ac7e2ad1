"""The ``sportello faq`` group: the knowledge base from the command line.

Reading in :mod:`tui.cli.faq_read`, writing in :mod:`tui.cli.faq_write`, categories in
:mod:`tui.cli.faq_categories`, the health report in :mod:`tui.cli.faq_health`, Markdown files in
:mod:`tui.cli.faq_files`.
"""

from __future__ import annotations

import click

from tui.cli.faq_categories import faq_category
from tui.cli.faq_files import faq_export, faq_import
from tui.cli.faq_health import faq_health_cmd
from tui.cli.faq_read import faq_diff, faq_history, faq_list, faq_search_cmd, faq_show, faq_suggest
from tui.cli.faq_write import faq_archive, faq_edit, faq_new, faq_publish, faq_revert, faq_unpublish

__all__ = ["faq_group"]


@click.group("faq")
def faq_group() -> None:
    """The FAQ the front office answers from: articles, revisions, search, health."""


for _command in (faq_list, faq_search_cmd, faq_show, faq_history, faq_diff, faq_suggest, faq_new, faq_edit,
                 faq_publish, faq_archive, faq_unpublish, faq_revert, faq_category, faq_health_cmd, faq_export,
                 faq_import):  # fmt: skip
    faq_group.add_command(_command)
