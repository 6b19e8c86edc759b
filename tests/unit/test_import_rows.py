"""One CSV row's checked values (tracker.importers.rows): the list cells' rules, which
hold for every row that repeats a cell as for the first."""

from __future__ import annotations

import pytest

from tracker.importers.rows import Parsed, Parsers, RowErrors, parse_row

COLUMNS = ("traveller", "start", "city", "title", "counterparts", "uid")


def _parse(parsers: Parsers, number: int, **cells: str) -> Parsed:
    return parse_row(number, [cells.get(column, "") for column in COLUMNS], parsers)


def test_list_cells_keep_their_rules_in_every_row_that_repeats_them() -> None:
    parsers = Parsers(dict(enumerate(COLUMNS)))
    cells = {
        "traveller": "Marco Rubio; marco  rubio; Mike Waltz",
        "start": "2025-03-01",
        "city": "Riyadh; Jeddah; Riyadh",
        "title": "Talks",
    }
    first = _parse(parsers, 2, counterparts="Mike Waltz; Sergei Lavrov", uid="m-1", **cells)
    again = _parse(parsers, 3, counterparts="Yuri Ushakov", uid="m-2", **cells)
    for row in (first, again):
        # A person named twice travels once; a city named twice is named twice.
        assert row.travellers == ["Marco Rubio", "Mike Waltz"]
        assert row.traveller_keys == ["marco rubio", "mike waltz"]
        assert row.cities == ["Riyadh", "Jeddah", "Riyadh"]
        assert row.city_keys == ["riyadh", "jeddah", "riyadh"]
    # A counterpart who is also a traveller is a traveller only.
    assert first.counterparts == ["Sergei Lavrov"]
    assert first.counterpart_keys == ["sergei lavrov"]
    assert again.counterparts == ["Yuri Ushakov"]


def test_a_bad_name_in_a_repeated_cell_is_reported_in_every_row() -> None:
    parsers = Parsers(dict(enumerate(COLUMNS)))
    for number in (2, 3):
        with pytest.raises(RowErrors) as caught:
            _parse(parsers, number, traveller="Marco Rubio; \x00", start="2025-03-01")
        assert [error.field for error in caught.value.errors] == ["traveller"]
