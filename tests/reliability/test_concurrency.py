"""Many writers at once: 8 processes logging 100 meetings each into one database
(a SQLite file, a PostgreSQL schema) through ``tracker log``, and a reader polling.

Afterwards: exactly 800 meetings, every invocation exited 0 with nothing but its
"Logged meeting" line (and the note on a person created without a country) on stderr
(no "database is locked"), no person, place, source or
visit was created twice by two writers racing, and every meeting the reader saw while
the writes went on was whole (all its participants, sources, statement and visit).
"""

from __future__ import annotations

import multiprocessing
import time
from typing import Any

import pytest
from sqlalchemy import func, select, text

from db.engine import open_database
from tests.conftest import postgres_schema_url
from tests.reliability import workers
from tracker.errors import Unavailable
from tracker.models import Meeting, Person, Place, Source, Visit

WORKERS = 8
MEETINGS = 100
SPAWN = multiprocessing.get_context("spawn")


def _collect(queue: Any, count: int, timeout: float) -> list[Any]:
    return [queue.get(timeout=timeout) for _ in range(count)]


def _finish(processes: list[Any]) -> None:
    for process in processes:
        process.join(timeout=30)
        if process.is_alive():
            process.kill()
            process.join()


def _expected_dates() -> set[str]:
    dates = set()
    for worker in range(WORKERS):
        for index in range(MEETINGS):
            args = workers.log_args("x", worker, index)
            dates.add(args[args.index("--date") + 1])
    return dates


def test_eight_writers_at_once_lose_nothing_and_readers_see_whole_meetings(db_url: str) -> None:
    open_database(db_url).dispose()  # at head; first use by many at once is tested below
    start = SPAWN.Barrier(WORKERS + 1)
    stop = SPAWN.Event()
    results = SPAWN.Queue()
    reads = SPAWN.Queue()
    writers = [
        SPAWN.Process(target=workers.log_meetings, args=(db_url, worker, MEETINGS, start, results))
        for worker in range(WORKERS)
    ]
    reader = SPAWN.Process(target=workers.poll_whole_meetings, args=(db_url, start, stop, reads))
    try:
        for process in [*writers, reader]:
            process.start()
        outcomes = dict(_collect(results, WORKERS, timeout=400))
        stop.set()
        polls, seen, broken = reads.get(timeout=60)
    finally:
        stop.set()
        _finish([*writers, reader])

    failures = {worker: f for worker, f in outcomes.items() if f}
    assert failures == {}, next(iter(failures.values()))[:3]
    assert broken == []
    # The reader really read while the writers wrote.
    assert polls >= 5
    assert any(0 < count < WORKERS * MEETINGS for count in seen), seen

    database = open_database(db_url)
    try:
        with database.reading() as session:
            titles = list(session.scalars(select(Meeting.title)))
            rows = session.execute(workers.WHOLE_MEETINGS).all()
            people = list(session.scalars(select(Person.name).order_by(Person.name)))
            places = list(session.scalars(select(Place.name)))
            shared = session.scalar(
                select(func.count())
                .select_from(Source)
                .where(Source.url == "https://example.org/shared-report")
            )
            sources = session.scalar(select(func.count()).select_from(Source))
            visit_days = list(session.scalars(select(Visit.edtf)))
    finally:
        database.dispose()
    assert len(titles) == WORKERS * MEETINGS
    assert set(titles) == {f"Talks w{w} n{i}" for w in range(WORKERS) for i in range(MEETINGS)}
    assert all(tuple(row)[1:] == workers.WHOLE for row in rows)
    # Names, places, sources and visits that writers raced to create exist once.
    assert people == ["Steve Witkoff", "Vladimir Putin"]
    assert places == ["Moscow"]
    assert shared == 1
    assert sources == WORKERS * MEETINGS + 1
    assert sorted(visit_days) == sorted(_expected_dates())


def test_eight_processes_opening_a_new_database_at_once_all_succeed(db_url: str) -> None:
    # Every process builds its own engine and finds no schema: the first creates it
    # under the migration lock, the others wait for it and then find it done.
    start = SPAWN.Barrier(WORKERS)
    results = SPAWN.Queue()
    writers = [
        SPAWN.Process(target=workers.log_meetings, args=(db_url, worker, 3, start, results, False))
        for worker in range(WORKERS)
    ]
    try:
        for process in writers:
            process.start()
        outcomes = dict(_collect(results, WORKERS, timeout=120))
    finally:
        _finish(writers)
    failures = {worker: f for worker, f in outcomes.items() if f}
    assert failures == {}, next(iter(failures.values()))[:3]
    database = open_database(db_url, upgrade=False)
    try:
        with database.reading() as session:
            count = session.scalar(select(func.count()).select_from(Meeting))
            revision = session.scalar(text("SELECT version_num FROM alembic_version"))
    finally:
        database.dispose()
    assert count == WORKERS * 3
    from db.schema import HEAD

    assert revision == HEAD


@pytest.mark.postgres
def test_postgresql_writers_wait_their_turn_then_give_up_in_one_line(
    postgres_schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import db.engine

    monkeypatch.setattr(db.engine, "BUSY_TIMEOUT_MS", 500)
    first = open_database(postgres_schema_url(postgres_schema))
    second = open_database(postgres_schema_url(postgres_schema))
    try:
        with first.writing():
            started = time.monotonic()
            with pytest.raises(Unavailable) as raised, second.writing():
                pass
            assert time.monotonic() - started >= 0.5
            assert str(raised.value) == (
                "database: busy: another write has held it for 0.5 s; try again"
            )
            with second.reading() as session:  # readers never wait
                assert session.scalar(select(func.count()).select_from(Meeting)) == 0
        with second.writing():  # the lock went with the first transaction
            pass
    finally:
        first.dispose()
        second.dispose()
