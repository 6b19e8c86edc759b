"""The gazetteer's cities of a country are kept in the user's cache folder, and read
back from there with the same answers; a damaged file only costs reading the gazetteer
again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tracker import gazetteer


def _forget() -> None:
    for remembered in (
        gazetteer._named,
        gazetteer._entries,
        gazetteer._names_in,
        gazetteer._other_text,
        gazetteer._kept_folder,
        gazetteer._by_country,
    ):
        remembered.cache_clear()


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    """Each test starts from the (per-test) empty cache folder, and leaves no answers
    from it behind for other tests."""
    _forget()
    yield
    _forget()


QUESTIONS = [
    ("Moscow", "RU"),
    ("Moskwa", "RU"),  # one of its other names
    ("Riyadh", "SA"),
    ("Springfield", "US"),  # several: no coordinates are guessed from these
    ("Xyzzyville", "PL"),
    ("Moscow", "SUHH"),  # a former country: no cities
]


def _answers() -> list[list[gazetteer.City]]:
    return [gazetteer.cities_named(name, country) for name, country in QUESTIONS]


def test_a_countrys_cities_are_read_back_from_the_cache_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = _answers()
    assert [city.name for city in first[0]] == ["Moscow"]
    assert first[0] == first[1]
    assert first[0][0].lat == pytest.approx(55.75, abs=0.05)
    assert len(first[3]) > 1
    assert first[4] == first[5] == []
    folder = gazetteer._kept_folder()
    assert folder is not None
    assert (folder / "complete").exists()
    assert (folder / "RU.json").exists()
    _forget()

    def unread() -> None:
        raise AssertionError("the gazetteer was read again")

    monkeypatch.setattr(gazetteer, "_by_country", unread)
    assert _answers() == first
    monkeypatch.undo()


def test_a_damaged_file_is_read_from_the_gazetteer_again() -> None:
    first = _answers()
    folder = gazetteer._kept_folder()
    assert folder is not None
    (folder / "RU.json").write_text('[["Moscow"]]', encoding="utf-8")
    _forget()
    assert _answers() == first
    _forget()
    (folder / "RU.json").write_text("not json", encoding="utf-8")
    assert _answers() == first
