"""The ticket query language: turn what an agent types into a structured :class:`Query`.

The same language is used by ``sportello ticket list "QUERY"`` and by the TUI's filter box,
so :func:`parse_query` never raises anything but :class:`~models.errors.QueryError`, whose
message is one plain line naming the offending token. This module is pure: no database code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from models.enums import Channel, Priority, Status, TicketType
from models.errors import QueryError

__all__ = [
    "Term", "Filter", "DateRange", "Sort", "Query", "parse_query",
    "FILTER_NAMES", "QUERY_HELP", "MAX_QUERY_LENGTH", "MAX_QUERY_ITEMS", "drop_bad_characters",
]  # fmt: skip

MAX_QUERY_LENGTH = 2000
MAX_QUERY_ITEMS = 30

FILTER_NAMES = (
    "status", "prio", "type", "assignee", "org", "customer", "tag",
    "channel", "queue", "is", "id", "created", "updated", "sort",
)  # fmt: skip

_TICKET_NUMBER = re.compile(r"#([0-9]{1,10})")

QUERY_HELP = """\
Words match the subject and messages; "quoted words" match a phrase.
Filters are name:value; a comma means OR, as in status:open,pending.
  status:new|open|pending|on_hold|resolved|closed   prio:low|normal|high|urgent
  type:question|incident|request|complaint
  assignee:me|none|LOGIN   org:NAME   customer:NAME   tag:NAME   queue:NAME
    (a login, org or queue may be shortened to its start when that is unique: assignee:emma)
  channel:email|phone|web|chat|walk-in   is:unassigned|mine|open|closed
  is:breached (an SLA deadline has passed)   is:due-soon (one falls due within the hour)
  is:contract-expired (the organization's support contract has ended)
  #123 or id:123,456 (ticket numbers)
  created: / updated:  >2026-01-31  <=2026-02-15  2026-01-01..2026-01-31
                       <7d (newer than 7 days)  >12h (older than 12 hours); units m h d w
  sort:updated|created|priority|due, optionally -asc or -desc (sort:created-asc)
A leading - excludes: -tag:spam  -refund  -"gift card".  Quote values with spaces: org:"Acme Srl"."""

# Every spelling a user may type for a filter, mapped to its canonical field.
_FIELDS = {name: name for name in FILTER_NAMES} | {"prio": "priority", "priority": "priority", "organization": "org"}
_DATE_FIELDS = ("created", "updated")

# field -> (allowed canonical values, accepted aliases, label used in messages)
_CHOICES: dict[str, tuple[tuple[str, ...], dict[str, str], str]] = {
    "status": (tuple(s.value for s in Status), {"on-hold": "on_hold", "onhold": "on_hold"}, "status"),
    "priority": (tuple(p.value for p in Priority), {}, "priority"),
    "channel": (tuple(c.value for c in Channel), {"walkin": "walk-in", "walk_in": "walk-in"}, "channel"),
    "type": (tuple(t.value for t in TicketType), {"complaints": "complaint"}, "ticket type"),
    "is": (
        ("unassigned", "mine", "open", "closed", "breached", "due-soon", "contract-expired"),
        {"due_soon": "due-soon", "duesoon": "due-soon", "expired": "contract-expired"},
        "is: value",
    ),
}
_SORT_DESCENDING_BY_DEFAULT = {"updated": True, "created": True, "priority": True, "due": False}
_SORT_ALIASES = {"prio": "priority"}

_OPERATORS = (">=", "<=", ">", "<", "=")
_DAY_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_AGE_RE = re.compile(r"[0-9]{1,6}[mhdw]")
_AGE_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_DATE_HINT = "use YYYY-MM-DD, or an age like 30m, 12h, 7d, 2w"


@dataclass(frozen=True)
class Term:
    """A free word or a quoted phrase to search for."""

    text: str  # the word or phrase, as typed (without quotes)
    phrase: bool  # True when it was quoted
    negated: bool = False


@dataclass(frozen=True)
class Filter:
    """``field:value,value``: the ticket's field must match one of the values (OR)."""

    field: str  # canonical name: status, priority, assignee, org, customer, tag, channel, queue, is
    values: tuple[str, ...]  # canonical values, OR-ed
    negated: bool = False


@dataclass(frozen=True)
class DateRange:
    """``created:`` or ``updated:`` normalised to the half-open interval [start, end)."""

    field: str  # "created" or "updated"
    start: datetime | None  # inclusive, naive UTC
    end: datetime | None  # exclusive, naive UTC
    negated: bool = False


@dataclass(frozen=True)
class Sort:
    """The requested ordering of the results."""

    key: str  # updated | created | priority | due
    descending: bool


@dataclass(frozen=True)
class Query:
    """A parsed query; every part is ANDed with the others."""

    terms: tuple[Term, ...] = ()
    filters: tuple[Filter, ...] = ()
    dates: tuple[DateRange, ...] = ()
    sort: Sort | None = None
    text: str = ""  # the original query string

    @property
    def is_empty(self) -> bool:
        """True when the query selects every ticket (no terms, filters or dates)."""
        return not (self.terms or self.filters or self.dates)


@dataclass(frozen=True)
class _Token:
    """One lexed item: a term (``field`` is None) or a ``field:values`` filter."""

    raw: str  # the token as typed, for messages
    negated: bool
    field: str | None
    values: tuple[str, ...]
    phrase: bool = False


def drop_bad_characters(text: str) -> str:
    """``text`` without the characters no database can search for: NUL (PostgreSQL refuses it) and
    lone surrogates (not UTF-8; a pasted or mis-decoded half of a pair). A whole pair, as Python
    may hold one, becomes its character."""
    text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "ignore")
    return text


