"""The home screen, the queue: the screen itself (:mod:`.screen`), its saved views as tabs (:mod:`.views`), its
filter-as-you-type (:mod:`.filters`) and its actions on the marked tickets (:mod:`.bulk`)."""

from tui.screens.queue.filters import combine_queries
from tui.screens.queue.screen import QueueScreen

__all__ = ["QueueScreen", "combine_queries"]
