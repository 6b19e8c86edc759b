"""The country resolver (tracker.countries): codes, names in any language, former
countries, and names as tables write them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker.countries import (
    country_name,
    find_country,
    is_former,
    resolve_country,
    split_qualified,
)
from tracker.errors import InvalidInput


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # codes: alpha-2 (any case), alpha-3, numeric
        ("RU", "RU"), ("ru", "RU"), ("RUS", "RU"), ("643", "RU"), ("008", "AL"),
        # names in English, official and common, and translated
        ("Russia", "RU"), ("Russian Federation", "RU"), ("Rosja", "RU"),
        ("Россия", "RU"), ("Russland", "RU"), ("Federacja Rosyjska", "RU"),
        ("State of Qatar", "QA"), ("Niemcy", "DE"), ("Германия", "DE"), ("Chiny", "CN"),
        ("türkiye", "TR"), ("UK", "GB"), ("Wielka Brytania", "GB"),
        # inverted, dotted, with an article
        ("Korea, South", "KR"), ("Korea, Republic of", "KR"), ("Korea, North", "KP"),
        ("Congo, Democratic Republic of", "CD"), ("Congo, The Democratic Republic of the", "CD"),
        ("Germany, Federal Republic of", "DE"), ("China, People's Republic of", "CN"),
        ("Iran, Islamic Republic of", "IR"), ("Congo", "CG"),
        ("U.S.S.R.", "SUHH"), ("U.K.", "GB"), ("U.S.", "US"), ("U.S.A.", "US"),
        ("the Netherlands", "NL"), ("The Gambia", "GM"),
        # renamed: the successor
        ("Burma", "MM"), ("Burma (Myanmar)", "MM"), ("Ceylon", "LK"), ("Zaire", "CD"),
        ("Kirghizia", "KG"), ("Western Samoa", "WS"), ("Byelorussia", "BY"), ("BUMM", "MM"),
        ("Dahomey", "BJ"), ("Upper Volta", "BF"),
        # dissolved: a country of its own
        ("USSR", "SUHH"), ("Soviet Union", "SUHH"), ("СССР", "SUHH"), ("SUN", "SUHH"),
        ("810", "SUHH"), ("Yugoslavia", "YUCS"), ("Jugosławia", "YUCS"),
        ("Czechoslovakia", "CSHH"), ("German Democratic Republic", "DDDE"),
        ("East Germany", "DDDE"), ("Serbia and Montenegro", "CSXX"), ("suhh", "SUHH"),
        # territories
        ("Kosovo", "XK"), ("XK", "XK"), ("Taiwan", "TW"), ("Republic of China", "TW"),
        ("China, Republic of", "TW"), ("Palestine", "PS"), ("West Bank", "PS"),
        ("Palestinian Authority", "PS"), ("Holy See", "VA"), ("Vatican City", "VA"),
    ],
)  # fmt: skip
def test_a_country_is_found_however_it_is_written(text: str, code: str) -> None:
    assert find_country(text) == code


@pytest.mark.parametrize("text", ["Atlantis", "R1", "", "  ", "891", "Moscow", "SU", "CS"])
def test_what_names_no_country_finds_none(text: str) -> None:
    # 891 was both Yugoslavia and Serbia and Montenegro; SU and CS are codes of former
    # countries that ISO 3166-1 no longer assigns (and may give to another country).
    assert find_country(text) is None


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Denmark (Greenland)", ("DK", "Greenland")),
        ("United Kingdom (Northern Ireland)", ("GB", "Northern Ireland")),
        ("Yugoslavia (Kosovo)", ("YUCS", "Kosovo")),
        ("Burma (Myanmar)", ("MM", None)),
        ("Holy See (Vatican City State)", ("VA", None)),
        ("Congo (Kinshasa)", ("CD", None)),
        ("Russia", ("RU", None)),
        ("Atlantis (Poseidonia)", None),
    ],
)
def test_a_qualifier_is_the_place_within(text: str, found: tuple[str, str | None] | None) -> None:
    assert split_qualified(text) == found


def test_names_and_former_codes() -> None:
    assert country_name("ch") == "Switzerland"
    assert country_name("RU") == "Russia"
    assert country_name("SUHH") == "Soviet Union"
    assert country_name("DDDE") == "German Democratic Republic"
    assert country_name("XK") == "Kosovo"
    assert country_name("ZZ") is None
    assert is_former("YUCS")
    assert not is_former("MM")


def test_a_stored_spelling_wins_and_errors_name_the_field() -> None:
    assert resolve_country("Rossiya", "country", lambda name: ["RU"]) == "RU"
    with pytest.raises(InvalidInput) as caught:
        resolve_country("Atlantis", "country", lambda name: [])
    assert caught.value.field == "country"
    assert "ISO 3166 code" in str(caught.value)
    assert "'Atlantis'" in str(caught.value)


@pytest.mark.parametrize("language", ["pl", "ru", "de", "nb", "nn", "sr", "zh", "pt"])
def test_territory_names_are_babels_merged_ones(language: str) -> None:
    # Read from Babel's files without Babel's merge; Norwegian Bokmål and Nynorsk take
    # most of their names from their parent, Norwegian.
    from babel import localedata

    from tracker.countries import _cldr_names

    assert dict(_cldr_names(language)) == dict(localedata.load(language)["territories"])


def test_translated_names_are_kept_between_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker import countries

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    built = countries._Index()
    names = [built.tier(0), built.tier(1)]
    assert sorted(p.name.split("-")[1] for p in (tmp_path / "tracker").iterdir()) == ["0", "1"]

    def not_again(self: object, *, first: bool) -> dict[str, str]:
        raise AssertionError("built again")

    monkeypatch.setattr(countries._Index, "_translations", not_again)
    kept = countries._Index()
    assert [kept.tier(0), kept.tier(1)] == names
    assert names[0] == {**names[0], "russland": "RU"}
    assert "russland" not in (names[1] or {})  # a later tier leaves out what one before has


def test_a_damaged_or_unwritable_cache_only_costs_the_time_to_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker import countries

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    expected = countries._Index().tier(0)
    (kept,) = (tmp_path / "tracker").glob("countries-0-*.json")
    kept.write_text('{"russland": 7', encoding="utf-8")
    assert countries._Index().tier(0) == expected
    kept.write_text('{"russland": 7}', encoding="utf-8")
    assert countries._Index().tier(0) == expected
    assert json.loads(kept.read_text(encoding="utf-8")) == expected  # written again
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert countries._Index().tier(0) == expected
