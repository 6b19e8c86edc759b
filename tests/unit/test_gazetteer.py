"""The gazetteer's cities of a country are kept in the user's cache folder, and read
back from there with the same answers; a damaged file only costs reading the gazetteer
again."""

from __future__ import annotations

import json
import os
import time
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
        gazetteer._in_use,
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
    # The right shape with a value of the wrong type (a latitude as text) is damaged too.
    kept = json.loads((folder / "RU.json").read_text(encoding="utf-8"))
    kept[-1][3] = str(kept[-1][3])
    (folder / "RU.json").write_text(json.dumps(kept), encoding="utf-8")
    _forget()
    assert gazetteer._read_kept(folder / "RU.json") is None
    assert _answers() == first
    kept[-1][3] = float(kept[-1][3])
    (folder / "RU.json").write_text(json.dumps(kept), encoding="utf-8")
    assert gazetteer._read_kept(folder / "RU.json") == tuple(map(tuple, kept))


def test_another_trackers_cities_stay_while_it_reads_them() -> None:
    # Two trackers side by side (another version, or the same in another environment)
    # keep a folder each: building one's must not throw the other's away, or each run
    # of one reads the whole gazetteer again. A folder no run has read for a long time
    # goes.
    folder = gazetteer._kept_folder()
    assert folder is not None
    beside, old = (folder.with_name(f"gazetteer-{n * 16}") for n in "ab")
    for other in (beside, old):
        other.mkdir(parents=True)
        (other / "RU.json").write_text("[]", encoding="utf-8")
        (other / "complete").touch()
    long_ago = time.time() - (gazetteer.UNUSED_DAYS + 1) * 86400
    os.utime(old / "complete", (long_ago, long_ago))
    _answers()
    assert (folder / "complete").exists()
    assert (beside / "RU.json").exists()
    assert not old.exists()


def test_reading_a_kept_folder_marks_it_used() -> None:
    _answers()
    folder = gazetteer._kept_folder()
    assert folder is not None
    long_ago = time.time() - (gazetteer.UNUSED_DAYS + 1) * 86400
    os.utime(folder / "complete", (long_ago, long_ago))
    _forget()
    _answers()
    assert (folder / "complete").stat().st_mtime > long_ago + 86400
