"""``tracker db backup``: a consistent copy of a SQLite database, taken while it is in use.

The copy is made with SQLite's online backup API in one step: it reads one snapshot of
the database (committed transactions only, including those still in the WAL), and in
WAL mode writers carry on meanwhile. It is written to a private temporary file next to
the destination (mode 0600), checked with ``PRAGMA integrity_check``, switched to a
self-contained rollback-journal file, synced, and only then moved into place, so that
``FILE`` is either the old file or a whole backup, never half of one.

PostgreSQL databases are backed up with ``pg_dump``; this says so.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import URL

from db.credentials import masked, without_credentials
from db.engine import BUSY_TIMEOUT_MS
from db.outputs import check_output, replacing
from db.sqlite_files import read_only_uri
from tracker.errors import Unavailable

EXISTS = "a file that does not exist yet (or --force to replace it)"


@dataclass(frozen=True)
class Backup:
    """A finished backup: where from, where to, and its size in bytes."""

    source: str
    path: Path
    size: int


def backup_database(url: URL, destination: str | Path, *, force: bool = False) -> Backup:
    """Copy the SQLite database at ``url`` to ``destination`` (see the module's docstring).

    Raises InvalidInput when ``destination`` may not be written (``db.outputs``: the
    database itself, a link, a pipe, a missing folder) or exists and ``force`` is not
    given, and Unavailable when the database is not a SQLite file or cannot be read, or
    the copy cannot be written.
    """
    if url.get_backend_name() != "sqlite":
        raise Unavailable(pg_dump_advice(url))
    source_name = url.database
    if not source_name or source_name == ":memory:":
        raise Unavailable("db backup: an in-memory database has nothing to back up")
    source = Path(source_name)
    if not source.is_file():
        raise Unavailable(f"database: {source} does not exist")
    output = check_output(
        destination,
        field="FILE",
        database=source,
        stdout=False,
        streams=False,
        exists_refused=None if force else EXISTS,
    )
    assert output.path is not None
    with replacing(output, private=True) as temporary:
        _copy(source, temporary)
    return Backup(masked(url), output.path, output.path.stat().st_size)


def pg_dump_advice(url: URL) -> str:
    """One line telling to back up a PostgreSQL database with pg_dump, with a command
    that carries no credential (pg_dump asks for the password, or finds it in
    ~/.pgpass or PGPASSWORD)."""
    libpq = without_credentials(url).set(drivername="postgresql")
    target = libpq.render_as_string(hide_password=False)
    return (
        f"db backup: {masked(url)} is a PostgreSQL database; back it up with pg_dump, e.g."
        f" pg_dump --format=custom --file=FILE '{target}'"
    )


def _copy(source: Path, target: Path) -> None:
    try:
        # Read-only: the source is only read (even in a folder this process cannot write).
        reader = sqlite3.connect(read_only_uri(source), uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        raise Unavailable(f"database: cannot open {source}: {exc}") from None
    try:
        reader.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        writer = sqlite3.connect(target, isolation_level=None)
        try:
            # pages=-1: the whole database in one step, from one snapshot. (In steps,
            # every write by another process would restart the copy.)
            reader.backup(writer, pages=-1)
            problems = [row[0] for row in writer.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise Unavailable(f"db backup: the copy fails its integrity check: {problems[0]}")
            # One self-contained file: no -wal or -shm beside it.
            writer.execute("PRAGMA journal_mode = DELETE")
        finally:
            writer.close()
    except sqlite3.Error as exc:
        raise Unavailable(f"db backup: cannot copy {source}: {exc}") from None
    finally:
        reader.close()
