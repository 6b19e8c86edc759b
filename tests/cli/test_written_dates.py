"""Dates as people write them, everywhere a date is accepted: log, edit, the filters and
import (with the order of a numeric date given by an option or the mapping file)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Invoke

LOG = ["-e", "Steve Witkoff", "-p", "Moscow", "--country", "RU", "-s", "Kommersant"]


def _meetings(run: Invoke, *args: str) -> list[dict[str, str]]:
    result = run("timeline", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout or "[]"))


def test_log_edit_and_filters_take_written_dates(run: Invoke) -> None:
    result = run("log", *LOG, "--create", "-t", "Talks", "-d", "2 Dec 2025")
    assert result.exit_code == 0, result.output
    result = run("log", *LOG, "-t", "Walk", "-d", "2 grudnia 2025", "--duplicate")
    assert result.exit_code == 0, result.output
    result = run("log", *LOG, "-t", "Dinner", "-d", "c. Aug 2025")
    assert result.exit_code == 0, result.output
    shown = {m["title"]: (m["edtf"], m["date"]) for m in _meetings(run)}
    assert shown == {
        "Talks": ("2025-12-02", "2 Dec 2025"),
        "Walk": ("2025-12-02", "2 Dec 2025"),
        "Dinner": ("2025-08~", "c. Aug 2025"),
    }
    assert [m["title"] for m in _meetings(run, "--from", "Dec 2025")] == ["Talks", "Walk"]
    assert [m["title"] for m in _meetings(run, "--to", "31 августа 2025")] == ["Dinner"]
    uid = next(m["uid"] for m in _meetings(run) if m["title"] == "Dinner")
    result = run("edit", uid, "--date", "6 sierpnia 2025")
    assert result.exit_code == 0, result.output
    assert [m["edtf"] for m in _meetings(run, "--to", "Aug 2025")] == ["2025-08-06"]


def test_log_refuses_an_ambiguous_numeric_date(run: Invoke) -> None:
    result = run("log", *LOG, "--create", "-t", "Talks", "-d", "12/02/2025")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "error: --date: expected a date whose day and month cannot be mistaken"
    )
    assert _meetings(run) == []


TABLE = """traveller,start,end,country,city
Steve Witkoff,11 Feb 2025,,RU,Moscow
Steve Witkoff,13.03.2025,14.03.2025,RU,Moscow
Steve Witkoff,11 kwietnia 2025,,RU,St Petersburg
Steve Witkoff,25 апреля 2025,,RU,Moscow
Steve Witkoff,06.08.2025,,RU,Moscow
Steve Witkoff,Nov 2025,,CH,Geneva
Steve Witkoff,2–3 Dec 2025,,RU,Moscow
"""


def _visits(run: Invoke) -> list[str]:
    result = run("visits", "Witkoff", "--format", "json")
    assert result.exit_code == 0, result.output
    return [visit["edtf"] for visit in json.loads(result.stdout)]


def test_import_refuses_a_numeric_date_it_cannot_read_one_way(run: Invoke, tmp_path: Path) -> None:
    table = tmp_path / "trips.csv"
    table.write_text(TABLE, encoding="utf-8")
    refused = run("import", "--create", str(table))
    assert refused.exit_code == 2
    assert refused.stderr.startswith(
        f'error: {table}: row 6, column "start": expected a date whose day and month'
        " cannot be mistaken"
    )
    assert run("visits", "--format", "json").stdout.strip() in ("", "[]")


def test_import_reads_mixed_dates_in_the_order_it_is_told(run: Invoke, tmp_path: Path) -> None:
    table = tmp_path / "trips.csv"
    table.write_text(TABLE, encoding="utf-8")
    result = run("import", "--create", "--dayfirst", str(table))
    assert result.exit_code == 0, result.output
    assert _visits(run) == [
        "2025-02-11",
        "2025-03-13/2025-03-14",
        "2025-04-11",
        "2025-04-25",
        "2025-08-06",
        "2025-11",  # a month stays a month: no day is guessed
        "2025-12-02/2025-12-03",
    ]


def test_the_mapping_file_gives_the_order(run: Invoke, tmp_path: Path) -> None:
    table = tmp_path / "trips.csv"
    table.write_text("traveller,start,country\nSteve Witkoff,06.08.2025,RU\n", encoding="utf-8")
    mapping = tmp_path / "trips.mapping.yaml"
    mapping.write_text("date_order: monthfirst\n", encoding="utf-8")
    result = run("import", "--create", "--mapping", str(mapping), str(table))
    assert result.exit_code == 0, result.output
    assert _visits(run) == ["2025-06-08"]
    mapping.write_text("date_order: yearfirst\n", encoding="utf-8")
    result = run("import", "--create", "--mapping", str(mapping), str(table))
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"error: {mapping}: date_order: expected dayfirst or monthfirst, got 'yearfirst'\n"
    )


def test_a_date_format_reads_the_dates(run: Invoke, tmp_path: Path) -> None:
    table = tmp_path / "trips.csv"
    table.write_text("traveller,start,country\nSteve Witkoff,06/08/2025,RU\n", encoding="utf-8")
    result = run("import", "--create", "--date-format", "%d/%m/%Y", str(table))
    assert result.exit_code == 0, result.output
    assert _visits(run) == ["2025-08-06"]
