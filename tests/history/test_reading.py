"""``tracker history``, ``history show``, ``export --as-of``, ``show --as-of`` and
``db prune-history``. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.cli.conftest import Invoke

MEETING = "meeting-2025-04-25-witkoff-putin"


def _now() -> str:
    time.sleep(0.05)
    stamp = datetime.now(UTC).isoformat()
    time.sleep(0.05)
    return stamp


def test_history_lists_change_sets_newest_first_in_every_format(seeded: Invoke) -> None:
    assert seeded("--as", "ana", "edit", MEETING, "--title", "Renamed").exit_code == 0
    rows = json.loads(seeded("history", "--format", "json").stdout)
    assert [r["number"] for r in rows] == [3, 2, 1]
    assert rows[0]["who"] == "ana"
    assert rows[0]["updated"] == 1
    assert rows[0]["command"].endswith(f"edit {MEETING} --title Renamed")
    assert rows[1]["command"].endswith(" seed")
    assert rows[1]["added"] == 171
    lines = seeded("history", "--format", "ndjson").stdout.splitlines()
    assert [json.loads(line) for line in lines] == rows
    csv = seeded("history", "--format", "csv").stdout.splitlines()
    assert csv[0] == "number,at,who,role,command,added,updated,deleted,undoes"
    assert len(csv) == 4
    markdown = seeded("history", "--format", "markdown").stdout
    assert "| ana |" in markdown.replace("  ", " ")
    table = seeded("history").stdout
    assert "ana" in table


def test_history_filters_by_record_who_and_time(seeded: Invoke) -> None:
    start = _now()
    assert seeded("--as", "ana", "edit", MEETING, "--notes", "a").exit_code == 0
    assert seeded("--as", "ben", "edit", "visit-2025-04-25-witkoff-moscow", "--notes", "b")

    def numbers(*args: str) -> list[int]:
        result = seeded("history", *args, "--format", "json")
        assert result.exit_code == 0, result.output
        return [r["number"] for r in json.loads(result.stdout)]

    assert numbers(MEETING) == [3, 2]
    assert numbers("--who", "BEN") == [4]
    assert numbers("--from", start) == [4, 3]
    assert numbers("--to", start) == [2, 1]
    assert numbers("--from", "2000-01-01", "--to", "2000-12-31") == []
    bad = seeded("history", "--from", "last week")
    assert bad.exit_code == 2
    assert bad.stderr.startswith("error: --from: expected a date or a date-time")


def test_history_show_field_by_field(seeded: Invoke) -> None:
    assert seeded("edit", MEETING, "--title", "Renamed", "--duration", "2h").exit_code == 0
    result = seeded("history", "show", "3")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "change set  3"
    assert f"meeting {MEETING} updated" in lines
    assert '  title     "Witkoff meets Putin in the Kremlin (fourth meeting)" → "Renamed"' in lines
    before, after = (
        '{"minutes": 180, "qualifier": "about"}',
        '{"minutes": 120, "qualifier": "exact"}',
    )
    assert f"  duration  {before} → {after}" in lines
    shown = json.loads(seeded("history", "show", "3", "--format", "json").stdout)
    assert shown["changes"][0]["before"]["title"] != shown["changes"][0]["after"]["title"]
    missing = seeded("history", "show", "99")
    assert missing.exit_code == 2
    assert missing.stderr.startswith("error: N: no change set named")


def test_history_show_reads_back_what_a_bulk_import_added(seeded: Invoke) -> None:
    from pathlib import Path

    data = Path(__file__).parent.parent / "data" / "official-meetings.csv"
    assert seeded("import", str(data), "--create").exit_code == 0
    shown = json.loads(seeded("history", "show", "3", "--format", "json").stdout)
    added = [c for c in shown["changes"] if c["op"] == "added"]
    assert added
    assert all(c["after"] and c["after"]["uid"] == c["uid"] for c in added)


def test_export_as_of_reproduces_an_earlier_export_byte_for_byte(
    seeded: Invoke, export: Callable[[], str]
) -> None:
    earlier = export()
    yaml_earlier = seeded("export", "--format", "yaml").stdout
    moment = _now()
    assert seeded("edit", MEETING, "--title", "Renamed").exit_code == 0
    assert seeded("delete", "visit-2025-04-25-witkoff-moscow", "--yes").exit_code == 0
    log = ["log", "-e", "Witkoff", "-w", "Putin", "-d", "2025-12-20", "-p", "Moscow"]
    assert seeded(*log, "-t", "Late", "-s", "https://example.org/late", "--create")
    assert export() != earlier
    assert seeded("export", "--as-of", moment).stdout == earlier
    assert seeded("export", "--as-of", moment, "--format", "yaml").stdout == yaml_earlier
    assert seeded("export", "--as-of", _now()).stdout == export()
    refused = seeded("export", "--as-of", moment, "--format", "csv")
    assert refused.exit_code == 2
    assert refused.stderr.startswith("error: --as-of: expected json or yaml")
    too_early = seeded("export", "--as-of", "2000-01-01")
    assert too_early.exit_code == 2
    assert "the history starts at" in too_early.stderr


def test_show_as_of(seeded: Invoke) -> None:
    moment = _now()
    assert seeded("edit", MEETING, "--title", "Renamed").exit_code == 0
    then = json.loads(seeded("show", MEETING, "--as-of", moment, "--format", "json").stdout)
    assert then["title"] == "Witkoff meets Putin in the Kremlin (fourth meeting)"
    now = json.loads(seeded("show", MEETING, "--as-of", _now(), "--format", "json").stdout)
    assert now["title"] == "Renamed"
    table = seeded("show", MEETING, "--as-of", moment).stdout.splitlines()
    assert table[0].split() == ["record", "meeting"]
    person = seeded("show", "person-steve-witkoff", "--as-of", moment, "--format", "json")
    assert json.loads(person.stdout)["name"] == "Steve Witkoff"


TALKS = "meeting-2025-12-02-witkoff-kushner-putin"


def _disputes(table: str) -> list[list[str]]:
    """The rows of a shown record's disputed facts: fact, number, mark, first word of the
    value."""
    if "disputed: the accounts of each fact" not in table:
        return []
    section = table[table.index("disputed: the accounts of each fact") :].splitlines()[2:]
    return [row.split()[:4] for row in section if row[:1].strip()]


def test_show_as_of_sets_the_disputed_facts_side_by_side_as_they_stood(seeded: Invoke) -> None:
    # The seeded Kremlin talks: date and duration disputed. Three of the four duration
    # accounts deleted since, only the date is; as of before, both were.
    before = seeded("show", TALKS).stdout
    moment = _now()
    for number in ("4", "3", "2"):
        assert seeded("account", "delete", TALKS, "duration", number).exit_code == 0
    assert [row[0] for row in _disputes(seeded("show", TALKS).stdout)] == ["date", "date"]
    then = seeded("show", TALKS, "--as-of", moment)
    assert then.exit_code == 0, then.output
    assert [row[:3] for row in _disputes(then.stdout)] == [
        row[:3] for row in _disputes(before)
    ] == [
        ["date", "1", "*!"], ["date", "2", "!"],
        ["duration", "1", "*!"], ["duration", "2", "!"], ["duration", "3", "!"],
        ["duration", "4", "!"],
    ]  # fmt: skip
    # Values as people read them; sources and people by uid, as the rest of the view.
    assert [row[3] for row in _disputes(then.stdout)[2:]] == ["at", "5", "5", "at"]
    assert "src-tve24-2025-12-04" in then.stdout
    now = seeded("show", TALKS, "--as-of", _now()).stdout
    assert [row[0] for row in _disputes(now)] == ["date", "date"]
    # A record with no dispute then prints none.
    calm = seeded("show", MEETING, "--as-of", moment).stdout
    assert "disputed" not in calm


def test_prune_history_keeps_the_records_and_is_recorded(
    seeded: Invoke, export: Callable[[], str], change_sets: Callable[[], list[dict[str, Any]]]
) -> None:
    assert seeded("edit", MEETING, "--title", "Renamed").exit_code == 0
    current = export()
    cutoff = _now()
    result = seeded("db", "prune-history", "--before", cutoff)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Removed 3 change set(s) made before")
    assert export() == current
    remaining = change_sets()
    assert len(remaining) == 1
    assert remaining[0]["command"].endswith(f"db prune-history --before {cutoff}")
    assert seeded("export", "--as-of", _now()).stdout == current
    behind = seeded("export", "--as-of", "2000-01-01")
    assert behind.exit_code == 2
    future = seeded("db", "prune-history", "--before", "2999-01-01")
    assert future.exit_code == 2
    assert future.stderr.startswith("error: --before: expected a date or time that has passed")


@pytest.mark.parametrize("command", [["history"], ["history", "show", "1"]])
def test_reading_history_writes_nothing(
    seeded: Invoke, command: list[str], change_sets: Callable[[], list[dict[str, Any]]]
) -> None:
    count = len(change_sets())
    assert seeded(*command).exit_code == 0
    assert len(change_sets()) == count


def test_a_backup_keeps_the_history(seeded: Invoke, db_url: str, tmp_path: Any) -> None:
    if db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL is backed up with pg_dump")
    from click.testing import CliRunner

    from cli.app import main

    assert seeded("edit", MEETING, "--title", "Renamed").exit_code == 0
    copy = str(tmp_path / "copy.db")
    assert seeded("db", "backup", copy).exit_code == 0
    listed = seeded("history", "--format", "json").stdout
    from_copy = CliRunner().invoke(main, ["--db", copy, "history", "--format", "json"])
    assert from_copy.stdout == listed
    assert len(json.loads(listed)) == 3
