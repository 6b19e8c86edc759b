"""What a SQLite file is, found before tracker writes a byte to it, and how to open it.

``examine`` reads a file with a read-only connection, before any PRAGMA that writes (the
switch to WAL, the busy handler aside) and before any schema is created:

- an empty file (or a SQLite database without tables) is new: tracker may make it its
  own;
- a file whose ``alembic_version`` holds one of tracker's revisions is tracker's (a
  later revision, beside tracker's own tables, is a newer tracker's);
- anything else is refused, untouched: a SQLite database of another program, a file
  that is not SQLite at all, a damaged one.

A file that cannot be written (it, or its folder: a read-only mount, another user's
folder) is opened read-only (``read_only_uri``): reading it needs no WAL switch and no
``-wal`` or ``-shm`` of its own. ``problem`` says in one sentence, naming the file, what
is wrong when SQLite fails on it: damaged, locked, read-only, not a database.

Only the standard library here, so that a read path on the plain DB-API driver can use
the same checks.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tracker.errors import Unavailable

NOT_SQLITE = "database: {path} is not a SQLite database"
FOREIGN = (
    "database: {path} is not a tracker database (it holds tables of another program:"
    " {tables}); tracker leaves it as it is"
)
DAMAGED = "database: {path} is damaged (SQLite: {reason}); restore it from a backup"
LOCKED = "database: {path} is locked: another program has held it for {seconds} s; try again"
READ_ONLY = (
    "database: {path} is read-only here (it or its folder cannot be written); it can be"
    " read, not changed"
)
CANNOT_OPEN = "database: cannot open {path} ({reason})"
CANNOT_USE = "database: cannot read or write {path} ({reason})"

APP_NAME = "tracker"
DB_FILENAME = "tracker.db"
HEADER = b"SQLite format 3\x00"
VERSION_TABLE = "alembic_version"
# Tables every revision of tracker has: a later revision beside them is a newer tracker's.
CORE_TABLES = frozenset({"person", "place", "visit", "meeting"})
SHOWN_TABLES = 5


def default_path() -> Path:
    """The default SQLite file: ``tracker.db`` in the user data directory."""
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / DB_FILENAME


@dataclass(frozen=True)
class SqliteFile:
    """A SQLite file tracker may use: ``new`` (empty, or without tables) or ``tracker``
    (at ``revision``); whether this process may write it; whether it is in WAL mode."""

    path: Path
    kind: Literal["new", "tracker"]
    revision: str | None
    writable: bool
    wal: bool


def examine(path: Path, *, revisions: Collection[str], busy_timeout_ms: int) -> SqliteFile:
    """What the existing file ``path`` is; raises Unavailable (one sentence naming the
    file) for a file tracker must not use. ``revisions`` are tracker's own."""
    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)
    header = _header(path)
    if not header and not _size(Path(f"{path}-wal")):
        return SqliteFile(path, "new", None, writable, wal=False)
    if header and (len(header) < 100 or not header.startswith(HEADER)):
        raise Unavailable(NOT_SQLITE.format(path=path))
    found = SqliteFile(path, "new", None, writable, is_wal(path))
    tables, revision = _contents(found, busy_timeout_ms)
    others = tables - {VERSION_TABLE}
    if revision is None and not others:
        return found
    if revision is not None and (revision in revisions or others >= CORE_TABLES):
        return SqliteFile(path, "tracker", revision, writable, found.wal)
    names = sorted(tables)
    shown = ", ".join(names[:SHOWN_TABLES])
    if len(names) > SHOWN_TABLES:
        shown += f" and {len(names) - SHOWN_TABLES} more"
    raise Unavailable(FOREIGN.format(path=path, tables=shown))


def _contents(found: SqliteFile, busy_timeout_ms: int) -> tuple[set[str], str | None]:
    """The tables of ``found`` (SQLite's own left out) and the revision it records."""
    try:
        connection = sqlite3.connect(read_only_uri(found), uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        raise _unusable(found.path, exc, busy_timeout_ms) from exc
    try:
        connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        tables = {
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
            )
        }
        revision = None
        if VERSION_TABLE in tables:
            row = connection.execute(f"SELECT max(version_num) FROM {VERSION_TABLE}").fetchone()
            revision = row[0] if row and isinstance(row[0], str) else None
        return tables, revision
    except sqlite3.Error as exc:
        raise _unusable(found.path, exc, busy_timeout_ms) from exc
    finally:
        connection.close()


def read_only_uri(found: SqliteFile | Path) -> str:
    """A URI that opens a SQLite file for reading only. In a folder that cannot be
    written, a WAL database with no ``-wal`` beside it (so no writer is at work) is
    opened as immutable: SQLite could not create the ``-shm`` a WAL reader needs."""
    path = found.path if isinstance(found, SqliteFile) else found
    uri = f"{path.absolute().as_uri()}?mode=ro"
    folder_writable = os.access(path.parent, os.W_OK | os.X_OK)
    if not folder_writable and not Path(f"{path}-wal").exists():
        wal = found.wal if isinstance(found, SqliteFile) else is_wal(path)
        uri += "&immutable=1" if wal else ""
    return uri


def is_wal(path: Path) -> bool:
    """Whether the SQLite file at ``path`` is in WAL mode (bytes 18 and 19 of its header)."""
    header = _header(path)
    return len(header) >= 20 and header[18] == 2 and header[19] == 2


def _header(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(100)
    except OSError as exc:
        raise Unavailable(CANNOT_OPEN.format(path=path, reason=exc.strerror)) from None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def problem(path: Path, error: sqlite3.Error, *, busy_timeout_ms: int) -> str | None:
    """One sentence naming ``path`` for what SQLite says is wrong with the file, or
    ``None`` when ``error`` is not about the file (a constraint, a bug)."""
    name = getattr(error, "sqlite_errorname", "") or ""
    reason = str(error).strip().splitlines()[0] if str(error).strip() else name
    if name.startswith("SQLITE_NOTADB"):
        return NOT_SQLITE.format(path=path)
    if name.startswith("SQLITE_CORRUPT"):
        return DAMAGED.format(path=path, reason=reason)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return LOCKED.format(path=path, seconds=f"{busy_timeout_ms / 1000:g}")
    if name.startswith("SQLITE_READONLY"):
        return READ_ONLY.format(path=path)
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")):
        return CANNOT_OPEN.format(path=path, reason=reason)
    if name.startswith(("SQLITE_IOERR", "SQLITE_FULL")):
        return CANNOT_USE.format(path=path, reason=reason)
    return None


def _unusable(path: Path, error: sqlite3.Error, busy_timeout_ms: int) -> Unavailable:
    sentence = problem(path, error, busy_timeout_ms=busy_timeout_ms)
    return Unavailable(sentence or CANNOT_OPEN.format(path=path, reason=error))
