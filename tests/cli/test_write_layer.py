"""One write layer: every path resolves names, sources, duplicates and visits the same
way, and never wipes or silently duplicates what is there (both backends)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Invoke, exported

README = Path(__file__).resolve().parents[2] / "README.md"


def _csv(tmp_path: Path, text: str, name: str = "x.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _timeline(run: Invoke, *args: str) -> list[dict[str, Any]]:
    result = run("timeline", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout))


def _counts(run: Invoke) -> dict[str, int]:
    return {
        section: len(records) for section, records in exported(run).items() if section != "format"
    }


# -- names resolve the same everywhere --------------------------------------------------


def test_an_imported_surname_is_the_known_person_not_a_new_one(
    seeded: Invoke, tmp_path: Path
) -> None:
    before = _counts(seeded)
    witkoff = len(_timeline(seeded, "--envoy", "Witkoff"))
    path = _csv(
        tmp_path, "traveller,date,city,country,counterparts\nWitkoff,2025-03-13,Moscow,RU,Putin\n"
    )
    result = seeded("import", path)
    assert result.exit_code == 0, result.output
    assert _counts(seeded)["people"] == before["people"]
    assert len(_timeline(seeded, "--envoy", "Witkoff")) == witkoff


def test_a_declined_polish_form_imports_as_the_known_person(seeded: Invoke, tmp_path: Path) -> None:
    before = _counts(seeded)
    path = _csv(tmp_path, "traveller,date,city,country\nWitkoffowi,2025-09-01,Moscow,RU\n")
    result = seeded("import", path)
    assert result.exit_code == 0, result.output
    document = exported(seeded)
    assert len(document["people"]) == before["people"]
    new = [v for v in document["visits"] if v["date"] == "2025-09-01"]
    assert [t["person"] for t in new[0]["travellers"]] == ["person-steve-witkoff"]


def test_unknown_names_are_listed_and_created_only_with_create(
    seeded: Invoke, tmp_path: Path
) -> None:
    before = exported(seeded)
    path = _csv(
        tmp_path,
        "traveller,date,city,country\nSteve Witkof,2025-09-01,Moscow,RU\n"
        "Zbigniew Nowak,2025-09-02,Kazan,RU\n",
    )
    for args in ([], ["--dry-run"]):
        refused = seeded("import", path, *args)
        assert refused.exit_code == 2, refused.output
        assert "  new person: 'Steve Witkof' (did you mean 'Steve Witkoff'?)\n" in refused.stdout
        assert "  new person: 'Zbigniew Nowak'\n" in refused.stdout
        assert "  new place: 'Kazan'\n" in refused.stdout
        assert refused.stderr.startswith("error: traveller: expected known names")
        assert "--create" in refused.stderr
        assert exported(seeded) == before
    created = seeded("import", path, "--create")
    assert created.exit_code == 0, created.output
    assert "  created person: 'Steve Witkof'\n" in created.stdout
    names = [p["name"] for p in exported(seeded)["people"]]
    assert "Zbigniew Nowak" in names


# -- sources ------------------------------------------------------------------------


def test_one_source_per_publisher_on_every_path(seeded: Invoke) -> None:
    args = ["log", "-e", "Witkoff", "-w", "Lavrov", "-p", "Riyadh", "-t", "Side talks",
            "-s", "Wire Service X"]  # fmt: skip
    assert seeded(*args, "-d", "2025-09-01").exit_code == 0
    assert seeded(*args, "-d", "2025-09-20").exit_code == 0
    sources = [s for s in exported(seeded)["sources"] if s["publisher"] == "Wire Service X"]
    assert len(sources) == 1


# -- no silent duplicates -----------------------------------------------------------


README_LOG = [
    "log", "-e", "Witkoffowi", "-e", "Jared Kushner", "-w", "Władimir Putin",
    "-w", "Jurij Uszakow:adviser", "-d", "2025-12-02", "-p", "Kreml",
    "-t", "Rozmowy o planie pokojowym", "--duration", "5h+", "--outcome", "no-agreement",
    "-s", "Reuters",
]  # fmt: skip


def test_log_refuses_a_probable_duplicate_and_says_how_to_add_to_it(seeded: Invoke) -> None:
    before = exported(seeded)
    stats = seeded("stats", "--format", "json").stdout
    result = seeded(*README_LOG)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "meeting-2025-12-02-witkoff-kushner-putin" in result.stderr
    assert "2–3 Dec 2025" in result.stderr
    assert "Witkoff and Kushner meet Putin in the Kremlin on the US peace plan" in result.stderr
    assert "tracker edit" in result.stderr
    assert "--duplicate" in result.stderr
    assert exported(seeded) == before
    assert seeded("stats", "--format", "json").stdout == stats
    forced = seeded(*README_LOG, "--duplicate")
    assert forced.exit_code == 0, forced.output


def test_the_walk_and_the_talks_of_one_day_are_two_meetings(seeded: Invoke) -> None:
    result = seeded(
        "log", "-e", "Witkoff", "-w", "Kushner", "-d", "2025-12-02", "-p", "Red Square",
        "-k", "talks", "-t", "Talks on Red Square", "-s", "Reuters",
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def test_reimporting_a_foreign_table_of_known_meetings_adds_nothing(
    seeded: Invoke, tmp_path: Path
) -> None:
    path = _csv(
        tmp_path,
        "traveller,date,city,country,venue,counterparts,duration,source_url\n"
        "Witkoff; Kushner,2025-12-02,Moscow,RU,Kremlin,Putin,5h+,https://example.org/a\n"
        "Witkoff,2025-08-06,Moscow,RU,Kremlin,Putin; Ushakov,,https://example.org/b\n",
    )
    before = _counts(seeded)
    first = seeded("import", path)
    assert first.exit_code == 0, first.output
    assert "  meetings: 0 added, 2 updated, 0 unchanged, 2 matched\n" in first.stdout
    after = _counts(seeded)
    assert after["meetings"] == before["meetings"]
    assert after["visits"] == before["visits"]
    talks = next(
        m
        for m in exported(seeded)["meetings"]
        if m["uid"] == "meeting-2025-12-02-witkoff-kushner-putin"
    )
    # What the row brings is added; what the record holds stays.
    assert talks["title"] == "Witkoff and Kushner meet Putin in the Kremlin on the US peace plan"
    assert talks["duration"] == {"minutes": 300, "qualifier": "at-least"}
    assert talks["sources"][-1] == _source_uid(seeded, "https://example.org/a")
    again = seeded("import", path)
    assert again.exit_code == 0, again.output
    assert "  meetings: 0 added, 0 updated, 2 unchanged, 2 matched\n" in again.stdout
    assert _counts(seeded) == after


def _source_uid(run: Invoke, url: str) -> str:
    return str(next(s["uid"] for s in exported(run)["sources"] if s["url"] == url))


def test_a_row_for_one_traveller_joins_the_delegations_visit(
    seeded: Invoke, tmp_path: Path
) -> None:
    before = _counts(seeded)
    path = _csv(
        tmp_path,
        "traveller,date,city,country\nMarco Rubio,2025-11-23,Geneva,CH\n"
        "Dan Driscoll,2025-11-23,Geneva,CH\n",
    )
    # Driscoll travels with Rubio in the second row only if the rows say so: here they
    # are two rows, so Rubio's joins the delegation and Driscoll's is a trip of his own.
    result = seeded("import", path)
    assert result.exit_code == 0, result.output
    assert _counts(seeded)["visits"] == before["visits"] + 1
    both = _csv(
        tmp_path,
        "traveller,date,city,country\nMarco Rubio; Dan Driscoll,2025-11-23,Geneva,CH\n",
        "y.csv",
    )
    assert seeded("import", both).exit_code == 0
    geneva = next(
        v for v in exported(seeded)["visits"] if v["uid"] == "visit-2025-11-us-delegation-geneva"
    )
    assert "person-dan-driscoll" in [t["person"] for t in geneva["travellers"]]


# -- visits stay true ---------------------------------------------------------------


def test_a_logged_meeting_has_only_its_own_envoys(seeded: Invoke) -> None:
    result = seeded(
        "log", "-e", "Witkoff", "-w", "Putin", "-d", "2025-12~", "-p", "Kreml", "-t", "Talks",
        "-s", "Reuters", "--duplicate",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    uid = result.stderr.removeprefix("Logged meeting ").strip().rstrip(".")
    meeting = next(m for m in exported(seeded)["meetings"] if m["uid"] == uid)
    assert [(p["person"], p["role"]) for p in meeting["participants"]] == [
        ("person-steve-witkoff", "envoy"),
        ("person-vladimir-putin", "host"),
    ]


def test_deleting_a_visits_last_meeting_removes_the_visit(seeded: Invoke) -> None:
    result = seeded("delete", "meeting-2025-11-24-driscoll-russia-abu-dhabi", "--yes")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Deleted 1 visit(s), 1 meeting(s), 1 statement(s)"
        " (visit visit-2025-11-driscoll-abu-dhabi had no other meeting).\n"
    )
    uids = [v["uid"] for v in exported(seeded)["visits"]]
    assert "visit-2025-11-driscoll-abu-dhabi" not in uids


def test_editing_a_meeting_out_of_its_visit_moves_it(seeded: Invoke) -> None:
    uid = "meeting-2025-04-25-witkoff-putin"
    result = seeded("edit", uid, "--date", "2030-01-05")
    assert result.exit_code == 0, result.output
    assert "Moved to a new visit" in result.stderr
    document = exported(seeded)
    meeting = next(m for m in document["meetings"] if m["uid"] == uid)
    assert meeting["visit"] != "visit-2025-04-25-witkoff-moscow"
    visit = next(v for v in document["visits"] if v["uid"] == meeting["visit"])
    assert visit["date"] == "2030-01-05"
    assert visit["destination"] == "place-moscow"
    # Its envoys travelled; its other participants did not.
    assert [t["person"] for t in visit["travellers"]] == [
        "person-steve-witkoff",
        "person-kirill-dmitriev",
    ]
    # The visit it left had no other meeting: it is gone.
    assert "visit-2025-04-25-witkoff-moscow" not in [v["uid"] for v in document["visits"]]


# -- stable references --------------------------------------------------------------


def test_a_deleted_id_is_never_reused_and_is_reported_as_deleted(seeded: Invoke) -> None:
    logged = seeded(
        "log", "-e", "Witkoff", "-w", "Lavrov", "-d", "2025-09-01", "-p", "Riyadh", "-t", "A",
        "-s", "Reuters",
    )  # fmt: skip
    shown = json.loads(
        seeded("show", "--format", "json", logged.stderr.split()[2].rstrip(".")).stdout
    )
    number = shown["id"]
    assert seeded("delete", f"m:{number}", "--yes").exit_code == 0
    again = seeded(
        "log", "-e", "Witkoff", "-w", "Lavrov", "-d", "2025-09-02", "-p", "Riyadh", "-t", "B",
        "-s", "Reuters",
    )  # fmt: skip
    new = json.loads(seeded("show", "--format", "json", again.stderr.split()[2].rstrip(".")).stdout)
    assert new["id"] > number
    gone = seeded("show", f"m:{number}")
    assert gone.exit_code == 2
    assert gone.stderr.startswith(f"error: REF: meeting m:{number} ('A', 1 Sep 2025) was deleted")


def test_a_document_naming_a_deleted_meeting_is_told_it_was_deleted(
    seeded: Invoke, tmp_path: Path
) -> None:
    uid = "meeting-2025-04-25-witkoff-putin"
    assert seeded("delete", uid, "--yes").exit_code == 0
    before = exported(seeded)
    statement = {
        "uid": "s-after", "meeting": uid, "speaker": "person-steve-witkoff", "kind": "quote",
        "text": "Said.",
    }  # fmt: skip
    path = tmp_path / "late.json"
    path.write_text(json.dumps({"format": "tracker/1", "statements": [statement]}))
    result = seeded("import", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}: statements[0].meeting: meeting {uid} (")
    assert result.stderr.rstrip().endswith("was deleted")
    assert exported(seeded) == before


# -- seed respects local edits ------------------------------------------------------


def test_seed_keeps_what_the_user_changed(seeded: Invoke) -> None:
    uid = "meeting-2025-04-25-witkoff-putin"
    edited = seeded("edit", uid, "--title", "My title", "--duration", "~4h")
    assert edited.exit_code == 0, edited.output
    result = seeded("seed")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "Seed data: 0 added, 0 updated, 171 unchanged."
    assert f"  kept local changes: meeting {uid} (duration, title)" in result.stdout
    meeting = next(m for m in exported(seeded)["meetings"] if m["uid"] == uid)
    assert meeting["title"] == "My title"
    assert meeting["duration"] == {"minutes": 240, "qualifier": "about"}


# -- documents merge, never wipe ----------------------------------------------------


def _load(run: Invoke, tmp_path: Path, document: dict[str, Any], *args: str) -> Any:
    path = tmp_path / "doc.json"
    path.write_text(json.dumps({"format": "tracker/1", **document}), encoding="utf-8")
    return run("import", str(path), *args)


def _putin(run: Invoke) -> dict[str, Any]:
    return next(p for p in exported(run)["people"] if p["uid"] == "person-vladimir-putin")


def test_a_record_without_aliases_keeps_them(seeded: Invoke, tmp_path: Path) -> None:
    before = _putin(seeded)
    person = {"uid": "person-vladimir-putin", "name": "Vladimir Putin", "country": "RU"}
    result = _load(seeded, tmp_path, {"people": [person]})
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].endswith("0 added, 0 updated, 1 unchanged.")
    assert _putin(seeded) == before


def test_a_record_with_some_aliases_keeps_those(seeded: Invoke, tmp_path: Path) -> None:
    kept = [{"name": "Władimir Putin", "lang": "pl"}, {"name": "Владимир Путин", "lang": "ru"}]
    person = {"uid": "person-vladimir-putin", "name": "Vladimir Putin", "aliases": kept}
    for args in (["--dry-run"], []):
        result = _load(seeded, tmp_path, {"people": [person]}, *args)
        assert result.exit_code == 0, result.output
    assert _putin(seeded)["aliases"] == kept
    assert _putin(seeded)["roles"]  # not carried: left alone


def test_the_readme_sample_document_imports(seeded: Invoke, tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    sample = re.search(r"```yaml\n(format: tracker/1\n.*?)```", text, re.DOTALL)
    assert sample is not None
    path = tmp_path / "sample.yaml"
    path.write_text(sample.group(1).replace("…", "x"), encoding="utf-8")
    for args in (["--dry-run"], []):
        result = seeded("import", str(path), *args)
        assert result.exit_code == 0, result.output


def test_a_record_without_uid_imports_once(run: Invoke, tmp_path: Path) -> None:
    document = {
        "people": [{"name": "Andrzej Duda", "country": "PL"}],
        "places": [
            {"name": "Poland", "kind": "country", "country": "PL"},
            {"name": "Warsaw", "kind": "city", "country": "PL", "parent": "Poland"},
        ],
    }
    for _ in range(2):
        result = _load(run, tmp_path, document)
        assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].endswith("0 added, 0 updated, 3 unchanged.")
    places = {p["name"]: p for p in exported(run)["places"]}
    assert places["Warsaw"]["parent"] == places["Poland"]["uid"]
    assert len(exported(run)["people"]) == 1


# -- the same limits on both backends, and names that can be seen --------------------


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["-e", "装" * 41], "error: --envoy: expected a name whose search key has at most 200"),
        (
            ["-s", "https://example.org/" + "页" * 2000],
            "error: --source: expected a URL of at most 2000 bytes",
        ),
        (["-e", "\u3164"], "error: --envoy: expected a name with a visible letter or digit"),
    ],
)
def test_limits_and_invisible_names_are_refused_before_writing(
    seeded: Invoke, args: list[str], line: str
) -> None:
    before = exported(seeded)
    base = ["log", "-d", "2025-09-01", "-p", "Riyadh", "-t", "T", "-s", "Reuters", "--create"]
    if args[0] != "-e":
        base += ["-e", "Witkoff"]
    result = seeded(*base, *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(line), result.stderr
    assert exported(seeded) == before


def test_a_look_alike_of_a_known_name_is_never_a_new_person(seeded: Invoke) -> None:
    before = exported(seeded)
    result = seeded(
        "log", "-e", "Ѕteve Wіtkoff", "-d", "2025-09-01", "-p", "Riyadh", "-t", "T",
        "-s", "Reuters", "--create",
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "did you mean 'Steve Witkoff'" in result.stderr
    assert exported(seeded) == before
