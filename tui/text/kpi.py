"""The KPI dashboard's pieces: figures as words, the per-group table, the chart's series, the filter language and the period's days.

Everything here is presentation: the figures come from ``models.reports.kpi.KPIReport`` as they are
(no rule is decided here); every stored name (agent, organization, queue, segment, filter
value) reaches the screen as ``rich.text.Text`` through :func:`tui.text.safe.one_line`, so markup
stays literal and control characters never reach the terminal. Nothing here imports textual
(the period dialog is :mod:`tui.dialogs.period`) nor ``textual_plotext``: the chart widget is made
and drawn by :mod:`tui.screens.kpi`.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from datetime import date, timedelta

from rich.text import Text

from models.errors import InvalidInput
from models.reports.kpi import SEGMENT_FIELDS, Figures, KPIReport, Spread, period
from tui.text.columns import Column
from tui.text.labels import hours, status_label
from tui.text.safe import one_line

__all__ = [
    "Ask", "PRESETS", "GROUP_TITLES", "DAILY_UP_TO", "FILTER_HELP",
    "parse_filter", "filter_text", "parse_period", "hours", "percent", "score",
    "headline", "complaints_line", "complaints_list", "group_columns", "group_rows", "Series", "chart_series",
    "shifted",
]  # fmt: skip

#: Period lengths in days, keys 1–4.
PRESETS = (7, 30, 90, 365)

#: A chart of at most this many days shows days; a longer one shows weeks.
DAILY_UP_TO = 92

#: ``by`` -> the heading of the table's name column (segment: the segment field's own name).
GROUP_TITLES = {"agent": "Agent", "org": "Organization", "queue": "Queue"}

#: The filter keys a user may type -> the ``Desk.kpi`` keyword they fill.
_FILTER_KEYS = {"queue": "queue", "agent": "agent", "org": "organization", "organization": "organization"}

#: What the filter field accepts (its tooltip).
FILTER_HELP = (
    "queue:NAME agent:LOGIN org:NAME tier:VALUE — or another segment: "
    + " ".join(f"{f}:" for f in SEGMENT_FIELDS[1:])
    + '. Quote names with spaces: org:"Acme Motors".'
)


@dataclass(frozen=True)
class Ask:
    """What the dashboard asks the desk for: the days ``first``..``last`` (inclusive), the
    grouping, and the filters as (keyword, value) pairs for ``Desk.kpi``."""

    first: date
    last: date
    by: str = "agent"
    filters: tuple[tuple[str, object], ...] = ()

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


# --- what the user types -------------------------------------------------------------------------


def parse_filter(text: str) -> tuple[tuple[str, object], ...]:
    """``queue:NAME agent:LOGIN org:NAME tier:VALUE`` as ``Desk.kpi`` keywords; InvalidInput says what is wrong.

    Values with spaces are quoted (``org:"Acme Motors"``); at most one segment (tier:, industry:, …).
    Whether the names exist is the desk's to say (NotFound), when the report is asked for.
    """
    try:
        words = shlex.split(text)
    except ValueError:
        raise InvalidInput('a quote is not closed: write org:"Two words"') from None
    found: dict[str, object] = {}
    for word in words:
        key, sep, value = word.partition(":")
        key = key.strip().lower()
        if not sep or not key:
            raise InvalidInput(
                f"{one_line(word, 40)!r} is not KEY:VALUE: use queue:NAME agent:LOGIN org:NAME tier:VALUE"
            )
        if not value.strip():
            raise InvalidInput(f"{key}: has no value")
        if key in _FILTER_KEYS:
            name = _FILTER_KEYS[key]
            if name in found:
                raise InvalidInput(f"{key}: is given twice")
            found[name] = value.strip()
        elif key in SEGMENT_FIELDS:
            if "segment" in found:
                raise InvalidInput("one segment at a time (tier:, industry:, region:, size_band: or revenue_band:)")
            found["segment"] = (key, value.strip())
        else:
            raise InvalidInput(f"unknown filter '{one_line(key, 20)}:'; use queue:, agent:, org: or a segment ("
                               + ", ".join(f"{f}:" for f in SEGMENT_FIELDS) + ")")  # fmt: skip
    order = ("queue", "agent", "organization", "segment")
    return tuple((name, found[name]) for name in order if name in found)


def _quoted(value: str) -> str:
    return shlex.quote(value) if any(c.isspace() or c in "\"'\\" for c in value) else value


def filter_text(filters: tuple[tuple[str, object], ...]) -> str:
    """The filters as a user would type them (what the filter prompt starts from)."""
    words = []
    for name, value in filters:
        if name == "segment":
            field, segment = value  # type: ignore[misc]
            words.append(f"{field}:{_quoted(segment)}")
        else:
            words.append(f"{'org' if name == 'organization' else name}:{_quoted(str(value))}")
    return " ".join(words)


def parse_period(first: str, last: str) -> tuple[date, date]:
    """Two typed days (YYYY-MM-DD) as dates; InvalidInput when either is not a date or the period
    is empty or too long (the rule is ``models.reports.kpi.period``'s)."""
    days = []
    for what, typed in (("first", first), ("last", last)):
        try:
            days.append(date.fromisoformat(typed.strip()))
        except ValueError:
            raise InvalidInput(
                f"the {what} day {one_line(typed, 20)!r} is not a date: write YYYY-MM-DD, e.g. 2026-10-01"
            ) from None
    period(days[0], days[1])  # raises InvalidInput for a reversed or too long period
    return days[0], days[1]


# --- figures as words ----------------------------------------------------------------------------


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def score(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


LABEL_WIDTH = 15


def _spread(spread: Spread, room: int) -> str:
    if not spread.count:
        return "— (no ticket in the period)"
    figures = f"median {hours(spread.median)} · p90 {hours(spread.p90)} · of {spread.count:,} tickets"
    return _fitting(room, figures + " (business hours)", figures)


def _fitting(width: int, *variants: str) -> str:
    """The first variant that fits ``width`` columns, else the last one cut to it."""
    for variant in variants:
        if len(variant) <= width:
            return variant
    return one_line(variants[-1], width)


def headline(report: KPIReport, width: int) -> Text:
    """The headline figures, one line each, at most ``width`` columns; ``—`` where there is no data."""
    t: Figures = report.totals
    room = max(20, width - LABEL_WIDTH)
    open_now = sum(report.backlog.values())
    parts = [(status_label(s), s.replace("_", " "), n) for s, n in report.backlog.items()]
    backlog = _fitting(
        room,
        f"{open_now:,} open · " + " · ".join(f"{label} {n:,}" for label, _, n in parts),
        f"{open_now:,} open · " + " · ".join(f"{word} {n:,}" for _, word, n in parts),
        f"{open_now:,}: " + " ".join(f"{word} {n:,}" for _, word, n in parts),
    )
    tickets = f"created {t.created:,} · resolved {t.resolved:,} · reopen rate {percent(t.reopen_rate)}"
    sla = f"{percent(t.sla_compliance)} of {t.sla_counted:,}" if t.sla_counted else "—"
    if t.surveys:
        csat = f"{score(t.csat_average)}/5" if t.csat_average is not None else "—"
        quality = _fitting(
            room,
            f"SLA met {sla} · CSAT {csat}, {percent(t.csat_response_rate)} of {t.surveys:,} surveys answered",
            f"SLA met {sla} · CSAT {csat} · {percent(t.csat_response_rate)} answered",
        )
    else:
        quality = f"SLA met {sla} · CSAT — (no surveys)"
    lines = [
        ("Backlog now", backlog),
        ("Tickets", _fitting(room, tickets)),
        ("First response", _spread(t.first_response, room)),
        ("Resolution", _spread(t.resolution, room)),
        ("SLA and CSAT", quality),
    ]
    text = Text()
    for index, (label, value) in enumerate(lines):
        if index:
            text.append("\n")
        text.append(f"{label:<{LABEL_WIDTH}}", style="bold")
        text.append(value)
    return text


def _segment_title(report: KPIReport) -> str:
    return report.segment_field.replace("_", " ")


def complaints_line(report: KPIReport, width: int) -> Text:
    """The complaints and their split per segment, ``Complaints 4 · by tier: premium 3 · standard 1``,
    in at most two lines of ``width``."""
    text = Text(f"{'Complaints':<{LABEL_WIDTH}}", style="bold")
    text.append(f"{report.totals.complaints:,}")
    if not report.complaints_by_segment:
        return text
    text.append(f" · by {_segment_title(report)}: ")
    room = max(10, 2 * width - text.cell_len - 8)  # a wrapped line may end a few cells short
    shown = " · ".join(f"{one_line(name, 30)}\u00a0{count:,}" for name, count in report.complaints_by_segment)
    text.append(one_line(shown, room))
    return text


def complaints_list(report: KPIReport, width: int, height: int) -> Text:
    """The complaints, then one line per segment with a bar, for a column ``width`` × ``height``."""
    text = Text("Complaints ", style="bold")
    text.append(f"{report.totals.complaints:,}")
    rows = report.complaints_by_segment
    if not rows:
        return text
    text.append(f" by {_segment_title(report)}")
    most = max(count for _, count in rows) or 1
    name_width = min(16, max(len(one_line(name)) for name, _ in rows))
    number_width = len(f"{most:,}")
    bar_room = max(1, width - name_width - number_width - 2)
    room = max(1, height - 1)
    shown = rows if len(rows) <= room else rows[: room - 1]
    for name, count in shown:
        text.append(f"\n{one_line(name, name_width):<{name_width}} ")
        text.append(f"{count:>{number_width},} ")
        text.append("█" * max(1, round(bar_room * count / most)))
    if len(shown) < len(rows):
        rest = sum(count for _, count in rows[len(shown) :])
        text.append(f"\n+{len(rows) - len(shown)} more ({rest:,})")
    return text


# --- the per-group table -------------------------------------------------------------------------

#: (heading, width of its values) of the number columns, after the name column.
_NUMBERS: list[Column] = [
    ("Created", 7),
    ("Resolved", 8),
    ("FR med", 6),
    ("Res med", 7),
    ("SLA", 4),
    ("Reopen", 6),
    ("CSAT", 4),
    ("Compl", 5),
]


#: The widest the name column gets.
NAME_MAX = 42


def group_columns(report: KPIReport, width: int) -> list[Column]:
    """The table's columns for ``width`` cells (a table without cell padding): each number column
    carries its own gap on the left, and the name takes what the numbers leave, up to ``NAME_MAX``
    (further than that the eye loses the row between a name and its numbers)."""
    title = GROUP_TITLES.get(report.by or "", _segment_title(report).capitalize())
    gap = 2 if width - sum(w + 2 for _, w in _NUMBERS) >= 30 else 1
    numbers = [(f"{heading:>{w + gap}}", w + gap) for heading, w in _NUMBERS]
    return [(f" {title}", min(NAME_MAX, max(10, width - sum(w for _, w in numbers)))), *numbers]


def _right(value: str) -> Text:
    return Text(value, justify="right")


def _whole(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


def group_rows(report: KPIReport, columns: list[Column]) -> list[tuple[int, list[Text]]]:
    """One row per group, keyed by its place in the report (percentages rounded: the headline has the decimals)."""
    name_width = columns[0][1] - 1
    return [
        (index, [
            Text(" " + one_line(name, name_width)), _right(f"{f.created:,}"), _right(f"{f.resolved:,}"),
            _right(hours(f.first_response.median, space="")), _right(hours(f.resolution.median, space="")),
            _right(_whole(f.sla_compliance)), _right(_whole(f.reopen_rate)), _right(score(f.csat_average, 1)),
            _right(f"{f.complaints:,}"),
        ])
        for index, (name, f) in enumerate(report.groups)
    ]  # fmt: skip


# --- the chart's data ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """Created and resolved per bucket (a day, or a week for long periods), with each bucket's first day."""

    unit: str  # "day" or "week"
    starts: tuple[date, ...]
    created: tuple[int, ...]
    resolved: tuple[int, ...]

    def tick_label(self, index: int) -> str:
        return f"{self.starts[index]:%m-%d}" if self.unit == "day" else f"{self.starts[index]:%Y-%m-%d}"


def chart_series(per_day: list[tuple[date, int, int]]) -> Series:
    """``KPIReport.per_day`` as the chart shows it: by day up to ``DAILY_UP_TO`` days, else summed by week."""
    if len(per_day) <= DAILY_UP_TO:
        return Series(
            "day", tuple(d for d, _, _ in per_day), tuple(c for _, c, _ in per_day), tuple(r for _, _, r in per_day)
        )
    weeks = [per_day[i : i + 7] for i in range(0, len(per_day), 7)]
    return Series(
        "week",
        tuple(w[0][0] for w in weeks),
        tuple(sum(c for _, c, _ in w) for w in weeks),
        tuple(sum(r for _, _, r in w) for w in weeks),
    )


def shifted(ask: Ask, direction: int, today: date) -> Ask | None:
    """The period of the same length just before (``-1``) or after (``+1``) ``ask``'s; later
    periods stop at ``today``. None when there is no later period."""
    step = timedelta(days=ask.days)
    if direction < 0:
        return Ask(ask.first - step, ask.last - step, ask.by, ask.filters)
    if ask.last >= today:
        return None
    last = min(today, ask.last + step)
    return Ask(last - step + timedelta(days=1), last, ask.by, ask.filters)
