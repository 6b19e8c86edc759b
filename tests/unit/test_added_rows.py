"""The records a bulk import adds are told to the history as runs of ids, a table at
a time, when their ids are one run; else a change each."""

from __future__ import annotations

from typing import Any

from tracker.importers.plan import Ref
from tracker.importers.touched import report_added
from tracker.write.report import AddedRows, ChangeReport


def _planned(*ids: int) -> list[tuple[Any, ...]]:
    """Planned records (a ref, its values with the uid first, a link) given their ids."""
    planned = []
    for number, new_id in enumerate(ids):
        ref = Ref()
        ref.id = new_id
        planned.append((ref, (f"uid-{number}", "name"), None))
    return planned


def test_one_run_of_ids_is_one_run_in_the_order_of_its_ids() -> None:
    report = ChangeReport()
    report_added(report, "places", _planned(7, 5, 6))  # a new city after its new country
    assert report.added_rows == [AddedRows("places", 5, 7, ["uid-1", "uid-2", "uid-0"])]
    assert report.changes == []


def test_ids_with_a_gap_are_a_change_each() -> None:
    # Ids from a PostgreSQL sequence need not be one run.
    report = ChangeReport()
    report_added(report, "meetings", _planned(3, 4, 9))
    assert report.added_rows == []
    assert [(c.section, c.uid, c.before, c.after) for c in report.changes] == [
        ("meetings", "uid-0", None, None),
        ("meetings", "uid-1", None, None),
        ("meetings", "uid-2", None, None),
    ]


def test_nothing_added_is_nothing_told() -> None:
    report = ChangeReport()
    report_added(report, "people", [])
    assert (report.added_rows, report.changes) == ([], [])
