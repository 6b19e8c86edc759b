"""Dates and durations as people read them, and the shape of a row: the display
helpers every listing and export shares."""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from datetime import date
from functools import lru_cache
from typing import Any, Literal

from tracker.dates import When, display, parse_when
from tracker.errors import InvalidInput
from tracker.vocab import AccountField, DurationQualifier

Row = dict[str, Any]


Precision = Literal["day", "month", "year"]


def precision(when: When) -> Precision:
    """How precise a date is at its start: to the day, the month or only the year."""
    if when.start is not None:
        if when.start.day is not None:
            return "day"
        return "month" if when.start.month is not None else "year"
    first, last = when.earliest, when.latest
    if first.month == 1 and first.day == 1 and (last.month, last.day) == (12, 31):
        return "year"
    end_of_month = calendar.monthrange(last.year, last.month)[1]
    if first.day == 1 and last.day == end_of_month and first != last:
        return "month"
    return "day"


def day_count(when: When) -> int | None:
    """Days covered (latest - earliest + 1), only for dates given to the day."""
    if when.start is not None:
        if when.start.day is None or (when.end is not None and when.end.day is None):
            return None
    elif precision(when) != "day":
        return None
    return (when.latest - when.earliest).days + 1


Day = date | str
"""A stored day: a date (through the ORM) or its ISO text (a plain read)."""


def iso(day: Day) -> str:
    return day if isinstance(day, str) else day.isoformat()


def as_date(day: Day) -> date:
    return day if isinstance(day, date) else date.fromisoformat(day)


def dated(edtf: str, earliest: Day, latest: Day) -> Row:
    """The four date keys of a row."""
    return {
        "date": shown_edtf(edtf),
        "edtf": edtf,
        "earliest": iso(earliest),
        "latest": iso(latest),
    }


def when_of(edtf: str, earliest: Day, latest: Day) -> When:
    try:
        return parse_when(edtf)
    except InvalidInput:
        return When(edtf, as_date(earliest), as_date(latest))


_QUALIFIER_WORDS = {
    DurationQualifier.EXACT.value: "",
    DurationQualifier.ABOUT.value: "about ",
    DurationQualifier.AT_LEAST.value: "at least ",
    DurationQualifier.AT_MOST.value: "at most ",
}


def format_minutes(minutes: int) -> str:
    """``330`` → ``5 h 30 min``; ``300`` → ``5 h``; ``45`` → ``45 min``."""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    if hours:
        return f"{hours} h"
    return f"{rest} min"


def format_duration(minutes: int | None, qualifier: str | None) -> str | None:
    """``at least 5 h``, ``about 3 h 30 min``; ``None`` when no duration is known."""
    if minutes is None:
        return None
    return _QUALIFIER_WORDS.get(qualifier or "", "") + format_minutes(minutes)


def source_name(source: Any) -> str:
    """How a list names a source (a ``Source`` or a detail's source row): its URL, else
    its publisher, else its title, else its uid."""
    if isinstance(source, Mapping):
        return str(source["url"] or source["publisher"] or source["title"] or source["uid"])
    return str(source.url or source.publisher or source.title or source.uid)


@lru_cache(maxsize=65_536)
def shown_edtf(edtf: str) -> str:
    """A stored EDTF date as people write it (the text itself if it no longer parses);
    cached, as a timeline repeats the same days many times."""
    try:
        return display(edtf)
    except InvalidInput:
        return edtf


def shown_value(
    field: str, value: Any, *, place: str | None = None, people: Sequence[str] = ()
) -> str:
    """A value of ``field`` as people read it: ``at least 5 h``, ``2–3 Dec 2025``,
    ``Kremlin``, ``Steve Witkoff, Jared Kushner, Vladimir Putin``. A venue or
    destination is given as its ``place``'s name, participants as their ``people``'s
    names; any other value in its canonical form."""
    if field in (AccountField.VENUE.value, AccountField.DESTINATION.value):
        return place if place is not None else "(none)"
    if field == AccountField.PARTICIPANTS.value:
        return ", ".join(people) or "(none)"
    if value is None:
        return "(none)"
    if field == AccountField.DATE.value:
        return shown_edtf(value)
    if field == AccountField.DURATION.value:
        return format_duration(value["minutes"], value["qualifier"]) or ""
    return str(value)
