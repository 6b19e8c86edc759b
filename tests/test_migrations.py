"""pytest-alembic's built-in migration tests, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_alembic.tests import (  # noqa: F401  (collected as tests)
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from sqlalchemy import Engine

from db.engine import open_database
from db.revisions import HEAD, REVISIONS
from db.schema import alembic_config as make_config
from db.schema import known_revisions, script_head
from tests.conftest import BACKENDS, postgres_schema_url


@pytest.fixture
def alembic_config() -> Any:
    return make_config()


@pytest.fixture(params=BACKENDS)
def alembic_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        target = str(tmp_path / "migrations.db")
    else:
        target = postgres_schema_url(request.getfixturevalue("postgres_schema"))
    database = open_database(target, upgrade=False)
    yield database.engine
    database.dispose()


def test_head_constant_is_the_script_head() -> None:
    # ensure_schema compares against HEAD without importing Alembic; it must be true.
    assert script_head() == HEAD


def test_revisions_are_every_revision_of_the_scripts() -> None:
    # Opening a SQLite file tells tracker's own from another program's by these, without
    # importing Alembic: every migration is numbered, 0001 to HEAD.
    assert known_revisions() == REVISIONS
