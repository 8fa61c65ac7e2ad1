"""The customer page past a deadline: it says so, and the next update it gives is never in the past;
and every time on the page is in one zone per ticket, the same in ``status`` and the app's customer view."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from models.reports.customer_view import customer_status, page_timezone
from models.reports.status_page import local_time, render_status
from models.sla import rules as sla
from models.tickets import changes as tickets
from tui.desk.reading import _next_step

MON = datetime(2026, 11, 2, 8, 0)  # a Monday, 09:00 in Rome
TIME = re.compile(r"\d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d \(([^)]*)\)")


@pytest.fixture
def clock(monkeypatch):
    now = {"at": MON}
    monkeypatch.setattr("models.tickets.pipeline.utcnow", lambda: now["at"])
    monkeypatch.setattr("models.reports.customer_view.utcnow", lambda: now["at"])
    return now


@pytest.fixture
def rome(admin):
    sla.save_calendar(
        admin, "Rome", timezone="Europe/Rome", hours={d: "09:00-18:00" for d in ("mon", "tue", "wed", "thu", "fri")}
    )
    return admin


def _ticket(admin):
    return tickets.create_ticket(admin, subject="Printer", body="Broken", customer="eva@example.com")


def test_a_passed_resolution_deadline_is_owned_up_to_with_a_next_update_ahead(rome, clock):
    sla.save_policy(rome, "All", calendar="Rome", resolution=60)
    t = _ticket(rome)
    clock["at"] = datetime(2026, 12, 4, 10, 0)  # a month later, a Friday 11:00 in Rome
    view = customer_status(t.number, now=clock["at"])
    page = render_status(view)
    missed = local_time(datetime(2026, 11, 2, 9, 0), "Europe/Rome")
    assert f"This is taking longer than we aimed for: we meant to solve it by {missed}." in page
    assert "We aim to solve it" not in page
    # no response target: the stated cadence of 8 business hours, stepped on from the missed deadline
    assert view.due is not None and view.due > clock["at"]
    assert view.due - clock["at"] <= timedelta(days=3)  # the next working-day slot, not weeks away
    assert f"We will send you an update by {local_time(view.due, 'Europe/Rome')}." in page
    # the promise stays put while time passes within its slot, then moves ahead, never behind
    later = customer_status(t.number, now=clock["at"] + timedelta(minutes=30))
    assert later.due == view.due
    after = customer_status(t.number, now=view.due + timedelta(minutes=1))
    assert after.due > view.due + timedelta(minutes=1)


def test_a_running_next_response_deadline_is_the_next_update(rome, clock):
    sla.save_policy(rome, "All", calendar="Rome", first_response=60, next_response=120, resolution=180)
    t = _ticket(rome)
    clock["at"] = MON + timedelta(minutes=30)
    tickets.add_reply(rome, t.number, "Looking into it")
    clock["at"] = MON + timedelta(hours=4)  # resolution (3 h) has passed
    tickets.add_reply(rome, t.number, "Any news?", from_customer=True)
    view = customer_status(t.number, now=clock["at"] + timedelta(minutes=10))
    text = render_status(view)
    assert view.due == MON + timedelta(hours=6)  # the next answer: 2 business hours after the customer wrote
    assert f"You will get our next answer by {local_time(view.due, 'Europe/Rome')}." in text
    assert f"we meant to solve it by {local_time(MON + timedelta(hours=3), 'Europe/Rome')}." in text


def test_a_missed_first_answer_promises_the_next_response_cadence_after_it(rome, clock):
    sla.save_policy(rome, "All", calendar="Rome", first_response=60, next_response=120, resolution=24 * 60)
    t = _ticket(rome)
    now = MON + timedelta(hours=2, minutes=30)  # the first answer was due at 10:00 Rome
    view = customer_status(t.number, now=now)
    assert (view.late, view.missed) == ("send our first answer", MON + timedelta(hours=1))
    assert view.due == MON + timedelta(hours=3)  # every 2 business hours from the missed deadline
    assert view.due > now


def test_every_time_on_the_page_is_in_the_tickets_one_zone_whatever_its_status(rome, clock):
    sla.save_policy(rome, "All", calendar="Rome", first_response=60, resolution=600)
    t = _ticket(rome)
    clock["at"] = MON + timedelta(minutes=20)
    tickets.add_reply(rome, t.number, "Please send a photo")
    tickets.set_status(rome, t.number, "pending")  # paused: no deadline shown, still the same zone
    clock["at"] = MON + timedelta(hours=1)
    tickets.add_reply(rome, t.number, "Here it is", from_customer=True)
    for status in ("pending", "open", "resolved"):
        if status != "pending":
            tickets.set_status(rome, t.number, status)
        view = customer_status(t.number, now=clock["at"])
        assert view.timezone == page_timezone(t.number) == "Europe/Rome"
        for fmt in ("text", "markdown", "html"):
            page = render_status(view, fmt).replace("\\", "")  # Markdown escapes
            zones = {m.group(1) for m in TIME.finditer(page)}
            assert zones == {"Europe/Rome"}, (status, fmt, zones)
        # the app's customer view words the next step with the same zone
        assert "(UTC)" not in _next_step(t.number)


def test_a_ticket_without_a_calendar_policy_uses_the_desks_calendar_zone(rome):
    sla.save_policy(rome, "Urgent", priority="urgent", resolution=60)  # no calendar
    sla.save_policy(rome, "Office", calendar="Rome", resolution=600)
    t = tickets.create_ticket(rome, subject="Down", body="All down", customer="eva@example.com", priority="urgent")
    assert page_timezone(t.number) == "Europe/Rome"


def test_a_desk_without_calendars_shows_utc(admin):
    t = _ticket(admin)
    assert page_timezone(t.number) == "UTC"
    assert {m.group(1) for m in TIME.finditer(render_status(customer_status(t.number)))} == {"UTC"}


def test_a_deadline_missed_years_ago_still_gives_an_update_ahead(rome, clock):
    sla.save_policy(rome, "All", calendar="Rome", resolution=60)
    t = _ticket(rome)
    now = MON + timedelta(days=4 * 365)
    view = customer_status(t.number, now=now)
    assert view.missed == MON + timedelta(hours=1) and now < view.due < now + timedelta(days=4)
