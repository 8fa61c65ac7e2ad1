"""Customers and organizations: the screen itself (:mod:`.screen`), its panes and status line (:mod:`.panes`),
the searched list and the churn-risk view (:mod:`.lists`) and the profile of the one under the cursor
(:mod:`.profile`)."""

from tui.screens.organizations.panes import NARROW
from tui.screens.organizations.screen import OrganizationsScreen

__all__ = ["OrganizationsScreen", "NARROW"]
