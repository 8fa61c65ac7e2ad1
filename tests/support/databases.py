"""Test databases: the PostgreSQL test server, a schema per test, a second desk, the desk as an export."""

from __future__ import annotations

import contextlib
import functools
import io
import os
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from models import database, open_database
from models.exchange import jsonl as exchange

PG_URL = os.environ.get("SPORTELLO_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("SPORTELLO_REQUIRE_POSTGRES") == "1"


@functools.cache
def postgres_problem() -> str | None:
    """None when the test server answers, else why not."""
    try:
        import psycopg2
    except ImportError:
        return "the PostgreSQL driver is not installed (pip install -e '.[test]')"
    try:
        psycopg2.connect(PG_URL, connect_timeout=3).close()
    except psycopg2.Error as exc:
        return f"PostgreSQL is not reachable at {PG_URL}: {str(exc).strip().splitlines()[0]}"
    return None


def need_postgres() -> None:
    problem = postgres_problem()
    if problem is None:
        return
    if REQUIRE_PG:
        pytest.fail(f"{problem} (SPORTELLO_REQUIRE_POSTGRES=1 makes this a failure)")
    pytest.skip(problem)


def admin_connection():
    import psycopg2

    conn = psycopg2.connect(PG_URL)
    conn.autocommit = True
    return conn


def postgres_schema_url() -> tuple[str, str]:
    """A new empty schema on the test server, and a URL whose connections use it."""
    schema = "t_" + uuid.uuid4().hex[:12]
    with admin_connection() as conn, conn.cursor() as cur:
        cur.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in PG_URL else "?"
    return schema, f"{PG_URL}{sep}options={quote(f'-c search_path={schema}')}"


def drop_postgres_schema(schema: str) -> None:
    conn = admin_connection()
    try:
        with conn.cursor() as cur:
            cur.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    finally:
        conn.close()


@contextlib.contextmanager
def other_desk(tmp_path, postgres: bool) -> Iterator[None]:
    """Bind the models to a second, fresh desk on the same backend; rebind the first one after."""
    original = database.obj
    schema = None
    if postgres:
        schema, url = postgres_schema_url()
    else:
        url = f"sqlite:///{tmp_path}/{uuid.uuid4().hex}.db"
    db = open_database(url, create=True)
    try:
        yield
    finally:
        db.close()
        database.initialize(original)
        if schema is not None:
            drop_postgres_schema(schema)


def export_text() -> str:
    """The bound desk as a JSON Lines export."""
    out = io.StringIO()
    exchange.export_jsonl(out)
    return out.getvalue()
