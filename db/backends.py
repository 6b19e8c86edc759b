"""The SQLAlchemy side of what differs between SQLite and PostgreSQL.

Each database gets a ``tracker.backend.Backend`` registered under its dialect's name;
the domain asks for the pieces by name and never tests which database it is on. The
SQL text that differs is in ``db/dialects.py`` (shared with the plain DB-API read
path); this module wraps it for SQLAlchemy. Imported by ``db/engine.py``, so that
whoever opens a database has them.

- a list of ids as one parameter: a JSON text read with ``json_each`` on SQLite, an
  array compared with ``= ANY`` on PostgreSQL (the statement is the same whatever the
  number of ids, with nothing to expand per id);
- streamed rows: SQLite's cursor reads lazily and stores dates as ISO text, so rows
  come from the DBAPI cursor as they are; PostgreSQL streams a server-side cursor;
- a bulk insert of meetings on SQLite indexes them for search in one statement;
- ``span_days``: the days between two dates (``julianday`` on SQLite).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    ARRAY,
    BindParameter,
    ColumnElement,
    Connection,
    Executable,
    Integer,
    SQLColumnExpression,
    String,
    any_,
    bindparam,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler

from db.dialects import POSTGRESQL, SQLITE, PostgresSql, SqliteSql
from db.plain import session_reader
from tracker import search
from tracker.backend import BACKENDS, Backend
from tracker.models import span_days
from tracker.search import MEETING_FTS, MEETING_FTS_COLUMNS, MEETING_INSERT_TRIGGER, restored_after
from tracker.sql import Reader


class SqliteBackend(Backend):
    ids_count_up = True

    def ids_parameter(self) -> BindParameter[Any]:
        return bindparam("ids", type_=String)

    def ids(self, values: list[int]) -> Any:
        return SQLITE.ids(values)

    def among(self, column: SQLColumnExpression[int]) -> ColumnElement[bool]:
        values = func.json_each(self.ids_parameter())
        return column.in_(select(literal_column("value")).select_from(values))

    def partitions(
        self, connection: Connection, query: Executable, size: int
    ) -> Iterator[Sequence[Sequence[Any]]]:
        result = connection.execute(query)
        try:
            fetch = result.cursor.fetchmany
            while partition := fetch(size):
                yield partition
        finally:
            result.close()

    @contextmanager
    def bulk_meeting_insert(self, connection: Connection, count: int) -> Iterator[None]:
        """From ``BULK_FROM`` meetings on, index them in one statement instead of one
        trigger call per row.

        The insert trigger is dropped, the block runs, the new rows are added to
        ``meeting_fts`` with one ``INSERT ... SELECT`` and the trigger is created again
        from the text SQLite stored for it, all in the caller's transaction: a rollback
        restores the trigger with everything else, and no other connection ever sees
        the table without it.
        """
        if count < search.BULK_FROM:
            yield
            return
        trigger = connection.execute(
            text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
            {"name": MEETING_INSERT_TRIGGER},
        ).scalar()
        if trigger is None:
            yield
            return
        last = connection.execute(text("SELECT coalesce(max(id), 0) FROM meeting")).scalar_one()
        columns = ", ".join(MEETING_FTS_COLUMNS)
        connection.exec_driver_sql(f"DROP TRIGGER {MEETING_INSERT_TRIGGER}")

        def restore() -> None:
            connection.exec_driver_sql(
                f"INSERT INTO {MEETING_FTS}(rowid, {columns})"
                f" SELECT id, {columns} FROM meeting WHERE id > ?",
                (last,),
            )
            connection.exec_driver_sql(trigger)

        with restored_after(restore):
            yield

    def reader(self, session: Session) -> Reader:
        return session_reader(session, SQLITE)

    @property
    def sql(self) -> SqliteSql:
        return SQLITE


class PostgresBackend(Backend):
    def reader(self, session: Session) -> Reader:
        return session_reader(session, POSTGRESQL)

    @property
    def sql(self) -> PostgresSql:
        return POSTGRESQL

    def role(self, session: Session) -> str | None:
        return session.scalar(select(func.current_user()))

    def ids_parameter(self) -> BindParameter[Any]:
        return bindparam("ids", type_=ARRAY(Integer))

    def among(self, column: SQLColumnExpression[int]) -> ColumnElement[bool]:
        return column == any_(self.ids_parameter())


BACKENDS["sqlite"] = SqliteBackend()
BACKENDS["postgresql"] = PostgresBackend()


@compiles(span_days, "sqlite")
def _span_days_sqlite(element: span_days, compiler: SQLCompiler, **kw: object) -> str:
    earliest, latest = (compiler.process(c, **kw) for c in element.clauses)
    return SQLITE.days_between(earliest, latest)
