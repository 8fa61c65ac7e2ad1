"""The ticket query language as a user types it: terms, filters, dates, sort and errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.errors import QueryError
from models.search.query import (
    FILTER_NAMES,
    QUERY_HELP,
    DateRange,
    Filter,
    Query,
    Sort,
    Term,
    parse_query,
)

NOW = datetime(2026, 3, 10, 12, 30)
D = datetime  # short alias for expected values


def parse(text: str) -> Query:
    return parse_query(text, now=NOW)


def error(text: str) -> str:
    with pytest.raises(QueryError) as info:
        parse(text)
    return str(info.value)


# --- terms and phrases ---------------------------------------------------------------


def test_empty_and_blank_queries_select_everything():
    for text in ("", "   ", "\t\n", "-", " - - "):
        query = parse(text)
        assert query.is_empty and query.sort is None and query.text == text


def test_words_and_phrases():
    query = parse('refund  "gift card" printer')
    assert query.terms == (Term("refund", False), Term("gift card", True), Term("printer", False))
    assert not query.is_empty and not query.filters and not query.dates


def test_escaped_quote_inside_phrase():
    assert parse(r'"say \"hi\" now"').terms == (Term('say "hi" now', True),)
    assert parse(r'"ends with \\"').terms == (Term("ends with \\", True),)


def test_empty_phrase_is_ignored():
    assert parse('""  -""').is_empty


def test_words_with_colons_that_are_not_filters():
    assert [t.text for t in parse("10:30 http://example.com/x a1:b ::").terms] == [
        "10:30", "http://example.com/x", "a1:b", "::",
    ]  # fmt: skip


def test_text_is_kept_and_unicode_is_fine():
    query = parse("caffè ☕ città")
    assert [t.text for t in query.terms] == ["caffè", "☕", "città"]
    assert query.text == "caffè ☕ città"


# --- negation ------------------------------------------------------------------------


def test_negation_of_words_phrases_and_filters():
    query = parse('-refund -"gift card" -tag:spam')
    assert query.terms == (Term("refund", False, True), Term("gift card", True, True))
    assert query.filters == (Filter("tag", ("spam",), True),)


def test_lone_dash_is_ignored():
    assert parse("a - b").terms == (Term("a", False), Term("b", False))


def test_hyphen_inside_a_word_is_not_negation():
    assert parse("e-mail").terms == (Term("e-mail", False),)


# --- filters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("status:open", Filter("status", ("open",))),
        ("STATUS:Open", Filter("status", ("open",))),
        ("status:on-hold,onhold,on_hold", Filter("status", ("on_hold",))),
        ("prio:high", Filter("priority", ("high",))),
        ("priority:URGENT", Filter("priority", ("urgent",))),
        ("assignee:me", Filter("assignee", ("me",))),
        ("assignee:None", Filter("assignee", ("none",))),
        ("assignee:MRossi", Filter("assignee", ("MRossi",))),
        ("org:Acme", Filter("org", ("Acme",))),
        ("organization:Acme", Filter("org", ("Acme",))),
        ('org:"Acme Srl"', Filter("org", ("Acme Srl",))),
        ("customer:Anna.Bianchi@example.com", Filter("customer", ("Anna.Bianchi@example.com",))),
        ("tag:VIP", Filter("tag", ("vip",))),
        ("channel:Email", Filter("channel", ("email",))),
        ("channel:walk-in,walkin,walk_in", Filter("channel", ("walk-in",))),
        ("queue:Billing", Filter("queue", ("Billing",))),
        ("is:unassigned", Filter("is", ("unassigned",))),
        ("is:Mine", Filter("is", ("mine",))),
        ("is:open,closed", Filter("is", ("open", "closed"))),
    ],
)
def test_each_filter_and_alias(text, expected):
    assert parse(text).filters == (expected,)


def test_comma_means_or():
    assert parse("status:open,pending").filters == (Filter("status", ("open", "pending")),)


def test_quoted_values_in_a_list():
    assert parse('org:"Acme Srl","Rossi, Bianchi & C.",Foo').filters == (
        Filter("org", ("Acme Srl", "Rossi, Bianchi & C.", "Foo")),
    )


def test_same_filter_twice_is_anded():
    assert parse("tag:a tag:b").filters == (Filter("tag", ("a",)), Filter("tag", ("b",)))


def test_filters_and_terms_mix():
    query = parse('printer status:open -"out of toner" prio:high')
    assert query.terms == (Term("printer", False), Term("out of toner", True, True))
    assert [f.field for f in query.filters] == ["status", "priority"]


# --- dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "op, start, end",
    [
        (">", D(2026, 1, 16), None),
        (">=", D(2026, 1, 15), None),
        ("<", None, D(2026, 1, 15)),
        ("<=", None, D(2026, 1, 16)),
        ("=", D(2026, 1, 15), D(2026, 1, 16)),
        ("", D(2026, 1, 15), D(2026, 1, 16)),
    ],
)
def test_absolute_dates(op, start, end):
    assert parse(f"created:{op}2026-01-15").dates == (DateRange("created", start, end),)


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("updated:<7d", NOW - timedelta(days=7), None),
        ("updated:<=7d", NOW - timedelta(days=7), None),
        ("updated:>7d", None, NOW - timedelta(days=7)),
        ("updated:>=7d", None, NOW - timedelta(days=7)),
        ("updated:<30m", NOW - timedelta(minutes=30), None),
        ("updated:<12h", NOW - timedelta(hours=12), None),
        ("updated:>2w", None, NOW - timedelta(weeks=2)),
    ],
)
def test_ages(text, start, end):
    assert parse(text).dates == (DateRange("updated", start, end),)


def test_range_covers_both_days():
    assert parse("created:2026-01-01..2026-01-31").dates == (DateRange("created", D(2026, 1, 1), D(2026, 2, 1)),)
    assert parse("created:2026-01-05..2026-01-05").dates[0].end == D(2026, 1, 6)


def test_negated_and_repeated_dates():
    query = parse("-created:2026-01-01 updated:>=2026-01-01 updated:<2026-02-01")
    assert query.dates == (
        DateRange("created", D(2026, 1, 1), D(2026, 1, 2), negated=True),
        DateRange("updated", D(2026, 1, 1), None),
        DateRange("updated", None, D(2026, 2, 1)),
    )


def test_aware_now_is_converted_to_naive_utc():
    rome = timezone(timedelta(hours=1))
    query = parse_query("created:<1d", now=datetime(2026, 3, 10, 13, 30, tzinfo=rome))
    assert query.dates[0].start == D(2026, 3, 9, 12, 30)


def test_default_now_is_recent_naive_utc():
    start = parse_query("created:<1h").dates[0].start
    assert start is not None and start.tzinfo is None
    utc_now = datetime.now(UTC).replace(tzinfo=None)
    assert timedelta(minutes=59) < utc_now - start < timedelta(minutes=61)


# --- sort ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("sort:updated", Sort("updated", True)),
        ("sort:created", Sort("created", True)),
        ("sort:priority", Sort("priority", True)),
        ("sort:prio", Sort("priority", True)),
        ("sort:due", Sort("due", False)),
        ("sort:created-asc", Sort("created", False)),
        ("sort:due-desc", Sort("due", True)),
        ("SORT:Prio-ASC", Sort("priority", False)),
    ],
)
def test_sort(text, expected):
    query = parse(text)
    assert query.sort == expected
    assert query.is_empty  # a sort alone selects everything


def test_no_sort_means_none():
    assert parse("printer status:open").sort is None


# --- errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "foo:bar",
            'unknown filter "foo:" (known: status, prio, type, assignee, org, customer, tag, channel, '
            "queue, is, id, created, updated, sort)",
        ),
        ("-Stato:aperto", 'unknown filter "Stato:"'),
        ("status:opne", 'unknown status "opne" (one of: new, open, pending, on_hold, resolved, closed)'),
        ("prio:medium", 'unknown priority "medium" (one of: low, normal, high, urgent)'),
        ("channel:fax", 'unknown channel "fax"'),
        ("is:pending", 'unknown is: value "pending"'),
        ('abc "def', "unterminated quote starting at column 5"),
        ('org:"Acme', "unterminated quote starting at column 5"),
        ('"a" "b', "unterminated quote starting at column 5"),
        ("created:2026-13-01", 'bad date "2026-13-01" in created: (use YYYY-MM-DD, or an age like 30m, 12h, 7d, 2w)'),
        ("created:2026-02-30", 'bad date "2026-02-30" in created:'),
        ("updated:yesterday", 'bad date "yesterday" in updated:'),
        ("created:7y", 'bad date "7y" in created:'),
        ("created:=7d", 'an age needs < or > in created: "=7d"'),
        ("created:7d", 'an age needs < or > in created: "7d"'),
        ("created:2026-02-01..2026-01-01", 'bad range "2026-02-01..2026-01-01" in created:'),
        ("created:2026-01-01..7d", 'bad date "7d" in created:'),
        ("created:>2026-01-01..2026-01-02", 'a date range takes no operator: ">2026-01-01..2026-01-02"'),
        ("created:9999-12-31", 'date out of range "9999-12-31" in created:'),
        ("created:<999999w", 'date out of range "<999999w" in created:'),
        ("created:7d,1d", 'created: takes a single value, not a list: "created:7d,1d"'),
        ("status:", 'empty value in "status:"'),
        ("status:open,", 'empty value in "status:open,"'),
        ("status:,open", 'empty value in "status:,open"'),
        ('tag:""', 'empty value in "tag:"""'),
        ("sort:", 'empty value in "sort:"'),
        ("sort:name", 'unknown sort "name"'),
        ("sort:due-up", 'unknown sort "due-up"'),
        ("sort:due sort:created", 'only one sort is allowed: "sort:created"'),
        ("-sort:due", 'a sort cannot be negated: "-sort:due"'),
    ],
)
def test_errors_name_the_token(text, expected):
    assert expected in error(text)


