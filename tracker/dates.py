"""EDTF dates: parse, bound and display them as people write them.

Input is the Library of Congress Extended Date/Time Format, levels 0 and 1
(``2025``, ``2025-04``, ``2025-04-11``, ``2025-12-02/2025-12-03``, ``2025-04~``,
``2025-04?``, date-times with a UTC offset), plus ``today`` and ``yesterday``, and
dates as people write them (:mod:`tracker.written`: ``2 Dec 2025``, ``2 grudnia 2025``,
``2–3 Dec 2025``), which are stored as the EDTF they mean.

The edtf library is the reference parser, but one parse costs about 10 ms, so the
forms people actually type go through a fast path here (proven equal to the library
by a differential Hypothesis test in ``tests/unit/test_dates.py``); the library is
imported and called only for the rest (unspecified digits, seasons, qualifiers on
single components).

Where this module is stricter than the library, it is on purpose: a day that does not
exist (``2025-02-29``), an interval that ends before it starts, an open or unknown
interval end, and years outside 1-9999 are rejected instead of stored.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.errors import InvalidInput
from tracker.written import Parts, parse_pattern, parse_written

EXAMPLES = "a date such as 2025-04-11, 11 Apr 2025, Apr 2025, 2025, 2–3 Dec 2025 or 2025-04~ (EDTF)"

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_POINT = r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?([~?%])?"
_POINT_RE = re.compile(_POINT)
_SIMPLE_RE = re.compile(rf"{_POINT}(?:/{_POINT})?")
_DATETIME_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:\d{2})"
)


@dataclass(frozen=True, slots=True)
class Point:
    """One end of a date: a year, maybe a month, maybe a day, and a qualifier.

    ``qualifier`` is ``""``, ``"~"`` (approximate), ``"?"`` (uncertain) or ``"%"``
    (both).
    """

    year: int
    month: int | None = None
    day: int | None = None
    qualifier: str = ""

    @property
    def earliest(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def latest(self) -> date:
        if self.month is None:
            return date(self.year, 12, 31)
        if self.day is None:
            return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return date(self.year, self.month, self.day)

    @property
    def edtf(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
            if self.day is not None:
                text += f"-{self.day:02d}"
        return text + self.qualifier

    def display(self, *, with_year: bool = True, with_month: bool = True) -> str:
        parts = []
        if self.day is not None:
            parts.append(str(self.day))
        if self.month is not None and with_month:
            parts.append(_MONTHS[self.month - 1])
        if with_year:
            parts.append(str(self.year))
        return _qualify(" ".join(parts), self.qualifier)


@dataclass(frozen=True, slots=True)
class When:
    """A parsed EDTF value: its canonical text and its earliest and latest days.

    ``start``/``end`` keep the structure of the common forms for display; they are
    ``None`` for forms only the edtf library understands, which are then shown from
    their bounds. ``time`` is ``HH:MM:SS`` and ``offset`` ``Z`` or ``±HH:MM`` for a
    date-time.
    """

    edtf: str
    earliest: date
    latest: date
    start: Point | None = None
    end: Point | None = None
    time: str | None = None
    offset: str | None = None

    @property
    def display(self) -> str:
        if self.time is not None and self.start is not None:
            zone = "UTC" if self.offset == "Z" else f"UTC{self.offset}"
            return f"{self.start.display()} {self.time[:5]} {zone}"
        if self.start is not None:
            if self.end is None:
                return self.start.display()
            return _display_interval(self.start, self.end)
        return _display_bounds(self.earliest, self.latest, self.edtf)

    @property
    def approximate(self) -> bool:
        return any(mark in self.edtf for mark in "~?%")


def parse_when(
    text: str,
    *,
    field: str = "date",
    today: date | None = None,
    order: str | None = None,
    pattern: str | None = None,
) -> When:
    """Parse ``text`` as EDTF, ``today``/``yesterday``, or a date as people write it
    (:mod:`tracker.written`: ``2 Dec 2025``, ``2 grudnia 2025``, a numeric date in the
    known ``order``, or one read with the ``strptime`` ``pattern``); raise InvalidInput
    if it is none of these."""
    if not isinstance(text, str):
        raise InvalidInput(field, EXAMPLES, text)
    value = text.strip()
    word = value.casefold()
    if word in ("today", "yesterday"):
        day = today or date.today()
        if word == "yesterday":
            day -= timedelta(days=1)
        point = Point(day.year, day.month, day.day)
        return When(point.edtf, day, day, start=point)
    if not value or len(value) > 64:
        raise InvalidInput(field, EXAMPLES, text)
    match = _SIMPLE_RE.fullmatch(value)
    if match is not None and _months_in_range(match):
        return _from_simple(match, field, text)
    match = _DATETIME_RE.fullmatch(value)
    if match is not None:
        return _from_datetime(match, field, text)
    if pattern is not None:
        return _from_parts(parse_pattern(value, pattern, field), None, field, text)
    written = parse_written(value, field, order=order)
    if written is not None:
        return _from_parts(*written, field, text)
    return _from_library(value, field, text)


def display(edtf: str) -> str:
    """The EDTF text ``edtf`` as people write it: ``11 Apr 2025``, ``c. Apr 2025``.

    A plain day (``2025-04-11``, most of what a timeline shows) is written straight
    from its digits, as ``parse_when(edtf).display`` writes it (a differential test in
    ``tests/unit/test_dates.py`` holds them equal); anything else, or a day that does
    not exist, goes through ``parse_when``."""
    if len(edtf) == 10 and _DAY_RE.fullmatch(edtf) is not None:
        year, month, day = int(edtf[:4]), int(edtf[5:7]), int(edtf[8:])
        try:
            date(year, month, day)
        except ValueError:
            pass  # parse_when says what is wrong with it
        else:
            return f"{day} {_MONTHS[month - 1]} {year}"
    return parse_when(edtf).display


_DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def _months_in_range(match: re.Match[str]) -> bool:
    """Month numbers 13-41 are seasons in EDTF; leave them to the library."""
    return all(m is None or 1 <= int(m) <= 12 for m in (match.group(2), match.group(6)))


def _point(
    year: str, month: str | None, day: str | None, qual: str | None, field: str, text: str
) -> Point:
    y = int(year)
    if y == 0:
        raise InvalidInput(field, "a year from 0001 to 9999", text)
    m = int(month) if month is not None else None
    d = int(day) if day is not None else None
    if m is not None and d is not None and not 1 <= d <= calendar.monthrange(y, m)[1]:
        raise InvalidInput(
            field,
            f"a day that exists ({_MONTHS[m - 1]} {y} has {calendar.monthrange(y, m)[1]} days)",
            text,
        )
    return Point(y, m, d, qual or "")


def _from_simple(match: re.Match[str], field: str, text: str) -> When:
    g = match.groups()
    start = _point(g[0], g[1], g[2], g[3], field, text)
    if g[4] is None:
        return When(start.edtf, start.earliest, start.latest, start=start)
    end = _point(g[4], g[5], g[6], g[7], field, text)
    if end.latest < start.earliest:
        raise InvalidInput(field, "an interval that ends on or after the day it starts", text)
    return When(f"{start.edtf}/{end.edtf}", start.earliest, end.latest, start=start, end=end)


def _from_parts(first: Parts, last: Parts | None, field: str, text: str) -> When:
    """A written date's ends, checked as EDTF's are."""
    ends = []
    for year, month, day, qualifier in (first,) if last is None else (first, last):
        if year is None or not 1 <= year <= 9999:
            raise InvalidInput(field, "a year from 0001 to 9999", text)
        if month is not None and not 1 <= month <= 12:
            raise InvalidInput(field, "a month from 1 to 12", text)
        ends.append(
            _point(
                f"{year:04d}",
                None if month is None else f"{month:02d}",
                None if day is None else f"{day:02d}",
                qualifier,
                field,
                text,
            )
        )
    start = ends[0]
    if len(ends) == 1:
        return When(start.edtf, start.earliest, start.latest, start=start)
    end = ends[1]
    if end.latest < start.earliest:
        raise InvalidInput(field, "an interval that ends on or after the day it starts", text)
    return When(f"{start.edtf}/{end.edtf}", start.earliest, end.latest, start=start, end=end)


def _from_datetime(match: re.Match[str], field: str, text: str) -> When:
    year, month, day, hour, minute, second, offset = match.groups()
    point = _point(year, month, day, None, field, text)
    second = second or "00"
    if int(hour) > 23 or int(minute) > 59 or int(second) > 59:
        raise InvalidInput(field, "a time of day from 00:00:00 to 23:59:59", text)
    if offset != "Z" and (int(offset[1:3]) > 14 or int(offset[4:6]) > 59):
        raise InvalidInput(field, "a UTC offset from -14:00 to +14:00, or Z", text)
    if offset in ("+00:00", "-00:00"):
        offset = "Z"  # one spelling of UTC (the edtf grammar accepts only Z for it)
    clock = f"{hour}:{minute}:{second}"
    day_ = point.earliest
    return When(f"{point.edtf}T{clock}{offset}", day_, day_, start=point, time=clock, offset=offset)


def _from_library(value: str, field: str, text: str) -> When:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T[\d:]+", value):
        raise InvalidInput(
            field, "a date-time with its UTC offset, such as 2025-12-02T17:00+03:00", text
        )
    if value.startswith("..") or value.endswith(("/..", "/")) or value.startswith("/"):
        raise InvalidInput(
            field, "an interval with both ends given, such as 2025-12-02/2025-12-03", text
        )
    from edtf import parse_edtf
    from edtf.parser.edtf_exceptions import EDTFParseException

    try:
        parsed = parse_edtf(value)
        lower, upper = parsed.lower_strict(), parsed.upper_strict()
    except (EDTFParseException, ValueError, OverflowError, TypeError, AttributeError):
        raise InvalidInput(field, EXAMPLES, text) from None
    if isinstance(lower, float) or isinstance(upper, float):
        raise InvalidInput(field, "a date with both ends known", text)
    try:
        earliest = date(lower.tm_year, lower.tm_mon, lower.tm_mday)
        latest = date(upper.tm_year, upper.tm_mon, upper.tm_mday)
    except ValueError:
        raise InvalidInput(field, "a date from year 0001 to 9999 whose days exist", text) from None
    if latest < earliest:
        raise InvalidInput(field, "an interval that ends on or after the day it starts", text)
    return When(str(parsed), earliest, latest)


def _qualify(text: str, qualifier: str) -> str:
    if qualifier == "~":
        return f"c. {text}"
    if qualifier == "?":
        return f"{text}?"
    if qualifier == "%":
        return f"c. {text}?"
    return text


def _display_interval(start: Point, end: Point) -> str:
    if start == end:
        return start.display()
    plain = not start.qualifier and not end.qualifier
    same_shape = (start.day is None) == (end.day is None) and (start.month is None) == (
        end.month is None
    )
    if plain and same_shape and start.year == end.year and start.month is not None:
        if start.day is None:
            return f"{start.display(with_year=False)}–{end.display()}"
        if start.month == end.month:
            return f"{start.day}–{end.display()}"
        return f"{start.display(with_year=False)} – {end.display()}"
    if plain and same_shape and start.month is None:
        return f"{start.year}–{end.year}"
    return f"{start.display()} – {end.display()}"


def _display_bounds(earliest: date, latest: date, edtf: str) -> str:
    """Show a library-only form from its bounds, without inventing precision."""
    if earliest == latest:
        point = Point(earliest.year, earliest.month, earliest.day)
    elif (earliest.month, earliest.day, latest.month, latest.day) == (1, 1, 12, 31) and (
        earliest.year == latest.year
    ):
        point = Point(earliest.year)
    elif (
        earliest.day == 1
        and (earliest.year, earliest.month) == (latest.year, latest.month)
        and latest.day == calendar.monthrange(latest.year, latest.month)[1]
    ):
        point = Point(earliest.year, earliest.month)
    else:
        whole_months = (
            earliest.day == 1 and latest.day == calendar.monthrange(latest.year, latest.month)[1]
        )
        a = Point(earliest.year, earliest.month, None if whole_months else earliest.day)
        b = Point(latest.year, latest.month, None if whole_months else latest.day)
        text = _display_interval(a, b)
        return _qualify(text, _qualifier_of(edtf))
    return _qualify(point.display(), _qualifier_of(edtf))


def _qualifier_of(edtf: str) -> str:
    approximate = "~" in edtf or "%" in edtf
    uncertain = "?" in edtf or "%" in edtf
    if approximate and uncertain:
        return "%"
    return "~" if approximate else "?" if uncertain else ""
