"""Competing accounts in the read views: the timeline's ``disputed`` column and mark,
``--disputed``, the accounts side by side in ``tracker show``, and the disputed
durations of ``tracker stats``."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from tests.cli.conftest import Invoke

REPORT = "Polish news report (crediting Reuters)"
KREMLIN = "https://www.kremlin.ru/events/president/news/1"
TASS = "https://tass.com/world/1942591"
TALKS = "meeting-2025-12-02-witkoff-kushner-putin"


@pytest.fixture
def disputes(run: Invoke) -> Invoke:
    """Three meetings of Witkoff's: talks of 2 Dec 2025 whose duration the sources give
    differently (over five hours; five hours), a walk with no accounts, and talks of
    11 Apr 2025 whose two sources agree on the duration."""
    for args in (
        ["-d", "2025-12-02", "-p", "Kremlin", "-t", "Talks", "--duration", "5h+"],
        ["-d", "2025-12-01", "-p", "Moscow", "-t", "Walk"],
        ["-d", "2025-04-11", "-p", "St Petersburg", "-t", "Library talks", "--duration", "4h"],
    ):
        result = run(
            "log", "-e", "Steve Witkoff", "-w", "Vladimir Putin", *args, "-s", REPORT,
            "--create", "--country", "RU",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    result = run("account", "add", "m:1", "duration", "5h", "-s", KREMLIN, "--quote",
                 "Pięć godzin negocjacji", "--language", "pl")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert run("account", "add", "m:3", "duration", "4h", "-s", TASS).exit_code == 0
    return run


def _json(run: Invoke, *args: str) -> Any:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _titles_and_disputes(rows: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    return [(row["title"], row["disputed"]) for row in rows]


# -- the timeline table -----------------------------------------------------------------


def test_json_and_ndjson_list_the_disputed_facts(disputes: Invoke) -> None:
    expected = [("Library talks", []), ("Walk", []), ("Talks", ["duration"])]
    assert _titles_and_disputes(_json(disputes, "timeline", "--format", "json")) == expected
    lines = disputes("timeline", "--format", "ndjson").stdout.splitlines()
    assert _titles_and_disputes([json.loads(line) for line in lines]) == expected
    exported = disputes("export", "--format", "ndjson").stdout.splitlines()
    assert _titles_and_disputes([json.loads(line) for line in exported]) == expected


def test_csv_and_markdown_have_a_disputed_column(disputes: Invoke) -> None:
    # A second disputed fact: the two are one list cell, in the order of the record.
    result = disputes("account", "add", "m:1", "date", "2025-12-02/2025-12-03", "-s", KREMLIN)
    assert result.exit_code == 0, result.output
    text = disputes("timeline", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(row["title"], row["disputed"]) for row in rows] == [
        ("Library talks", ""),
        ("Walk", ""),
        ("Talks", "date; duration"),
    ]
    assert disputes("export", "--format", "csv").stdout == text
    markdown = disputes("timeline", "--format", "markdown").stdout.splitlines()
    header = markdown[0].strip("| ").split(" | ")
    column = header.index("disputed")
    assert header[column - 1 :] == ["sources", "disputed", "uid"]
    cells = [line.strip("| ").split(" | ")[column] for line in markdown[2:]]
    assert cells == ["", "", "date; duration"]


def test_an_exported_timeline_table_imports_without_the_disputed_column(
    disputes: Invoke, tmp_path: Any
) -> None:
    table = tmp_path / "timeline.csv"
    table.write_text(disputes("timeline", "--format", "csv").stdout, encoding="utf-8")
    result = disputes("import", str(table), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "disputed" not in result.output


# -- the filter -------------------------------------------------------------------------


def test_disputed_selects_meetings_with_conflicting_accounts(disputes: Invoke) -> None:
    # The library talks have two sources that agree (one account): no dispute.
    rows = _json(disputes, "timeline", "--disputed", "--format", "json")
    assert _titles_and_disputes(rows) == [("Talks", ["duration"])]
    table = disputes("timeline", "--disputed", "--format", "csv").stdout
    assert disputes("export", "--disputed", "--format", "csv").stdout == table
    # Combined with another filter, both apply.
    assert _json(disputes, "timeline", "--disputed", "--to", "2025-11", "--format", "json") == []


def test_disputed_follows_the_accounts(disputes: Invoke) -> None:
    # A dissenting account makes the library talks disputed; deleting it ends that.
    assert disputes("account", "add", "m:3", "duration", "~3h", "-s", TASS).exit_code == 0
    titles = [r["title"] for r in _json(disputes, "timeline", "--disputed", "--format", "json")]
    assert titles == ["Library talks", "Talks"]
    assert disputes("account", "delete", "m:3", "duration", "2").exit_code == 0
    titles = [r["title"] for r in _json(disputes, "timeline", "--disputed", "--format", "json")]
    assert titles == ["Talks"]


def test_the_html_page_names_the_disputed_filter(disputes: Invoke) -> None:
    page = disputes("export", "--disputed", "--format", "html").stdout
    assert "<dt>disputed</dt><dd>yes</dd>" in page
    assert "<dt>disputed</dt>" not in disputes("export", "--format", "html").stdout
