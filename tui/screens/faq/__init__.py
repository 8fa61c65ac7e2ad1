"""The FAQ screen: the screen itself (:mod:`.screen`), its categories (:mod:`.categories`), its search
(:mod:`.search`), the preview of the article under the cursor (:mod:`.preview`) and publishing or archiving
(:mod:`.publishing`)."""

from tui.screens.faq.screen import NARROW, FAQScreen

__all__ = ["FAQScreen", "NARROW"]
