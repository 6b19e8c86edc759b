"""A SQLite writer that waits out the busy timeout gets one line, not a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

import db.engine
from cli.app import main


def test_a_writer_kept_waiting_too_long_gets_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(tmp_path / "tracker.db")
    assert CliRunner().invoke(main, ["--db", path, "seed"]).exit_code == 0
    monkeypatch.setattr(db.engine, "BUSY_TIMEOUT_MS", 300)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = CliRunner().invoke(
            main,
            ["--db", path, "log", "-e", "Witkoff", "-d", "2025-09", "-p", "Moscow",
             "-t", "Talks", "-s", "Reuters"],
        )  # fmt: skip
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code == 1
    assert result.stderr == (
        "error: database: busy: another write has held it for 0.3 s; try again\n"
    )
