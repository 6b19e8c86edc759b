"""Schema care: read the stored revision cheaply, upgrade with Alembic only when needed.

Alembic is imported only when the stored revision differs from ``HEAD``; a test
checks that ``HEAD`` is the head of ``db/migrations``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy import Connection, func, inspect, select, text
from sqlalchemy.exc import DBAPIError

from db.credentials import scrubbed
from db.revisions import HEAD, REVISIONS, VERSION_TABLE
from db.sqlite_files import READ_ONLY
from tracker.errors import Unavailable

if TYPE_CHECKING:
    from alembic.config import Config

    from db.engine import Database

OLDER_READ_ONLY = (
    "database: {path} is at schema revision {revision}, older than this tracker's {head},"
    " and is read-only here; run 'tracker db upgrade' where it can be written"
)
NO_SCHEMA_READ_ONLY = (
    "database: {path} has no tracker schema yet and is read-only here; run 'tracker db"
    " upgrade' where it can be written"
)
NEWER = (
    "database: schema revision {revision} is newer than this version of tracker knows;"
    " upgrade tracker"
)
# Any 64-bit number of our own: the PostgreSQL advisory lock held while migrating.
_PG_MIGRATION_LOCK = 0x7472_6163_6B65_72


def stored_revision(connection: Connection) -> str | None:
    """The revision the database is at, or ``None`` for a database with no schema."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


@contextmanager
def connected(database: Database) -> Iterator[Connection]:
    """A connection to ``database``. One that cannot be reached raises Unavailable, one
    line with the password masked (not the driver's error, which a command would report
    as unexpected)."""
    try:
        connection = database.engine.connect()
    except DBAPIError as exc:
        raise _unreachable(database, exc) from None
    with connection, database.translated():
        yield connection


def ensure_schema(database: Database) -> None:
    """Bring the schema to head if it is not there yet (the check costs one query).

    A read-only database is never upgraded: at head it is read as it is; at an older
    revision the command says where to upgrade it.
    """
    with connected(database) as connection:
        revision = stored_revision(connection)
    if revision == HEAD:
        return
    if database.read_only:
        raise _not_upgradable(database, revision)
    upgrade(database)


def upgrade(database: Database, target: str = "head") -> str | None:
    """Run the migrations up to ``target`` under a lock; return the revision reached.

    Two processes opening a new database at once both get here: the lock (BEGIN
    IMMEDIATE on SQLite, an advisory lock on PostgreSQL) makes the second wait, and it
    then finds the work done.
    """
    from alembic import command

    if database.read_only:
        raise Unavailable(READ_ONLY.format(path=database.file))
    try:
        engine = database.engine.execution_options(sqlite_begin="IMMEDIATE")
        with engine.connect() as connection, connection.begin():
            if database.backend == "postgresql":
                connection.execute(select(func.pg_advisory_xact_lock(_PG_MIGRATION_LOCK)))
            before = stored_revision(connection)
            if before is not None and before != HEAD and before not in known_revisions():
                raise Unavailable(NEWER.format(revision=before))
            config = alembic_config(connection)
            command.upgrade(config, target)
            return stored_revision(connection)
    except DBAPIError as exc:
        raise _unreachable(database, exc) from None


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for ``db/migrations`` (no ini file needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "db:migrations")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def script_head() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def row_counts(connection: Connection) -> dict[str, int]:
    """Rows per table of the event model."""
    from tracker.models import Base

    counts = {}
    for table in Base.metadata.sorted_tables:
        counts[table.name] = connection.execute(
            select(func.count()).select_from(table)
        ).scalar_one()
    return counts


def _not_upgradable(database: Database, revision: str | None) -> Unavailable:
    if revision is None:
        return Unavailable(NO_SCHEMA_READ_ONLY.format(path=database.file))
    if revision not in REVISIONS:
        return Unavailable(NEWER.format(revision=revision))
    return Unavailable(OLDER_READ_ONLY.format(path=database.file, revision=revision, head=HEAD))


def _unreachable(database: Database, exc: DBAPIError) -> Unavailable:
    failure = database.failure(exc)
    if failure is not None:
        return failure
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
    return Unavailable(
        f"database: cannot use {database.display_url}: {scrubbed(reason, database.url)}"
    )
