"""Reads in plain SQL: what a read service is given instead of a Session.

A read command opens a ``Reader`` (``db/reading.py``): one read transaction on the
database's own DB-API driver, with no SQLAlchemy on SQLite, so that a read starts as
fast as Python with its driver. A service writes its SQL once, for every database:

- parameters are named, ``:name`` (``db/plain.py`` converts them for a driver that
  wants another style);
- dates come back as ISO text (``2025-04-11``), as SQLite stores them;
- the few pieces that differ between the databases (a list of ids as one parameter,
  days between two dates, sorting by code point, full-text search, a list cell built
  in SQL) come from ``reader.sql`` (a ``Dialect``, ``db/dialects.py``), asked for by
  name: a service never tests which database it is on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol, runtime_checkable

Params = Mapping[str, Any]


class Dialect(Protocol):
    """The fragments of SQL that differ between the databases (``db/dialects.py``)."""

    def among(self, column: str, param: str) -> str:
        """``column`` is one of the ids in parameter ``param`` (its value: ``ids``)."""
        ...

    def ids(self, values: Iterable[int]) -> Any:
        """The value of an ``among`` parameter holding ``values``."""
        ...

    def days_between(self, earliest: str, latest: str) -> str:
        """The days from date ``earliest`` to date ``latest`` (a number)."""
        ...

    def by_code_point(self, text: str) -> str:
        """The text expression ``text`` to sort by code point, as Python compares
        strings (whatever the database's collation)."""
        ...

    def meetings_matching(self, param: str) -> str:
        """A SELECT of ``meeting_id``: the meetings whose texts, or one of whose
        statements, hold every word in parameter ``param`` (its value: ``words``)."""
        ...

    def words(self, words: list[str]) -> str:
        """The value of a ``meetings_matching`` parameter for ``words``."""
        ...

    def escaped(self, value: str) -> str:
        """Text ``value`` as one value of a list cell: ``\\`` and ``;`` escaped as
        ``tracker.cells.escape_item`` escapes them."""
        ...

    def list_cell(self, value: str, order: str) -> str:
        """The aggregate of a list cell: the non-NULL ``value`` s of a group joined with
        ``tracker.cells.SEPARATOR`` in the order of ``order``, ``''`` when there is none.
        The query reads the group's rows from ``indexed_by`` an index in that order."""
        ...

    def indexed_by(self, index: str) -> str:
        """What follows a table in FROM so that it is read through ``index`` (the order
        a ``list_cell`` joins its values in)."""
        ...


@runtime_checkable
class Reader(Protocol):
    """One read transaction on the database."""

    @property
    def sql(self) -> Dialect: ...

    def rows(self, query: str, params: Params | None = None) -> Iterator[tuple[Any, ...]]:
        """The rows of ``query``, streamed (memory stays flat, whatever their number)."""
        ...

    def batches(
        self, query: str, params: Params | None, size: int
    ) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of ``query`` in lists of ``size`` (the last one shorter), streamed:
        for a caller that works a list at a time."""
        ...

    def all(self, query: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        """Every row of ``query``, fetched at once (for results of known, small size)."""
        ...

    def scalar(self, query: str, params: Params | None = None) -> Any:
        """The first column of the first row of ``query`` (``None`` when it has none)."""
        ...
