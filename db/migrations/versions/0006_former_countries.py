"""country codes of four letters: the former countries of ISO 3166-3

A dissolved country (the Soviet Union ``SUHH``, Yugoslavia ``YUCS``, Czechoslovakia
``CSHH``, the German Democratic Republic ``DDDE``, Serbia and Montenegro ``CSXX``) is a
country of its own, under its ISO 3166-3 code; ``person.country`` and ``place.country``
grow from two characters to four.

On PostgreSQL the columns are altered in place. On SQLite a column's declared length is
not enforced, so only the stored table definitions change (SQLite's documented procedure
for changes that leave the stored rows alone, as 0004 does); a rebuild would have to drop
tables that others refer to.

Downgrading refuses while a four-letter code is stored: it would not fit.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.sqlite_definitions import rewrite_tables

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("person", "place")


def upgrade() -> None:
    _resize(2, 4)


def downgrade() -> None:
    bind = op.get_bind()
    for table in TABLES:
        longer = bind.exec_driver_sql(
            f"SELECT count(*) FROM {table} WHERE length(country) > 2"
        ).scalar_one()
        if longer:
            raise RuntimeError(
                f"{longer} {table} rows have a former country's four-letter code;"
                " change them before downgrading"
            )
    _resize(4, 2)


def _resize(before: int, after: int) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        for table in TABLES:
            op.alter_column(
                table,
                "country",
                existing_type=sa.String(length=before),
                type_=sa.String(length=after),
                existing_nullable=True,
            )
        return
    old, new = f"country VARCHAR({before})", f"country VARCHAR({after})"

    def rewrite(table: str, sql: str) -> str:
        if old not in sql:
            raise RuntimeError(f"the definition of {table} has no {old}")
        return sql.replace(old, new, 1)

    rewrite_tables(bind, TABLES, rewrite)
