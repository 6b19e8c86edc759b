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

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import URL

from db.engine import BUSY_TIMEOUT_MS, masked, without_credentials
from tracker.errors import InvalidInput, Unavailable


@dataclass(frozen=True)
class Backup:
    """A finished backup: where from, where to, and its size in bytes."""

    source: str
    path: Path
    size: int


def backup_database(url: URL, destination: Path, *, force: bool = False) -> Backup:
    """Copy the SQLite database at ``url`` to ``destination`` (see the module's docstring).

    Raises InvalidInput when ``destination`` exists and ``force`` is not given (or is
    the database itself, or a folder), and Unavailable when the database is not a
    SQLite file or cannot be read, or the copy cannot be written.
    """
    if url.get_backend_name() != "sqlite":
        raise Unavailable(pg_dump_advice(url))
    source_name = url.database
    if not source_name or source_name == ":memory:":
        raise Unavailable("db backup: an in-memory database has nothing to back up")
    source = Path(source_name)
    destination = destination.expanduser().absolute()
    if not source.is_file():
        raise Unavailable(f"database: {source} does not exist")
    if destination.is_dir():
        raise InvalidInput("FILE", "a file name, not a folder", str(destination))
    if destination.exists():
        if destination.samefile(source):
            raise InvalidInput("FILE", "a file other than the database itself", str(destination))
        if not force:
            raise InvalidInput(
                "FILE",
                "a file that does not exist yet (or --force to replace it)",
                str(destination),
            )
    if not destination.parent.is_dir():
        raise Unavailable(f"db backup: the folder {destination.parent} does not exist")

    temporary = _private_temporary(destination)
    try:
        _copy(source, temporary)
        _sync(temporary)
        _move_into_place(temporary, destination, force=force)
    finally:
        for leftover in (temporary, *_sidecars(temporary)):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    _sync_folder(destination.parent)
    return Backup(masked(url), destination, destination.stat().st_size)


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


def _private_temporary(destination: Path) -> Path:
    """A new, empty file with mode 0600 next to ``destination``."""
    for attempt in range(100):
        candidate = destination.with_name(f".{destination.name}.{os.getpid()}.{attempt}.tmp")
        try:
            fd = os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            continue
        except OSError as exc:
            raise Unavailable(f"db backup: cannot write {candidate}: {exc.strerror}") from None
        os.close(fd)
        return candidate
    raise Unavailable(f"db backup: cannot create a temporary file next to {destination}")


def _copy(source: Path, target: Path) -> None:
    try:
        reader = sqlite3.connect(f"{source.as_uri()}?mode=rw", uri=True, isolation_level=None)
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


def _move_into_place(temporary: Path, destination: Path, *, force: bool) -> None:
    try:
        if force:
            os.replace(temporary, destination)
        else:
            # A hard link fails if the destination appeared meanwhile: never overwrite.
            os.link(temporary, destination)
    except FileExistsError:
        raise InvalidInput(
            "FILE", "a file that does not exist yet (or --force to replace it)", str(destination)
        ) from None
    except OSError as exc:
        raise Unavailable(f"db backup: cannot write {destination}: {exc.strerror}") from None


def _sidecars(path: Path) -> tuple[Path, ...]:
    return tuple(path.with_name(path.name + suffix) for suffix in ("-journal", "-wal", "-shm"))


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
