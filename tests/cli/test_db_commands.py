"""``tracker db``: upgrade, current, info, and failures as one line."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.app import main
from db.schema import HEAD
from tests.cli.conftest import Invoke


def test_upgrade_then_current(run: Invoke) -> None:
    first = run("db", "upgrade")
    assert first.exit_code == 0, first.output
    assert f"is at revision {HEAD} (head)" in first.stdout
    second = run("db", "upgrade")
    assert f"already at revision {HEAD}" in second.stdout
    assert run("db", "current").stdout == f"{HEAD} (head)\n"


def test_info_counts_rows_and_masks_nothing_it_should_not(run: Invoke, db_url: str) -> None:
    result = run("db", "info")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1].split() == ["backend", "sqlite" if "://" not in db_url else "postgresql"]
    assert lines[2].split() == ["revision", HEAD]
    assert "meeting" in result.stdout
    assert result.stderr == ""


def test_default_database_is_created_private_in_the_user_data_folder() -> None:
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    path = os.path.join(os.environ["XDG_DATA_HOME"], "tracker", "tracker.db")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert path in result.stdout


def test_password_is_masked() -> None:
    url = "postgresql+psycopg://postgres:hunter2@127.0.0.1:1/test"
    result = CliRunner().invoke(main, ["--db", url, "db", "info"])
    assert result.exit_code == 1
    assert "hunter2" not in result.output
    assert "postgres:***@127.0.0.1:1/test" in result.stderr


@pytest.mark.parametrize(
    ("target", "code", "line"),
    [
        ("/nonexistent/dir/x.db", 1, "error: database: the folder /nonexistent/dir does not exist"),
        ("mysql://x", 2, "error: --db: expected a SQLite file path or a postgresql+psycopg://"),
        ("postgresql+psycopg://u@host:notaport/db", 2, "error: --db: expected"),
        ("://nothing", 2, "error: --db: expected"),
    ],
)
def test_unusable_database_is_one_line(target: str, code: int, line: str) -> None:
    result = CliRunner().invoke(main, ["--db", target, "db", "info"])
    assert result.exit_code == code
    assert result.stdout == ""
    assert result.stderr.startswith(line)
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_usage_error_is_one_line() -> None:
    result = CliRunner().invoke(main, ["db", "nope"])
    assert result.exit_code == 2
    assert result.stderr == "error: No such command 'nope'. (see 'tracker db -h')\n"


def test_info_shows_a_long_url_whole_at_80_columns(tmp_path: Path) -> None:
    folder = os.path.join(str(tmp_path), "a-folder-with-a-long-name" * 3, "and-another-one" * 2)
    os.makedirs(folder)
    path = os.path.join(folder, "tracker.db")
    result = CliRunner().invoke(main, ["--db", path, "db", "info"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert f"sqlite:///{path}" in result.stdout.replace("\n", "").replace(" ", "")
    assert "…" not in result.stdout
