"""Names in a query (issue 14.5): a login, an organization or a queue is matched whole or by a
unique prefix; an ambiguous one names its candidates and an unknown one says so, in the models
and in ``sportello ticket list``. Every test that takes ``db`` runs on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from models.directory import agents
from models.directory import lookup as directory
from models.errors import QueryError
from models.search.conditions import CANDIDATES
from models.search.tickets import count_tickets, search_tickets
from models.tickets import changes as tickets


def numbers(query: str, **kwargs) -> set[int]:
    return {t.number for t in search_tickets(query, limit=100, **kwargs).tickets}


def new(actor, subject: str, **fields) -> int:
    return tickets.create_ticket(actor, subject=subject, body="Something is wrong.", **fields).number


def test_a_unique_prefix_of_a_login_matches_and_an_ambiguous_one_names_the_candidates(db, admin):
    emma = agents.add_agent(admin, "emma.wilson", "Emma Wilson")
    agents.add_agent(admin, "tom.baker", "Tom Baker")
    agents.add_agent(admin, "tomas.ricci", "Tomas Ricci")
    hers = new(admin, "Emma's", assignee=emma.login)
    toms = new(admin, "Tom's", assignee="tom.baker")
    new(admin, "Nobody's")
    assert numbers("assignee:emma") == {hers}
    assert numbers("assignee:EMMA") == {hers}  # case does not matter
    assert count_tickets("assignee:emma,tom.baker") == 2
    assert numbers("assignee:tom.baker") == {toms}  # a whole login wins over the longer one it begins
    assert numbers("-assignee:emma") == {toms, numbers("assignee:none").pop()}
    with pytest.raises(
        QueryError, match=r'^"tom" matches more than one agent: tom\.baker, tomas\.ricci \(type more of it\)$'
    ):
        search_tickets("assignee:tom")
    with pytest.raises(QueryError, match='^no agent matches "bob"$'):
        count_tickets("assignee:bob")


def test_organizations_and_queues_by_prefix_and_unknown_ones_are_said(db, admin):
    acme = directory.add_organization("Acme Srl")
    directory.add_organization("Initech")
    directory.add_organization("Initrode")
    billing = directory.add_queue("Billing", actor=admin)
    a = new(admin, "A", organization=acme, queue=billing)
    new(admin, "B")
    assert numbers("org:acme") == numbers("org:ac") == {a}
    assert numbers("queue:bill") == {a}
    with pytest.raises(QueryError, match='^"init" matches more than one organization: Initech, Initrode'):
        search_tickets("org:init")
    with pytest.raises(QueryError, match='^no organization matches "globex"$'):
        search_tickets("org:globex")
    with pytest.raises(QueryError, match='^no queue matches "sales"$'):
        count_tickets("-queue:sales")


def test_an_ambiguous_prefix_lists_only_a_few(db, admin):
    for n in range(CANDIDATES + 3):
        directory.add_organization(f"Alpha {n}")
    with pytest.raises(QueryError) as raised:
        search_tickets("org:alpha")
    message = str(raised.value)
    assert message.count("Alpha ") == CANDIDATES and message.endswith(", … (type more of it)")
    assert "\n" not in message


def test_the_name_is_resolved_once_before_the_ticket_query(db, admin, monkeypatch):
    """The ticket query compares a list of ids: no sub-select on the organization per ticket."""
    from models.store.db import database

    acme = directory.add_organization("Acme Srl")
    new(admin, "A", organization=acme)
    seen: list[str] = []
    execute = database.obj.execute_sql

    def spy(sql, params=None, *args, **kwargs):
        seen.append(sql)
        return execute(sql, params, *args, **kwargs)

    monkeypatch.setattr(database.obj, "execute_sql", spy)
    count_tickets("org:acm")
    monkeypatch.undo()
    ticket_queries = [q for q in seen if '"ticket"' in q]
    assert len(ticket_queries) == 1 and '"organization"' not in ticket_queries[0]


def test_the_cli_says_what_did_not_match_in_one_line_and_exits_2(run, db, admin):
    directory.add_organization("Acme Srl")
    directory.add_organization("Acme Textiles")
    result = run("ticket", "list", "org:globex")
    assert result.exit_code == 2
    assert result.stderr.strip() == 'sportello: no organization matches "globex"'
    result = run("ticket", "list", "org:acme")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        'sportello: "acme" matches more than one organization: Acme Srl, Acme Textiles (type more of it)'
    ]
