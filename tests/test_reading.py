"""The read path on the DB-API driver (``db/reading.py``): one SQL text for both
databases, dates as ISO text, the dialect's fragments, and SQLite opened without
SQLAlchemy when the file is a tracker database at the current schema."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.app import main
from db.dialects import POSTGRESQL
from db.engine import open_database
from db.reading import open_reader, reading, sqlite_path
from db.revisions import HEAD
from db.schema import upgrade
from tracker.errors import Unavailable


@pytest.fixture
def seeded_url(db_url: str) -> str:
    result = CliRunner().invoke(main, ["--db", db_url, "seed"])
    assert result.exit_code == 0, result.output
    return db_url


def test_one_sql_text_reads_both_databases(seeded_url: str) -> None:
    with reading(seeded_url) as read:
        rows = read.all(
            "SELECT m.uid, m.earliest, m.duration_minutes FROM meeting AS m"
            " WHERE m.uid = :uid AND m.earliest >= :start",
            {"uid": "meeting-2025-12-02-witkoff-kushner-putin", "start": "2025-01-01"},
        )
        assert rows == [("meeting-2025-12-02-witkoff-kushner-putin", "2025-12-02", 300)]
        assert read.scalar("SELECT count(*) FROM person WHERE key = :key", {"key": "x"}) == 0


def test_dates_come_back_as_iso_text_streamed(seeded_url: str) -> None:
    with reading(seeded_url) as read:
        rows = list(read.rows("SELECT earliest, latest FROM meeting ORDER BY id"))
    assert rows
    assert all(isinstance(value, str) and len(value) == 10 for row in rows for value in row)


def test_the_dialect_fragments(seeded_url: str) -> None:
    with reading(seeded_url) as read:
        ids = [row[0] for row in read.all("SELECT id FROM meeting ORDER BY id")][:3]
        found = read.all(
            f"SELECT id FROM meeting WHERE {read.sql.among('id', 'ids')} ORDER BY id",
            {"ids": read.sql.ids(ids)},
        )
        assert [row[0] for row in found] == ids
        days = read.scalar(
            f"SELECT {read.sql.days_between('earliest', 'latest')} FROM visit WHERE uid = :uid",
            {"uid": "visit-2025-02-witkoff-moscow"},
        )
        assert days == 0
        matching = read.all(
            f"SELECT m.uid FROM meeting AS m WHERE m.id IN ({read.sql.meetings_matching('w')})",
            {"w": read.sql.words(["Kremlin"])},
        )
        assert matching


def test_a_percent_sign_and_a_cast_survive_the_placeholders() -> None:
    query = "SELECT '50%', x::date, ':not' FROM t WHERE a = :a AND b LIKE :b || '%'"
    assert POSTGRESQL.placeholders(query) == (
        "SELECT '50%%', x::date, ':not' FROM t WHERE a = %(a)s AND b LIKE %(b)s || '%%'"
    )


def test_sqlite_targets_are_resolved_as_the_engine_resolves_them(tmp_path: Path) -> None:
    assert sqlite_path(str(tmp_path / "a.db")) == tmp_path / "a.db"
    assert sqlite_path(f"sqlite:///{tmp_path}/a.db") == tmp_path / "a.db"
    assert sqlite_path("~/a.db") == Path("~/a.db").expanduser()
    assert sqlite_path(":memory:") is None
    assert sqlite_path("postgresql+psycopg://me@host/db") is None


PROBE = """
import json, sys
from db.reading import reading
with reading(sys.argv[1]) as read:
    count = read.scalar("SELECT count(*) FROM meeting")
print(json.dumps([count, sorted(m for m in sys.modules if m.split(".")[0] in
    ("sqlalchemy", "alembic"))]))
"""


def _probe(path: str) -> tuple[int, list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, path], capture_output=True, text=True, check=True
    )
    count, modules = json.loads(result.stdout)
    return count, modules


def test_a_tracker_file_at_head_is_read_without_sqlalchemy(tmp_path: Path) -> None:
    path = str(tmp_path / "tracker.db")
    assert CliRunner().invoke(main, ["--db", path, "seed"]).exit_code == 0
    count, modules = _probe(path)
    assert count > 0
    assert modules == []


def test_an_older_schema_is_upgraded_the_engine_way_first(tmp_path: Path) -> None:
    path = tmp_path / "tracker.db"
    database = open_database(str(path), upgrade=False)
    try:
        upgrade(database, "0006")
    finally:
        database.dispose()
    with reading(str(path)) as read:
        assert read.scalar("SELECT version_num FROM alembic_version") == HEAD
        assert read.scalar("SELECT count(*) FROM meeting") == 0


def test_a_file_not_there_yet_is_created_at_head(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    with reading(str(path)) as read:
        assert read.scalar("SELECT count(*) FROM meeting") == 0
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD,)
    connection.close()


def test_a_file_of_another_program_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (id INTEGER)")
    connection.close()
    before = path.read_bytes()
    with pytest.raises(Unavailable, match="not a tracker database"):
        open_reader(str(path))
    assert path.read_bytes() == before


def test_a_read_only_file_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "tracker.db"
    assert CliRunner().invoke(main, ["--db", str(path), "seed"]).exit_code == 0
    path.chmod(0o444)
    folder.chmod(0o555)
    try:
        with reading(str(path)) as read:
            assert read.scalar("SELECT count(*) FROM meeting") > 0
    finally:
        folder.chmod(0o755)
        path.chmod(0o644)


def test_every_name_of_the_query_package_is_found_where_it_is_defined() -> None:
    import tracker.query

    for name in tracker.query.__all__:
        assert getattr(tracker.query, name) is not None
    with pytest.raises(AttributeError):
        _ = tracker.query.no_such_name  # type: ignore[attr-defined]


def test_the_plain_read_modules_load_no_sqlalchemy() -> None:
    probe = (
        "import sys, db.reading, tracker.query.where, tracker.query.display, tracker.names;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
