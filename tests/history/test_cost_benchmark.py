"""The history benchmark's "without" mode (tests/benchmarks/history.py) still runs the
same import with nothing but the recording switched off: if the import's code moves
on and the switch no longer fits it, the benchmark measures nothing."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.benchmarks.history import MODES

ROWS = (
    "date,title,envoys,counterparts,city,country,sources\n"
    "2025-03-13,Talks in Moscow,Ann Envoy,Ivan Host,Moscow,RU,https://example.org/a\n"
    "2025-03-14,Talks in Riyadh,Ann Envoy,Ali Host,Riyadh,SA,https://example.org/b\n"
)


@pytest.mark.parametrize(("mode", "recorded"), [("with history", 2), ("without history", 0)])
def test_the_import_runs_in_both_modes_and_only_one_records_it(
    tmp_path: Path, mode: str, recorded: int
) -> None:
    table = tmp_path / "rows.csv"
    table.write_text(ROWS, encoding="utf-8")
    db = tmp_path / "bench.db"
    command = [sys.executable, "-c", MODES[mode], "--db", str(db), "import", "--create"]
    result = subprocess.run([*command, str(table)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    connection = sqlite3.connect(db)
    try:
        meetings = connection.execute("SELECT count(*) FROM meeting").fetchone()[0]
        added = connection.execute(
            "SELECT count(*) FROM change WHERE section = 'meetings' AND op = 'added'"
        ).fetchone()[0]
    finally:
        connection.close()
    assert meetings == 2
    assert added == recorded
