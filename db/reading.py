"""Reads on the DB-API driver: one read transaction for a command that only reads.

On SQLite the common case costs no SQLAlchemy and no Alembic: the target is resolved
here as ``db.engine.resolve_url`` resolves it (``--db``, ``TRACKER_DB``, the default
file; a plain path or a ``sqlite:///`` URL), the file is opened with ``sqlite3``, and
its schema revision is checked with one query. Anything else goes the full way,
through ``db.engine.open_database``, which creates, upgrades or refuses the database
with its own sentences, and the read then goes on on that engine's DB-API connection:
a file not there yet, a revision other than ``HEAD``, a file that is not tracker's, an
in-memory database, and PostgreSQL (whose ``search_path`` and other options come from
the URL, as the engine applies them).

Either way the services get a ``tracker.sql.Reader``: SQL written once with ``:name``
parameters, dates back as ISO text, and the dialect's fragments as ``reader.sql``.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from db.dialects import SQL, SQLITE, SqliteSql
from db.plain import BUSY_TIMEOUT_MS, ReadConnection
from db.revisions import HEAD, VERSION_TABLE
from db.sqlite_files import HEADER, default_path, read_only_uri

if TYPE_CHECKING:
    from db.engine import Database


@contextmanager
def reading(target: str | None) -> Iterator[ReadConnection]:
    """A read transaction on the database ``target`` names (``--db``/``TRACKER_DB``;
    ``None``: the default file), closed when the block ends."""
    reader = open_reader(target)
    try:
        yield reader
    finally:
        reader.close()


def open_reader(target: str | None) -> ReadConnection:
    """A ``ReadConnection`` on ``target``: plain ``sqlite3`` for a tracker file at
    ``HEAD``, else through the engine (see the module's docstring)."""
    path = sqlite_path(target)
    if path is not None:
        reader = _plain_sqlite(path)
        if reader is not None:
            return reader
    return _through_engine(target)


def sqlite_path(target: str | None) -> Path | None:
    """The SQLite file ``target`` names, when it is a plain path, a ``sqlite:///`` URL
    or the default; ``None`` for anything else (an in-memory database, a URL with
    options, PostgreSQL), which ``db.engine.resolve_url`` decides."""
    if target is None or not target.strip():
        return default_path()
    value = target.strip()
    if value == ":memory:":
        return None
    if "://" not in value:
        return Path(value).expanduser().absolute()
    prefix = "sqlite:///"
    if value.startswith(prefix) and "?" not in value and len(value) > len(prefix):
        return Path(value[len(prefix) :]).expanduser().absolute()
    return None


def _plain_sqlite(path: Path) -> ReadConnection | None:
    """A read transaction on the tracker file ``path`` at ``HEAD``, opened with
    ``sqlite3`` alone; ``None`` when the file needs the engine's care."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(HEADER))
    except OSError:
        return None
    if header != HEADER:
        return None
    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)
    try:
        if writable:
            connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        else:
            connection = sqlite3.connect(
                read_only_uri(path), uri=True, isolation_level=None, check_same_thread=False
            )
    except sqlite3.Error:
        return None
    try:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        connection.execute("BEGIN")
        row = connection.execute(f"SELECT max(version_num) FROM {VERSION_TABLE}").fetchone()
    except sqlite3.Error:
        connection.close()
        return None
    if row is None or row[0] != HEAD:
        connection.close()
        return None
    return ReadConnection(connection, SQLITE, file=path)


def _through_engine(target: str | None) -> ReadConnection:
    """The engine's way: ``open_database`` (creating or upgrading the schema, or
    refusing the file, or saying that the server cannot be reached), then a read on
    its DB-API connection."""
    from db.engine import open_database

    database = open_database(target)
    try:
        return engine_reader(database)
    except BaseException:
        database.dispose()
        raise


def engine_reader(database: Database, *, dispose: bool = True) -> ReadConnection:
    """A read transaction on a DB-API connection of ``database``'s engine (disposed
    with it, unless told not to)."""
    raw = database.engine.raw_connection()
    connection: Any = raw.driver_connection

    def release() -> None:
        raw.close()
        if dispose:
            database.dispose()

    sql = SQL[database.backend]
    if isinstance(sql, SqliteSql):
        connection.execute("BEGIN")
    return ReadConnection(connection, sql, file=database.file, release=release)
