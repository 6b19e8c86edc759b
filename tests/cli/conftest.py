"""Running the command line in-process."""

from __future__ import annotations

from collections.abc import Callable

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
