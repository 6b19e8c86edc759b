"""Durations as people type them: ``5h``, ``90m``, ``3h30m``, ``~3h``, ``5h+``, ``<=2h``."""

from __future__ import annotations

import re

from tracker.errors import InvalidInput
from tracker.vocab import DurationQualifier

EXPECTED = "a duration such as 5h, 90m, 3h30m, 1.5h, ~3h (about), 5h+ (at least) or <=2h (at most)"
MAX_MINUTES = 100_000

_AMOUNT = re.compile(
    r"(?:(?P<hours>\d+(?:[.,]\d+)?)\s*h(?:ours?|rs?)?)?\s*"
    r"(?:(?P<minutes>\d+)\s*m(?:in(?:utes?|s)?)?)?",
    re.IGNORECASE,
)


def parse_duration(text: str, field: str = "--duration") -> tuple[int, DurationQualifier]:
    """Minutes and a qualifier from ``text``; raise InvalidInput naming ``field``."""
    value = text.strip()
    qualifier = DurationQualifier.EXACT
    if value.startswith("~"):
        qualifier, value = DurationQualifier.ABOUT, value[1:]
    elif value.startswith((">=", "≥")):
        qualifier, value = DurationQualifier.AT_LEAST, value.lstrip(">=≥")
    elif value.startswith(("<=", "≤")):
        qualifier, value = DurationQualifier.AT_MOST, value.lstrip("<=≤")
    elif value.endswith("+"):
        qualifier, value = DurationQualifier.AT_LEAST, value[:-1]
    value = value.strip()
    match = _AMOUNT.fullmatch(value)
    if not value or match is None or not (match["hours"] or match["minutes"]):
        raise InvalidInput(field, EXPECTED, text)
    hours = float(match["hours"].replace(",", ".")) if match["hours"] else 0.0
    minutes = round(hours * 60) + (int(match["minutes"]) if match["minutes"] else 0)
    if minutes == 0 and hours > 0:
        # 0.001h is not nothing: storing 0 minutes would change what the source says.
        raise InvalidInput(field, "a duration of at least 1 minute, or 0m", text)
    if minutes > MAX_MINUTES:
        raise InvalidInput(field, f"a duration of at most {MAX_MINUTES // 60} hours", text)
    return minutes, qualifier
