"""Every problem of a table at once: the rows an import leaves out or refuses, grouped by
column and by what was expected, each distinct bad value with how many rows have it and
the first of them, so that a file is fixed in one pass, not one run per value."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracker.errors import InvalidInput

FIRST_ROWS = 5
"""How many row numbers a problem lists (the count says how many there are)."""


@dataclass
class Reject:
    """A row left out or refused: its number as a spreadsheet shows it (the header is
    row 1), the column at fault, what was expected there and what the row has, the
    whole reason as one line, and the row's values (for the reject file)."""

    row: int
    column: str | None
    reason: str
    values: list[str]
    expected: str = ""
    got: str | None = None


@dataclass
class Value:
    """One bad value of a problem, the rows that have it, and the first of them."""

    value: str | None
    rows: int = 0
    first_rows: list[int] = field(default_factory=list)


@dataclass
class Problem:
    """What a column was expected to hold, and the values that did not."""

    column: str | None
    expected: str
    values: list[Value] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(value.rows for value in self.values)


def group(rejects: list[Reject]) -> list[Problem]:
    """The rejects grouped by column and what was expected, in the order of the first
    row of each; values by how many rows have them (most first), then first seen."""
    problems: dict[tuple[str | None, str], Problem] = {}
    values: dict[tuple[str | None, str, str | None], Value] = {}
    for reject in sorted(rejects, key=lambda r: r.row):
        key = (reject.column, reject.expected or reject.reason)
        problem = problems.get(key)
        if problem is None:
            problem = problems[key] = Problem(reject.column, key[1])
        found = values.get((*key, reject.got))
        if found is None:
            found = values[(*key, reject.got)] = Value(reject.got)
            problem.values.append(found)
        found.rows += 1
        if len(found.first_rows) < FIRST_ROWS:
            found.first_rows.append(reject.row)
    for problem in problems.values():
        problem.values.sort(key=lambda v: -v.rows)  # stable: first seen first among equals
    return list(problems.values())


def problems_json(problems: list[Problem]) -> list[dict[str, Any]]:
    """The problems as JSON: column, expected, and each value with its rows."""
    return [
        {
            "column": problem.column,
            "expected": problem.expected,
            "rows": problem.rows,
            "values": [
                {"value": value.value, "rows": value.rows, "first_rows": value.first_rows}
                for value in problem.values
            ],
        }
        for problem in problems
    ]


class ProblemRows(InvalidInput):
    """A table with rows that do not fit, imported without leaving them out: nothing is
    imported. ``report`` holds every reject (and what the import would have done)."""

    def __init__(self, origin: str, report: Any) -> None:
        self.report = report
        rejects: list[Reject] = report.rejects
        if len(rejects) == 1:
            only = rejects[0]
            where = (
                f'{origin}: row {only.row}, column "{only.column}"'
                if only.column
                else (f"{origin}: row {only.row}")
            )
            super().__init__(where, only.expected or only.reason, only.got)
            return
        columns = len({r.column for r in rejects})
        rows = len({r.row for r in rejects})
        super().__init__(
            origin,
            f"rows that fit their columns; {rows} row{'s have' if rows != 1 else ' has'}"
            f" problems in {columns} column{'s' if columns != 1 else ''} (listed above)",
        )
