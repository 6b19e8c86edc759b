"""EDTF parsing and display, and the fast path proven equal to the edtf library."""

from __future__ import annotations

import calendar
import re
from datetime import date

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tracker.dates import display, parse_when
from tracker.errors import InvalidInput


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "shown"),
    [
        ("2025", date(2025, 1, 1), date(2025, 12, 31), "2025"),
        ("2025-04", date(2025, 4, 1), date(2025, 4, 30), "Apr 2025"),
        ("2025-04-11", date(2025, 4, 11), date(2025, 4, 11), "11 Apr 2025"),
        ("2025-04~", date(2025, 4, 1), date(2025, 4, 30), "c. Apr 2025"),
        ("2025-04?", date(2025, 4, 1), date(2025, 4, 30), "Apr 2025?"),
        ("2025-04%", date(2025, 4, 1), date(2025, 4, 30), "c. Apr 2025?"),
        ("2025-12-02/2025-12-03", date(2025, 12, 2), date(2025, 12, 3), "2–3 Dec 2025"),
        ("2025-02-28/2025-03-03", date(2025, 2, 28), date(2025, 3, 3), "28 Feb – 3 Mar 2025"),
        ("2024-12-30/2025-01-02", date(2024, 12, 30), date(2025, 1, 2), "30 Dec 2024 – 2 Jan 2025"),
        ("2025-04/2025-05", date(2025, 4, 1), date(2025, 5, 31), "Apr–May 2025"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "Feb 2024"),
        (
            "2025-12-02T17:00+03:00",
            date(2025, 12, 2),
            date(2025, 12, 2),
            "2 Dec 2025 17:00 UTC+03:00",
        ),
        ("2025-21", date(2025, 3, 1), date(2025, 5, 31), "Mar–May 2025"),
        ("2025-04-XX", date(2025, 4, 1), date(2025, 4, 30), "Apr 2025"),
    ],
)
def test_parse_and_display(text: str, earliest: date, latest: date, shown: str) -> None:
    when = parse_when(text)
    assert (when.earliest, when.latest, when.display) == (earliest, latest, shown)


def test_datetime_is_stored_with_seconds() -> None:
    assert parse_when("2025-12-02T17:00+03:00").edtf == "2025-12-02T17:00:00+03:00"


