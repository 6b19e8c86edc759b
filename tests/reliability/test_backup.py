"""``tracker db backup FILE``: a consistent, private copy of a SQLite database taken
while another process writes to it; PostgreSQL is pointed to pg_dump."""

from __future__ import annotations

import multiprocessing
import sqlite3
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.app import main
from db.schema import HEAD
from tests.reliability import workers

SPAWN = multiprocessing.get_context("spawn")


def tracker(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _check_copy(path: Path) -> int:
    """Assert ``path`` is a sound, private, self-contained database whose meetings
    (all made by ``tracker log``) are whole; return the number of meetings."""
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not Path(f"{path}-wal").exists()
    assert not Path(f"{path}-journal").exists()
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        rows = connection.execute(str(workers.WHOLE_MEETINGS)).fetchall()
    finally:
        connection.close()
    assert all(row[1:] == workers.WHOLE for row in rows), rows
    return len(rows)


@pytest.mark.usefixtures("common_umask")
def test_backup_while_another_process_writes_is_consistent_and_private(tmp_path: Path) -> None:
    source = str(tmp_path / "live.db")
    assert tracker("--db", source, "db", "upgrade").exit_code == 0
    started = SPAWN.Event()
    stop = SPAWN.Event()
    results = SPAWN.Queue()
    writer = SPAWN.Process(target=workers.log_until, args=(source, started, stop, results))
    writer.start()
    try:
        assert started.wait(timeout=60)
        counts = []
        for number in range(3):
            path = tmp_path / f"backup{number}.db"
            result = tracker("--db", source, "db", "backup", str(path))
            assert result.exit_code == 0, result.output
            assert result.stderr == ""
            assert result.stdout == (
                f"Backed up sqlite:///{source} to {path} ({path.stat().st_size:,} bytes).\n"
            )
            counts.append(_check_copy(path))
            info = tracker("--db", str(path), "db", "info")
            assert info.exit_code == 0, info.output
            lines = [line.split() for line in info.stdout.splitlines()]
            assert ["revision", HEAD] in lines
            assert ["meeting", str(counts[-1])] in lines
        assert writer.is_alive()  # every backup was taken while the writer wrote
    finally:
        stop.set()
        done, failures = results.get(timeout=60)
        writer.join(timeout=30)
    assert failures == []
    assert 1 <= counts[0] <= counts[1] <= counts[2] <= done


def test_backup_is_an_exact_copy(tmp_path: Path) -> None:
    source = str(tmp_path / "seeded.db")
    assert tracker("--db", source, "seed").exit_code == 0
    copy = tmp_path / "copy.db"
    assert tracker("--db", source, "db", "backup", str(copy)).exit_code == 0
    original = tracker("--db", source, "export", "--format", "json")
    backed_up = tracker("--db", str(copy), "export", "--format", "json")
    assert original.exit_code == backed_up.exit_code == 0
    assert backed_up.stdout == original.stdout
    assert '"meetings": [' in original.stdout


def test_backup_never_overwrites_without_force(tmp_path: Path) -> None:
    source = str(tmp_path / "tracker.db")
    assert tracker(*workers.log_args(source, 0, 0)).exit_code == 0
    existing = tmp_path / "existing.db"
    existing.write_bytes(b"keep me")
    refused = tracker("--db", source, "db", "backup", str(existing))
    assert refused.exit_code == 2
    assert refused.stdout == ""
    assert refused.stderr == (
        "error: FILE: expected a file that does not exist yet (or --force to replace it),"
        f" got {str(existing)!r}\n"
    )
    assert existing.read_bytes() == b"keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing.db", "tracker.db"]

    forced = tracker("--db", source, "db", "backup", "--force", str(existing))
    assert forced.exit_code == 0, forced.output
    assert _check_copy(existing) == 1


def test_backup_onto_the_database_itself_is_refused_even_with_force(tmp_path: Path) -> None:
    source = tmp_path / "tracker.db"
    assert tracker(*workers.log_args(str(source), 0, 0)).exit_code == 0
    before = source.read_bytes()
    result = tracker("--db", str(source), "db", "backup", "--force", str(source))
    assert result.exit_code == 2
    assert "FILE: expected a file other than the database or its -wal and -shm" in result.stderr
    assert source.read_bytes() == before


@pytest.mark.parametrize(
    ("target", "line"),
    [
        ("missing.db", "error: database: {tmp}/missing.db does not exist\n"),
        (":memory:", "error: db backup: an in-memory database has nothing to back up\n"),
    ],
)
def test_backup_of_no_database_is_one_line_and_creates_nothing(
    tmp_path: Path, target: str, line: str
) -> None:
    database = target if target == ":memory:" else str(tmp_path / target)
    result = tracker("--db", database, "db", "backup", str(tmp_path / "copy.db"))
    assert result.exit_code == 1
    assert result.stderr == line.format(tmp=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_backup_into_a_missing_folder_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert tracker("--db", "tracker.db", "db", "upgrade").exit_code == 0
    result = tracker("--db", "tracker.db", "db", "backup", "nope/copy.db")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: FILE: expected a file in a folder that exists, got 'nope/copy.db'\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tracker.db"]


def test_postgresql_backup_says_to_use_pg_dump_without_the_password(tmp_path: Path) -> None:
    url = "postgresql+psycopg://analyst:secretpw@db.example.org:5433/team?sslmode=require"
    result = tracker("--db", url, "db", "backup", str(tmp_path / "team.dump"))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "error: db backup: postgresql+psycopg://analyst:***@db.example.org:5433/team"
        "?sslmode=require is a PostgreSQL database; back it up with pg_dump, e.g."
        " pg_dump --format=custom --file=FILE"
        " 'postgresql://analyst@db.example.org:5433/team?sslmode=require'\n"
    )
    assert list(tmp_path.iterdir()) == []
