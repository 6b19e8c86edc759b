"""Running the command line in-process."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli.app import main

Invoke = Callable[..., Result]


@pytest.fixture
def run(db_url: str) -> Invoke:
    """Run ``tracker --db DB_URL ARGS``; stdout and stderr are kept apart."""

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(main, ["--db", db_url, *args], input=input, env=env)

    return invoke


@pytest.fixture
def seeded(run: Invoke) -> Invoke:
    """``run``, on a database loaded with the seed data."""
    result = run("seed")
    assert result.exit_code == 0, result.output
    return run


def exported(run: Invoke) -> dict[str, Any]:
    """The whole database as its tracker/1 document."""
    result = run("export")
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))
