"""The customer's view of their ticket as text, Markdown or a self-contained HTML page.

Every piece of stored text is made inert for its format: terminal controls replaced in text,
Markdown and HTML special characters escaped in Markdown, everything HTML-escaped in HTML (the
page has no scripts, no external resources, and a Content-Security-Policy that forbids both).
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from models.inert import safe_text
from models.reports.customer_view import CustomerStatus

__all__ = ["FORMATS", "render_status", "local_time", "next_sentence"]

FORMATS = ("text", "markdown", "html")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&])")


def local_time(moment: datetime, zone: str) -> str:
    """``23 Nov 2026 13:00 (Europe/Rome)``: a stored (naive UTC) time in ``zone``."""
    local = moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone))
    return f"{local:%d %b %Y %H:%M} ({zone})"


def render_status(view: CustomerStatus, fmt: str = "text") -> str:
    if fmt == "html":
        return _html(view)
    if fmt == "markdown":
        return _markdown(view)
    return _text(view)


def next_sentence(view: CustomerStatus) -> str:
    """What happens next and by when, every time in the page's one zone."""
    return view.next_sentence(lambda moment: local_time(moment, view.timezone))


def _text(view: CustomerStatus) -> str:
    lines = [
        safe_text(f"Request #{view.number}: {view.subject}", multiline=False),
        f"Status: {view.status_name}. {view.status_words}",
        f"Next: {next_sentence(view)}",
        "",
    ]
    for entry in view.entries:
        lines.append(safe_text(f"{local_time(entry.at, view.timezone)} · {entry.who}", multiline=False))
        lines += ["  " + line for line in safe_text(entry.text).split("\n")]
        lines.append("")
    return "\n".join(lines)


def _md(text: str) -> str:
    """Stored text as literal Markdown: every special character escaped, HTML neutralised."""
    return _MD_SPECIAL.sub(r"\\\1", safe_text(text))


def _markdown(view: CustomerStatus) -> str:
    out = [
        f"# Request \\#{view.number}: {_md(' '.join(view.subject.split()))}",
        "",
        f"**Status:** {view.status_name}. {view.status_words}",
        "",
        f"**Next:** {_md(next_sentence(view))}",
        "",
        "## History",
        "",
    ]
    for entry in view.entries:
        out.append(f"### {_md(local_time(entry.at, view.timezone))} · {_md(entry.who)}")
        out.append("")
        out += [(_md(line) + "  ") if line else "" for line in entry.text.split("\n")]
        out.append("")
    return "\n".join(out)


_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}"
    ".state{padding:.8rem 1rem;background:#eef4ff;border-radius:.4rem}"
    ".entry{border-top:1px solid #ddd;padding:.6rem 0}.meta{color:#666;font-size:.9rem}"
    ".status{font-style:italic}p.body{white-space:pre-wrap;margin:.3rem 0}"
)


def _html(view: CustomerStatus) -> str:
    e = lambda value: html.escape(safe_text(value), quote=True)  # noqa: E731
    entries = "\n".join(
        f'<div class="entry {e(entry.kind)}"><div class="meta">{e(local_time(entry.at, view.timezone))} · {e(entry.who)}</div>'
        f'<p class="body">{e(entry.text)}</p></div>'
        for entry in view.entries
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Request #{view.number}</title><style>{_STYLE}</style></head><body>\n"
        f"<h1>Request #{view.number}: {e(' '.join(view.subject.split()))}</h1>\n"
        f'<div class="state"><p><strong>Status:</strong> {e(view.status_name)}. {e(view.status_words)}</p>'
        f"<p><strong>Next:</strong> {e(next_sentence(view))}</p></div>\n"
        f"<h2>History</h2>\n{entries}\n</body></html>\n"
    )
