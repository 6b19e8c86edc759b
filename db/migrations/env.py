"""Alembic environment: runs on a connection handed in, or on ``sqlalchemy.url``."""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import Connection, Engine, create_engine

from tracker.models import SPAN_INDEXES, Base
from tracker.search import is_search_object

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _hidden(name: str | None, type_: str) -> bool:
    """Hide from autogenerate the full-text search structures (migration 0002: SQLite
    FTS5 tables and their shadow tables, PostgreSQL expression indexes; not in the ORM
    metadata on purpose) and the span indexes (migration 0003: expression indexes that
    SQLite's reflection skips, so they would always look missing)."""
    if type_ == "index" and name in SPAN_INDEXES:
        return True
    return type_ in ("table", "index") and is_search_object(name)


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    return not _hidden(name, type_)


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    return not _hidden(name, type_)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        include_name=include_name,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    given = config.attributes.get("connection")
    if isinstance(given, Connection):
        _run(given)
        return
    url = config.get_main_option("sqlalchemy.url")
    if isinstance(given, Engine):
        engine = given
    elif not url:
        from db.engine import open_database

        database = open_database(None, upgrade=False)
        engine = database.engine
    else:
        engine = create_engine(url)
    with engine.connect() as connection:
        _run(connection)
        connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
