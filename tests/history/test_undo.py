"""``tracker undo``: a change set reverted as a new change set, the exact earlier
export restored, a refusal naming the records a later change touched, and undoing an
undo. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli.conftest import Invoke

MEETING = "meeting-2025-04-25-witkoff-putin"
DATA = Path(__file__).parent.parent / "data"
CsvImport = ["import", str(DATA / "official-meetings.csv"), "--create"]


def _newest(change_sets: Callable[[], list[dict[str, Any]]]) -> dict[str, Any]:
    return change_sets()[-1]


def test_undo_restores_the_exact_export_for_every_kind_of_write(
    seeded: Invoke,
    export: Callable[[], str],
    change_sets: Callable[[], list[dict[str, Any]]],
) -> None:
    writes = [
        ["edit", MEETING, "--title", "Renamed", "--date", "2025-05-02"],
        ["delete", MEETING, "--yes"],
        ["log", "-e", "Witkoff", "-w", "Putin", "-d", "2025-12-20", "-p", "Moscow",
         "-t", "Late talks", "-s", "https://example.org/late", "--create"],
        CsvImport,
        # The first account of a fact the meeting had no account of.
        ["account", "add", MEETING, "duration", "3h", "-s", "https://example.org/d", "--prefer"],
    ]  # fmt: skip
    for write in writes:
        before = export()
        result = seeded(*write)
        assert result.exit_code == 0, result.output
        number = _newest(change_sets)["id"]
        assert export() != before
        undone = seeded("undo", str(number))
        assert undone.exit_code == 0, undone.output
        assert export() == before, write
        recorded = _newest(change_sets)
        assert recorded["undoes"] == number
        assert f"Undid change set {number}" in undone.stdout


def test_undo_of_an_undo_redoes(
    seeded: Invoke, export: Callable[[], str], change_sets: Callable[[], list[dict[str, Any]]]
) -> None:
    assert seeded("delete", MEETING, "--yes").exit_code == 0
    deleted = export()
    assert seeded("undo").exit_code == 0
    undo = _newest(change_sets)["id"]
    assert seeded("undo", str(undo)).exit_code == 0
    assert export() == deleted


def test_undo_defaults_to_the_newest_change_set_of_this_user(
    seeded: Invoke, export: Callable[[], str], change_sets: Callable[[], list[dict[str, Any]]]
) -> None:
    assert seeded("--as", "ana", "edit", MEETING, "--notes", "Ana's note").exit_code == 0
    after_ana = export()
    assert seeded("--as", "ben", "edit", "visit-2025-04-25-witkoff-moscow", "--notes", "Ben's")
    ben = _newest(change_sets)["id"]
    result = seeded("--as", "ben", "undo")
    assert result.exit_code == 0, result.output
    assert _newest(change_sets)["undoes"] == ben
    assert export() == after_ana  # Ana's note stays
    nobody = seeded("--as", "carla", "undo")
    assert nobody.exit_code == 2
    assert "carla has made no change to undo" in nobody.stderr


def test_a_refused_undo_names_the_records_a_later_change_touched(
    seeded: Invoke, export: Callable[[], str], change_sets: Callable[[], list[dict[str, Any]]]
) -> None:
    assert seeded("edit", MEETING, "--title", "First").exit_code == 0
    first = _newest(change_sets)["id"]
    assert seeded("edit", MEETING, "--duration", "2h").exit_code == 0
    second = _newest(change_sets)["id"]
    latest = export()
    count = len(change_sets())
    refused = seeded("undo", str(first))
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        f"error: undo: change set {first} touched records changed since: meeting {MEETING}"
        f" (change set {second}); --force reverts it anyway"
    )
    assert export() == latest
    assert len(change_sets()) == count
    forced = seeded("undo", str(first), "--force")
    assert forced.exit_code == 0, forced.output
    meeting = next(m for m in json.loads(export())["meetings"] if m["uid"] == MEETING)
    assert meeting["title"] != "First"  # back to its title before the first edit


def test_undo_never_deletes_what_later_records_refer_to(
    seeded: Invoke, export: Callable[[], str], change_sets: Callable[[], list[dict[str, Any]]]
) -> None:
    log = ["log", "-e", "Witkoff", "-w", "Putin", "-p", "Moscow", "--create", "--duplicate"]
    assert seeded(*log, "-d", "2025-12-20", "-t", "One", "-s", "https://example.org/one")
    first = _newest(change_sets)["id"]
    # The second meeting joins the visit the first one made.
    assert seeded(*log, "-d", "2025-12-20", "-t", "Two", "-s", "https://example.org/two")
    second = _newest(change_sets)
    latest = export()
    refused = seeded("undo", str(first), "--force")
    assert refused.exit_code == 1
    assert "that records kept refer to" in refused.stderr
    two = next(c["uid"] for c in second["changes"] if c["section"] == "meetings")
    assert f"meeting {two}" in refused.stderr
    assert export() == latest


def test_undo_of_an_unknown_change_set(seeded: Invoke) -> None:
    result = seeded("undo", "999")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: N: no change set named")
    assert seeded("undo", "x").exit_code == 2


def test_undoing_a_big_import_and_redoing_it_gives_the_same_export(
    seeded: Invoke, export: Callable[[], str], tmp_path: Path
) -> None:
    # More new places than one batch of the undo holds, each under a new country: a
    # parent deleted before its child must not lose the child its parent in the history.
    rows = "".join(
        f"Steve Witkoff,2025-06-{1 + i % 28:02d},Lesotho,Town {i:03d},Talks {i},Host {i % 9}\n"
        for i in range(620)
    )
    table = tmp_path / "towns.csv"
    table.write_text("traveller,date,country,city,title,counterparts\n" + rows, encoding="utf-8")
    before = export()
    result = seeded("import", str(table), "--create")
    assert result.exit_code == 0, result.output
    imported = export()
    undone = seeded("undo")
    assert undone.exit_code == 0, undone.output
    assert export() == before
    number = int(undone.stdout.rsplit("change set ", 1)[1].split(")")[0])
    assert seeded("undo", str(number)).exit_code == 0
    assert export() == imported
