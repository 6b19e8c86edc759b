"""The application context every command receives: the database and the consoles."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from rich.console import Console
    from sqlalchemy import URL

    from db.engine import Database
    from db.plain import ReadConnection


@dataclass
class App:
    """What the group callback builds in ``ctx.obj``.

    The database is opened on first use, so ``--help`` and commands that never touch
    it stay fast and work without one.
    """

    target: str | None = None
    debug: bool = False
    author: str | None = None
    """``--as``: who is writing (else ``TRACKER_USER`` or the system user)."""
    excel: bool = False
    """``--excel``: csv output is written for Excel."""
    command_line: list[str] = field(default_factory=list)
    """The arguments as given, for the history (which masks their credentials)."""
    out: Console = field(default_factory=lambda: make_console(stderr=False))
    err: Console = field(default_factory=lambda: make_console(stderr=True))
    _database: Database | None = None

    def database_url(self) -> URL:
        """The URL of the database, without opening it (to check an output path against
        it before anything is read or written)."""
        from db.engine import resolve_url

        return resolve_url(self.target)

    def database_file(self) -> Path | None:
        """The SQLite file of the database (``None`` for PostgreSQL or an in-memory
        one), without opening it, to check an output path against it before anything is
        read or written; SQLAlchemy is loaded only for a URL the plain path does not
        know (``db.reading.sqlite_path``)."""
        from db.reading import sqlite_path

        path = sqlite_path(self.target)
        if path is not None:
            return path
        from db.engine import sqlite_file

        return sqlite_file(self.database_url())

    def database(self, *, upgrade: bool = True) -> Database:
        if self._database is None:
            from db.engine import default_author, masked_command, open_database
            from tracker.history.record import Author

            self._database = open_database(self.target, upgrade=upgrade)
            name = self.author or default_author().name
            self._database.author = Author(name, masked_command(self.command_line))
        return self._database

    @contextmanager
    def reading(self) -> Iterator[ReadConnection]:
        """A read transaction on the database's own DB-API driver (``db/reading.py``):
        on a SQLite file at the current schema, opened without SQLAlchemy."""
        from db.reading import engine_reader, open_reader

        if self._database is not None:
            reader = engine_reader(self._database, dispose=False)
        else:
            reader = open_reader(self.target)
        try:
            yield reader
        finally:
            reader.close()

    def close(self) -> None:
        if self._database is not None:
            self._database.dispose()
            self._database = None


def make_console(*, stderr: bool) -> Console:
    """A Console on the current stdout or stderr; plain (no colour, no escapes) unless
    that stream is a terminal."""
    from rich.console import Console

    class PipedConsole(Console):
        def on_broken_pipe(self) -> None:
            # Rich would exit with status 1 here; the reader going away is not a failure,
            # and cli/app.py is the one place that decides what it is.
            self.quiet = True
            raise BrokenPipeError

    stream = sys.stderr if stderr else sys.stdout
    terminal = hasattr(stream, "isatty") and stream.isatty()
    return PipedConsole(
        stderr=stderr,
        highlight=False,
        emoji=False,
        markup=False,
        force_terminal=None if terminal else False,
        no_color=None if terminal else True,
        soft_wrap=not terminal,
    )
