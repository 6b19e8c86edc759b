"""One format layer: a listing's ``--format X`` and ``tracker export --format X`` write
the same bytes for the same rows; every format carries the same rows; a list inside a
cell survives a csv export and its import, whatever its values hold."""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from cli.app import main
from tests.cli.conftest import Invoke
from tracker.cells import split_list

LISTINGS = [
    ["visits"],
    ["visits", "Witkoff"],
    ["timeline"],
    ["timeline", "--envoy", "Witkoff", "--from", "2025-04"],
    ["timeline", "--view", "lanes"],
    ["people"],
    ["places"],
    ["stats"],
]


@pytest.fixture
def seeded(run: Invoke) -> Invoke:
    assert run("seed").exit_code == 0
    return run


def _out(result: Any) -> str:
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    # The bytes as written (Click's ``stdout`` turns CRLF into LF).
    text: str = result.stdout_bytes.decode("utf-8")
    return text


@pytest.mark.parametrize("fmt", ["csv", "markdown", "ndjson"])
@pytest.mark.parametrize("filters", [[], ["--envoy", "Witkoff", "--from", "2025-04"]])
def test_timeline_and_export_write_the_same_bytes(
    seeded: Invoke, fmt: str, filters: list[str]
) -> None:
    listed = _out(seeded("timeline", *filters, "--format", fmt))
    exported = _out(seeded("export", *filters, "--format", fmt))
    assert listed.count("\n") > 3
    assert listed == exported


def _markdown_rows(text: str) -> list[list[str]]:
    html = MarkdownIt("commonmark").enable("table").render(text)
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        rows.append([unescape(cell.replace("<br>", "\n")) for cell in cells])
    return rows


def _as_text(value: Any) -> str:
    """A JSON value as the csv cell of it reads."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "; ".join(f"{key} {item}" for key, item in value.items())
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return str(value)


@pytest.mark.parametrize("args", LISTINGS, ids=" ".join)
def test_every_format_of_a_listing_carries_the_same_rows(seeded: Invoke, args: list[str]) -> None:
    text = _out(seeded(*args, "--format", "csv"))
    assert text.endswith("\r\n")
    table = list(csv.reader(io.StringIO(text, newline="")))
    keys, rows = table[0], table[1:]
    assert rows
    as_json = json.loads(_out(seeded(*args, "--format", "json")))
    ndjson = [json.loads(line) for line in _out(seeded(*args, "--format", "ndjson")).splitlines()]
    assert ndjson == as_json
    assert [list(row) for row in as_json] == [keys] * len(rows)
    assert [[_as_text(value) for value in row.values()] for row in as_json] == rows
    markdown = _markdown_rows(_out(seeded(*args, "--format", "markdown")))
    assert markdown == [keys, *rows]


# -- lists inside cells -----------------------------------------------------------------

AWKWARD = {
    "format": "tracker/1",
    "people": [
        {"uid": "p-sj", "name": "Smith; Jones", "country": "US"},
        {"uid": "p-lee", "name": "Lee", "country": "US"},
        {"uid": "p-host", "name": "Host Person", "country": "RU"},
    ],
    "places": [
        {"uid": "pl-ru", "name": "Russia", "kind": "country", "country": "RU"},
        {"uid": "pl-msk", "name": "Moscow", "kind": "city", "country": "RU", "parent": "pl-ru"},
    ],
    "sources": [
        {"uid": "s-pub", "publisher": "Reuters; https://example.org/x"},
        {"uid": "s-url", "url": "https://example.org/report"},
    ],
    "visits": [
        {
            "uid": "v-1",
            "travellers": [
                {"person": "p-sj", "role": "envoy"},
                {"person": "p-lee", "role": "envoy"},
            ],
            "destination": "pl-msk",
            "date": "2025-03-01",
        }
    ],
    "meetings": [
        {
            "uid": "m-1",
            "visit": "v-1",
            "kind": "talks",
            "title": "Talks",
            "date": "2025-03-01",
            "venue": "pl-msk",
            "participants": [
                {"person": "p-sj", "role": "envoy"},
                {"person": "p-lee", "role": "envoy"},
                {"person": "p-host", "role": "host"},
            ],
            "outcome": "unknown",
            "sources": ["s-pub", "s-url"],
        }
    ],
}


def _invoke(db: str, *args: str) -> str:
    return _out(CliRunner().invoke(main, ["--db", db, *args]))


def test_a_value_holding_the_separator_survives_export_and_import(
    db_url: str, tmp_path: Path
) -> None:
    document = tmp_path / "awkward.json"
    document.write_text(json.dumps(AWKWARD), encoding="utf-8")
    _invoke(db_url, "import", str(document))
    exported = _invoke(db_url, "export", "--format", "csv")
    (row,) = csv.DictReader(io.StringIO(exported, newline=""))
    assert split_list(row["envoys"]) == ["Smith; Jones", "Lee"]
    assert split_list(row["sources"]) == [
        "Reuters; https://example.org/x",
        "https://example.org/report",
    ]
    table = tmp_path / "timeline.csv"
    table.write_text(exported, encoding="utf-8", newline="")
    again = str(tmp_path / "again.db")
    _invoke(again, "import", str(table), "--create")
    people = json.loads(_invoke(again, "people", "--format", "json"))
    assert {person["name"] for person in people} >= {"Smith; Jones", "Lee"}
    assert (
        _invoke(again, "export", "--format", "csv").split("\r\n")[1].split(",")[4:11]
        == (exported.split("\r\n")[1].split(",")[4:11])
    )


@pytest.mark.parametrize("fmt", ["html", "timelinejs"])
def test_publisher_text_never_becomes_a_link(db_url: str, tmp_path: Path, fmt: str) -> None:
    document = tmp_path / "awkward.json"
    document.write_text(json.dumps(AWKWARD), encoding="utf-8")
    _invoke(db_url, "import", str(document))
    page = _invoke(db_url, "export", "--format", fmt)
    assert 'href="https://example.org/report"' in page or (
        'href=\\"https://example.org/report\\"' in page
    )
    assert "example.org/x" in page
    assert 'href="https://example.org/x"' not in page
    assert 'href=\\"https://example.org/x\\"' not in page
