"""Fixtures shared by the whole suite.

``db_url`` runs a test once on SQLite and once on PostgreSQL (the server named by
``TRACKER_TEST_POSTGRES_URL``; skipped with a reason when it is unset). Each
PostgreSQL test gets a schema of its own, dropped afterwards, so runs never collide.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, inspect, make_url, select, text
from sqlalchemy.exc import DBAPIError, NoSuchTableError
from sqlalchemy.orm import Session

from db.engine import Database, open_database
from tracker.models import Base
from tracker.write.cells import CELLS, stale_meetings

POSTGRES_URL = os.environ.get("TRACKER_TEST_POSTGRES_URL", "").strip()
NO_POSTGRES = "TRACKER_TEST_POSTGRES_URL is not set: the PostgreSQL half of the suite is skipped"

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(autouse=True)
def _isolated_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never touch the real user data and cache folders or a TRACKER_DB set outside the
    tests."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg")))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
    monkeypatch.delenv("TRACKER_DB", raising=False)


def postgres_schema_url(schema: str) -> str:
    """The test server's URL with ``search_path`` set to ``schema``."""
    url = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@contextmanager
def fresh_postgres_schema() -> Iterator[str]:
    """A new, empty PostgreSQL schema, dropped on exit (skips without a server)."""
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(make_url(POSTGRES_URL).set(drivername="postgresql+psycopg"))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def postgres_schema() -> Iterator[str]:
    """A fresh, empty PostgreSQL schema; its URL is ``postgres_schema_url(name)``."""
    with fresh_postgres_schema() as schema:
        yield schema


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> Iterator[str]:
    """A database URL (or path) for an empty database, on each backend in turn.

    After the test, every meeting's stored list cells must be what its record gives,
    whatever the test wrote (``tracker.write.cells``)."""
    if request.param == "sqlite":
        url = os.path.join(tmp_path, "tracker.db")
    else:
        url = postgres_schema_url(request.getfixturevalue("postgres_schema"))
    yield url
    assert stale_cells(url) == [], "meetings whose stored list cells are out of date"


def stale_cells(url: str) -> list[int]:
    """The meetings of the database at ``url`` whose stored list cells differ from what
    their record gives; none where there is no database, or no meeting table at the
    revision that stores them (a test that left it so)."""
    if "://" not in url:
        if not os.path.isfile(url):
            return []
        url = f"sqlite:///{url}"
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            columns = {column["name"] for column in inspect(connection).get_columns("meeting")}
            if not columns.issuperset(CELLS):
                return []
            return stale_meetings(connection)
    except (DBAPIError, NoSuchTableError):
        return []  # not a database (a test made it so), or no meeting table
    finally:
        engine.dispose()


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    """An open database at head."""
    database = open_database(db_url)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    """A session whose work is committed, as a command's would be."""
    with database.writing() as session:
        yield session


def fingerprint(url: str) -> str:
    """A digest of every row of every table of the database at ``url``: equal before and
    after a command exactly when the command changed nothing."""
    database = open_database(url)
    digest = hashlib.sha256()
    try:
        with database.reading() as session:
            for table in Base.metadata.sorted_tables:
                order = list(table.primary_key.columns)
                for row in session.execute(select(table).order_by(*order)):
                    digest.update(repr(tuple(row)).encode())
    finally:
        database.dispose()
    return digest.hexdigest()
