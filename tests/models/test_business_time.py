"""Business calendars: weekends, holidays, split shifts, DST, and the arithmetic's laws."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.errors import InvalidInput
from models.sla.business_time import ALWAYS, Calendar
from support.calendars import OFFICE, rome

H = timedelta(hours=1)


def test_a_working_day_has_eight_hours_around_the_lunch_break():
    assert OFFICE.between(rome("2026-11-23 00:00"), rome("2026-11-24 00:00")) == 8 * H
    assert OFFICE.between(rome("2026-11-23 12:00"), rome("2026-11-23 15:00")) == 2 * H  # lunch does not count


def test_weekends_and_holidays_do_not_count():
    assert OFFICE.between(rome("2026-11-28 00:00"), rome("2026-11-30 00:00")) == timedelta(0)  # Sat, Sun
    assert OFFICE.between(rome("2026-12-24 00:00"), rome("2026-12-28 00:00")) == 8 * H  # 24th only
    # one hour before Christmas Eve's close, due one business hour later: Monday the 28th at 09:00
    assert OFFICE.add(rome("2026-12-24 17:00"), 2 * H) == rome("2026-12-28 10:00")


def test_a_ticket_created_outside_hours_starts_counting_at_opening():
    assert OFFICE.add(rome("2026-11-23 20:30"), 1 * H) == rome("2026-11-24 10:00")
    assert OFFICE.add(rome("2026-11-28 11:00"), 30 * timedelta(minutes=1)) == rome("2026-11-30 09:30")
    assert OFFICE.next_working(rome("2026-11-23 13:30")) == rome("2026-11-23 14:00")


def test_split_shifts_carry_over_the_break_and_the_night():
    assert OFFICE.add(rome("2026-11-23 12:30"), 1 * H) == rome("2026-11-23 14:30")
    assert OFFICE.add(rome("2026-11-23 17:00"), 3 * H) == rome("2026-11-24 11:00")
    assert OFFICE.add(rome("2026-11-23 09:00"), 16 * H) == rome("2026-11-24 18:00")  # the earliest such instant


def test_dst_days_keep_local_hours():
    # Europe/Rome leaves summer time on 25 Oct 2026 and enters it on 28 Mar 2027 (both Sundays)
    always_rome = Calendar.parse(
        "Europe/Rome", {day: "00:00-24:00" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    )
    assert always_rome.between(rome("2026-10-25 00:00"), rome("2026-10-26 00:00")) == 25 * H
    assert always_rome.between(rome("2027-03-28 00:00"), rome("2027-03-29 00:00")) == 23 * H
    # an office day on either side of the change is 8 hours, opening at 09:00 local both times
    assert OFFICE.between(rome("2026-10-23 00:00"), rome("2026-10-24 00:00")) == 8 * H
    assert OFFICE.next_working(rome("2026-10-26 00:00")) == rome("2026-10-26 09:00")
    assert OFFICE.add(rome("2026-10-23 17:00"), 2 * H) == rome("2026-10-26 10:00")


def test_bad_calendars_are_refused_clearly():
    for args, message in [
        (("Mars/Olympus", {}), "unknown timezone"),
        (("UTC", {"funday": "09:00-10:00"}), "unknown weekday"),
        (("UTC", {"mon": "9-17"}), "bad hours"),
        (("UTC", {"mon": "18:00-09:00"}), "end must follow"),
        (("UTC", {"mon": "09:00-13:00,12:00-14:00"}), "overlapping"),
        (("UTC", {"mon": "09:00-10:00"}, ["25/12/2026"]), "bad holiday"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            Calendar.parse(*args)
    with pytest.raises(InvalidInput, match="no working hours"):
        Calendar.parse("UTC", {}).add(datetime(2026, 1, 1), H)
    assert Calendar.parse("UTC", OFFICE.describe_hours()).hours == OFFICE.hours


# --- laws --------------------------------------------------------------------------------------

moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31))
calendars = st.sampled_from(
    [OFFICE, ALWAYS, Calendar.parse("America/New_York", {"sat": "22:00-24:00", "sun": "00:00-02:00"})]
)


@settings(max_examples=300, deadline=None)
@given(calendars, moments, moments, moments)
def test_business_time_is_never_negative_and_additive(calendar, a, b, c):
    a, b, c = sorted((a, b, c))
    assert calendar.between(c, a) == timedelta(0) <= calendar.between(a, b)
    assert calendar.between(a, b) + calendar.between(b, c) == calendar.between(a, c)


@settings(max_examples=300, deadline=None)
@given(calendars, moments, st.integers(1, 200 * 60))
def test_adding_business_time_then_measuring_it_gives_it_back(calendar, start, minutes):
    amount = timedelta(minutes=minutes)
    due = calendar.add(start, amount)
    assert calendar.between(start, due) == amount
    assert calendar.between(start, due - timedelta(seconds=1)) < amount
