"""Countries however they are written, in log, the filters and import; former
countries stored under their ISO 3166-3 codes, on both backends."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Invoke

TABLE = """traveller,start,country,city
Henry Kissinger,1974-10-24,U.S.S.R.,Moscow
Henry Kissinger,1974-11-23,USSR,Vladivostok
Cyrus Vance,1977-03-28,Soviet Union,Moscow
Cyrus Vance,1978-05-10,Yugoslavia (Kosovo),Pristina
Cyrus Vance,1979-06-01,Burma,Rangoon
George Shultz,1986-05-05,"Korea, South",Seoul
George Shultz,1987-02-03,Ceylon,Colombo
Madeleine Albright,1998-03-07,Rosja,Moscow
"""


def _places(run: Invoke) -> dict[str, dict[str, str]]:
    result = run("places", "--format", "json")
    assert result.exit_code == 0, result.output
    return {place["name"]: place for place in json.loads(result.stdout)}


def test_a_table_of_former_and_renamed_countries_imports(run: Invoke, tmp_path: Path) -> None:
    table = tmp_path / "trips.csv"
    table.write_text(TABLE, encoding="utf-8")
    result = run("import", "--create", str(table))
    assert result.exit_code == 0, result.output
    assert "rows: 8 read, 0 rejected" in result.stdout
    places = _places(run)
    assert (places["Soviet Union"]["kind"], places["Soviet Union"]["country"]) == (
        "country",
        "SUHH",
    )
    assert places["Yugoslavia"]["country"] == "YUCS"
    # the qualifier is the place within: a region of Yugoslavia, Pristina under it
    assert (places["Kosovo"]["kind"], places["Kosovo"]["parent"]) == ("region", "Yugoslavia")
    assert places["Pristina"]["parent"] == "Kosovo"
    assert places["Myanmar"]["country"] == "MM"  # Burma is its successor
    assert places["Sri Lanka"]["country"] == "LK"
    assert places["South Korea"]["country"] == "KR"
    assert places["Russia"]["country"] == "RU"
    assert "Burma" not in places
    assert "U.S.S.R." not in places


def test_country_filters_find_what_was_recorded_under_a_former_country(
    run: Invoke, tmp_path: Path
) -> None:
    table = tmp_path / "trips.csv"
    table.write_text(TABLE, encoding="utf-8")
    assert run("import", "--create", str(table)).exit_code == 0

    def destinations(*country: str) -> list[str]:
        result = run("visits", "Kissinger", "--format", "json", *country)
        assert result.exit_code == 0, result.output
        return [visit["destination"] for visit in json.loads(result.stdout)]

    assert destinations("--country", "USSR") == ["Moscow", "Vladivostok"]
    assert destinations("--country", "SUHH") == ["Moscow", "Vladivostok"]
    assert destinations("--country", "Związek Radziecki") == destinations("--country", "СССР")
    result = run("visits", "Kissinger", "--country", "Russia")
    assert result.exit_code == 0
    assert "Moscow" not in result.stdout  # Russia is not the Soviet Union
    help_text = run("timeline", "--help").stdout
    assert "former country (USSR, Yugoslavia) finds what was recorded under it" in " ".join(
        help_text.split()
    )


def test_log_takes_a_country_in_any_language(run: Invoke) -> None:
    common = ["-t", "Talks", "-s", "Kommersant", "--create"]
    result = run(
        "log", "-e", "Steve Witkoff", "-d", "2025-08-06", "-p", "Novo-Ogaryovo",
        "--country", "Rosja", *common,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    result = run(
        "log", "-e", "Henry Kissinger", "-d", "1974-11-23", "-p", "Okeanskaya",
        "--country", "Soviet Union", *common,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    places = _places(run)
    assert places["Novo-Ogaryovo"]["country"] == "RU"
    assert places["Okeanskaya"]["country"] == "SUHH"
    result = run(
        "log", "-e", "Steve Witkoff", "-d", "2025", "-p", "X", "--country", "Atlantis", *common
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --country: expected a country's name")
