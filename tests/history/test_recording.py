"""Every write records one change set, in its transaction, with the state before and
after of every record it touched (as the tracker/1 document writes it), who made it
and the command line with its credentials masked. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from cli.app import main
from tests.cli.conftest import Invoke
from tests.history.conftest import records

MEETING = "meeting-2025-04-25-witkoff-putin"
FOUNDING = "meeting-2025-12-02-witkoff-kushner-putin"  # seeded with accounts
CSV = Path(__file__).parent.parent / "data"

# How each command that writes is run in these tests, on the seeded database (a
# callable gets the test's temporary folder). A command missing from both this table
# and READS fails test_every_command_is_known: a new write command must show here
# that it records its change set.
WRITES: dict[tuple[str, ...], Callable[[Path], list[str]]] = {
    ("log",): lambda tmp: [
        "log", "-e", "Witkoff", "-w", "Putin", "-d", "2025-12-20", "-p", "Moscow",
        "-t", "Late talks", "-s", "https://example.org/late-talks", "--create",
    ],
    ("edit",): lambda tmp: ["edit", MEETING, "--duration", "4h", "--outcome", "agreement"],
    ("delete",): lambda tmp: ["delete", MEETING, "--yes"],
    ("import",): lambda tmp: ["import", str(_document(tmp))],
    ("seed",): lambda tmp: ["seed"],
    ("undo",): lambda tmp: ["undo"],
    ("db", "prune-history"): lambda tmp: ["db", "prune-history", "--before", "2000-01-01"],
    ("account", "add"): lambda tmp: [
        "account", "add", MEETING, "duration", "4h", "-s", "https://example.org/four-hours",
    ],
    ("account", "prefer"): lambda tmp: ["account", "prefer", FOUNDING, "duration", "2"],
    ("account", "delete"): lambda tmp: ["account", "delete", FOUNDING, "duration", "1"],
    ("people", "add"): lambda tmp: ["people", "add", "Alexander Stubb", "--country", "FI"],
    ("people", "edit"): lambda tmp: ["people", "edit", "Witkoff", "--notes", "Developer."],
    ("people", "alias"): lambda tmp: ["people", "alias", "Putin", "W. Putin", "--lang", "pl"],
    ("people", "merge"): lambda tmp: ["people", "merge", "George Barros", "Kyrylo Budanov"],
    ("places", "add"): lambda tmp: ["places", "add", "Doha"],
    ("places", "edit"): lambda tmp: ["places", "edit", "Kreml", "--notes", "Seat of power."],
    ("places", "alias"): lambda tmp: ["places", "alias", "Moscow", "Moscou", "--lang", "fr"],
    ("places", "merge"): lambda tmp: ["places", "merge", "Zaryadye Park", "Red Square"],
    ("statement", "add"): lambda tmp: [
        "statement", "add", "--meeting", MEETING, "--speaker", "Ushakov", "--text", "Useful.",
        "-s", "https://example.org/useful",
    ],
    ("statement", "edit"): lambda tmp: [
        "statement", "edit", "statement-2025-12-02-ushakov-no-compromise", "--notes", "Checked.",
    ],
    ("statement", "delete"): lambda tmp: [
        "statement", "delete", "statement-2025-12-02-ushakov-no-compromise", "--yes",
    ],
}  # fmt: skip
READS = {
    ("db",), ("db", "upgrade"), ("db", "current"), ("db", "info"), ("db", "backup"),
    ("account",), ("account", "list"), ("counterparts",), ("export",), ("history",),
    ("people",), ("places",), ("show",), ("stats",), ("timeline",), ("visits",),
    ("people", "list"), ("places", "list"), ("statement",),
}  # fmt: skip


def _document(tmp: Path) -> Path:
    path = tmp / "notes.json"
    document = {
        "format": "tracker/1",
        "people": [{"uid": "person-steve-witkoff", "name": "Steve Witkoff", "notes": "Developer."}],
        "sources": [{"uid": "source-new-wire", "url": "https://example.org/new-wire"}],
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found.extend(_commands(command, (*prefix, name)))
    return found


def test_every_command_is_known() -> None:
    # A new command is either a read or shows in WRITES that it records its write.
    unknown = [c for c in _commands(main) if c not in WRITES and c not in READS]
    assert unknown == []


def _check_recorded(
    before_export: str, after_export: str, change_set: dict[str, Any], run: Invoke
) -> None:
    """The change set names exactly the records that differ, each with its state
    before and after as the exports write them (a record a bulk import added: by its
    uid alone)."""
    before, after = records(before_export), records(after_export)
    differ = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
    recorded = {(c["section"], c["uid"]): c for c in change_set["changes"]}
    assert set(recorded) == differ
    for key, change in recorded.items():
        assert change["before"] == before.get(key)
        assert change["op"] == (
            "added" if key not in before else "deleted" if key not in after else "updated"
        )
        if change["after"] is not None or change["op"] == "deleted":
            assert change["after"] == after.get(key)


@pytest.mark.parametrize("command", sorted(WRITES), ids=" ".join)
def test_every_write_command_records_one_change_set(
    command: tuple[str, ...],
    seeded: Invoke,
    export: Callable[[], str],
    change_sets: Callable[[], list[dict[str, Any]]],
    tmp_path: Path,
) -> None:
    # What the command then has to do: an edit to undo, a deleted seed record to restore.
    if command == ("undo",):
        assert seeded("edit", MEETING, "--title", "Renamed").exit_code == 0
    if command == ("seed",):
        assert seeded("delete", MEETING, "--yes").exit_code == 0
    before_export, count = export(), len(change_sets())
    result = seeded(*WRITES[command](tmp_path))
    assert result.exit_code == 0, result.output
    found = change_sets()
    assert len(found) == count + 1
    newest = found[-1]
    assert newest["command"].endswith(shlex.join(WRITES[command](tmp_path)))
    if command == ("db", "prune-history"):
        assert newest["changes"] == []
        return
    assert newest["changes"]
    _check_recorded(before_export, export(), newest, seeded)


def test_seed_on_an_empty_database_records_every_record(
    run: Invoke, export: Callable[[], str], change_sets: Callable[[], list[dict[str, Any]]]
) -> None:
    empty = export()
    assert run("seed").exit_code == 0
    found = change_sets()
    # The upgrade that made the database starts the history; then the seed.
    assert [c["command"].split()[-1] for c in found] == ["starts)", "seed"]
    assert found[0]["changes"] == []
    _check_recorded(empty, export(), found[1], run)
    assert {c["op"] for c in found[1]["changes"]} == {"added"}
    # Running it again changes nothing, and records nothing.
    assert run("seed").exit_code == 0
    assert len(change_sets()) == 2


def test_bulk_csv_import_records_what_it_added_and_the_stored_records_it_changed(
    seeded: Invoke, export: Callable[[], str], change_sets: Callable[[], list[dict[str, Any]]]
) -> None:
    before = export()
    result = seeded(
        "import",
        str(CSV / "official-trips.csv"),
        "--mapping",
        str(CSV / "official-trips.mapping.yaml"),
        "--create",
    )
    assert result.exit_code == 0, result.output
    newest = change_sets()[-1]
    _check_recorded(before, export(), newest, seeded)
    ops = {(c["section"], c["op"]) for c in newest["changes"]}
    # The trips match seeded visits (updated, before and after kept) and bring new sources.
    assert ("visits", "updated") in ops
    assert ("sources", "added") in ops
    updated = [c for c in newest["changes"] if c["op"] == "updated"]
    assert all(c["before"] and c["after"] for c in updated)


def test_who_and_the_command_line(
    seeded: Invoke, db_url: str, change_sets: Callable[[], list[dict[str, Any]]]
) -> None:
    edit = ["edit", MEETING, "--notes", "One"]
    assert seeded("--as", "Ana Analyst", *edit).exit_code == 0
    assert seeded(*edit[:-1], "Two", env={"TRACKER_USER": "desk-2"}).exit_code == 0
    named, from_env = change_sets()[-2:]
    assert named["who"] == "Ana Analyst"
    assert from_env["who"] == "desk-2"
    assert named["command"].endswith("--as 'Ana Analyst' edit " + MEETING + " --notes One")
    if db_url.startswith("postgresql"):
        assert named["role"]  # the database role, on PostgreSQL
    else:
        assert named["role"] is None


def test_the_command_line_never_holds_a_password(
    run: Invoke, db_url: str, change_sets: Callable[[], list[dict[str, Any]]]
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("a SQLite path holds no credential")
    secret = db_url.replace("postgres@", "postgres:s3cret-pw@", 1)
    assert "s3cret-pw" in secret
    result = CliRunner().invoke(main, ["--db", secret, "seed"])
    assert result.exit_code == 0, result.output
    newest = change_sets()[-1]
    assert "s3cret-pw" not in newest["command"]
    assert "***" in newest["command"]


def test_a_dry_run_and_a_refused_write_record_nothing(
    seeded: Invoke, tmp_path: Path, change_sets: Callable[[], list[dict[str, Any]]]
) -> None:
    count = len(change_sets())
    assert seeded("import", str(_document(tmp_path)), "--dry-run").exit_code == 0
    assert seeded("edit", MEETING, "--date", "not a date").exit_code == 2
    assert len(change_sets()) == count


def test_a_database_from_before_starts_its_history_at_the_upgrade(
    db_url: str, change_sets: Callable[[], list[dict[str, Any]]]
) -> None:
    from alembic import command as alembic
    from sqlalchemy import text

    from db.engine import open_database
    from db.schema import alembic_config

    database = open_database(db_url, upgrade=False)
    try:
        with database.engine.connect() as connection:
            alembic.upgrade(alembic_config(connection), "0004")
            connection.commit()
        with database.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO person (uid, name, key, created_at, updated_at)"
                    " VALUES ('person-earlier', 'Earlier Person', 'earlier person',"
                    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
        with database.engine.connect() as connection:
            alembic.upgrade(alembic_config(connection), "head")
            connection.commit()
    finally:
        database.dispose()
    found = change_sets()
    assert len(found) == 1
    assert found[0]["command"] == "tracker db upgrade (history starts)"
    assert found[0]["changes"] == []


def test_a_record_a_bulk_import_adds_and_the_same_write_changes_is_one_change(
    db_url: str, change_sets: Callable[[], list[dict[str, Any]]]
) -> None:
    # An import's added records are recorded a table at a time; a record that a later
    # write of the same transaction edits is still one change (added, as it ends), and
    # one it deletes (with its visit) none.
    from sqlalchemy import select

    from db.engine import open_database
    from tracker.importers.tabular import import_csv
    from tracker.models import Meeting
    from tracker.records import Changes, delete_record, edit_record

    rows = "".join(
        f"2025-0{n}-02,talks,Talks {n},Ann Envoy,Bo Host,Geneva,CH,bulk-{n}\n" for n in (1, 2, 3)
    )
    table = "edtf,kind,title,envoys,counterparts,city,country,uid\n" + rows
    database = open_database(db_url)
    try:
        with database.writing() as session:
            import_csv(session, table.encode(), origin="t.csv", create=True)
            meetings = {m.uid: m for m in session.scalars(select(Meeting))}
            edit_record(session, meetings["bulk-2"], Changes(title="Talks renamed"))
            delete_record(session, meetings["bulk-3"])
    finally:
        database.dispose()
    newest = change_sets()[-1]
    meetings = {c["uid"]: c for c in newest["changes"] if c["section"] == "meetings"}
    assert sorted(meetings) == ["bulk-1", "bulk-2"]
    assert {c["op"] for c in newest["changes"]} == {"added"}
    assert meetings["bulk-1"]["after"] is None  # read back from the record when shown
    assert meetings["bulk-2"]["after"]["title"] == "Talks renamed"
    assert len(newest["changes"]) == len({(c["section"], c["uid"]) for c in newest["changes"]})
