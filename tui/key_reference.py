"""The key reference of the whole app: every screen's and widget's keys, grouped by where they work, in the
order a new user meets them, read from the bindings themselves under the user's keymap; and every binding
id a ``[keys]`` table may remap. The app hands in its own class, so that nothing here imports the app."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping

from textual.dom import DOMNode
from textual.screen import Screen

import tui.dialogs
import tui.screens
import tui.widgets
from tui.keys import KeyGroup, bindings_of, key_rows, keys_text
from tui.screens.faq import FAQScreen
from tui.screens.faq_editor import FAQEditor
from tui.screens.faq_health import FAQHealthScreen
from tui.screens.faq_history import FAQHistoryScreen
from tui.screens.kpi import KPIScreen
from tui.screens.mail_outbox import MailOutboxScreen
from tui.screens.mail_quarantine import MailQuarantineScreen
from tui.screens.message import MessageViewer
from tui.screens.organizations import OrganizationsScreen
from tui.screens.queue import QueueScreen
from tui.screens.sync import SyncScreen
from tui.screens.ticket import TicketScreen
from tui.widgets.composer import Composer
from tui.widgets.message_view import MessageView
from tui.widgets.queue_table import QueueTable
from tui.widgets.row_table import RowTable
from tui.widgets.timeline import Timeline

__all__ = ["key_groups", "groups_for", "bound_classes", "keys_markdown", "MAIL_KEYS"]

#: The keys that exist only while mail is configured: help leaves them out otherwise.
MAIL_KEYS = frozenset({"app.fetch_mail", "app.mail_quarantine", "app.mail_outbox", "timeline.quoted",
                       "timeline.save_attachments", "timeline.move_mail", "timeline.split_mail"})  # fmt: skip


def key_groups(app: type, keymap: Mapping[str, str] | None = None, *, mail: bool = False) -> list[KeyGroup]:
    """Every group of keys, ``app``'s own first ("Everywhere"), each key as ``keymap`` remaps it; the mail
    keys only with ``mail`` (config.toml has a ``[mail]`` table)."""

    def rows(*classes: type) -> list[tuple[str, str]]:
        return key_rows(classes, keymap, () if mail else MAIL_KEYS)

    queue = [r for r in rows(QueueTable, QueueScreen) if not r[1].startswith("View ")] + [("1 … 9", "Saved view N")]
    health = [r for r in rows(FAQHealthScreen) if not r[1].startswith("Show: ")]
    return [
        KeyGroup("Everywhere", rows(app)),
        KeyGroup("Queue", queue, (QueueScreen,)),
        KeyGroup("Ticket", rows(TicketScreen, Timeline), (TicketScreen,)),
        KeyGroup("Writing a reply or note", rows(Composer), (TicketScreen,)),
        KeyGroup("Reading a message whole", rows(MessageViewer, MessageView), (MessageViewer,)),
        KeyGroup("FAQ", rows(FAQScreen, RowTable), (FAQScreen,)),
        KeyGroup("FAQ editor", rows(FAQEditor), (FAQEditor,)),
        KeyGroup("FAQ history", rows(FAQHistoryScreen), (FAQHistoryScreen,)),
        KeyGroup("FAQ health", health + [("1 … 4", "Usage, never used, drafts, gaps")], (FAQHealthScreen,)),
        KeyGroup("Organizations", rows(OrganizationsScreen), (OrganizationsScreen,)),
        KeyGroup("KPI dashboard", rows(KPIScreen), (KPIScreen,)),
        KeyGroup("Sync", rows(SyncScreen), (SyncScreen,)),
    ] + ([KeyGroup("Mail quarantine", rows(MailQuarantineScreen), (MailQuarantineScreen,)),
          KeyGroup("Mail outbox", rows(MailOutboxScreen), (MailOutboxScreen,))] if mail else [])  # fmt: skip


def groups_for(screen: Screen | None, groups: list[KeyGroup]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The key groups with ``screen``'s own first, then "Everywhere", then the rest."""
    here = [g for g in groups if screen is not None and any(isinstance(screen, cls) for cls in g.screens)]
    everywhere = [g for g in groups if not g.screens]
    rest = [g for g in groups if g not in here and g not in everywhere]
    return [(g.title, g.rows) for g in here + everywhere + rest]


def bound_classes(app: type) -> list[type]:
    """``app`` and every screen, widget and dialog class of Sportello with bindings (their modules are loaded
    to find them all, the dialogs opened lazily included): where a ``[keys]`` table may remap keys."""
    for package in (tui.screens, tui.widgets, tui.dialogs):
        for module in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            importlib.import_module(module.name)
    classes: list[type] = [app]
    pending: list[type] = [DOMNode]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith(("tui.screens.", "tui.widgets.", "tui.dialogs.")) and bindings_of([sub]):
                classes.append(sub)
    return classes


def keys_markdown(app: type) -> str:
    """``docs/keys.md``: every binding id a ``[keys]`` table may remap, with its keys and what it does."""
    bindings = bindings_of(bound_classes(app))
    lines = [
        "# Keys by binding id",
        "",
        "Every key of the full-screen app has an id; `[keys]` in `config.toml` gives it other keys",
        '(`"queue.take" = "T"`, several as `"r,R"`). Made by `python -m tui.keys_doc`; a test keeps it current.',
        "",
        "| id | keys | what it does |",
        "|---|---|---|",
    ]
    for binding_id, binding in sorted(bindings.items()):
        what = (binding.tooltip or binding.description or "").replace("|", "\\|")
        keys = " ".join(f"`{key}`" for key in keys_text(binding, None, " or ").split(" or "))
        lines.append(f"| `{binding_id}` | {keys} | {what} |")
    return "\n".join(lines) + "\n"
