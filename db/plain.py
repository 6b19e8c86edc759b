"""A read transaction on a DB-API connection (``tracker.sql.Reader``): the SQL a read
service writes once, run on sqlite3 or psycopg as it is (``:name`` parameters converted
for psycopg, dates as ISO text), and SQLite's failures on the file as one sentence.

``db/reading.py`` opens one for a command; ``session_reader`` makes one inside a
session's transaction (``tracker.backend.reader``, for the read services in a write).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING, Any

from db.dialects import PostgresSql, SqliteSql
from db.sqlite_files import problem
from tracker.errors import Unavailable
from tracker.sql import Params

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

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
        self._closed = False

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
        for batch in self.batches(query, params, STREAM_ROWS):
            yield from batch

    def batches(
        self, query: str, params: Params | None, size: int
    ) -> Iterator[list[tuple[Any, ...]]]:
        cursor = self._cursor(streamed=True)
        try:
            self._execute(cursor, query, params)
            while True:
                with self.translated():
                    batch = cursor.fetchmany(size)
                if not batch:
                    return
                yield batch
        finally:
            # A caller that stopped early (a closed pipe) may let go of this only after
            # the read ended: the connection closed its cursors then.
            if not self._closed:
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
            self._closed = True
            if self._release is not None:
                self._release()
            else:
                self.connection.close()


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
