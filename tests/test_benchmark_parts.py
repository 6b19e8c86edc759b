"""The import runner's parts (``tests/benchmarks/compare.py --question parts``) each
switch off what they say, and only that: if the import's code moves on and a switch no
longer fits it, the question would measure nothing."""

from __future__ import annotations

import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest

from tests.benchmarks import run
from tests.benchmarks.compare import IN_ORDER, PARTS, started, template, without_in_order

ROWS = (
    "date,title,envoys,counterparts,city,country,sources\n"
    "2025-03-13,Talks in Moscow,Ann Envoy,Ivan Host,Moscow,RU,https://example.org/a\n"
    "2025-03-14,Talks in Riyadh,Ann Envoy,Ali Host,Riyadh,SA,https://example.org/b\n"
)

HISTORY, CELLS, INDEXES = "history", "list cells", "in-order indexes"

KEPT = {
    "as it is": {HISTORY, CELLS, INDEXES},
    "history off": {CELLS, INDEXES},
    "history and list cells off": {INDEXES},
    "history, list cells and in-order indexes off": set(),
}


def test_every_part_is_checked() -> None:
    assert set(KEPT) == set(PARTS)


@pytest.mark.parametrize("part", list(PARTS))
def test_a_part_imports_the_rows_without_what_it_switches_off(tmp_path: Path, part: str) -> None:
    script, without_indexes = PARTS[part]
    table = tmp_path / "rows.csv"
    table.write_text(ROWS, encoding="utf-8")
    db = template(run.tool("tracker"), tmp_path, "template")
    if without_indexes:
        db = without_in_order(db, tmp_path / "unordered.db")
    command = [*started(script), "--db", str(db), "import", "--create", str(table)]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    with closing(sqlite3.connect(db)) as connection:
        meetings = connection.execute(
            "SELECT counterparts_cell, sources_cell FROM meeting ORDER BY id"
        ).fetchall()
        changes = connection.execute("SELECT count(*) FROM change").fetchone()[0]
        indexes = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    built = [("Ivan Host", "https://example.org/a"), ("Ali Host", "https://example.org/b")]
    assert meetings in (built, [("", "")] * 2)
    kept = {HISTORY: changes > 0, CELLS: meetings == built, INDEXES: set(IN_ORDER) <= indexes}
    assert {name for name, present in kept.items() if present} == KEPT[part]
