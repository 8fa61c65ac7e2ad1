"""Satisfaction surveys on both backends: opened on resolution, answered once, low scores followed up."""

from __future__ import annotations

import pytest

from models.errors import Conflict, InvalidInput, RuleViolation
from models.store.tables import Survey
from models.tickets import changes as tickets
from models.tickets import csat
from models.tickets.fold import replay
from models.tickets.timeline import describe, events_of, who
from support.cli import one_error_line


def resolved(admin):
    t = tickets.create_ticket(admin, subject="Printer", body="Broken", customer="eva@example.com", customer_name="Eva")
    tickets.set_status(admin, t.number, "resolved")
    return t


def test_resolving_opens_one_survey_and_a_good_score_is_recorded(admin):
    t = resolved(admin)
    assert Survey.select().where(Survey.ticket == t.number).count() == 1
    after = csat.record(admin, t.number, 5, "Quick and kind")
    last = events_of(t.number)[-1]
    assert (last.kind, last.visibility, last.body) == ("csat", "internal", "Quick and kind")
    assert describe(last) == "rated the help 5/5" and who(last).startswith("Eva")
    assert "csat-low" not in tickets.state_of(after).tags
    assert tickets.state_of(after) == replay(t.number, events_of(t.number))
    with pytest.raises(Conflict, match="already answered"):
        csat.record(admin, t.number, 4)


def test_a_low_score_is_followed_up_and_flagged_for_a_lead(admin):
    t = resolved(admin)
    after = csat.record(admin, t.number, 2, "Nobody listened")
    kinds = [e.kind for e in events_of(t.number)[-3:]]
    assert kinds == ["csat", "note", "tags"]
    assert "a lead should follow up" in events_of(t.number)[-2].body
    assert "csat-low" in tickets.state_of(after).tags
    assert [a.ticket for a in csat.answers(low_only=True)] == [t.number]


def test_a_reopened_and_resolved_again_ticket_gets_a_new_survey(admin):
    t = resolved(admin)
    csat.record(admin, t.number, 3)
    tickets.set_status(admin, t.number, "open")
    tickets.set_status(admin, t.number, "resolved")
    assert Survey.select().where(Survey.ticket == t.number).count() == 2
    csat.record(admin, t.number, 4)


def test_bad_scores_and_missing_surveys_are_refused(admin):
    t = tickets.create_ticket(admin, subject="Open one", body="x")
    with pytest.raises(RuleViolation, match="no survey"):
        csat.record(admin, t.number, 4)
    r = resolved(admin)
    for bad in (0, 6, "5", 4.5):
        with pytest.raises(InvalidInput, match="from 1 to 5"):
            csat.record(admin, r.number, bad)


def test_csat_from_the_command_line(desk):
    number = desk("ticket", "new", "--subject", "x", "--body", "y", "--customer", "eva@example.com").stdout.strip()
    assert "no survey" in one_error_line(desk("csat", "record", number, "--score", "4"), 1)
    desk("ticket", "set", number, "--status", "resolved")
    assert desk("csat", "record", number, "--score", "1", "--comment", "bad").exit_code == 0
    assert "1/5" in desk("csat", "list", "--low").stdout
    assert one_error_line(desk("csat", "record", number, "--score", "9"), 2)
