"""Saving an FAQ article: a change note asked for, the changed fields saved as a new revision from the one the
editor started from; a save refused because someone saved in between keeps the text and says who."""

from __future__ import annotations

from textual import work

from models.errors import Conflict
from tui.dialogs.text_prompt import TextPrompt
from tui.text.faq import faq_status_label
from tui.text.safe import one_line
from tui.widgets.header import DeskHeader

__all__ = ["FAQEditorSaving"]


class FAQEditorSaving:
    """Saving in :class:`~tui.screens.faq_editor.screen.FAQEditor`, a mixin of it; the screen's handler of
    ``SaveEnded`` calls :meth:`_show_saved`."""

    @work(group="faq-editor-ask", exclusive=True, exit_on_error=False)
    async def action_save(self) -> None:
        if self.base is None or self.saving:
            return
        changes = self.changes()
        if not changes:
            self.notify("Nothing to save: the article is as stored.", markup=False)
            return
        values = self.values()
        for name, field in (("title", "#editor-title"), ("body", "#editor-text")):
            if not values[name].strip():
                self.notify(f"The {name} is empty.", severity="warning", markup=False)
                self.query_one(field).focus()
                return
        what = f"FAQ #{self.article_id}" if self.article_id is not None else "the new article"
        verb = {"archived": "Archive", "published": "Publish", "draft": "Save as draft"}.get(
            changes.get("status", ""), "Save"
        )
        note = await self.app.push_screen_wait(
            TextPrompt(
                f"{verb} {what} — change note (enter alone: none)",
                placeholder="e.g. steps for the new app version",
                required=False,
            )
        )
        if note is None:
            return
        self.saving = True
        self._save(changes, note, self.version)

    @work(thread=True, group="faq-editor-save", exit_on_error=False)
    def _save(self, changes: dict, note: str, version: int | None) -> None:
        try:
            if self.article_id is None:
                article = self.desk.faq_create(note=note or "created", **changes)
            else:
                article = self.desk.faq_save(self.article_id, version, note=note, **changes)
        except Conflict as err:
            self.post_message(self.SaveEnded(None, changes, version, conflict=err))
            return
        except BaseException:
            self.post_message(self.SaveEnded(None, changes, version))  # the app tells what went wrong
            raise
        self.post_message(self.SaveEnded(article, changes, version))

    def _show_saved(self, message) -> None:
        if message.conflict is not None:
            self._conflict(message.conflict)
        self.saving = False
        article, changes, version = message.article, message.changes, message.version
        if article is None:
            return
        new = self.article_id is None
        unchanged_since = all(self.values()[name] == value for name, value in changes.items())
        if unchanged_since:
            self._take(article)
        else:  # typed on while it saved: keep that, and start from what is stored now
            self.article, self.article_id, self.version, self.conflict_with = article, article.id, article.version, None
            self.base = self._fields_of(article)
            self._refresh_facts()
        self.query_one(DeskHeader).title_text = f"FAQ #{article.id}"
        self.query_one(DeskHeader).show()
        if new:
            self.notify(f"FAQ #{article.id} created ({faq_status_label(article.status)}).", markup=False)
        elif article.version == version:
            self.notify("Nothing changed: the article already says that.", markup=False)
        else:
            self.notify(f"FAQ #{article.id} saved as revision {article.version}.", markup=False)

    def _conflict(self, err: Conflict) -> None:
        self.version = err.current_version
        self.conflict_with = err.current_version
        self._refresh_facts()
        self.notify(
            one_line(err.message, 400) + " — your text is kept; ctrl+s again saves it over theirs.",
            severity="warning",
            markup=False,
            timeout=12,
        )
