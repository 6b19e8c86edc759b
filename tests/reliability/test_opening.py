"""Opening a SQLite file: tracker changes nothing in a file that is not its own, reads
a database it may not write, and says in one plain sentence what is wrong with a file
it cannot use.

- A file that is neither empty nor a tracker database (another program's SQLite
  database, a csv, random bytes) is refused with exit status 1, without a byte changed:
  no tables created, no switch to WAL, no ``-wal`` or ``-shm`` left beside it.
- A database in a read-only folder, or a read-only file, can be read: no WAL switch and
  no schema upgrade are needed for a read. Writing to it, or reading it at an older
  schema revision, says so and what to do.
- Damaged, locked, read-only and not-a-database files each get one sentence naming the
  file; the SQL and its parameters appear only with ``--debug``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import db.engine
from cli.app import main
from db.engine import open_database
from db.schema import HEAD, upgrade

LOG = ["log", "--create", "-e", "Steve Witkoff", "-d", "2025-12-02", "-p", "Moscow",
       "--country", "RU", "-t", "Talks", "-s", "https://example.org/report"]  # fmt: skip
READS = [
    ["timeline"],
    ["visits", "Witkoff"],
    ["stats"],
    ["people"],
    ["show", "meeting-2025-12-02-witkoff-kushner-putin"],
    ["db", "current"],
    ["db", "info"],
    ["export", "--format", "csv"],
]


def tracker(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"COLUMNS": "200"})


def _files(folder: Path) -> dict[str, str]:
    """Every file in ``folder`` with a digest of its bytes."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# -- files that are not tracker's ---------------------------------------------------------


def _sqlite_file(path: Path, *statements: str) -> Path:
    connection = sqlite3.connect(path)
    for statement in statements:
        connection.execute(statement)
    connection.commit()
    connection.close()
    return path


FOREIGN = {
    "notes": ("CREATE TABLE notes (x)", "INSERT INTO notes VALUES (1)"),
    "tables-named-like-ours": ("CREATE TABLE person (id INTEGER PRIMARY KEY, nom TEXT)",),
    "another-alembic-application": (
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)",
        "INSERT INTO alembic_version VALUES ('ae1027a6acf')",
        "CREATE TABLE users (id INTEGER PRIMARY KEY)",
    ),
}


@pytest.mark.parametrize("args", [["timeline"], ["db", "upgrade"], ["db", "info"], ["seed"], LOG])
@pytest.mark.parametrize("kind", list(FOREIGN))
def test_another_programs_database_is_refused_without_a_byte_changed(
    tmp_path: Path, kind: str, args: list[str]
) -> None:
    path = _sqlite_file(tmp_path / "other-program.sqlite", *FOREIGN[kind])
    tables = {
        "notes": "notes",
        "tables-named-like-ours": "person",
        "another-alembic-application": "alembic_version, users",
    }[kind]
    before = _files(tmp_path)
    result = tracker("--db", str(path), *args)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr == (
        f"error: database: {path} is not a tracker database (it holds tables of another"
        f" program: {tables}); tracker leaves it as it is\n"
    )
    assert _files(tmp_path) == before


@pytest.mark.parametrize(
    "content",
    [b"date,title\n2025-12-02,Talks\n", os.urandom(4096), b"SQLite format 3\x00" + b"\x00" * 50],
    ids=["csv", "random-bytes", "a-torn-header"],
)
@pytest.mark.parametrize("args", [["timeline"], ["db", "upgrade"], LOG])
def test_a_file_that_is_not_a_database_is_refused_without_a_byte_changed(
    tmp_path: Path, content: bytes, args: list[str]
) -> None:
    path = tmp_path / "tracker.db"
    path.write_bytes(content)
    result = tracker("--db", str(path), *args)
    assert result.exit_code == 1, result.output
    assert result.stderr == f"error: database: {path} is not a SQLite database\n"
    assert path.read_bytes() == content
    assert [p.name for p in tmp_path.iterdir()] == ["tracker.db"]


def test_an_empty_file_or_an_empty_sqlite_database_becomes_a_tracker_database(
    tmp_path: Path,
) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    blank = _sqlite_file(tmp_path / "blank.db", "PRAGMA user_version = 0")
    for path in (empty, blank):
        result = tracker("--db", str(path), *LOG)
        assert result.exit_code == 0, result.output
        assert tracker("--db", str(path), "db", "current").stdout == f"{HEAD} (head)\n"


# -- what is wrong with a file, in words ---------------------------------------------------


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    path = tmp_path / "tracker.db"
    assert tracker("--db", str(path), "seed").exit_code == 0
    return path


