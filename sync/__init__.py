"""Two-way sync with remote helpdesks (Request Tracker 5, Roundup) over httpx.

Calls into ``models`` only. The adapters and the sync engine arrive with their own issue.
"""

__all__: list[str] = []
