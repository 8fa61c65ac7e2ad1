"""A NUL or a lone surrogate in a search box or query is dropped, and the rest searched for, on
both backends (PostgreSQL refuses NUL in text, neither driver takes a lone surrogate): never an
internal error, nor the "bad database URL" it used to read as."""

from __future__ import annotations

import json

import pytest

from models.errors import QueryError
from models.faq import articles as faq
from models.faq import search as faq_search
from models.search import tickets as search
from models.search.query import drop_bad_characters, parse_query
from models.tickets import changes as tickets
from support.tui import faq_ready, make_app, notifications, queue_ready, run, until


@pytest.fixture
def kb(admin):
    faq.add_category(admin, "Accounts")
    faq.add_category(admin, "Billing")
    password = faq.create_article(admin, title="How do I reset my password?", body="Open Settings, choose Reset.",
                                  category="Accounts", tags=["login"])  # fmt: skip
    invoice = faq.create_article(admin, title="Where is my invoice?", body="Invoices are under Billing.",
                                 category="Billing")  # fmt: skip
    return password.id, invoice.id


def ids(hits) -> list[int]:
    return [h.id for h in hits]


def test_drop_bad_characters_keeps_the_rest_and_joins_a_whole_pair():
    assert drop_bad_characters("pass\x00word") == "password"
    assert drop_bad_characters("re\ud800set\udfff") == "reset"
    assert drop_bad_characters("ok \ud83d\ude00") == "ok \U0001f600"  # a pair Python holds as two halves
    assert drop_bad_characters("città") == "città"


@pytest.mark.parametrize(
    "typed",
    ["pass\x00word", "reset\ud800", "\ud800reset", '"reset\x00 my"', "tag:lo\x00gin", "category:Acc\ud800ounts",
     "pass\x00word -invo\udc00ice", "#\x00{id}"],
)  # fmt: skip
def test_faq_search_drops_nul_and_lone_surrogates_and_searches_the_rest(kb, typed):
    password, _ = kb
    query = typed.replace("{id}", str(password))
    assert ids(faq_search.search_faq(query)) == [password]
    assert faq_search.count_faq(query) == 1


@pytest.mark.parametrize("typed", ["\x00", "\ud800", "\x00\udfff \x00"])
def test_a_query_of_bad_characters_only_is_an_empty_query(kb, typed):
    assert sorted(ids(faq_search.search_faq(typed))) == sorted(kb)
    assert parse_query(typed).is_empty


@pytest.mark.parametrize("typed", ["tag:\x00", "category:\ud800", "status:\x00"])
def test_a_filter_left_empty_says_so_in_one_line(kb, typed):
    with pytest.raises(QueryError, match="empty value in"):
        faq_search.search_faq(typed)


def test_ticket_search_drops_them_too(admin):
    printer = tickets.create_ticket(admin, subject="Printer jams", body="It jams on page 2.", tags=["hardware"])
    tickets.create_ticket(admin, subject="VPN drops", body="Every hour.")
    for typed in ("prin\x00ter", "jams\ud800", "tag:hard\x00ware", "\udc00printer -vpn\x00"):
        page = search.search_tickets(typed, me=admin)
        assert [t.number for t in page.tickets] == [printer.number], typed
        assert search.count_tickets(typed, me=admin) == 1


# --- the command line -------------------------------------------------------------------------


def test_cli_faq_search_and_ticket_list_with_nul_and_a_lone_surrogate(desk):
    assert desk("faq", "category", "add", "Accounts").exit_code == 0
    made = desk("faq", "new", "--title", "How do I reset my password?", "--body", "Open Settings.",
                "--category", "Accounts")  # fmt: skip
    assert made.exit_code == 0, made.output
    assert desk("ticket", "new", "--subject", "Printer jams", "--body", "x").exit_code == 0

    found = desk("faq", "search", "pass\x00word", "--json")
    assert found.exit_code == 0, found.output
    assert [a["title"] for a in json.loads(found.stdout)["articles"]] == ["How do I reset my password?"]
    listed = desk("ticket", "list", "prin\x00ter", "--json")
    assert listed.exit_code == 0 and "Printer jams" in listed.stdout

    for argv in (("faq", "search", "reset\ud800"), ("ticket", "list", "\ud800")):
        refused = desk(*argv)  # not valid UTF-8 on a command line: said before anything runs
        assert refused.exit_code == 2 and "is not valid UTF-8" in refused.stderr
        assert "internal error" not in refused.stderr and "Traceback" not in refused.output


# --- the app ------------------------------------------------------------------------------------


def test_the_faq_search_box_and_the_queue_filter_take_nul_and_a_lone_surrogate(tui_desk):
    expected = ids(faq_search.search_faq("password"))
    assert expected

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            queue = await queue_ready(pilot)
            await pilot.press("7", "slash")
            queue.query_one("#filter").value = "pass\x00word \ud800"
            await pilot.press("enter")
            await until(pilot, lambda: "pass\x00word" in queue.table.query_text, "the filter")
            await queue_ready(pilot)
            assert not queue.query_one("#filter-error").display

            await pilot.press("f")
            screen = await faq_ready(pilot)
            await pilot.press("slash")
            screen.query_one("#faq-search").value = "pass\x00word\ud800"
            await pilot.press("enter")
            await faq_ready(pilot, "pass\x00word\ud800")
            assert ids(screen.hits) == expected and not screen.query_one("#faq-error").display
            await pilot.pause(0.2)
            assert "error" not in notifications(pilot.app).lower() and pilot.app.is_running

    run(scenario())


def test_organizations_and_customers_take_odd_digits_and_nul(admin):
    """`org show ²` read "internal error" (str.isdigit accepts it, int() does not); a NUL in the
    organization filter reached PostgreSQL, which refuses it."""
    from models.directory import lookup as directory
    from models.errors import NotFound
    from models.reports import organizations

    acme = directory.add_organization("Acme Srl")
    directory.add_customer("ann@example.com", "Ann", organization=acme)
    for key in ("²", "٣", "1" * 5000):
        with pytest.raises(NotFound):
            directory.find_organization(key)
        with pytest.raises(NotFound):
            directory.find_customer(key)
    assert directory.find_organization(str(acme.id)).name == "Acme Srl"
    assert [o.name for o in organizations.list_organizations("Ac\x00me")] == ["Acme Srl"]
    assert [o.name for o in organizations.list_organizations("Acme\ud800")] == ["Acme Srl"]
