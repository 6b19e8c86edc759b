"""A SQLite writer that waits out the busy timeout gets one line, not a traceback."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

import db.engine
from cli.app import main
from tests.conftest import fingerprint


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
        f"error: database: {path} is locked: another program has held it for 0.3 s; try again\n"
    )


# -- a dry run waits like a write ----------------------------------------------------------


def test_a_dry_run_waits_for_another_writer_instead_of_failing(tmp_path: Path) -> None:
    """A dry run writes (and rolls back), so it queues for the write lock like any
    write: a writer that holds the lock and then commits must not make it fail with
    "database is locked" (a read transaction cannot become a write one once another
    writer has committed after it began)."""
    path = str(tmp_path / "tracker.db")
    assert CliRunner().invoke(main, ["--db", path, "seed"]).exit_code == 0
    document = tmp_path / "doc.json"
    document.write_text(
        json.dumps({"format": "tracker/1", "people": [{"uid": "p-dry", "name": "Dry Run"}]}),
        encoding="utf-8",
    )
    before = fingerprint(path)
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("PRAGMA user_version = 7")  # a write of its own, committed meanwhile
    committer = threading.Timer(1.5, holder.execute, args=("COMMIT",))
    committer.start()
    try:
        result = CliRunner().invoke(main, ["--db", path, "import", str(document), "--dry-run"])
    finally:
        committer.join()
        holder.close()
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        f"Dry run of {document}: would add 1, update 0, leave 0 unchanged; nothing written."
    )
    assert fingerprint(path) == before