def test_too_long():
    assert "too long" in error("a" * 2001)
    parse("a" * 2000)


def test_too_many_items():
    parse(" ".join(["w"] * 25 + ["tag:x"] * 5))
    assert "too many" in error(" ".join(["w"] * 30 + ["tag:x"]))


def test_non_text_is_a_query_error():
    with pytest.raises(QueryError):
        parse_query(None)  # type: ignore[arg-type]


def test_control_characters_are_not_echoed():
    assert error("status:o\x1bpen").startswith('unknown status "o?pen"')
    message = error("status:op\x00\n\x1b[31mne")
    assert message.startswith('unknown status "op"')  # NUL is dropped, the newline ends the token
    message = error('org:x status:"a\nb\x07"')
    assert message.startswith('unknown status "a?b?"')


def test_long_tokens_are_truncated():
    message = error("status:" + "x" * 500)
    echoed = message.split('"')[1]
    assert len(echoed) <= 40


# --- help ----------------------------------------------------------------------------


def test_help_mentions_every_filter():
    assert FILTER_NAMES[0] == "status" and "sort" in FILTER_NAMES
    for name in FILTER_NAMES:
        assert f"{name}:" in QUERY_HELP


# --- never anything but QueryError ---------------------------------------------------

FRAGMENTS = st.sampled_from(
    [" ", "-", '"', "\\", ",", ":", "..", ">", ">=", "<", "=", "status:", "prio:", "tag:", "org:",
     "created:", "updated:", "sort:", "is:", "foo:", "open", "on-hold", "2026-01-15", "9999-12-31",
     "7d", "999999w", "-asc", "x", "\x00", "\n", "\u2028", "é", "😀"]
)  # fmt: skip


def check_total(text: str) -> None:
    try:
        query = parse(text)
    except QueryError as exc:
        message = str(exc)
        assert message and len(message.splitlines()) == 1
        assert all(ch.isprintable() for ch in message), repr(message)
    else:
        assert isinstance(query, Query) and query.text == text


@settings(max_examples=500)
@given(st.text())
def test_arbitrary_text_parses_or_raises_query_error(text):
    check_total(text)


@settings(max_examples=1000)
@given(st.lists(FRAGMENTS, max_size=30).map("".join))
def test_query_like_text_parses_or_raises_query_error(text):
    check_total(text)
