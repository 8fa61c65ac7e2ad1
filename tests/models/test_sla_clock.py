"""SLA clocks: pauses while pending or on hold, stops when resolved, recomputed when the policy changes."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from models.sla.business_time import ALWAYS
from models.sla.clock import due_time, running_spans
from support.calendars import OFFICE, rome

H = timedelta(hours=1)


def test_the_clock_pauses_while_pending_and_resumes_across_days():
    created = rome("2026-11-23 10:00")  # Monday
    history = [(created, "new"), (rome("2026-11-23 12:00"), "pending"), (rome("2026-11-25 11:00"), "open")]
    clock = due_time(OFFICE, history, created, 8 * H, now=rome("2026-11-25 11:30"))
    # 2 h on Monday, paused Monday noon to Wednesday 11:00, then 6 h more: Wednesday 18:00
    assert clock.due == rome("2026-11-25 18:00") and not clock.paused
    assert clock.used == 2 * H + 30 * timedelta(minutes=1)
    paused = due_time(OFFICE, history[:2], created, 8 * H, now=rome("2026-11-24 10:00"))
    assert (paused.due, paused.paused, paused.used) == (None, True, 2 * H)


def test_on_hold_pauses_and_resolved_stops():
    created = rome("2026-11-23 09:00")
    history = [(created, "open"), (rome("2026-11-23 10:00"), "on_hold"), (rome("2026-11-23 15:00"), "open"),
               (rome("2026-11-23 16:00"), "resolved")]  # fmt: skip
    clock = due_time(OFFICE, history, created, 4 * H, now=rome("2026-11-30 09:00"))
    assert (clock.due, clock.used, clock.breached, clock.paused) == (None, 2 * H, False, False)


def test_a_breach_is_reported_once_the_target_passed():
    created = rome("2026-11-23 09:00")
    clock = due_time(OFFICE, [(created, "open")], created, 1 * H, now=rome("2026-11-23 11:00"))
    assert clock.due == rome("2026-11-23 10:00") and clock.breached


def test_a_policy_change_mid_ticket_keeps_the_time_already_used():
    created = rome("2026-11-23 09:00")
    history = [(created, "open")]
    now = rome("2026-11-23 12:00")
    standard = due_time(OFFICE, history, created, 8 * H, now)
    premium = due_time(OFFICE, history, created, 4 * H, now)  # the customer upgraded at noon
    assert standard.used == premium.used == 3 * H
    assert (standard.due, premium.due) == (rome("2026-11-23 18:00"), rome("2026-11-23 13:00"))


def test_running_spans_merge_and_respect_the_window():
    t = rome("2026-11-23 09:00")
    history = [(t, "new"), (t + H, "open"), (t + 2 * H, "pending"), (t + 3 * H, "open")]
    assert running_spans(history, t, t + 4 * H) == [(t, t + 2 * H), (t + 3 * H, t + 4 * H)]
    assert running_spans(history, t + 90 * timedelta(minutes=1), t + 5 * H) == [
        (t + 90 * timedelta(minutes=1), t + 2 * H), (t + 3 * H, t + 5 * H),
    ]  # fmt: skip


statuses = st.sampled_from(["new", "open", "pending", "on_hold", "open", "open"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 72 * 60), statuses), max_size=8), st.integers(1, 40 * 60))
def test_paused_time_never_counts(changes, target_minutes):
    start = rome("2026-11-23 08:00")
    history, at = [(start, "new")], start
    for minutes, status in changes:
        at += timedelta(minutes=minutes)
        history.append((at, status))
    now = at + timedelta(hours=1)
    clock = due_time(ALWAYS, history, start, timedelta(minutes=target_minutes), now)
    running = sum((b - a for a, b in running_spans(history, start, now)), timedelta(0))
    assert clock.used == min(running, clock.target)
    if clock.due is not None and clock.due <= now:
        assert clock.breached
