"""Dates as people write them: the forms tracker itself shows, month names in English,
Polish and Russian (declined as they are in text), and numeric dates in a known order.

- tracker's own display forms: ``2 Dec 2025``, ``2–3 Dec 2025``, ``30 Nov – 2 Dec 2025``,
  ``Dec 2025``, ``Apr–May 2025``, ``c. Dec 2025``, ``Dec 2025?``;
- month names from CLDR (through Babel), in each language's forms: ``2 grudnia 2025``,
  ``grudzień 2025``, ``2 декабря 2025 г.``, ``December 2, 2025``, ``2nd Dec. 2025``;
- numeric dates: ``2025/12/02`` and ``2025.12.02`` (year first: one reading);
  ``12/02/2025``, ``02.12.2025`` and ``02-12-2025`` only in a known order (``dayfirst``
  or ``monthfirst``), or when only one reading is a date (``25/12/2025``); ``12/2025``
  is a month;
- a ``strptime`` pattern (``%d %b %Y``), whose precision is what it names (a pattern
  without ``%d`` is a month).

Nothing here guesses a day: a text without one is a month or a year. Each function
gives the parts (year, month, day, qualifier) of one or two ends, for
:mod:`tracker.dates` to check and bound; ``None`` when the text is not a written date at
all (it may still be EDTF that only the edtf library reads).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from functools import cache

from tracker.errors import InvalidInput

Parts = tuple[int | None, int | None, int | None, str]
"""An end of a date: year, month, day (each ``None`` when not given), qualifier."""

ORDERS = ("dayfirst", "monthfirst")

LANGUAGES = ("en", "pl", "ru")

_DASH = re.compile(r"\s*[–—‒−]\s*|\s+-\s+")
_NUMERIC = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{2,4})")
_YEAR_FIRST = re.compile(r"(\d{4})([./])(\d{1,2})\2(\d{1,2})")
_MONTH_YEAR = re.compile(r"(\d{1,2})[./](\d{4})")
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")
_YEAR_WORD = re.compile(r"\s+(?:r\.?|roku|г\.?|года|год)$")
_APPROXIMATE = re.compile(r"^(?:c\.|ca\.|circa|approx\.|about|ok\.|około|около|примерно)\s*")
_WORD = r"[^\W\d_]+\.?"
_POINT = re.compile(
    rf"(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{_WORD})|(?P<m2>{_WORD})\s+(?P<d2>\d{{1,2}})"
    rf"|(?P<m3>{_WORD})|(?P<d3>\d{{1,2}}))?\s*(?P<y>\d{{4}})?"
)


@cache
def month_names() -> dict[str, int]:
    """Month names and abbreviations in ``LANGUAGES``, in every form CLDR gives (the
    genitive ``grudnia`` and the nominative ``grudzień``), folded as :func:`_fold`."""
    from babel.dates import get_month_names

    names: dict[str, int] = {"sept": 9}
    for language in LANGUAGES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, language).items():
                    names.setdefault(_fold(name).rstrip("."), number)
    return names


def _fold(text: str) -> str:
    """Case and accents folded (``Październik`` and ``pazdziernik`` are one word)."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ł", "l")


def parse_written(
    text: str, field: str, *, order: str | None = None
) -> tuple[Parts, Parts | None] | None:
    """The ends of the date ``text`` writes; ``None`` if it is not a written date.

    Raise InvalidInput (naming ``field``) for a numeric date whose order is not known
    and could be read two ways, and for a month name that is not one."""
    value = " ".join(text.split())
    numeric = _numeric(value, field, order)
    if numeric is not None:
        return numeric, None
    if not any(ch.isalpha() for ch in value) and not _DASH.search(value):
        return None
    value = _fold(value).replace(",", " ").replace("-", "–")  # 2-3 Dec: no EDTF has letters
    value = _YEAR_WORD.sub("", " ".join(value.split()))
    value = _ORDINAL.sub(r"\1", value)
    sides = _DASH.split(value)
    if len(sides) > 2:
        return None
    ends: list[Parts] = []
    for side in sides:
        point = _point(side.strip(), field, text)
        if point is None:
            return None
        ends.append(point)
    if ends[-1][0] is None:
        return None  # no year: "Dec", "2 Dec"
    if len(ends) == 1:
        return ends[0], None
    start, end = ends
    year, month, day, mark = start
    if year is None:  # 2–3 Dec 2025, Apr–May 2025, 30 Nov – 2 Dec 2025: of the end's year
        if month is None:
            month = end[1]
        if (month is None) != (end[1] is None) or (day is None) != (end[2] is None):
            return None
        start = (end[0], month, day, mark)
    return start, end


