"""``sportello faq health``: how the FAQ is used, what is never used, drafts waiting, and FAQ gaps."""

from __future__ import annotations

import click

from models.faq import health as faq_health
from tui.cli.common import age, echo_json, echo_line, iso, json_option, pad, pass_state
from tui.text.safe import one_line

__all__ = ["faq_health_cmd"]


@click.command("health")
@click.option("--days", type=click.IntRange(1, 3650), default=90, show_default=True, help="The window for gaps.")
@json_option
@pass_state
def faq_health_cmd(state, days, as_json) -> None:
    """Usage over 30/90 days, articles never used, drafts waiting, and FAQ gaps."""
    with state.desk():
        state.actor()
        report = faq_health.faq_health(gap_days=days)
    if as_json:
        echo_json({
            "at": iso(report.at),
            "usage": [{"id": u.id, "title": u.title, "status": u.status, "uses_30": u.uses_30, "uses_90": u.uses_90,
                       "uses": u.uses, "last_used": iso(u.last_used)} for u in report.usage],
            "never_used": [u.id for u in report.never_used],
            "drafts": [{"id": d.id, "title": d.title, "author": d.author, "updated_at": iso(d.updated_at)}
                       for d in report.drafts],
            "gaps": [{"topic": g.topic, "tickets": g.tickets, "examples": list(g.examples), "covered_by": g.covered_by}
                     for g in report.gaps],
            "gap_days": report.gap_days, "gap_tickets": report.gap_tickets,
        })  # fmt: skip
        return
    echo_line("Most used (tickets linked, last 30 / 90 days / ever):")
    for u in report.usage[:10]:
        echo_line(f"  #{u.id:<5} {u.uses_30:>4} {u.uses_90:>4} {u.uses:>6}  {one_line(u.title, 52)}")
    echo_line(f"Published but never used: {len(report.never_used)}")
    for u in report.never_used[:10]:
        echo_line(f"  #{u.id:<5} {one_line(u.title, 66)}")
    echo_line(f"Drafts waiting: {len(report.drafts)} (oldest first)")
    for d in report.drafts[:10]:
        echo_line(
            f"  #{d.id:<5} {age(d.updated_at):>4}  {pad(one_line(d.author or '-', 10), 10)} {one_line(d.title, 50)}"
        )
    echo_line(
        f"FAQ gaps: topics of {report.gap_tickets} tickets resolved in {report.gap_days} days without an FAQ link:"
    )
    for g in report.gaps:
        covered = f"  (FAQ #{g.covered_by} matches)" if g.covered_by else ""
        examples = ", ".join(f"#{n}" for n in g.examples)
        echo_line(f"  {g.tickets:>5}  {one_line(g.topic, 28):<28}  e.g. {examples}{covered}")
