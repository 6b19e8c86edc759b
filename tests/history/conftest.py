"""Fixtures for the history tests: a seeded database, its export, its change sets."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

import tests.cli.conftest as cli_fixtures
from db.engine import open_database
from tests.cli.conftest import Invoke
from tracker.models import Change, ChangeSet

Doc = dict[str, Any]

run = cli_fixtures.run
"""``run(*args)``: the command line on the test's database (the fixture of tests/cli)."""


@pytest.fixture
def seeded(run: Invoke) -> Invoke:
    result = run("seed")
    assert result.exit_code == 0, result.output
    return run


@pytest.fixture
def export(run: Invoke) -> Callable[[], str]:
    """The whole record as ``tracker export`` writes it (json), as text."""

    def exported() -> str:
        result = run("export")
        assert result.exit_code == 0, result.output
        return result.stdout

    return exported


@pytest.fixture
def change_sets(db_url: str) -> Callable[[], list[dict[str, Any]]]:
    """Every change set, oldest first, with its changes (states parsed)."""

    def read() -> list[dict[str, Any]]:
        database = open_database(db_url)
        try:
            with database.reading() as session:
                found = []
                for change_set in session.scalars(select(ChangeSet).order_by(ChangeSet.id)):
                    changes = session.scalars(
                        select(Change)
                        .where(Change.change_set_id == change_set.id)
                        .order_by(Change.position)
                    )
                    found.append(
                        {
                            "id": change_set.id,
                            "who": change_set.who,
                            "role": change_set.role,
                            "command": change_set.command,
                            "undoes": change_set.undoes,
                            "changes": [
                                {
                                    "section": c.section,
                                    "uid": c.uid,
                                    "op": c.op,
                                    "before": json.loads(c.before) if c.before else None,
                                    "after": json.loads(c.after) if c.after else None,
                                }
                                for c in changes
                            ],
                        }
                    )
                return found
        finally:
            database.dispose()

    return read


def records(export_text: str) -> dict[tuple[str, str], Doc]:
    """Every record of an export by (section, uid)."""
    document = json.loads(export_text)
    return {
        (section, doc["uid"]): doc
        for section, docs in document.items()
        if section != "format"
        for doc in docs
    }
