"""``--from``/``--to`` overlap filters, bounded below by the longest span stored
(migration 0003), on SQLite and PostgreSQL: the bound must never drop a record."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.backend import reader
from tracker.dates import parse_when
from tracker.models import Meeting, Place, span_days
from tracker.names import name_key
from tracker.query import Filters, timeline_rows
from tracker.query.where import meeting_where, visit_where

# Records of every width: a day, a month, a year, a two-year interval, an open-ended
# approximate day, and a day long before the others.
EDTFS = ["2025-06-15", "2025-03", "2024", "2023-05-01/2025-04-30", "2025-07-02~", "1999-01-01"]
WINDOWS = [
    ("2025-06", "2025-06"),
    ("2025-05", "2025-05"),
    ("2024-12", "2024-12"),
    ("2023-06-01", "2023-06-01"),
    ("2025-04-30", "2025-05-01"),
    ("1999", "1999"),
    ("2026", "2026"),
    ("2025-07-02", None),
    (None, "2023-05-01"),
]


def _meetings(session: Session) -> dict[str, tuple[date, date]]:
    venue = Place(name="Kremlin", key=name_key("Kremlin"), kind="venue", country="RU")
    session.add(venue)
    spans = {}
    for number, edtf in enumerate(EDTFS):
        when = parse_when(edtf)
        session.add(
            Meeting(
                uid=f"m{number}",
                kind="talks",
                title=edtf,
                venue=venue,
                outcome="unknown",
                edtf=when.edtf,
                earliest=when.earliest,
                latest=when.latest,
            )
        )
        spans[edtf] = (when.earliest, when.latest)
    session.flush()
    return spans


@pytest.mark.parametrize(("start", "end"), WINDOWS)
def test_the_bound_keeps_every_overlapping_meeting(
    session: Session, start: str | None, end: str | None
) -> None:
    spans = _meetings(session)
    first = parse_when(start).earliest if start else date.min
    last = parse_when(end).latest if end else date.max
    expected = [
        edtf for edtf, (earliest, latest) in spans.items() if latest >= first and earliest <= last
    ]
    rows = timeline_rows(reader(session), Filters(date_from=start, date_to=end))
    assert sorted(row["title"] for row in rows) == sorted(expected)


def test_the_longest_span_bounds_earliest_from_below(session: Session) -> None:
    spans = _meetings(session)
    longest = max((latest - earliest).days for earliest, latest in spans.values())
    assert longest == (date(2025, 4, 30) - date(2023, 5, 1)).days
    stored = session.scalar(select(span_days(Meeting.earliest, Meeting.latest)).limit(1))
    assert stored is not None
    where = meeting_where(reader(session), Filters(date_from="2025-06", date_to="2025-06"))
    bound = date(2025, 6, 1) - timedelta(days=longest)
    assert "m.earliest >= :f_floor" in where.conditions
    assert where.params["f_floor"] == bound.isoformat()


def test_no_bound_before_year_one(session: Session) -> None:
    _meetings(session)
    read = reader(session)
    where = visit_where(read, Filters(date_from="0001-01-02"))
    assert where.conditions == ("v.latest >= :f_start",)  # no visits stored: nothing to bound by
    where = meeting_where(read, Filters(date_from="0001-01-02"))
    assert where.conditions == ("m.latest >= :f_start",)  # the bound would fall before 0001-01-01
