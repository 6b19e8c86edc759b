"""Durations as typed: ``5h``, ``90m``, ``3h30m``, ``~3h``, ``5h+``, ``<=2h``."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.durations import parse_duration
from tracker.errors import InvalidInput
from tracker.vocab import DurationQualifier as Q


@pytest.mark.parametrize(
    ("text", "minutes", "qualifier"),
    [
        ("5h", 300, Q.EXACT),
        ("90m", 90, Q.EXACT),
        ("3h30m", 210, Q.EXACT),
        ("3h 30m", 210, Q.EXACT),
        ("1.5h", 90, Q.EXACT),
        ("1,5h", 90, Q.EXACT),
        ("~3h", 180, Q.ABOUT),
        ("5h+", 300, Q.AT_LEAST),
        (">=5h", 300, Q.AT_LEAST),
        ("<=2h", 120, Q.AT_MOST),
        ("3 hours", 180, Q.EXACT),
        ("45 min", 45, Q.EXACT),
    ],
)
def test_durations(text: str, minutes: int, qualifier: Q) -> None:
    assert parse_duration(text) == (minutes, qualifier)


@pytest.mark.parametrize("text", ["five hours", "", "h", "5", "-3h", "5h5h", "~", "1e3h"])
def test_bad_durations_name_the_field(text: str) -> None:
    with pytest.raises(InvalidInput, match=r"^--duration: expected a duration such as 5h"):
        parse_duration(text)


PREFIX = {Q.EXACT: "", Q.ABOUT: "~", Q.AT_LEAST: ">=", Q.AT_MOST: "<="}


@given(st.integers(0, 1_000), st.integers(0, 59), st.sampled_from(list(Q)), st.booleans())
def test_what_is_written_is_read(hours: int, minutes: int, qualifier: Q, spaced: bool) -> None:
    parts = [f"{hours}h"] if hours else []
    if minutes or not hours:
        parts.append(f"{minutes}m")
    text = PREFIX[qualifier] + (" " if spaced else "").join(parts)
    assert parse_duration(text) == (hours * 60 + minutes, qualifier)


@given(st.text(max_size=20))
def test_any_text_parses_or_raises_invalid_input(text: str) -> None:
    try:
        minutes, qualifier = parse_duration(text)
    except InvalidInput as exc:
        message = str(exc)
    else:
        assert 0 <= minutes <= 100_000
        assert qualifier in Q
        return
    assert message.startswith("--duration: expected ")


@pytest.mark.parametrize("text", ["0.001h", "~0.004h", "0.008h+", "<=0,005h", "0.0001 hours"])
def test_a_duration_that_rounds_to_nothing_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match=r"^--duration: expected a duration of at least 1 min"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["0m", "0h", "~0m", "0h0m"])
def test_an_explicit_zero_is_kept(text: str) -> None:
    # A zero written as such is what the source says (and what an export writes back);
    # only a non-zero amount that rounds to nothing would be silently changed.
    assert parse_duration(text)[0] == 0


@given(st.decimals(min_value=0, max_value=2, places=4), st.sampled_from(["h", "m"]))
def test_a_non_zero_amount_is_never_stored_as_zero(amount: object, unit: str) -> None:
    text = f"{amount}{unit}"
    try:
        minutes, _qualifier = parse_duration(text)
    except InvalidInput:
        return
    assert minutes > 0 or float(str(amount)) == 0
