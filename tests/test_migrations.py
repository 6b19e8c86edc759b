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
from sqlalchemy import CheckConstraint, Engine, text
from sqlalchemy.exc import IntegrityError

from db.engine import Database, open_database
from db.revisions import HEAD, REVISIONS
from db.schema import alembic_config as make_config
from db.schema import known_revisions, script_head
from tests.conftest import BACKENDS, postgres_schema_url
from tracker.models import Base


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


def _value_checks() -> list[tuple[str, str, str]]:
    """Every CHECK constraint of the models that keeps a column within a list of values:
    its table, name and condition."""
    found = []
    for table in Base.metadata.sorted_tables:
        for constraint in table.constraints:
            if isinstance(constraint, CheckConstraint) and " OR " in str(constraint.sqltext):
                condition = str(constraint.sqltext)
                if all(part.split(" = ")[0] == condition.split(" = ")[0]
                       for part in condition.split(" OR ")):  # fmt: skip
                    found.append((table.name, str(constraint.name), condition))
    return found


def test_value_checks_are_comparisons_as_the_models_declare(database: Database) -> None:
    # SQLite builds an IN list's lookup table again for every row it checks (a fifth of
    # a big import's meeting inserts): a database at head holds comparisons instead,
    # those the models declare, and refuses a value outside them as before.
    checks = _value_checks()
    assert {name for _table, name, _condition in checks} >= {
        "ck_meeting_kind",
        "ck_meeting_participant_role",
        "ck_change_op",
    }
    with database.engine.connect() as connection:
        for table, name, condition in checks:
            if connection.dialect.name == "sqlite":
                stored = connection.exec_driver_sql(
                    "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
                ).scalar_one()
                assert f"CONSTRAINT {name} CHECK ({condition})" in stored
                assert " IN (" not in stored
            else:
                stored = connection.execute(
                    text(
                        "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint AS c"
                        " JOIN pg_namespace AS n ON n.oid = c.connamespace"
                        " WHERE c.conname = :name AND n.nspname = current_schema()"
                    ),
                    {"name": name},
                ).scalar_one()
                assert "ANY" not in stored  # PostgreSQL's form of IN (...)
                assert " OR " in stored
        with pytest.raises(IntegrityError, match="ck_meeting_participant_role"):
            connection.execute(
                text(
                    "INSERT INTO meeting_participant (meeting_id, person_id, role, position)"
                    " VALUES (1, 1, 'spectator', 0)"
                )
            )
