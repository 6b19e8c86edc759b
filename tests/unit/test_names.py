"""The name key: one normalisation for every name and alias."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.errors import InvalidInput
from tracker.names import clean_name, name_key


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Vladimir Putin", "vladimir putin"),
        ("Władimir Putin", "wladimir putin"),
        ("Владимир Путин", "vladimir putin"),
        ("  Jurij   USZAKOW ", "jurij uszakow"),
        ("Юрий Ушаков", "yuriy ushakov"),
        ("St. Petersburg", "st petersburg"),
        ("Moskwa", "moskwa"),
        ("Москва", "moskva"),
        ("Straße", "strasse"),
    ],
)
def test_name_key(name: str, key: str) -> None:
    assert name_key(name) == key


@given(st.text())
def test_name_key_is_idempotent_and_ascii(name: str) -> None:
    key = name_key(name)
    assert key == name_key(key)
    assert key.isascii() or not any(ch.isascii() and ch.isalnum() for ch in key)
    assert key == key.strip()
    assert "  " not in key


@given(st.text())
def test_name_key_ignores_case_and_spacing(name: str) -> None:
    assert name_key(name.upper()) == name_key(f"  {name.lower()} ")


@pytest.mark.parametrize("bad", ["", "   ", "\x00abc", "a\x1b[31mb", "!!!", "x" * 201, "a\u200bb"])
def test_clean_name_rejects(bad: str) -> None:
    with pytest.raises(InvalidInput):
        clean_name(bad, "--envoy")


def test_a_name_without_transliteration_keeps_its_letters() -> None:
    assert name_key("𩎴") == "𩎴"
    assert clean_name("𩎴") == "𩎴"


def test_clean_name_keeps_what_was_typed() -> None:
    assert clean_name("  Władimir   Putin ") == "Władimir Putin"
    assert clean_name("[bold]x") == "[bold]x"
