"""Saved views: built-ins first, shared and personal ones kept, checked and removed by the right people."""

from __future__ import annotations

import pytest

from models.directory import lookup as directory
from models.errors import Conflict, InvalidInput, NotFound, PermissionDenied, QueryError
from models.search import views
from models.search.tickets import saved_view_queries
from models.tickets import changes as tickets
from models.tickets import timeline


def test_built_ins_come_first_then_shared_then_personal(db, admin, agent):
    mine = views.save_view(agent, "Printers", "printer is:open")
    team = views.save_view(admin, "VIP", "priority:urgent", shared=True)
    names = [v.name for v in views.list_views(agent)]
    assert names == [*saved_view_queries(), "VIP", "Printers"]
    assert mine.id and not mine.shared and team.shared
    assert [v.name for v in views.list_views(admin)][-1] == "VIP"  # bob's personal view is his alone
    assert all(v.built_in for v in views.list_views(None)[: len(saved_view_queries())])


def test_a_view_must_have_a_fresh_name_and_a_valid_query(db, agent):
    views.save_view(agent, "Printers", "printer")
    with pytest.raises(Conflict, match="already a view"):
        views.save_view(agent, "printers", "toner")
    with pytest.raises(Conflict):
        views.save_view(agent, "Mine", "toner")  # the name of a built-in
    with pytest.raises(InvalidInput, match="name"):
        views.save_view(agent, "   ", "toner")
    with pytest.raises(QueryError):
        views.save_view(agent, "Bad", "status:exploded")
    assert [v.name for v in views.list_views(agent)][-1] == "Printers"


def test_removing_views(db, admin, agent):
    mine = views.save_view(agent, "Printers", "printer")
    team = views.save_view(agent, "Team", "is:open", shared=True)
    with pytest.raises(NotFound):
        views.delete_view(admin, mine.id)  # someone else's personal view does not exist for them
    with pytest.raises(PermissionDenied):
        views.delete_view(agent, team.id)
    views.delete_view(agent, mine.id)
    views.delete_view(admin, team.id)
    assert [v.name for v in views.list_views(agent)] == list(saved_view_queries())


def test_latest_event_id_moves_with_every_change(db, admin):
    assert timeline.latest_event_id() == 0
    number = tickets.create_ticket(admin, subject="Printer", body="It jams").number
    first = timeline.latest_event_id()
    tickets.add_note(admin, number, "checked the tray")
    assert timeline.latest_event_id() > first


def test_tags_are_listed_for_pickers(db, admin):
    number = tickets.create_ticket(admin, subject="Printer", body="It jams").number
    tickets.change_tags(admin, number, add=["vip", "hardware"])
    assert directory.list_tags() == ["hardware", "vip"]
