"""What differs between the databases tracker runs on, asked for by name.

The domain never tests which database it is on. ``db/backends.py`` registers, for each
SQLAlchemy dialect it knows, a ``Backend`` holding the few pieces that differ (a list
of ids as one parameter, how rows are streamed, a bulk insert's search index, date
arithmetic); a service asks ``backend(session)`` for the piece it needs. ``Backend``
itself is the portable way, for a database nobody registered. Full-text search is asked
of a plain read (``reader.sql.meetings_matching``), as every filter is.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Connection, Executable, SQLColumnExpression
from sqlalchemy import bindparam as _bindparam
from sqlalchemy.orm import Session

from tracker.errors import Unavailable
from tracker.sql import Dialect, Reader

NO_PLAIN_SQL = "this database has no plain read path tracker knows"


class Backend:
    """The portable way of each piece; ``db/backends.py`` overrides what a database does
    better."""

    ids_count_up = False
    """Whether the ids a bulk insert hands out are the next ones after the largest id
    stored (the importer may then compute them instead of reading them back)."""

    def ids_parameter(self) -> BindParameter[Any]:
        """The parameter ``ids``, a list of ids (``among`` reads it)."""
        return _bindparam("ids", expanding=True)

    def ids(self, values: list[int]) -> Any:
        """The value of the ``ids`` parameter for ``values``."""
        return list(values)

    def among(self, column: SQLColumnExpression[int]) -> ColumnElement[bool]:
        """``column`` is one of the ids of the ``ids`` parameter."""
        return column.in_(self.ids_parameter())

    def partitions(
        self, connection: Connection, query: Executable, size: int
    ) -> Iterator[Sequence[Sequence[Any]]]:
        """The rows of ``query`` as tuples, ``size`` at a time, streamed (memory stays
        flat), with dates as ISO text."""
        streamed = connection.execute(query.execution_options(yield_per=size))
        for partition in streamed.partitions():
            yield [
                tuple(value.isoformat() if isinstance(value, date) else value for value in row)
                for row in partition
            ]

    def role(self, session: Session) -> str | None:
        """The database role a write is made as, where the database has roles."""
        return None

    def reader(self, session: Session) -> Reader:
        """A plain read (``tracker.sql.Reader``) inside ``session``'s transaction."""
        raise Unavailable(NO_PLAIN_SQL)

    @property
    def sql(self) -> Dialect:
        """The fragments of SQL that differ between the databases, for this one."""
        raise Unavailable(NO_PLAIN_SQL)

    @contextmanager
    def bulk_meeting_insert(self, connection: Connection, count: int) -> Iterator[None]:
        """Around an insert of ``count`` new meetings: whatever keeps the search index
        right at less cost than one row at a time."""
        yield


BACKENDS: dict[str, Backend] = {}
"""The backend of each SQLAlchemy dialect name (filled by ``db/backends.py``)."""
PORTABLE = Backend()


def backend(bind: Session | Connection) -> Backend:
    """The backend of the database ``bind`` is on."""
    engine = bind.get_bind() if isinstance(bind, Session) else bind.engine
    return BACKENDS.get(engine.dialect.name, PORTABLE)


def reader(session: Session) -> Reader:
    """A plain read inside ``session``'s transaction: the read services (which take a
    ``tracker.sql.Reader``) run in a write, on what it has written so far."""
    return backend(session).reader(session)