def test_today_and_yesterday() -> None:
    assert parse_when("today", today=date(2025, 3, 1)).edtf == "2025-03-01"
    assert parse_when("Yesterday", today=date(2025, 3, 1)).edtf == "2025-02-28"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-02-29", "a day that exists"),
        ("2025-04-31", "a day that exists"),
        ("2025-12-03/2025-12-02", "ends on or after"),
        ("0000", "a year from 0001"),
        ("2025-13-01", "a date such as"),
        ("five hours", "a date such as"),
        ("", "a date such as"),
        ("2025-04-11/..", "both ends"),
        ("2025-04-11/", "both ends"),
        ("2025-04-11T10:00", "UTC offset"),
        ("2025-04-11T25:00+01:00", "a time of day"),
        ("2025-04-11T10:00+15:00", "a UTC offset"),
    ],
)
def test_bad_dates_name_the_field_and_an_example(text: str, expected: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_when(text, field="--date")
    message = str(caught.value)
    assert message.startswith("--date: expected ")
    assert expected in message


# -- the fast path against the reference ----------------------------------------------

qualifiers = st.sampled_from(["", "~", "?", "%"])


@st.composite
def points(draw: st.DrawFn) -> str:
    year = draw(st.integers(1, 9999))
    precision = draw(st.sampled_from(["year", "month", "day"]))
    text = f"{year:04d}"
    if precision != "year":
        month = draw(st.integers(1, 12))
        text += f"-{month:02d}"
        if precision == "day":
            day = draw(st.integers(1, calendar.monthrange(year, month)[1]))
            text += f"-{day:02d}"
    return text + draw(qualifiers)


@st.composite
def common_forms(draw: st.DrawFn) -> str:
    first = draw(points())
    if not draw(st.booleans()):
        return first
    second = draw(points())
    a, b = parse_when(first), parse_when(second)
    if b.latest < a.earliest:
        first, second = second, first
    return f"{first}/{second}"


def _reference(text: str) -> tuple[date, date]:
    from edtf import parse_edtf

    parsed = parse_edtf(text)
    lower, upper = parsed.lower_strict(), parsed.upper_strict()
    return (
        date(lower.tm_year, lower.tm_mon, lower.tm_mday),
        date(upper.tm_year, upper.tm_mon, upper.tm_mday),
    )


@settings(max_examples=300, deadline=None)
@given(common_forms())
def test_fast_path_equals_the_edtf_library(text: str) -> None:
    when = parse_when(text)
    assert when.edtf == text
    assert (when.earliest, when.latest) == _reference(text)


@settings(max_examples=100, deadline=None)
@given(
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    st.integers(0, 23),
    st.integers(0, 59),
    st.integers(0, 59),
    st.sampled_from(["Z", "+03:00", "-05:30", "+00:00"]),
)
def test_datetimes_equal_the_edtf_library(
    day: date, hour: int, minute: int, second: int, offset: str
) -> None:
    text = f"{day.isoformat()}T{hour:02d}:{minute:02d}:{second:02d}{offset}"
    when = parse_when(text)
    assert when.edtf == text.replace("+00:00", "Z")
    assert (when.earliest, when.latest) == _reference(when.edtf) == (day, day)


@settings(max_examples=300, deadline=None)
@given(common_forms())
def test_display_never_adds_precision(text: str) -> None:
    shown = parse_when(text).display
    if "-" not in text.split("/")[0] and "/" not in text:
        assert not any(month in shown for month in calendar.month_abbr[1:])
    assert shown


def _shown(text: str) -> str | InvalidInput:
    try:
        return parse_when(text).display
    except InvalidInput as exc:
        return exc


@settings(max_examples=500, deadline=None)
@given(
    st.dates(min_value=date(1, 1, 1)).map(date.isoformat)
    | st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")  # days that may not exist
    | common_forms()
)
def test_display_of_a_stored_date_is_what_parse_when_shows(text: str) -> None:
    # A plain day is written straight from its digits; the rest, and a day that does
    # not exist, go through parse_when: the two must always agree.
    try:
        shown: str | InvalidInput = display(text)
    except InvalidInput as exc:
        shown = exc
    expected = _shown(text)
    if isinstance(expected, InvalidInput):
        assert isinstance(shown, InvalidInput)
        assert str(shown) == str(expected)
    else:
        assert shown == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_any_text_parses_or_raises_invalid_input(text: str) -> None:
    try:
        when = parse_when(text)
    except InvalidInput as exc:
        message = str(exc)
    else:
        assert when.earliest <= when.latest
        return
    assert message.startswith("date: expected ")


# -- dates as people write them -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "edtf"),
    [
        # tracker's own display forms
        ("2 Dec 2025", "2025-12-02"), ("2–3 Dec 2025", "2025-12-02/2025-12-03"),
        ("Dec 2025", "2025-12"), ("c. Dec 2025", "2025-12~"), ("Dec 2025?", "2025-12?"),
        ("c. Dec 2025?", "2025-12%"), ("30 Nov – 2 Dec 2025", "2025-11-30/2025-12-02"),
        ("Apr–May 2025", "2025-04/2025-05"), ("2025–2026", "2025/2026"),
        ("11 Apr 2025 – 3 May 2026", "2025-04-11/2026-05-03"),
        # English, Polish and Russian month names, declined
        ("December 2, 2025", "2025-12-02"), ("2nd Dec. 2025", "2025-12-02"),
        ("2-3 Dec 2025", "2025-12-02/2025-12-03"), ("Sept 2025", "2025-09"),
        ("2 grudnia 2025", "2025-12-02"), ("2 grudnia 2025 r.", "2025-12-02"),
        ("grudzień 2025", "2025-12"), ("1 października 2025", "2025-10-01"),
        ("1 pazdziernika 2025", "2025-10-01"), ("3 maja 2025", "2025-05-03"),
        ("2 декабря 2025", "2025-12-02"), ("2 декабря 2025 г.", "2025-12-02"),
        ("декабрь 2025", "2025-12"), ("мая 2025", "2025-05"),
        # numeric: year first, or only one reading a date
        ("2025/12/02", "2025-12-02"), ("2025.12.02", "2025-12-02"), ("12/2025", "2025-12"),
        ("25/12/2025", "2025-12-25"), ("12/25/2025", "2025-12-25"), ("05.05.2025", "2025-05-05"),
    ],
)  # fmt: skip
def test_dates_as_people_write_them(text: str, edtf: str) -> None:
    assert parse_when(text).edtf == edtf


