"""Engines and sessions from a URL or a plain path.

A plain path means SQLite; ``postgresql+psycopg://`` URLs are the team mode. The
default is a SQLite file in the platformdirs user data directory. SQLite runs with
foreign keys on, WAL and a busy timeout; write transactions start with ``BEGIN
IMMEDIATE`` so that concurrent writers queue on the busy timeout instead of failing
when a read transaction tries to become a write one.

PostgreSQL write transactions queue the same way, on a transaction-level advisory lock
(one per schema) taken first thing, with the same timeout: the services find-or-create
people, places, sources and visits by name, and two writers doing that at once under
READ COMMITTED would each create the record (two "Yuri Ushakov"s, after which every
later use of the name is ambiguous). Readers never wait for it.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, func, make_url, select, text
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

import db.backends  # noqa: F401  (registers the SQL that differs between databases)
import tracker.write.cells  # noqa: F401  (keeps a meeting's stored list cells right)
from db.credentials import masked
from db.sqlite_files import READ_ONLY, default_path, examine, problem, read_only_uri
from tracker.errors import InvalidInput, Unavailable
from tracker.history.record import Author, record_change_set

BUSY_TIMEOUT_MS = 30_000
# The PostgreSQL advisory lock every write transaction holds: (this number, a hash of the
# schema). db/schema.py holds another one while migrating.
PG_WRITER_LOCK = 0x7472_6163
BUSY = "database: busy: another write has held it for {seconds} s; try again"
URL_EXPECTED = "a SQLite file path or a postgresql+psycopg://USER@HOST/DATABASE URL"


def resolve_url(target: str | None) -> URL:
    """The database URL for ``--db``/``TRACKER_DB`` (``None``: the default file)."""
    if target is None or not target.strip():
        return URL.create("sqlite", database=str(default_path()))
    value = target.strip()
    if value == ":memory:":
        return URL.create("sqlite", database=":memory:")
    if "://" not in value:
        return URL.create("sqlite", database=str(Path(value).expanduser().absolute()))
    try:
        url = make_url(value)
    except (ArgumentError, ValueError):
        raise InvalidInput("--db", URL_EXPECTED, masked(value)) from None
    backend = url.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if url.database and url.database != ":memory:":
            path = Path(url.database).expanduser().absolute()
            return url.set(drivername="sqlite", database=str(path))
        return url.set(drivername="sqlite")
    raise InvalidInput("--db", URL_EXPECTED, masked(value))


def nothing_stored(url: URL) -> bool:
    """Whether ``url`` is a SQLite database with no file yet, or one in memory: a reader
    has nothing to read there (and must not create it)."""
    if url.get_backend_name() != "sqlite":
        return False
    path = sqlite_file(url)
    return path is None or not path.is_file()


def sqlite_file(url: URL | None) -> Path | None:
    """The file of a SQLite database (``None`` for PostgreSQL or an in-memory one)."""
    if url is None or url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def masked_command(args: list[str]) -> str:
    """A command line as the history keeps it: every argument that holds a URL (``--db
    postgresql+psycopg://me:secret@host/db``, ``--db=...``) shown as :func:`masked`
    shows it."""
    shown = []
    for arg in args:
        if "://" in arg:
            head, sep, value = arg.partition("=") if arg.startswith("-") else ("", "", arg)
            arg = f"{head}{sep}{masked(value)}"
        shown.append(shlex.quote(arg))
    return " ".join(["tracker", *shown])


def default_author() -> Author:
    """Who writes when the command line does not say: ``TRACKER_USER``, else the
    system user."""
    return Author(os.environ.get("TRACKER_USER") or _system_user())


def _system_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass
class Database:
    """An open database: its URL, its engine and the sessions to use on it."""

    url: URL
    engine: Engine
    read_only: bool = False
    """A SQLite file this process may not write (it or its folder): opened read-only."""
    author: Author = field(default_factory=default_author)
    """Who the change sets of this database's writes name."""
    _reader: sessionmaker[Session] = field(init=False, repr=False)
    _writer: sessionmaker[Session] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        writer_engine = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self._writer = sessionmaker(writer_engine, expire_on_commit=False)

    @property
    def backend(self) -> str:
        return self.url.get_backend_name()

    @property
    def display_url(self) -> str:
        return masked(self.url)

    @property
    def file(self) -> Path | None:
        """The SQLite file (``None`` for PostgreSQL or an in-memory database)."""
        return sqlite_file(self.url)

    def failure(self, exc: DBAPIError) -> Unavailable | None:
        """One sentence naming the file for what SQLite says is wrong with it (damaged,
        locked, read-only, not a database), or ``None`` for any other error. The SQL and
        its parameters stay out of it; ``--debug`` shows them, from the cause."""
        path = self.file
        if path is None or not isinstance(exc.orig, sqlite3.Error):
            return None
        sentence = problem(path, exc.orig, busy_timeout_ms=BUSY_TIMEOUT_MS)
        return Unavailable(sentence) if sentence is not None else None

    @contextmanager
    def translated(self) -> Iterator[None]:
        """Turns SQLite's failures on the file into ``failure``'s sentence."""
        try:
            yield
        except DBAPIError as exc:
            failure = self.failure(exc)
            if failure is None:
                raise
            raise failure from exc

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for a command that only reads."""
        with self.translated(), self._reader() as session, session.begin():
            yield session

    @contextmanager
    def writing(self, *, dry_run: bool = False) -> Iterator[Session]:
        """A session whose transaction commits when the block ends without error (or,
        for a ``dry_run``, is rolled back all the same).

        Write transactions run one at a time: ``BEGIN IMMEDIATE`` on SQLite, an
        advisory lock on PostgreSQL (see the module's docstring). A dry run writes and
        rolls back, so it queues like any write: a read transaction that tried to write
        would fail at once once another writer had committed after it began.

        What the block changed is recorded as one change set, in the same transaction
        (:mod:`tracker.history.record`): every write is in the history, or none is.
        """
        if self.read_only:
            raise Unavailable(READ_ONLY.format(path=self.file))
        with self.translated(), self._writer.begin() as session:
            if self.backend == "postgresql":
                _take_writer_lock(session)
            transaction = session.get_transaction()
            yield session
            if dry_run:
                session.rollback()
            elif session.get_transaction() is transaction:  # not rolled back by the block
                record_change_set(session, self.author)

    def dispose(self) -> None:
        self.engine.dispose()


def _take_writer_lock(session: Session) -> None:
    session.execute(text(f"SET LOCAL lock_timeout = {BUSY_TIMEOUT_MS}"))
    schema = func.hashtext(func.current_schema())
    try:
        session.execute(select(func.pg_advisory_xact_lock(PG_WRITER_LOCK, schema)))
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) == "55P03":  # lock_not_available
            raise Unavailable(BUSY.format(seconds=f"{BUSY_TIMEOUT_MS / 1000:g}")) from None
        raise


def open_database(target: str | URL | None, *, upgrade: bool = True) -> Database:
    """Open the database at ``target`` and, unless told not to, bring its schema to head."""
    url = target if isinstance(target, URL) else resolve_url(target)
    read_only = False
    if url.get_backend_name() == "sqlite":
        engine, read_only = _sqlite_engine(url, create_parent=target is None)
    else:
        engine = create_engine(url, pool_pre_ping=False)
    database = Database(url, engine, read_only)
    if upgrade:
        from db.schema import ensure_schema

        ensure_schema(database)
    return database


def bind_null_directly() -> None:
    """Have Python's sqlite3 bind ``None`` as NULL without looking for a way to adapt it.

    The module adapts every parameter that is not an ``int``, ``float``, ``str`` or
    ``bytes`` before binding it; for ``None`` that means asking for an ``__adapt__`` its
    protocol lacks, an AttributeError made and thrown away each time. With an adapter
    registered for ``None`` that hands it back (``{}.get``, written in C), it is one
    dictionary lookup, and NULL is bound as before. A bulk import binds millions of
    NULLs: 300,000 rows holding four each took 0.43 s of CPU to insert, 0.19 s with it.
    The registry is the module's, for every connection of the process: this one changes
    no value bound."""
    sqlite3.register_adapter(type(None), _NONE_AS_IT_IS)


_NONE_AS_IT_IS: Any = {}.get
"""A callable that returns ``None`` for ``None``, with no Python frame of its own."""


def _sqlite_engine(url: URL, *, create_parent: bool) -> tuple[Engine, bool]:
    """An engine on the SQLite database at ``url``, and whether it is read-only.

    The file is examined first (db/sqlite_files.py), before any PRAGMA that writes: one
    that is neither empty nor a tracker database is refused untouched, and one this
    process may not write is opened read-only, without the switch to WAL.
    """
    path = url.database
    kwargs: dict[str, Any] = {}
    writable = True
    if path and path != ":memory:":
        from db.revisions import REVISIONS

        _prepare_file(Path(path), create_parent=create_parent)
        found = examine(Path(path), revisions=REVISIONS, busy_timeout_ms=BUSY_TIMEOUT_MS)
        writable = found.writable
        if not writable:
            kwargs["creator"] = partial(
                sqlite3.connect, read_only_uri(found), uri=True, check_same_thread=False
            )
    else:
        kwargs["poolclass"] = StaticPool
        kwargs["connect_args"] = {"check_same_thread": False}
    bind_null_directly()
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Take over transaction handling from the sqlite3 module (SQLAlchemy's
        # documented recipe), so BEGIN is ours to issue and DDL is transactional.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if path and path != ":memory:" and writable:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine, not writable


def _prepare_file(path: Path, *, create_parent: bool) -> None:
    """Make sure the SQLite file can be opened; create it with mode 0600 if it is new."""
    parent = path.parent
    if not parent.is_dir():
        if not create_parent:
            raise Unavailable(f"database: the folder {parent} does not exist")
        # Each missing folder private, not only the last: mkdir(parents=True) would make
        # the others with the umask's mode (0777 under umask 000).
        missing = [parent, *(p for p in parent.parents if not p.exists())]
        for folder in sorted(missing, key=lambda p: len(p.parts)):
            try:
                folder.mkdir(mode=0o700, exist_ok=True)
            except OSError as exc:
                raise Unavailable(f"database: cannot create {folder}: {exc.strerror}") from None
    if path.exists():
        if path.is_dir():
            raise Unavailable(f"database: {path} is a folder, not a database file")
        return
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise Unavailable(f"database: cannot create {path}: {exc.strerror}") from None
    os.close(fd)
