"""Changing a SQLite table's stored definition in place, by SQLite's documented procedure
for schema changes that leave the stored rows as they are (a column's declared length,
``AUTOINCREMENT`` on an ``INTEGER PRIMARY KEY``, a CHECK constraint written another way
with the same meaning): the text in ``sqlite_master`` is rewritten and the schema version
bumped, so that every connection reads the definitions again.

The alternative, rebuilding the table, would have to drop tables that others refer to,
which with foreign keys on deletes the rows that refer to them. Used by the migrations
only, in their transaction: a failure rolls the definitions back with everything else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import Connection


def rewrite_tables(
    connection: Connection, tables: Iterable[str], rewrite: Callable[[str, str], str]
) -> None:
    """Store ``rewrite(table, definition)`` as the definition of each of ``tables``."""
    version = connection.exec_driver_sql("PRAGMA schema_version").scalar_one()
    connection.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        for table in tables:
            sql = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
            ).scalar_one()
            connection.exec_driver_sql(
                "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                (rewrite(table, sql), table),
            )
        connection.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        connection.exec_driver_sql("PRAGMA writable_schema = OFF")