def _show(token: str) -> str:
    """Quote ``token`` for a one-line message: control characters become ``?``, at most 40 chars."""
    clean = "".join(ch if ch.isprintable() or ch == " " else "?" for ch in token)
    if len(clean) > 40:
        clean = clean[:39] + "…"
    return f'"{clean}"'


def _read_quoted(text: str, pos: int) -> tuple[str, int]:
    """Read the quoted string whose opening quote is at ``pos``; return it and the index after it."""
    out: list[str] = []
    i = pos + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in '"\\':
            out.append(text[i + 1])
            i += 2
        elif ch == '"':
            return "".join(out), i + 1
        else:
            out.append(ch)
            i += 1
    raise QueryError(f"unterminated quote starting at column {pos + 1}")


def _scan(text: str, pos: int, stops: str) -> int:
    """Index of the first whitespace or ``stops`` character at or after ``pos``."""
    while pos < len(text) and not text[pos].isspace() and text[pos] not in stops:
        pos += 1
    return pos


def _read_values(text: str, pos: int) -> tuple[tuple[str, ...], int]:
    """Read a filter's comma-separated, possibly quoted values starting at ``pos``."""
    values: list[str] = []
    while True:
        if pos < len(text) and text[pos] == '"':
            value, pos = _read_quoted(text, pos)
        else:
            end = _scan(text, pos, ',"')
            value, pos = text[pos:end], end
        values.append(value.strip())
        if pos < len(text) and text[pos] == ",":
            pos += 1
        else:
            return tuple(values), pos


def _filter_field(word: str, fields: dict[str, str], names: tuple[str, ...]) -> str | None:
    """The canonical field when ``word`` starts a filter; None when it is a free word."""
    name, colon, rest = word.partition(":")
    if not colon or not name.isalpha() or rest.startswith("//"):
        return None  # "10:30", "http://x"
    field = fields.get(name.lower())
    if field is None:
        raise QueryError(f"unknown filter {_show(name + ':')} (known: {', '.join(names)})")
    return field


def _tokens(text: str, fields: dict[str, str] = _FIELDS, names: tuple[str, ...] = FILTER_NAMES) -> list[_Token]:
    """Split ``text`` into terms and filters (``fields``: every spelling → its field); a lone ``-`` is dropped."""
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        start = pos
        negated = text[pos] == "-"
        if negated:
            pos += 1
        if pos < len(text) and text[pos] == '"':
            phrase, pos = _read_quoted(text, pos)
            if phrase.strip():
                tokens.append(_Token(text[start:pos], negated, None, (phrase,), phrase=True))
            continue
        end = _scan(text, pos, '"')
        word = text[pos:end]
        number = _TICKET_NUMBER.fullmatch(word)
        if number:
            pos = end
            tokens.append(_Token(text[start:pos], negated, "id", (number.group(1),)))
            continue
        field = _filter_field(word, fields, names)
        if field is None:
            pos = end
            if word:
                tokens.append(_Token(word, negated, None, (word,)))
            continue
        values, pos = _read_values(text, pos + word.index(":") + 1)
        tokens.append(_Token(text[start:pos], negated, field, values))
    return tokens


def _choice(field: str, value: str) -> str:
    """Validate a status/priority/channel/is value and return its canonical spelling."""
    allowed, aliases, label = _CHOICES[field]
    canonical = aliases.get(value.lower(), value.lower())
    if canonical not in allowed:
        raise QueryError(f"unknown {label} {_show(value)} (one of: {', '.join(allowed)})")
    return canonical


def _canonical(field: str, value: str) -> str:
    """The canonical form of one filter value."""
    if field in _CHOICES:
        return _choice(field, value)
    if field == "tag" or (field == "assignee" and value.lower() in ("me", "none")):
        return value.lower()
    if field == "id":
        value = value.removeprefix("#")
        if not value.isascii() or not value.isdigit() or not 0 < int(value) < 2**31:
            raise QueryError(f"id: takes ticket numbers, not {_show(value)}")
        return str(int(value))
    return value


def _parse_day(field: str, text: str) -> datetime:
    """Parse an absolute ``YYYY-MM-DD`` day (midnight UTC)."""
    if _DAY_RE.fullmatch(text):
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
    raise QueryError(f"bad date {_show(text)} in {field}: ({_DATE_HINT})")


def _split_operator(value: str) -> tuple[str, str]:
    """Split ``>=7d`` into ``(">=", "7d")``; the operator is ``""`` when there is none."""
    for op in _OPERATORS:
        if value.startswith(op):
            return op, value[len(op) :]
    return "", value