@pytest.mark.parametrize(
    ("text", "order", "edtf"),
    [
        ("12/02/2025", "dayfirst", "2025-02-12"),
        ("12/02/2025", "monthfirst", "2025-12-02"),
        ("02.12.2025", "dayfirst", "2025-12-02"),
        ("02-12-2025", "monthfirst", "2025-02-12"),
    ],
)
def test_numeric_dates_in_a_known_order(text: str, order: str, edtf: str) -> None:
    assert parse_when(text, order=order).edtf == edtf


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12/02/2025", "a date whose day and month cannot be mistaken"),
        ("02.12.2025", "a date whose day and month cannot be mistaken"),
        ("12/02/25", "a four-digit year"),
        ("2 Dec", "a date such as"),  # no year: never guessed
        ("Dec", "a date such as"),
        ("Foo 2025", "a month's name in English, Polish or Russian"),
        ("31 Feb 2025", "a day that exists"),
        ("13/13/2025", "a day and a month of 1 to 12"),
        ("3 Dec 2025 – 2 Dec 2025", "ends on or after"),
    ],
)
def test_written_dates_that_are_refused(text: str, expected: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_when(text, field="start")
    assert str(caught.value).startswith("start: expected ")
    assert expected in str(caught.value)


def test_a_strptime_pattern_gives_the_precision_it_names() -> None:
    assert parse_when("02 Dec 2025", pattern="%d %b %Y").edtf == "2025-12-02"
    assert parse_when("12.2025", pattern="%m.%Y").edtf == "2025-12"  # no day: a month
    assert parse_when("2025-12-02", pattern="%m.%Y").edtf == "2025-12-02"  # ISO still reads
    with pytest.raises(InvalidInput, match=re.escape("a date in the form '%d.%m.%Y'")):
        parse_when("2 Dec 2025", pattern="%d.%m.%Y", field="start")


@settings(max_examples=300, deadline=None)
@given(common_forms())
def test_what_tracker_shows_reads_back_as_the_same_date(text: str) -> None:
    # Years before 1000 are shown with fewer than four digits, which read as no year
    # (a lone "5" could be a day): they have only their EDTF form.
    assume(all(int(part[:4]) >= 1000 for part in text.split("/")))
    when = parse_when(text)
    again = parse_when(when.display)
    assert (again.earliest, again.latest, again.approximate) == (
        when.earliest,
        when.latest,
        when.approximate,
    )
    assert again.display == when.display


def test_month_names_survive_the_country_resolver_loading_every_language() -> None:
    # Both read CLDR through Babel's shared cache: building the country index must not
    # leave a language there without the data it inherits (the abbreviated months).
    from tracker.countries import _index
    from tracker.written import month_names

    _index().tier(0)
    _index().tier(1)
    month_names.cache_clear()
    assert parse_when("2 grudnia 2025").edtf == "2025-12-02"
    assert parse_when("2 дек. 2025").edtf == "2025-12-02"
