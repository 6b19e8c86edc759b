"""A meeting's envoys, counterparts and sources cells are stored with it and kept right
by every write: a rename, a merge, an edit, an undo, an import that adds to a stored
meeting, a bulk import, and the migration that brought them in (both backends). The
suite also checks, after every test, that no meeting's stored cells are out of date
(``tests/conftest.py``); here each path is shown to change what a read shows."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text

from db.engine import open_database
from db.schema import alembic_config, upgrade
from tests.cli.conftest import Invoke
from tests.conftest import stale_cells
from tracker.cells import split_list
from tracker.importers.bulk import Writer
from tracker.importers.plan import MEETING_COLUMNS, Plan, Ref, new_uid
from tracker.importers.rows import name_key
from tracker.models import Person, Source
from tracker.write.cells import RUN_FROM

KREMLIN_TALKS = "meeting-2025-12-02-witkoff-kushner-putin"


def _rows(run: Invoke, *args: str) -> dict[str, dict[str, str]]:
    result = run("timeline", "--format", "csv", *args)
    assert result.exit_code == 0, result.output
    return {row["uid"]: row for row in csv.DictReader(io.StringIO(result.stdout))}


def test_a_rename_changes_the_cells_of_every_meeting_of_the_person(seeded: Invoke) -> None:
    before = _rows(seeded, "--envoy", "Witkoff")
    with_putin = [
        uid for uid, row in before.items() if "Vladimir Putin" in split_list(row["counterparts"])
    ]
    assert len(with_putin) >= 5
    result = seeded("people", "edit", "Vladimir Putin", "--name", "Vladimir V. Putin; President")
    assert result.exit_code == 0, result.output
    after = _rows(seeded, "--envoy", "Witkoff")
    for uid in with_putin:
        counterparts = split_list(after[uid]["counterparts"])
        assert "Vladimir V. Putin; President" in counterparts
        assert "Vladimir Putin" not in counterparts


def test_a_merge_moves_the_merged_persons_name_out_of_the_cells(
    seeded: Invoke, tmp_path: Path
) -> None:
    table = tmp_path / "x.csv"
    table.write_text(
        "traveller,date,city,country,counterparts\nJan Nowakowski,2030-03-13,Moscow,RU,Putin\n"
    )
    result = seeded("import", str(table), "--create")
    assert result.exit_code == 0, result.output
    [stub] = [row for row in _rows(seeded).values() if row["envoys"] == "Jan Nowakowski"]
    result = seeded("people", "merge", "Jan Nowakowski", "Steve Witkoff")
    assert result.exit_code == 0, result.output
    assert _rows(seeded)[stub["uid"]]["envoys"] == "Steve Witkoff"


def test_an_edit_and_its_undo_change_the_sources_cell(seeded: Invoke) -> None:
    before = _rows(seeded)[KREMLIN_TALKS]["sources"]
    url = "https://example.org/a;b"
    result = seeded("edit", KREMLIN_TALKS, "--add-source", url)
    assert result.exit_code == 0, result.output
    assert _rows(seeded)[KREMLIN_TALKS]["sources"] == before + "; https://example.org/a\\;b"
    result = seeded("undo")
    assert result.exit_code == 0, result.output
    assert _rows(seeded)[KREMLIN_TALKS]["sources"] == before


def test_an_import_that_adds_to_a_stored_meeting_changes_its_cells(
    seeded: Invoke, tmp_path: Path
) -> None:
    stored = _rows(seeded)[KREMLIN_TALKS]
    table = tmp_path / "same.csv"
    table.write_text(
        "traveller,date,city,country,counterparts,sources\n"
        "Witkoff,2025-12-02,Moscow,RU,Putin; Sergey Lavrov,https://example.org/readout\n"
    )
    result = seeded("import", str(table))
    assert result.exit_code == 0, result.output
    after = _rows(seeded)[KREMLIN_TALKS]
    assert after["sources"].endswith("; https://example.org/readout")
    assert "Sergey Lavrov" in split_list(after["counterparts"])
    assert "Sergey Lavrov" not in split_list(stored["counterparts"])


def test_a_bulk_import_stores_the_cells_of_every_meeting(run: Invoke, tmp_path: Path) -> None:
    count = RUN_FROM * 3
    lines = ["date,title,traveller,counterparts,city,country,sources"]
    for n in range(count):
        day = f"2030-{n % 12 + 1:02d}-{n % 28 + 1:02d}"
        lines.append(
            f"{day},Talks {n},Envoy {n % 7}; Second {n % 3},Host {n % 5}; Other {n % 11},"
            f"City {n},FR,https://example.org/{n}; Wire {n % 4}"
        )
    table = tmp_path / "bulk.csv"
    table.write_text("\n".join(lines) + "\n")
    result = run("import", str(table), "--create")
    assert result.exit_code == 0, result.output
    rows = list(_rows(run).values())
    assert len(rows) == count
    for row in rows:
        n = int(row["title"].removeprefix("Talks "))
        assert split_list(row["envoys"]) == [f"Envoy {n % 7}", f"Second {n % 3}"]
        assert split_list(row["counterparts"]) == [f"Host {n % 5}", f"Other {n % 11}"]
        assert split_list(row["sources"]) == [f"https://example.org/{n}", f"Wire {n % 4}"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_migration_fills_the_cells_of_stored_meetings(seeded: Invoke, db_url: str) -> None:
    expected = _rows(seeded)
    database = open_database(db_url)
    try:
        with database.engine.connect() as connection, connection.begin():
            command.downgrade(alembic_config(connection), "0009")
        upgrade(database)
        with database.engine.connect() as connection:
            filled = connection.execute(
                text("SELECT count(*) FROM meeting WHERE sources_cell <> ''")
            ).scalar()
    finally:
        database.dispose()
    assert filled == sum(1 for row in expected.values() if row["sources"])
    assert stale_cells(db_url) == []
    assert _rows(seeded) == expected


def test_a_bulk_import_builds_the_cells_of_its_new_meetings_as_every_write_does(
    seeded: Invoke, db_url: str, tmp_path: Path
) -> None:
    # New and stored people and sources whose names hold ';' and '\', counterparts with a
    # role (the hosts, stored with the country the meeting is in) and without one, a row
    # that adds to a meeting planned two rows before (its links no longer one after
    # another) and one that adds to a stored meeting.
    stored = _rows(seeded)[KREMLIN_TALKS]
    table = tmp_path / "cells.csv"
    table.write_text(
        "date,title,traveller,counterparts,city,country,sources\n"
        "2030-05-01,Talks one,Steve Witkoff; Jan\\; Kowalski,Vladimir Putin; Back\\\\slash,"
        "Moscow,RU,https://example.org/a\\;b; Interfax-Ukraine\n"
        "2030-06-01,Talks two,Marco Rubio,Ivan\\; Petrov; Yuri Ushakov,Paris,FR,"
        "https://unn.ua/en/news/trump-revealed-details-of-american-negotiators-meeting-with-putin\n"
        "2030-05-01,,Anna Nowak; Steve Witkoff,Piotr Zielinski; Vladimir Putin,Moscow,RU,"
        "Wire\\\\Desk; https://example.org/second\n"
        "2025-12-02,,Witkoff,Putin; Sergey Lavrov,Moscow,RU,https://example.org/readout\\;2\n"
    )
    result = seeded("import", str(table), "--create")
    assert result.exit_code == 0, result.output
    assert "meetings: 2 added, 1 updated" in result.output
    rows = {row["title"]: row for row in _rows(seeded).values()}
    one, two = rows["Talks one"], rows["Talks two"]
    assert (one["envoys"], one["counterparts"], one["sources"]) == (
        "Steve Witkoff; Jan\\; Kowalski; Anna Nowak",
        "Vladimir Putin; Back\\\\slash; Piotr Zielinski",
        "https://example.org/a\\;b; Interfax-Ukraine; Wire\\\\Desk; https://example.org/second",
    )
    assert (two["envoys"], two["counterparts"], two["sources"]) == (
        "Marco Rubio",
        "Ivan\\; Petrov; Yuri Ushakov",
        "https://unn.ua/en/news/trump-revealed-details-of-american-negotiators-meeting-with-putin",
    )
    after = _rows(seeded)[KREMLIN_TALKS]
    assert after["counterparts"] == stored["counterparts"] + "; Sergey Lavrov"
    assert after["sources"] == stored["sources"] + "; https://example.org/readout\\;2"
    assert stale_cells(db_url) == []


def test_a_bulk_write_reads_the_stored_names_it_is_not_given(seeded: Invoke, db_url: str) -> None:
    # The writer, given no stored names, reads those of the people and sources its new
    # meeting refers to; the links come out of their order.
    database = open_database(db_url)
    try:
        with database.writing() as session:
            people = {row.name: row.id for row in session.execute(select(Person.name, Person.id))}
            interfax = session.scalar(
                select(Source.id).where(Source.publisher == "Interfax-Ukraine")
            )
            meeting, person, source = Ref(), Ref(), Ref()
            day = date(2030, 1, 1)
            fields = {"uid": "m-written", "kind": "talks", "title": "Written", "edtf": "2030"}
            fields |= {"earliest": day, "latest": day, "outcome": "unknown", "status": "held"}
            values = tuple(fields.get(column) for column in MEETING_COLUMNS[:-2])
            plan = Plan(
                people=[(person, (new_uid(), "New; Person", name_key("New; Person"), None))],
                sources=[(source, (new_uid(), None, "Wire\\Desk", None))],
                meetings=[(meeting, values, None, None)],
                participants=[
                    (meeting, people["Vladimir Putin"], "RU", "host", 2),
                    (meeting, person, None, None, 1),
                    (meeting, people["Steve Witkoff"], "US", "envoy", 0),
                ],
                meeting_sources=[(meeting, source, 1), (meeting, interfax, 0)],
            )
            Writer(session, datetime.now(UTC), None).write(plan, set())
    finally:
        database.dispose()
    row = _rows(seeded)["m-written"]
    assert (row["envoys"], row["counterparts"], row["sources"]) == (
        "Steve Witkoff",
        "New\\; Person; Vladimir Putin",
        "Interfax-Ukraine; Wire\\\\Desk",
    )
