"""Fixtures shared by the test suite.

Model and service tests take the ``db`` fixture, which runs each test twice: on a fresh SQLite
file and on a fresh schema of the real PostgreSQL server (``SPORTELLO_TEST_PG``, default
``postgresql://postgres@127.0.0.1:5432/test``). Without a reachable server the PostgreSQL runs
skip, unless ``SPORTELLO_REQUIRE_POSTGRES=1`` (set by ``.ci/run``) turns the skip into a failure.
Nothing touches the user's own configuration or data: HOME and the XDG dirs point into tmp.
"""

from __future__ import annotations

import os

import pytest

from models import close_database, database, open_database
from models.directory import agents
from support.databases import drop_postgres_schema, need_postgres, postgres_schema_url


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share")):
        monkeypatch.setenv(var, str(home / sub))
    for var in ("SPORTELLO_DB", "SPORTELLO_CONFIG"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    """The URL of an empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/desk.db"
        return
    need_postgres()
    schema, url = postgres_schema_url()
    try:
        yield url
    finally:
        close_database()
        drop_postgres_schema(schema)


@pytest.fixture
def db(db_url):
    """A freshly initialised desk, bound to the models."""
    database = open_database(db_url, create=True)
    yield database
    close_database()


@pytest.fixture
def admin(db):
    """The desk's first admin."""
    return agents.ensure_admin("ada", "Ada Admin")


@pytest.fixture
def agent(admin):
    """An ordinary agent."""
    return agents.add_agent(admin, "bob", "Bob Agent")


# --- the TUI ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> str:
    """A small demo desk built once per test process; each TUI test works on its own copy.

    Its story ends on 2026-11-01, the date the TUI tests' clock and the snapshots were made for.
    """
    from datetime import datetime

    from models.demo import generator as demo

    path = tmp_path_factory.mktemp("demo") / "template.db"
    open_database(f"sqlite:///{path}", create=True)
    try:
        agents.ensure_admin("ada", "Ada Admin")
        demo.build_demo(tickets=150, seed=7, admin_login="ada", at=datetime(2026, 11, 1))
        database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        close_database()
    return str(path)


@pytest.fixture
def tui_desk(demo_template, tmp_path):
    """A copy of the demo desk, open, as the Desk the app talks to (agent ada, fixed labels)."""
    import shutil

    from tui.desk.desk import Desk

    path = tmp_path / "demo.db"
    shutil.copyfile(demo_template, path)
    os.chmod(path, 0o600)
    url = f"sqlite:///{path}"
    open_database(url)
    yield Desk(url, agents.get_agent("ada"), where="demo.db", user_host="ada@helpdesk")
    close_database()


# --- the command line ------------------------------------------------------------------------


@pytest.fixture
def login(monkeypatch):
    """Set the OS login the CLI sees; ``ada`` to begin with."""

    def act_as(name: str) -> None:
        monkeypatch.setattr(agents, "os_login", lambda: name)

    act_as("ada")
    return act_as


@pytest.fixture
def run(db_url, login):
    """Run ``sportello --db <db_url> ARGS``; returns click's Result (stdout, stderr, exit_code)."""
    from click.testing import CliRunner

    from tui.cli.root import cli

    runner = CliRunner()

    def invoke(*args: str, input=None, env=None, db: str | None = db_url):
        argv = (["--db", db] if db else []) + list(args)
        return runner.invoke(cli, argv, input=input, env=env, catch_exceptions=False)

    invoke.url = db_url
    return invoke


@pytest.fixture
def desk(run):
    """A desk made by ``sportello init`` with ``ada`` as its admin."""
    result = run("init")
    assert result.exit_code == 0, result.output
    return run
