"""The pieces of SQL that differ between SQLite and PostgreSQL, in one place, as text.

Nothing here imports SQLAlchemy: the read path (``db/reading.py``) uses these fragments
on the plain DB-API driver, and ``db/backends.py`` wraps the same text for the
SQLAlchemy side. A service asks for a piece by name (``tracker.sql.Dialect``) and never
tests which database it is on.

- placeholders: SQL is written with named ``:name`` parameters (sqlite3's own style);
  psycopg wants ``%(name)s``, converted once per statement;
- a list of ids as one parameter: a JSON text read with ``json_each`` on SQLite, an
  array compared with ``= ANY`` on PostgreSQL (the statement is the same whatever the
  number of ids, with nothing to expand per id);
- full-text search: FTS5 tables on SQLite, ``tsvector`` expression indexes on
  PostgreSQL (``tracker/search.py`` describes both);
- days between two dates: ``julianday`` on SQLite, date subtraction on PostgreSQL;
- a list cell (``tracker.cells``) built by the database: its values escaped as
  ``escape_item`` escapes them and joined in order, by ``group_concat`` over rows read
  in that order on SQLite (whose ``group_concat`` takes no ORDER BY before 3.44: it
  joins rows in the order the query reads them, which ``indexed_by`` fixes), by
  ``string_agg ... ORDER BY`` on PostgreSQL;
- text sorted by code point, as Python compares strings: SQLite's own ``BINARY``
  collation, ``COLLATE "C"`` on PostgreSQL (whose default follows the server's locale).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache

from tracker.cells import SEPARATOR
from tracker.search import (
    MEETING_FTS,
    PG_MEETING_DOCUMENT,
    PG_STATEMENT_DOCUMENT,
    STATEMENT_FTS,
)


class SqliteSql:
    """SQLite's fragments (FTS5, JSON1)."""

    def placeholders(self, query: str) -> str:
        return query

    def among(self, column: str, param: str) -> str:
        return f"{column} IN (SELECT value FROM json_each(:{param}))"

    def ids(self, values: Iterable[int]) -> str:
        return json.dumps(list(values))

    def days_between(self, earliest: str, latest: str) -> str:
        return f"julianday({latest}) - julianday({earliest})"

    def by_code_point(self, text: str) -> str:
        return text

    def meetings_matching(self, param: str) -> str:
        return (
            f"SELECT rowid AS meeting_id FROM {MEETING_FTS} WHERE {MEETING_FTS} MATCH :{param}"
            f" UNION SELECT s.meeting_id FROM statement AS s"
            f" JOIN {STATEMENT_FTS} AS f ON f.rowid = s.id"
            f" WHERE {STATEMENT_FTS} MATCH :{param} AND s.meeting_id IS NOT NULL"
        )

    def words(self, words: list[str]) -> str:
        """An FTS5 query: every word, each quoted (so none is an operator)."""
        return " ".join('"' + word.replace('"', '""') + '"' for word in words)

    def escaped(self, value: str) -> str:
        # Most values hold neither character: test first, replace only when needed.
        return (
            f"CASE WHEN instr({value}, ';') OR instr({value}, '{_BACKSLASH}')"
            f" THEN {_replaced(value)} ELSE {value} END"
        )

    def list_cell(self, value: str, order: str) -> str:
        # In the order the rows are read: the query reads them by ``order`` through the
        # index it names with ``indexed_by``.
        return f"coalesce(group_concat({value}, '{SEPARATOR}'), '')"

    def indexed_by(self, index: str) -> str:
        return f" INDEXED BY {index}"


class PostgresSql:
    """PostgreSQL's fragments (arrays, tsvector)."""

    def placeholders(self, query: str) -> str:
        return _pyformat(query)

    def among(self, column: str, param: str) -> str:
        return f"{column} = ANY(:{param})"

    def ids(self, values: Iterable[int]) -> list[int]:
        return list(values)

    def days_between(self, earliest: str, latest: str) -> str:
        return f"({latest} - {earliest})"

    def by_code_point(self, text: str) -> str:
        return f'{text} COLLATE "C"'

    def meetings_matching(self, param: str) -> str:
        return (
            f"SELECT id AS meeting_id FROM meeting"
            f" WHERE {PG_MEETING_DOCUMENT} @@ plainto_tsquery('simple', :{param})"
            f" UNION SELECT meeting_id FROM statement"
            f" WHERE {PG_STATEMENT_DOCUMENT} @@ plainto_tsquery('simple', :{param})"
            f" AND meeting_id IS NOT NULL"
        )

    def words(self, words: list[str]) -> str:
        return " ".join(words)

    def escaped(self, value: str) -> str:
        return _replaced(value)

    def list_cell(self, value: str, order: str) -> str:
        return f"coalesce(string_agg({value}, '{SEPARATOR}' ORDER BY {order}), '')"

    def indexed_by(self, index: str) -> str:
        return ""


_BACKSLASH = "\\"


def _replaced(value: str) -> str:
    """``value`` with ``\\`` doubled and ``;`` escaped, as ``escape_item`` does (the
    backslash first). Both databases read a backslash in a literal as itself."""
    twice = _BACKSLASH * 2
    return f"replace(replace({value}, '{_BACKSLASH}', '{twice}'), ';', '{_BACKSLASH};')"


SQLITE = SqliteSql()
POSTGRESQL = PostgresSql()
SQL: dict[str, SqliteSql | PostgresSql] = {"sqlite": SQLITE, "postgresql": POSTGRESQL}
"""The fragments of each database, by its SQLAlchemy dialect name."""

# A named parameter: a colon and a name, not preceded by another colon (a ``::`` cast)
# or a word character; text in quotes is left alone.
_PARAM = re.compile(r"'(?:[^']|'')*'|(?<![:\w]):([A-Za-z_]\w*)|%")


@lru_cache(maxsize=256)
def _pyformat(query: str) -> str:
    """``query`` with ``:name`` parameters as ``%(name)s`` (and ``%`` doubled)."""

    def replace(match: re.Match[str]) -> str:
        text = match.group(0)
        if text == "%":
            return "%%"
        if match.group(1) is not None:
            return f"%({match.group(1)})s"
        return text.replace("%", "%%")

    return _PARAM.sub(replace, query)
