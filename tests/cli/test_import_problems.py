"""Every problem of a table at once: a refused import and a dry run list each bad value
by column, with how many rows have it and the first of them; --report json says the
same as one object; --skip-invalid still imports the others."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tests.cli.conftest import Invoke

DATE = "a date such as 2025-04-11, 11 Apr 2025, Apr 2025, 2025, 2–3 Dec 2025 or 2025-04~ (EDTF)"
COUNTRY = "a country's name (in any language) or ISO 3166 code, such as RU, RUS, 643 or Rosja"

TABLE = "traveller,start,country,city\n" + "".join(
    f"Envoy {n},{start},{country},Capital\n"
    for n, (start, country) in enumerate(
        [
            ("2025-01-10", "RU"),
            ("2025-13", "RU"),  # row 3
            ("2025-02-11", "Atlantis"),  # row 4
            ("2025-02-12", "Atlantis"),
            ("2025-02-13", "Freedonia"),
            ("2025-13", "PL"),
            ("2025-02-14", "Atlantis"),
            ("2025-02-15", "Atlantis"),
            ("2025-02-16", "Atlantis"),
            ("2025-02-17", "Atlantis"),  # row 11: the sixth Atlantis
            ("2025-02-18", "U.S.S.R."),
        ]
    )
)

PROBLEMS = [
    "  problems: 9 rows in 2 columns",
    f'  column "start": expected {DATE}',
    "    '2025-13': 2 rows (3, 7)",
    f'  column "country": expected {COUNTRY}',
    "    'Atlantis': 6 rows (4, 5, 8, 9, 10, …)",
    "    'Freedonia': 1 row (6)",
]


def _write(tmp_path: Path) -> Path:
    table = tmp_path / "trips.csv"
    table.write_text(TABLE, encoding="utf-8")
    return table


def test_a_refused_import_lists_every_problem(run: Invoke, tmp_path: Path) -> None:
    table = _write(tmp_path)
    result = run("import", "--create", str(table))
    assert result.exit_code == 2
    assert result.stdout.splitlines() == PROBLEMS
    assert result.stderr == (
        f"error: {table}: expected rows that fit their columns; 9 rows have problems in 2"
        " columns (listed above): fix them, or give --skip-invalid to import the others\n"
    )
    assert run("visits", "--format", "json").stdout.strip() in ("", "[]")


def test_a_dry_run_lists_every_problem(run: Invoke, tmp_path: Path) -> None:
    table = _write(tmp_path)
    result = run("import", "--create", "--dry-run", str(table))
    assert result.exit_code == 2
    assert result.stdout.splitlines() == PROBLEMS
    result = run("import", "--create", "--dry-run", "--skip-invalid", str(table))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Dry run of {table}: would add ")
    assert "  rows: 11 read, 9 rejected" in lines
    assert lines[-7:] == [*PROBLEMS, "  (a dry run writes no reject file)"]


def test_the_report_as_json(run: Invoke, tmp_path: Path) -> None:
    table = _write(tmp_path)
    result = run("import", "--create", "--dry-run", "--report", "json", str(table))
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert (report["rows"], report["rejected"], report["imported"]) == (11, 9, False)
    assert report["problems"] == [
        {
            "column": "start",
            "expected": DATE,
            "rows": 2,
            "values": [{"value": "2025-13", "rows": 2, "first_rows": [3, 7]}],
        },
        {
            "column": "country",
            "expected": COUNTRY,
            "rows": 7,
            "values": [
                {"value": "Atlantis", "rows": 6, "first_rows": [4, 5, 8, 9, 10]},
                {"value": "Freedonia", "rows": 1, "first_rows": [6]},
            ],
        },
    ]
    result = run("import", "--create", "--skip-invalid", "--report", "json", str(table))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["imported"], report["added"]["visits"]) == (True, 2)
    assert report["rejects_file"] == f"{table}.rejects.csv"
    rejected = (tmp_path / "trips.csv.rejects.csv").read_text(encoding="utf-8").splitlines()
    assert len(rejected) == 10  # the header and the nine rows


# -- every bad cell of a row --------------------------------------------------------

CELLS = (
    "traveller,date,country,city,duration,traveller_role,source_url\n"
    "Envoy A,2025-03-04,RU,Moscow,5h,Envoy,https://example.org/a\n"
    "Envoy B,2025-13,Atlantis,Capital,five hours,Envoy,https://example.org/b\n"  # row 3
    "Envoy C,2025-03-06,RU,Moscow,ever so long,Env\x00oy,ftp://example.org/c\n"  # row 4
)


def _cells(tmp_path: Path) -> Path:
    table = tmp_path / "cells.csv"
    table.write_text(CELLS, encoding="utf-8")
    return table


def test_a_row_with_several_bad_cells_lists_each_of_them(run: Invoke, tmp_path: Path) -> None:
    table = _cells(tmp_path)
    result = run("import", "--create", "--dry-run", "--report", "json", str(table))
    assert result.exit_code == 2, result.output
    report = json.loads(result.stdout)
    assert (report["rows"], report["rejected"]) == (3, 2)
    found = {
        (problem["column"], value["value"]): value["first_rows"]
        for problem in report["problems"]
        for value in problem["values"]
    }
    assert found == {
        ("date", "2025-13"): [3],
        ("country", "Atlantis"): [3],
        ("duration", "five hours"): [3],
        ("duration", "ever so long"): [4],
        ("traveller_role", None): [4],
        ("source_url", "ftp://example.org/c"): [4],
    }
    text = run("import", "--create", str(table))
    assert text.exit_code == 2
    assert text.stdout.splitlines()[0] == "  problems: 2 rows in 5 columns"
    assert text.stderr.startswith(
        f"error: {table}: expected rows that fit their columns; 2 rows have problems in 5"
        " columns (listed above)"
    )
    assert run("visits", "--format", "json").stdout.strip() in ("", "[]")


def test_a_row_with_several_bad_cells_is_one_rejected_row(run: Invoke, tmp_path: Path) -> None:
    table = _cells(tmp_path)
    result = run("import", "--create", "--skip-invalid", str(table))
    assert result.exit_code == 0, result.output
    assert "  rows: 3 read, 2 rejected" in result.stdout.splitlines()
    with (tmp_path / "cells.csv.rejects.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["reject_row"], r["reject_column"]) for r in rows] == [
        ("3", "date; country; duration"),
        ("4", "duration; traveller_role; source_url"),
    ]
    assert [r["traveller"] for r in rows] == ["Envoy B", "Envoy C"]
    assert len(rows[0]["reject_reason"].split("; expected ")) == 3


# -- every name and place a row cannot find ----------------------------------------

KNOWN = (
    "traveller,date,country,city\n"
    "Anna Smith,2025-01-02,PL,Kraków\n"
    "Bob Smith,2025-01-03,PL,Kraków\n"
    "Carl Jones,2025-01-04,PL,Kraków\n"
    "Dana Jones,2025-01-05,PL,Kraków\n"
    "Eve Brown,2025-01-06,PL,Kraków\n"
    "Finn Brown,2025-01-07,PL,Kraków\n"
)

LOOKUPS = (
    "traveller,date,country,city,counterparts\n"
    '"Smith; Jones",2025-03-04,Atlantis,Capital,Brown; Anna Smith\n'  # row 2
    "Anna Smith,2025-03-05,PL,Kraków,Bob Smith\n"  # row 3: fine
)


def test_a_row_lists_every_name_and_place_it_cannot_find(run: Invoke, tmp_path: Path) -> None:
    known = tmp_path / "known.csv"
    known.write_text(KNOWN, encoding="utf-8")
    assert run("import", "--create", str(known)).exit_code == 0
    table = tmp_path / "lookups.csv"
    table.write_text(LOOKUPS, encoding="utf-8")
    result = run("import", "--dry-run", "--report", "json", str(table))
    assert result.exit_code == 2, result.output
    report = json.loads(result.stdout)
    assert (report["rows"], report["rejected"]) == (2, 1)
    found = {
        (problem["column"], value["value"]): value["first_rows"]
        for problem in report["problems"]
        for value in problem["values"]
    }
    assert found == {
        ("traveller", "Smith"): [2],
        ("country", "Atlantis"): [2],
        ("traveller", "Jones"): [2],
        ("counterparts", "Brown"): [2],
    }
    skipped = run("import", "--skip-invalid", str(table))
    assert skipped.exit_code == 0, skipped.output
    assert "  rows: 2 read, 1 rejected" in skipped.stdout.splitlines()