def _date_range(token: _Token, now: datetime) -> DateRange:
    """Normalise one ``created:``/``updated:`` token to a half-open interval."""
    field, value = token.field or "", _single_value(token)
    explicit, rest = _split_operator(value)
    try:
        if ".." in rest:
            if explicit:
                raise QueryError(f"a date range takes no operator: {_show(value)} in {field}:")
            start, end = _day_range(field, rest)
        elif _AGE_RE.fullmatch(rest):
            start, end = _age_bounds(field, explicit, rest, now)
        else:
            start, end = _day_bounds(explicit or "=", _parse_day(field, rest))
    except (ValueError, OverflowError):
        raise QueryError(f"date out of range {_show(value)} in {field}: ({_DATE_HINT})") from None
    return DateRange(field, start, end, token.negated)


def _day_range(field: str, text: str) -> tuple[datetime, datetime]:
    """``A..B``: from day A through day B, both inclusive."""
    first, _, last = text.partition("..")
    start, end = _parse_day(field, first), _parse_day(field, last)
    if start > end:
        raise QueryError(f"bad range {_show(text)} in {field}: (the start is after the end)")
    return start, end + timedelta(days=1)


def _day_bounds(op: str, day: datetime) -> tuple[datetime | None, datetime | None]:
    """The interval selected by comparing with the whole UTC ``day``."""
    after = day + timedelta(days=1)
    bounds = {">": (after, None), ">=": (day, None), "<": (None, day), "<=": (None, after), "=": (day, after)}
    return bounds[op]


def _age_bounds(field: str, op: str, age: str, now: datetime) -> tuple[datetime | None, datetime | None]:
    """``<7d`` means newer than 7 days (start bound); ``>7d`` means older (end bound)."""
    if op in ("", "="):
        raise QueryError(f"an age needs < or > in {field}: {_show(op + age)} (e.g. {field}:<{age})")
    moment = now - timedelta(**{_AGE_UNITS[age[-1]]: int(age[:-1])})
    return (moment, None) if op in ("<", "<=") else (None, moment)


def _sort(token: _Token, previous: Sort | None) -> Sort:
    """Parse a ``sort:`` token such as ``sort:created-asc``."""
    if token.negated:
        raise QueryError(f"a sort cannot be negated: {_show(token.raw)}")
    if previous is not None:
        raise QueryError(f"only one sort is allowed: {_show(token.raw)}")
    value = _single_value(token)
    key, dash, direction = value.lower().partition("-")
    key = _SORT_ALIASES.get(key, key)
    if key not in _SORT_DESCENDING_BY_DEFAULT or (dash and direction not in ("asc", "desc")):
        raise QueryError(f"unknown sort {_show(value)} (one of: updated, created, priority, due; add -asc or -desc)")
    descending = direction == "desc" if direction else _SORT_DESCENDING_BY_DEFAULT[key]
    return Sort(key, descending)


def _single_value(token: _Token) -> str:
    """The only value of a ``created:``/``updated:``/``sort:`` token."""
    if len(token.values) > 1:
        raise QueryError(f"{token.field}: takes a single value, not a list: {_show(token.raw)}")
    return token.values[0]


def _filter(token: _Token) -> Filter:
    """A value filter with canonical, de-duplicated values."""
    field = token.field or ""
    values = dict.fromkeys(_canonical(field, value) for value in token.values)
    return Filter(field, tuple(values), token.negated)


def _utc_naive(now: datetime | None) -> datetime:
    """``now`` as a naive UTC datetime (the current time when None)."""
    if now is None:
        return datetime.now(UTC).replace(tzinfo=None)
    if now.tzinfo is not None:
        return now.astimezone(UTC).replace(tzinfo=None)
    return now


def parse_query(text: str, *, now: datetime | None = None) -> Query:
    """Parse ``text``; ``now`` (naive UTC, default utcnow) anchors ages like ``7d``. NUL and lone
    surrogates are dropped first (:func:`drop_bad_characters`): the rest is what is searched for."""
    if not isinstance(text, str):
        raise QueryError("a query must be text")
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"query is too long ({len(text)} characters; at most {MAX_QUERY_LENGTH})")
    tokens = _tokens(drop_bad_characters(text))
    if len(tokens) > MAX_QUERY_ITEMS:
        raise QueryError(f"too many words and filters ({len(tokens)}; at most {MAX_QUERY_ITEMS})")
    moment = _utc_naive(now)
    terms: list[Term] = []
    filters: list[Filter] = []
    dates: list[DateRange] = []
    sort: Sort | None = None
    for token in tokens:
        if token.field is None:
            terms.append(Term(token.values[0], token.phrase, token.negated))
            continue
        if not all(token.values):
            raise QueryError(f"empty value in {_show(token.raw)} (e.g. status:open or status:open,pending)")
        if token.field == "sort":
            sort = _sort(token, sort)
        elif token.field in _DATE_FIELDS:
            dates.append(_date_range(token, moment))
        else:
            filters.append(_filter(token))
    return Query(tuple(terms), tuple(filters), tuple(dates), sort, text)
