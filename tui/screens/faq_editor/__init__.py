"""Writing an FAQ article: the editor screen itself (:mod:`.screen`), the article's fields and what changed in
them (:mod:`.fields`), what the screen shows of them (:mod:`.display`), the category and status pickers
(:mod:`.choices`) and saving (:mod:`.saving`)."""

from tui.screens.faq_editor.fields import normal_tags
from tui.screens.faq_editor.screen import WIDE, FAQEditor

__all__ = ["FAQEditor", "normal_tags", "WIDE"]
