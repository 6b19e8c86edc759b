"""A large import killed with SIGKILL at random moments loses nothing and half-writes
nothing: each time the database passes ``PRAGMA integrity_check`` and holds either
none or all of the import's rows, and the rows that were there before are untouched.

The import runs as its own process (``tracker --db DB import FILE``). Its document is
big enough that SQLite spills uncommitted pages into the WAL before the commit, so
most kills are aimed at the moments the WAL is growing: torn and uncommitted frames
there must be ignored when the database is next opened.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, create_engine, make_url, text

from cli.app import main
from db.engine import open_database
from db.schema import row_counts
from tests.conftest import POSTGRES_URL, postgres_schema_url
from tests.reliability.workers import log_args

MEETINGS = 100
TAG = "crash"
COMMAND = [sys.executable, "-c", "from cli.app import main; main()"]
SQLITE_TRIALS = 10
POSTGRES_TRIALS = 3


def big_document(meetings: int = MEETINGS) -> dict[str, Any]:
    """A tracker/1 document: ``meetings`` meetings with long notes (about 2 MB of text),
    their sources, visits and statements, among 20 people and 10 cities."""
    people = [
        {
            "uid": f"{TAG}-person-{i}",
            "name": f"Envoy {TAG} {i}",
            "country": "US" if i % 2 else "RU",
            "aliases": [{"name": f"Посланник {i}", "lang": "ru"}],
        }
        for i in range(20)
    ]
    places = [
        {"uid": f"{TAG}-place-{i}", "name": f"City {TAG} {i}", "kind": "city", "country": "RU"}
        for i in range(10)
    ]
    sources = [
        {
            "uid": f"{TAG}-source-{i}",
            "url": f"https://example.org/{TAG}/{i}",
            "publisher": "Example",
            "title": f"Report {i}",
            "published": "2025-06-01",
            "language": "en",
        }
        for i in range(meetings)
    ]
    visits: list[dict[str, Any]] = []
    meeting_records: list[dict[str, Any]] = []
    statements: list[dict[str, Any]] = []
    for i in range(meetings):
        day = f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}"
        if i % 2 == 0:
            visits.append(
                {
                    "uid": f"{TAG}-visit-{i}",
                    "travellers": [{"person": f"{TAG}-person-{i % 20}", "role": "envoy"}],
                    "destination": f"{TAG}-place-{i % 10}",
                    "date": day,
                    "sources": [f"{TAG}-source-{i}"],
                }
            )
        meeting_records.append(
            {
                "uid": f"{TAG}-meeting-{i}",
                "visit": f"{TAG}-visit-{i - i % 2}",
                "kind": "talks",
                "title": f"Talks {i}",
                "date": day,
                "venue": f"{TAG}-place-{i % 10}",
                "duration": {"minutes": 60 + i % 300, "qualifier": "about"},
                "participants": [
                    {"person": f"{TAG}-person-{i % 20}", "side": "US", "role": "envoy"},
                    {"person": f"{TAG}-person-{(i + 1) % 20}", "side": "RU", "role": "host"},
                ],
                "topics": ["peace", f"topic {i % 7}"],
                "outcome": "no-agreement",
                "outcome_summary": "No compromise reached.",
                "status": "held",
                "notes": " ".join(f"word{(i * 7 + k) % 5000}" for k in range(2500)),
                "sources": [f"{TAG}-source-{i}"],
            }
        )
        if i % 2:
            statements.append(
                {
                    "uid": f"{TAG}-statement-{i}",
                    "speaker": f"{TAG}-person-{(i + 1) % 20}",
                    "meeting": f"{TAG}-meeting-{i}",
                    "kind": "quote",
                    "date": day,
                    "language": "en",
                    "text": "Not closer to peace, but not further either.",
                    "sources": [f"{TAG}-source-{i}"],
                }
            )
    return {
        "format": "tracker/1",
        "people": people,
        "places": places,
        "sources": sources,
        "visits": visits,
        "meetings": meeting_records,
        "statements": statements,
    }


def _import(db: str, document: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*COMMAND, "--db", db, "import", str(document)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _kill(process: subprocess.Popen[bytes]) -> bool:
    """SIGKILL ``process``; whether it was still running (the kill interrupted it)."""
    alive = process.poll() is None
    if alive:
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    return alive and process.returncode == -signal.SIGKILL


def _sqlite_state(path: Path) -> tuple[str, dict[str, int], int]:
    """integrity_check, rows per table, and the import's meetings, read with the
    sqlite3 module directly (recovering the WAL a killed writer left behind)."""
    connection = sqlite3.connect(path)
    try:
        check = "; ".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
        fts = connection.execute(
            "INSERT INTO meeting_fts(meeting_fts, rank) VALUES ('integrity-check', 1)"
        )
        fts.close()
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%'"
            )
        ]
        counts = {
            table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            for table in tables
        }
        ours = connection.execute(
            "SELECT count(*) FROM meeting WHERE uid LIKE ?", (f"{TAG}-%",)
        ).fetchone()[0]
    finally:
        connection.close()
    return check, counts, ours


def _wal_size(path: Path) -> int:
    try:
        return os.path.getsize(f"{path}-wal")
    except OSError:
        return 0


@pytest.fixture(scope="module")
def document_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("crash") / "big.json"
    path.write_text(json.dumps(big_document()), encoding="utf-8")
    return path


def test_sqlite_import_killed_at_random_moments_is_all_or_nothing(
    tmp_path: Path, document_file: Path
) -> None:
    template = tmp_path / "template.db"
    seeded = CliRunner().invoke(main, ["--db", str(template), "seed"])
    assert seeded.exit_code == 0, seeded.output
    assert not Path(f"{template}-wal").exists()

    # A complete run: the rows the import adds, and when its writes begin and end.
    full = tmp_path / "full.db"
    shutil.copy(template, full)
    started = time.monotonic()
    process = _import(str(full), document_file)
    writes_began = writes_ended = None
    last_size = 0
    while process.poll() is None:
        size = _wal_size(full)
        if size > 32 and size != last_size:
            writes_ended = time.monotonic() - started
            writes_began = writes_began or writes_ended
        last_size = size
        time.sleep(0.002)
    duration = time.monotonic() - started
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""
    check, full_counts, full_ours = _sqlite_state(full)
    assert check == "ok"
    assert full_ours == MEETINGS
    _, before_counts, before_ours = _sqlite_state(template)
    assert before_ours == 0
    assert writes_began is not None
    assert writes_ended is not None
    write_window = writes_ended - writes_began

    rng = random.Random(6)
    outcomes = []
    for trial in range(SQLITE_TRIALS):
        path = tmp_path / f"trial{trial}.db"
        shutil.copy(template, path)
        started = time.monotonic()
        process = _import(str(path), document_file)
        if trial % 3 == 0:
            # Any moment of the run.
            time.sleep(rng.uniform(0, duration))
        else:
            # While the transaction is being written out: wait for the WAL to grow.
            while _wal_size(path) <= 32 and process.poll() is None:
                if time.monotonic() - started > 120:
                    break
                time.sleep(0.001)
            time.sleep(rng.uniform(0, 1.2 * write_window))
        interrupted = _kill(process)
        mid_write = _wal_size(path) > 32
        check, counts, ours = _sqlite_state(path)
        assert check == "ok", f"trial {trial}: {check}"
        assert counts in (before_counts, full_counts), f"trial {trial}: {counts}"
        assert ours in (0, MEETINGS)
        outcomes.append((interrupted, mid_write, ours))
    # The kills really hit running imports, several of them while writing.
    assert sum(1 for interrupted, _, _ in outcomes if interrupted) >= SQLITE_TRIALS // 2, outcomes
    assert sum(1 for i, w, _ in outcomes if i and w) >= 3, outcomes

    # A killed writer leaves no lock behind: the crashed database takes a new write.
    crashed = str(tmp_path / "trial1.db")
    logged = CliRunner().invoke(main, log_args(crashed, 0, 0))
    assert logged.exit_code == 0, logged.stderr
    assert _sqlite_state(tmp_path / "trial1.db")[0] == "ok"


@pytest.mark.postgres
def test_postgresql_import_killed_mid_way_rolls_back(
    postgres_schema: str, document_file: Path
) -> None:
    # A schema per trial, so that a trial whose kill came after the commit does not
    # leave the next one with nothing to add.
    admin = create_engine(make_url(POSTGRES_URL).set(drivername="postgresql+psycopg"))
    schemas = [f"{postgres_schema}_{trial}" for trial in range(POSTGRES_TRIALS)]
    rng = random.Random(6)
    outcomes = []
    try:
        for trial, schema in enumerate(schemas):
            with admin.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            url = postgres_schema_url(schema)
            open_database(url).dispose()
            before, ours = _postgres_counts(url)
            assert ours == 0
            name = f"tracker-crash-{schema}"
            process = _import(f"{url}&application_name={name}", document_file)
            # Wait until the import's transaction has written (it has a transaction
            # id), then kill it a random moment later.
            while process.poll() is None and not _has_written(admin, name):
                time.sleep(0.002)
            time.sleep(rng.uniform(0, 0.2))
            interrupted = _kill(process)
            after, ours = _postgres_counts(url)
            assert ours in (0, MEETINGS), f"trial {trial}: {ours} meetings"
            assert (after == before) == (ours == 0), f"trial {trial}: {after}"
            outcomes.append((interrupted, ours))
        assert any(interrupted and ours == 0 for interrupted, ours in outcomes), outcomes
        # The killed clients' transactions (and their locks) are gone: the import runs.
        url = postgres_schema_url(schemas[0])
        process = _import(url, document_file)
        assert process.wait(timeout=120) == 0
        assert _postgres_counts(url)[1] == MEETINGS
    finally:
        with admin.begin() as connection:
            for schema in schemas:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _has_written(admin: Engine, application_name: str) -> bool:
    with admin.connect() as connection:
        found = connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE application_name = :name AND backend_xid IS NOT NULL"
            ),
            {"name": application_name},
        ).scalar_one()
    return bool(found)


def _postgres_counts(url: str) -> tuple[dict[str, int], int]:
    database = open_database(url)
    try:
        with database.engine.connect() as connection:
            ours = connection.execute(
                text("SELECT count(*) FROM meeting WHERE uid LIKE :tag"), {"tag": f"{TAG}-%"}
            ).scalar_one()
            return row_counts(connection), ours
    finally:
        database.dispose()
