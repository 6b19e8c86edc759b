"""Binding NULL on SQLite: ``None`` goes to the driver through the adapter tracker
registers for it, not through the sqlite3 module's search for a way to adapt it (an
AttributeError made and thrown away per NULL, millions of them in a big import), and is
stored as NULL as before."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from db.engine import bind_null_directly, open_database


def test_none_is_bound_as_null_without_looking_for_an_adapter(tmp_path: Path) -> None:
    database = open_database(str(tmp_path / "null.db"))
    try:
        assert (type(None), sqlite3.PrepareProtocol) in sqlite3.adapters
        with database.engine.connect() as connection:
            driver = connection.connection.driver_connection
            assert driver is not None
            cursor = driver.cursor()
            cursor.execute("CREATE TEMP TABLE bound (value)")
            cursor.executemany("INSERT INTO bound VALUES (?)", [(None,), ("",), (0,)])
            rows = cursor.execute(
                "SELECT value IS NULL, typeof(value) FROM bound ORDER BY rowid"
            ).fetchall()
            assert rows == [(1, "null"), (0, "text"), (0, "integer")]
    finally:
        database.dispose()


def test_registering_again_changes_nothing() -> None:
    bind_null_directly()
    bind_null_directly()
    adapter = sqlite3.adapters[(type(None), sqlite3.PrepareProtocol)]
    assert adapter(None) is None
