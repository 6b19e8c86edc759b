"""``tracker seed``, ``tracker export`` (document formats) and ``tracker import``."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cli.conftest import Invoke


def test_seed_then_seed_again_adds_nothing(run: Invoke) -> None:
    first = run("seed")
    assert first.exit_code == 0, first.output
    assert first.stdout == "Seed data: 171 added, 0 updated, 0 unchanged.\n"
    second = run("seed")
    assert second.stdout == "Seed data: 0 added, 0 updated, 171 unchanged.\n"


ANCHORAGE = "meeting-2025-08-15-trump-putin-anchorage"


def _as_an_older_tracker_seeded_it() -> list[tuple[str, dict[str, Any]]]:
    """The seed as it was before the Anchorage summit was recoded: on Putin's visit,
    with Putin, Lavrov and Ushakov as its envoys."""
    from tracker.seeding import seed_documents

    documents = copy.deepcopy(list(seed_documents()))
    for _name, document in documents:
        for meeting in document["meetings"]:
            if meeting["uid"] == ANCHORAGE:
                meeting["visit"] = "visit-2025-08-putin-anchorage"
                for participant in meeting["participants"]:
                    if participant["side"] == "RU":
                        participant["role"] = "envoy"
    return documents


def _anchorage(run: Invoke) -> dict[str, Any]:
    rows = json.loads(run("timeline", "--from", "2025-08-15", "--to", "2025-08-15",
                          "--format", "json").stdout)  # fmt: skip
    (row,) = rows
    assert row["uid"] == ANCHORAGE
    return dict(row)


def test_seed_brings_a_record_seeded_by_an_older_version_up_to_date(
    run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    older = _as_an_older_tracker_seeded_it()
    with monkeypatch.context() as patched:
        patched.setattr("tracker.seeding.seed_documents", lambda: iter(older))
        assert run("seed").exit_code == 0
    assert _anchorage(run)["envoys"] == "Vladimir Putin; Steve Witkoff; Sergey Lavrov; Yuri Ushakov"
    # A field edited locally since is kept; the fields still as seeded take the new seed.
    assert run("edit", ANCHORAGE, "--title", "Alaska summit").exit_code == 0
    result = run("seed")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Seed data: 0 added, 1 updated, 170 unchanged.\n"
        f"  kept local changes: meeting {ANCHORAGE} (title)\n"
    )
    row = _anchorage(run)
    assert (row["title"], row["envoys"]) == ("Alaska summit", "Steve Witkoff")
    meeting = next(m for m in json.loads(run("export").stdout)["meetings"] if m["uid"] == ANCHORAGE)
    assert meeting["visit"] is None
    assert [(p["person"], p["role"]) for p in meeting["participants"]] == [
        ("person-donald-trump", "host"),
        ("person-vladimir-putin", "principal"),
        ("person-marco-rubio", "delegate"),
        ("person-steve-witkoff", "envoy"),
        ("person-sergey-lavrov", "delegate"),
        ("person-yuri-ushakov", "adviser"),
    ]
    again = run("seed")
    assert again.stdout.startswith("Seed data: 0 added, 0 updated, 171 unchanged.\n")


def test_export_shows_the_witkoff_visits_at_their_precision(run: Invoke) -> None:
    run("seed")
    result = run("export", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    visits = {v["uid"]: v for v in document["visits"]}
    december = visits["visit-2025-12-witkoff-kushner-moscow"]
    assert december["date"] == "2025-12-02/2025-12-03"
    assert december["destination"] == "place-moscow"
    assert [t["person"] for t in december["travellers"]] == [
        "person-steve-witkoff",
        "person-jared-kushner",
    ]
    assert december["sources"]
    february = visits["visit-2025-02-witkoff-moscow"]
    assert february["date"] == "2025-02-11"


def test_export_import_export_is_identical(run: Invoke, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cli.app import main

    run("seed")
    exported = tmp_path / "all.json"
    assert run("export", "-o", str(exported)).exit_code == 0
    other = str(tmp_path / "other.db")
    runner = CliRunner()
    imported = runner.invoke(main, ["--db", other, "import", str(exported)])
    assert imported.exit_code == 0, imported.output
    assert imported.stdout.startswith(f"{exported}: 171 added, 0 updated, 0 unchanged.\n")
    again = runner.invoke(main, ["--db", other, "export", "--format", "json"])
    assert again.stdout == exported.read_text(encoding="utf-8")


def test_yaml_export_reads_back(run: Invoke, tmp_path: Path) -> None:
    run("seed")
    path = tmp_path / "all.yaml"
    assert run("export", "-o", str(path)).exit_code == 0
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert document["format"] == "tracker/1"
    result = run("import", "--dry-run", str(path))
    assert result.stdout.splitlines()[0] == (
        f"Dry run of {path}: would add 0, update 0, leave 171 unchanged; nothing written."
    )


def test_dry_run_writes_nothing(run: Invoke, tmp_path: Path) -> None:
    run("seed")
    path = tmp_path / "all.json"
    run("export", "-o", str(path))
    document = json.loads(path.read_text(encoding="utf-8"))
    document["meetings"][0]["title"] = "Corrected title"
    path.write_text(json.dumps(document), encoding="utf-8")
    before = run("export").stdout
    dry = run("import", "--dry-run", str(path))
    assert "would add 0, update 1, leave 170 unchanged" in dry.stdout
    assert run("export").stdout == before
    real = run("import", str(path))
    assert "0 added, 1 updated, 170 unchanged" in real.stdout
    assert "Corrected title" in run("export").stdout


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (
            '{"format": "tracker/1", "meetings": [{"title": "x", "date": "2025-02-30"}]}',
            "meetings[0].date: expected a day that exists",
        ),
        (
            '{"format": "tracker/1", "people": [{"name": "A"}], "visits": [{"travellers": '
            '[{"person": "A"}], "date": "2025", "sources": ["nope"]}]}',
            "visits[0].sources[0]: no source named 'nope'",
        ),
        ("{not json", "expected a JSON document (line 1, column 2"),
        ('["format"]', 'expected a mapping with "format": "tracker/1"'),
    ],
)
def test_a_bad_document_is_one_line_and_writes_nothing(
    run: Invoke, tmp_path: Path, content: str, line: str
) -> None:
    run("seed")
    before = run("export").stdout
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert line in result.stderr
    assert result.stderr.count("\n") == 1
    assert run("export").stdout == before


def test_yaml_tags_do_not_construct_objects(run: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text('format: !!python/object/apply:os.system ["echo hacked"]\n')
    result = run("import", str(path))
    assert result.exit_code == 2
    assert "expected a YAML document" in result.stderr
    assert "hacked" not in result.output


def test_missing_file_is_an_operational_error(run: Invoke, tmp_path: Path) -> None:
    result = run("import", str(tmp_path / "absent.json"))
    assert result.exit_code == 1
    assert result.stderr == f"error: {tmp_path / 'absent.json'}: no such file\n"


def test_not_utf8_is_bad_input(run: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"format": "tracker/1", "people": [{"name": "Łódź"}]}'.encode("utf-16"))
    result = run("import", str(path))
    assert result.exit_code == 2
    assert result.stderr == f"error: {path}: expected UTF-8 text\n"
