"""Code that runs in child processes of the reliability tests (started with ``spawn``).

Kept apart from the test modules so that a child imports only what it needs.
"""

from __future__ import annotations

import time
import traceback
from multiprocessing.synchronize import Barrier, Event
from typing import Any

from sqlalchemy import text

# Each meeting ``log_args`` makes has exactly this many rows hanging off it.
PARTICIPANTS = 2
SOURCES = 2
STATEMENTS = 1

# One read statement (one snapshot, on both backends): every meeting with the number of
# participants, sources and statements it has, and whether its visit has a traveller.
WHOLE_MEETINGS = text(
    "SELECT m.id,"
    " (SELECT count(*) FROM meeting_participant AS p WHERE p.meeting_id = m.id),"
    " (SELECT count(*) FROM meeting_source AS s WHERE s.meeting_id = m.id),"
    " (SELECT count(*) FROM statement AS st WHERE st.meeting_id = m.id),"
    " (SELECT count(*) FROM visit_traveller AS t WHERE t.visit_id = m.visit_id)"
    " FROM meeting AS m"
)
WHOLE = (PARTICIPANTS, SOURCES, STATEMENTS, 1)


def log_args(db: str, worker: int, index: int) -> list[str]:
    """``tracker --db DB log ...`` for meeting ``index`` of ``worker``.

    Every worker names the same envoy, counterpart and city, so the first meetings race
    to create them (``--create``), and they share one source URL. Their days collide,
    so each is logged although it may look like another (``--duplicate``).
    """
    month = 1 + index % 12
    day = 1 + (worker * 3 + index) % 28
    return [
        "--db",
        db,
        "log",
        "--create",
        "--duplicate",  # the same envoy, counterpart and city, on colliding days
        "--envoy",
        "Steve Witkoff",
        "--with",
        "Vladimir Putin:host:RU",
        "--date",
        f"2025-{month:02d}-{day:02d}",
        "--place",
        "Moscow",
        "--country",
        "RU",
        "--title",
        f"Talks w{worker} n{index}",
        "--duration",
        "5h+",
        "--source",
        f"https://example.org/w{worker}/n{index}",
        "--source",
        "https://example.org/shared-report",
        "--statement",
        "Vladimir Putin: not closer to peace, but not further either",
    ]


def reuse_engine_per_process() -> None:
    """Let every invocation in this process reuse one engine per database.

    Each ``tracker`` invocation still goes through Click, builds its App, opens
    connections anew (the connect-time PRAGMAs run again, as ``App.close`` disposes
    the pool), checks the schema revision, and runs the command's own transaction.
    Only SQLAlchemy's compiled-statement cache survives from one invocation to the
    next, as in a long-running process; this keeps 800 logs within the test budget.
    """
    import db.engine
    from db.schema import ensure_schema

    opened: dict[Any, db.engine.Database] = {}
    original = db.engine.open_database

    def open_database(target: Any, *, upgrade: bool = True) -> db.engine.Database:
        if target not in opened:
            opened[target] = original(target, upgrade=False)
        database = opened[target]
        if upgrade:
            ensure_schema(database)
        return database

    db.engine.open_database = open_database  # type: ignore[assignment]


def log_meetings(
    db: str,
    worker: int,
    count: int,
    start: Barrier | None,
    results: Any,
    reuse_engine: bool = True,
) -> None:
    """Log ``count`` meetings through ``tracker log``; put (worker, failures) on
    ``results``, where a failure is (index, exit code, stderr)."""
    failures: list[tuple[int, int, str]] = []
    try:
        if reuse_engine:
            reuse_engine_per_process()
        from click.testing import CliRunner

        from cli.app import main

        runner = CliRunner()
        if start is not None:
            start.wait(timeout=60)
        for index in range(count):
            result = runner.invoke(main, log_args(db, worker, index))
            stderr = result.stderr
            if result.exit_code != 0 or not _only_logged_lines(stderr):
                detail = stderr
                if result.exc_info is not None and result.exit_code not in (0, 1, 2):
                    detail += "".join(traceback.format_exception(*result.exc_info))
                failures.append((index, result.exit_code, detail))
    except BaseException:
        failures.append((-1, -1, traceback.format_exc()))
    results.put((worker, failures))


def _only_logged_lines(stderr: str) -> bool:
    """The log's own line, and at most the notes on the people it created without a
    country: no error, no warning."""
    lines = stderr.splitlines()
    notes = [line for line in lines[1:] if line.startswith("note: ") and "has no country" in line]
    return bool(lines) and lines[0].startswith("Logged meeting ") and notes == lines[1:]


def poll_whole_meetings(db: str, start: Barrier, stop: Event, results: Any) -> None:
    """Read every meeting, each read in one transaction, until ``stop``; put
    (polls, counts seen, broken meetings) on ``results``."""
    polls = 0
    seen: list[int] = []
    broken: list[tuple[Any, ...]] = []
    try:
        from db.engine import open_database

        database = open_database(db)
        start.wait(timeout=60)
        while not stop.is_set() or polls == 0:
            with database.reading() as session:
                rows = session.execute(WHOLE_MEETINGS).all()
            polls += 1
            seen.append(len(rows))
            broken.extend(tuple(row) for row in rows if tuple(row)[1:] != WHOLE)
            time.sleep(0.1)
        database.dispose()
    except BaseException:
        broken.append(("error", traceback.format_exc()))
    results.put((polls, seen, broken))


def log_until(db: str, started: Event, stop: Event, results: Any) -> None:
    """Log meetings until ``stop``; set ``started`` after the first; put the number
    logged and any failures on ``results``."""
    done = 0
    failures: list[tuple[int, int, str]] = []
    try:
        reuse_engine_per_process()
        from click.testing import CliRunner

        from cli.app import main

        runner = CliRunner()
        while not stop.is_set():
            result = runner.invoke(main, log_args(db, 0, done))
            if result.exit_code != 0:
                failures.append((done, result.exit_code, result.stderr))
                break
            done += 1
            started.set()
    except BaseException:
        failures.append((-1, -1, traceback.format_exc()))
    started.set()
    results.put((done, failures))


def log_meetings_as(
    db: str, name: str, worker: int, count: int, start: Barrier, results: Any
) -> None:
    """``log_meetings`` by the user ``name`` (``TRACKER_USER``), for the history."""
    import os

    os.environ["TRACKER_USER"] = name
    log_meetings(db, worker, count, start, results)