def _point(text: str, field: str, original: str) -> Parts | None:
    """One end: ``c.`` before it makes it approximate, ``?`` after it uncertain (as
    tracker shows them)."""
    mark = ""
    if text.endswith("?"):
        mark, text = "?", text[:-1].rstrip()
    prefix = _APPROXIMATE.match(text)
    if prefix is not None:
        mark, text = ("%" if mark else "~"), text[prefix.end() :]
    match = _POINT.fullmatch(text)
    if match is None or not text:
        return None
    groups = match.groupdict()
    word = groups["m1"] or groups["m2"] or groups["m3"]
    day_text = groups["d1"] or groups["d2"] or groups["d3"]
    month = None
    if word is not None:
        month = month_names().get(word.rstrip("."))
        if month is None:
            raise InvalidInput(
                field,
                "a month's name in English, Polish or Russian (Dec, grudnia, декабря)",
                original,
            )
    year = int(groups["y"]) if groups["y"] else None
    day = int(day_text) if day_text else None
    if day is not None and month is None and year is not None:
        return None  # "5 2025" is no date
    return year, month, day, mark


def _numeric(value: str, field: str, order: str | None) -> Parts | None:
    match = _YEAR_FIRST.fullmatch(value)
    if match is not None:
        return int(match.group(1)), int(match.group(3)), int(match.group(4)), ""
    match = _MONTH_YEAR.fullmatch(value)
    if match is not None:
        return int(match.group(2)), int(match.group(1)), None, ""
    match = _NUMERIC.fullmatch(value)
    if match is None:
        return None
    first, second, year_text = int(match.group(1)), int(match.group(3)), match.group(4)
    if len(year_text) != 4:
        raise InvalidInput(field, "a date with a four-digit year", value)
    year = int(year_text)
    if order == "dayfirst":
        return year, second, first, ""
    if order == "monthfirst":
        return year, first, second, ""
    if first > 12 and second > 12:
        raise InvalidInput(field, "a date with a day and a month of 1 to 12", value)
    if first == second or first > 12:
        return year, second, first, ""
    if second > 12:
        return year, first, second, ""
    raise InvalidInput(
        field,
        "a date whose day and month cannot be mistaken, such as 2025-12-02"
        " (or say which comes first: dayfirst or monthfirst)",
        value,
    )


def parse_pattern(text: str, pattern: str, field: str) -> Parts:
    """``text`` read with the ``strptime`` ``pattern``; a pattern without a day gives a
    month, one without a month a year."""
    try:
        parsed = datetime.strptime(" ".join(text.split()), pattern)
    except ValueError:
        raise InvalidInput(field, f"a date in the form {pattern!r}", text) from None
    has_day = any(code in pattern for code in ("%d", "%j", "%-d", "%e"))
    has_month = has_day or any(code in pattern for code in ("%m", "%b", "%B", "%-m"))
    return (
        parsed.year,
        parsed.month if has_month else None,
        parsed.day if has_day else None,
        "",
    )


def check_order(value: str | None, field: str) -> str | None:
    """A date order as given (``dayfirst`` or ``monthfirst``; ``None`` when not)."""
    if value is None:
        return None
    found = value.strip().casefold().replace("_", "").replace("-", "").replace(" ", "")
    if found not in ORDERS:
        raise InvalidInput(field, "dayfirst or monthfirst", value)
    return found


def check_pattern(value: str | None, field: str) -> str | None:
    """A ``strptime`` pattern that reads at least a year (``%d.%m.%Y``)."""
    if value is None:
        return None
    if "%Y" not in value and "%y" not in value:
        raise InvalidInput(field, "a strptime pattern with a year, such as %d.%m.%Y", value)
    if "%y" in value:
        raise InvalidInput(field, "a pattern with a four-digit year (%Y, not %y)", value)
    return value
