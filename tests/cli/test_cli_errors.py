"""Only a bad database URL or a driver's refusal is reported as one: a ValueError or TypeError
raised inside a command is an internal error, in one line, without a traceback."""

from __future__ import annotations

import pytest

from models import database, storage_errors
from models.errors import InvalidInput, StorageError
from models.faq import search as faq_search
from models.search import tickets as search
from models.store.db import is_postgres
from support.tui import faq_ready, make_app, queue_ready, run, until


@pytest.mark.parametrize("error", [ValueError("boom inside"), TypeError("unsupported operand inside")])
def test_a_value_or_type_error_inside_a_command_is_an_internal_error_in_one_line(desk, monkeypatch, error):
    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(search, "search_tickets", broken)
    result = desk("ticket", "list")
    assert result.exit_code == 1
    assert result.stderr == (f"sportello: internal error: {type(error).__name__}: {error} "
                             "(SPORTELLO_DEBUG=1 shows the traceback)\n")  # fmt: skip
    assert "bad database URL" not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("url", "said"),
    [("postgresql://ann:s3cret@127.0.0.1:notaport/db", "Port could not be cast"),
     ("sqlite:///{tmp}/desk.db?bogus=1", "'bogus' is an invalid keyword argument")],
)  # fmt: skip
def test_a_malformed_url_is_still_a_bad_database_url_with_its_password_hidden(run, tmp_path, url, said):
    url = url.replace("{tmp}", str(tmp_path))
    if url.startswith("sqlite"):
        assert run("init", db=url.split("?")[0]).exit_code == 0
    result = run("ticket", "list", db=url)
    assert result.exit_code == 1 and result.stderr.startswith("sportello: bad database URL ")
    assert said in result.stderr and "s3cret" not in result.output and len(result.stderr.splitlines()) == 1


def test_a_character_the_driver_refuses_is_said_plainly(db):
    """What reaches the driver unchecked: NUL (PostgreSQL) or a lone surrogate (both drivers)."""
    marker = "%s" if is_postgres() else "?"
    bad = ["a\ud800b"] + (["a\x00b"] if is_postgres() else [])
    for text in bad:
        with pytest.raises(InvalidInput) as info, storage_errors("desk.db"):
            database.execute_sql(f"SELECT {marker}", (text,))
        assert "cannot take" in info.value.message and "URL" not in info.value.message


def test_storage_errors_lets_other_value_errors_pass_unless_connecting():
    with pytest.raises(ValueError, match="not about the URL"), storage_errors("desk.db"):
        raise ValueError("not about the URL")
    with (
        pytest.raises(StorageError, match="bad database URL desk.db: no port"),
        storage_errors("desk.db", connecting=True),
    ):
        raise ValueError("no port")


def test_the_faq_search_box_says_internal_error_for_a_value_error_in_the_search(tui_desk, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("boom in the search")

    async def scenario():
        async with make_app(tui_desk).run_test(size=(100, 30)) as pilot:
            await queue_ready(pilot)
            await pilot.press("f")
            screen = await faq_ready(pilot)
            before = list(screen.hits)
            monkeypatch.setattr(faq_search, "search_faq", broken)
            await pilot.press("slash", *"parcel", "enter")
            error = screen.query_one("#faq-error")
            await until(pilot, lambda: error.display, "the error under the box")
            said = str(error.render())
            assert said == "✗ internal error: ValueError: boom in the search"
            assert screen.hits == before and pilot.app.is_running  # the last good list stays

    run(scenario())
