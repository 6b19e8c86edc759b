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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING, Any

from db.dialects import SQL, SQLITE, PostgresSql, SqliteSql
from db.revisions import HEAD, VERSION_TABLE
from db.sqlite_files import HEADER, default_path, problem, read_only_uri
from tracker.errors import Unavailable
from tracker.sql import Params

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from db.engine import Database

BUSY_TIMEOUT_MS = 30_000  # as db/engine.py waits for a writer
STREAM_ROWS = 2_000
"""Rows a server-side cursor fetches at a time (PostgreSQL)."""

_cursor_names = count(1)


class ReadConnection:
    """A read transaction on a DB-API connection (``tracker.sql.Reader``)."""

    def __init__(
        self,
        connection: Any,
        sql: SqliteSql | PostgresSql,
        *,
        file: Path | None = None,
        release: Callable[[], None] | None = None,
        own_transaction: bool = True,
    ) -> None:
        self.connection = connection
        self._sql = sql
        self.file = file
        """The SQLite file read (its failures are reported naming it)."""
        self._release = release
        self._own_transaction = own_transaction
        self._server_side = isinstance(sql, PostgresSql)

    @property
    def sql(self) -> SqliteSql | PostgresSql:
        return self._sql

    def _cursor(self, *, streamed: bool = False) -> Any:
        if not self._server_side:
            return self.connection.cursor()
        from psycopg.types.string import TextLoader

        if streamed:
            cursor = self.connection.cursor(name=f"tracker_read_{next(_cursor_names)}")
            cursor.itersize = STREAM_ROWS
        else:
            cursor = self.connection.cursor()
        # Dates as ISO text, as SQLite stores them: one shape of row on both databases.
        cursor.adapters.register_loader("date", TextLoader)
        return cursor

    def _execute(self, cursor: Any, query: str, params: Params | None) -> None:
        values = {
            key: value.isoformat() if isinstance(value, date) else value
            for key, value in (params or {}).items()
        }
        with self.translated():
            cursor.execute(self._sql.placeholders(query), values)

    def rows(self, query: str, params: Params | None = None) -> Iterator[tuple[Any, ...]]:
        cursor = self._cursor(streamed=True)
        try:
            self._execute(cursor, query, params)
            while True:
                with self.translated():
                    batch = cursor.fetchmany(STREAM_ROWS)
                if not batch:
                    return
                yield from batch
        finally:
            cursor.close()

    def all(self, query: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        cursor = self._cursor()
        try:
            self._execute(cursor, query, params)
            with self.translated():
                return list(cursor.fetchall())
        finally:
            cursor.close()

    def scalar(self, query: str, params: Params | None = None) -> Any:
        cursor = self._cursor()
        try:
            self._execute(cursor, query, params)
            with self.translated():
                row = cursor.fetchone()
            return row[0] if row is not None else None
        finally:
            cursor.close()

    @contextmanager
    def translated(self) -> Iterator[None]:
        """SQLite's failures on the file (damaged, locked, not a database) as one
        sentence naming it, as ``db.engine.Database.translated`` words them."""
        try:
            yield
        except sqlite3.Error as exc:
            sentence = (
                problem(self.file, exc, busy_timeout_ms=BUSY_TIMEOUT_MS)
                if self.file is not None
                else None
            )
            if sentence is None:
                raise
            raise Unavailable(sentence) from exc

    def close(self) -> None:
        """End the read transaction and let the connection go."""
        try:
            if not self._own_transaction:
                pass
            elif self._server_side:
                self.connection.rollback()
            elif self.connection.in_transaction:
                self.connection.execute("ROLLBACK")
        finally:
            if self._release is not None:
                self._release()
            else:
                self.connection.close()


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


def session_reader(session: Session, sql: SqliteSql | PostgresSql) -> ReadConnection:
    """A plain read inside ``session``'s transaction (on its DB-API connection): it sees
    what the session has written, flushed first; closing it leaves the transaction to
    the session."""
    session.flush()
    connection: Any = session.connection().connection.driver_connection
    file = session.connection().engine.url.database if isinstance(sql, SqliteSql) else None
    path = Path(file) if file and file != ":memory:" else None
    return ReadConnection(connection, sql, file=path, release=_nothing, own_transaction=False)


def _nothing() -> None:
    pass
