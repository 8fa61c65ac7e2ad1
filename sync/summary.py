"""What a sync run reports as it goes and when it ends: its progress callback and its summary."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from models.redaction import redact

__all__ = ["Progress", "Summary"]

#: ``progress(stage, done, total)``: stage is "pull" or "push"; total may be None (unknown).
Progress = Callable[[str, int, int | None], None]


@dataclass
class Summary:
    remote: str
    dry_run: bool = False
    pulled: int = 0  # remote tickets imported, or changed here by what the remote changed
    pushed: int = 0  # local events delivered
    conflicts: int = 0
    report: list[dict] = field(default_factory=list)  # {"what": "error"|"skipped"|"conflict", "where", "problem"}
    pending: int = 0  # outbox left after the run

    @property
    def errors(self) -> int:
        return sum(1 for item in self.report if item["what"] == "error")

    def note(self, what: str, where: str, problem: str) -> None:
        """Add an item; what a remote said in it is redacted (it may echo the credential it was sent)."""
        self.report.append({"what": what, "where": redact(where), "problem": redact(problem)})

    def as_dict(self) -> dict:
        return {"remote": self.remote, "dry_run": self.dry_run, "pulled": self.pulled, "pushed": self.pushed,
                "conflicts": self.conflicts, "errors": self.errors, "pending": self.pending,
                "report": self.report}  # fmt: skip