def _damage(path: Path, table: str) -> None:
    """Overwrite the first page of ``table`` with garbage."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (root,) = connection.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
    ).fetchone()
    (size,) = connection.execute("PRAGMA page_size").fetchone()
    connection.close()
    with path.open("r+b") as handle:
        handle.seek((root - 1) * size)
        handle.write(b"\xff" * size)


@pytest.mark.parametrize("args", [["timeline"], LOG, ["export", "--format", "json"]])
def test_a_damaged_database_is_one_sentence_without_sql(seeded: Path, args: list[str]) -> None:
    _damage(seeded, "meeting")
    result = tracker("--db", str(seeded), *args)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr == (
        f"error: database: {seeded} is damaged (SQLite: database disk image is malformed);"
        " restore it from a backup\n"
    )
    debug = tracker("--debug", "--db", str(seeded), *args)
    assert debug.exc_info is not None
    cause = debug.exc_info[1].__cause__
    # --debug keeps the driver's own error: SQLAlchemy's names the statement, and a read
    # on the plain driver (the timeline) raises sqlite3's.
    assert "[SQL: " in str(cause) or isinstance(cause, sqlite3.DatabaseError)


def test_a_locked_database_is_one_sentence(seeded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db.engine, "BUSY_TIMEOUT_MS", 300)
    holder = sqlite3.connect(seeded, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("PRAGMA user_version = 1")
    try:
        result = tracker("--db", str(seeded), "timeline")
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"error: database: {seeded} is locked: another program has held it for 0.3 s; try again\n"
    )


# -- read-only databases ----------------------------------------------------------------


@pytest.fixture
def read_only() -> Iterator[Callable[[Path], None]]:
    """Makes a file or folder read-only for this process, even when it runs as root
    (which file modes do not stop): with ``chattr +i`` then."""
    undo: list[list[str] | Path] = []

    def make(path: Path) -> None:
        if os.geteuid() != 0:
            path.chmod(path.stat().st_mode & ~0o222)
            undo.append(path)
            return
        if shutil.which("chattr") is None:
            pytest.skip("running as root without chattr: nothing is read-only")
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"chattr +i is not allowed here: {done.stderr.decode().strip()}")
        undo.append(["chattr", "-i", str(path)])

    yield make
    for item in reversed(undo):
        if isinstance(item, Path):
            item.chmod(item.stat().st_mode | 0o200)
        else:
            subprocess.run(item, check=True)


def _reads(path: Path) -> dict[str, str]:
    out = {}
    for args in READS:
        result = tracker("--db", str(path), *args)
        assert result.exit_code == 0, (args, result.output)
        assert result.stderr == "", args
        out[" ".join(args)] = result.stdout
    return out


def test_a_database_in_a_read_only_folder_can_be_read(
    seeded: Path, read_only: Callable[[Path], None]
) -> None:
    expected = _reads(seeded)
    before = _files(seeded.parent)
    read_only(seeded.parent)
    assert _reads(seeded) == expected
    assert _files(seeded.parent) == before

    result = tracker("--db", str(seeded), *LOG)
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"error: database: {seeded} is read-only here (it or its folder cannot be"
        " written); it can be read, not changed\n"
    )
    assert _files(seeded.parent) == before


def test_a_read_only_backup_is_read_without_a_switch_to_wal(
    seeded: Path, tmp_path: Path, read_only: Callable[[Path], None]
) -> None:
    expected = _reads(seeded)
    folder = tmp_path / "backups"
    folder.mkdir()
    backup = folder / "copy.db"
    assert tracker("--db", str(seeded), "db", "backup", str(backup)).exit_code == 0
    content = backup.read_bytes()
    read_only(backup)
    reads = _reads(backup)
    assert f"url       sqlite:///{backup}" in reads.pop("db info")  # the rest as in expected
    del expected["db info"]
    assert reads == expected
    assert backup.read_bytes() == content  # still a rollback-journal file, unchanged
    assert [p.name for p in folder.iterdir()] == ["copy.db"]


def test_a_read_only_database_at_an_older_revision_says_to_upgrade(
    tmp_path: Path, read_only: Callable[[Path], None]
) -> None:
    folder = tmp_path / "old"
    folder.mkdir()
    path = folder / "tracker.db"
    database = open_database(str(path), upgrade=False)
    try:
        upgrade(database, "0002")
    finally:
        database.dispose()
    before = _files(folder)
    read_only(folder)
    result = tracker("--db", str(path), "timeline")
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"error: database: {path} is at schema revision 0002, older than this tracker's"
        f" {HEAD}, and is read-only here; run 'tracker db upgrade' where it can be written\n"
    )
    current = tracker("--db", str(path), "db", "current")
    assert (current.exit_code, current.stdout) == (0, "0002\n")
    assert _files(folder) == before
