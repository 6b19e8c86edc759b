"""``tracker statement add|edit|delete``, and ``log --statement``: a statement has its
own speaker, kind, language, date and sources (both backends)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.cli.conftest import Invoke, exported
from tests.conftest import fingerprint

TALKS = "meeting-2025-12-02-witkoff-kushner-putin"


def _statement(run: Invoke, text: str) -> dict[str, Any]:
    return next(s for s in exported(run)["statements"] if s["text"] == text)


def _source_uid(run: Invoke, url: str) -> str:
    return str(next(s["uid"] for s in exported(run)["sources"] if s["url"] == url))


def _added_ref(result: Any) -> str:
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("Added statement s:")
    return str(result.stderr.split()[2])


def _refused(run: Invoke, db_url: str, line: str, *args: str) -> None:
    before = fingerprint(db_url)
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(line), result.stderr
    assert fingerprint(db_url) == before


def test_a_statement_has_its_own_sources_kind_and_language(seeded: Invoke) -> None:
    result = seeded(
        "statement", "add", "--meeting", TALKS, "--speaker", "Uszakow", "--kind", "assessment",
        "--lang", "pl", "--text", "Rozmowy były konstruktywne",
        "-s", "https://example.org/ushakov-pl", "--publisher", "Example",
    )  # fmt: skip
    _added_ref(result)
    statement = _statement(seeded, "Rozmowy były konstruktywne")
    assert statement["speaker"] == "person-yuri-ushakov"
    assert statement["meeting"] == TALKS
    assert (statement["kind"], statement["language"]) == ("assessment", "pl")
    # Credited to its own source only, not to every source of its meeting.
    assert statement["sources"] == [_source_uid(seeded, "https://example.org/ushakov-pl")]
    # Dated by its meeting when no date is given.
    assert statement["date"] == "2025-12-02/2025-12-03"
    shown = json.loads(seeded("show", TALKS, "--format", "json").stdout)
    said = next(s for s in shown["statements"] if s["text"] == "Rozmowy były konstruktywne")
    assert [s["url"] for s in said["sources"]] == ["https://example.org/ushakov-pl"]


def test_a_reaction_without_a_meeting_needs_a_date(seeded: Invoke, db_url: str) -> None:
    _refused(
        seeded, db_url, "error: --date: expected a date, or --meeting",
        "statement", "add", "--speaker", "George Barros", "--text", "T", "-s", "ISW",
    )  # fmt: skip
    result = seeded(
        "statement", "add", "--speaker", "George Barros", "--kind", "reaction", "--text",
        "Nothing new", "--date", "2025-12-04", "-s", "ISW",
    )  # fmt: skip
    _added_ref(result)
    statement = _statement(seeded, "Nothing new")
    assert (statement["meeting"], statement["date"]) == (None, "2025-12-04")


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--speaker", "Nobody Atall"], "error: --speaker: no person named 'Nobody Atall'"),
        (["--lang", "Polish"], "error: --lang: expected a language code such as en, pl or ru"),
        (["--date", "2025-13-01"], "error: --date: expected"),
        (["--meeting", "m:99999"], "error: --meeting: no meeting named 'm:99999'"),
        (["--meeting", "visit-2025-12-witkoff-kushner-moscow"], "error: --meeting: expected a"),
    ],
)
def test_bad_fields_are_refused(seeded: Invoke, db_url: str, args: list[str], line: str) -> None:
    base = {"--speaker": "Ushakov", "--text": "T", "--meeting": TALKS}
    given = dict(zip(args[::2], args[1::2], strict=True))
    options = [x for k, v in {**base, **given}.items() for x in (k, v)]
    _refused(seeded, db_url, line, "statement", "add", *options, "-s", "Reuters")


def test_a_statement_needs_a_source_and_is_recorded_once(seeded: Invoke, db_url: str) -> None:
    args = ["statement", "add", "--meeting", TALKS, "--speaker", "Ushakov", "--text", "Once"]
    _refused(seeded, db_url, "error: --source: expected at least one source", *args)
    ref = _added_ref(seeded(*args, "-s", "Reuters"))
    _refused(
        seeded, db_url, f"error: --text: already recorded as statement {ref}", *args, "-s", "TASS"
    )


def test_edit_changes_fields_and_sources(seeded: Invoke, db_url: str) -> None:
    ref = _added_ref(
        seeded("statement", "add", "--meeting", TALKS, "--speaker", "Ushakov", "--text", "Edit me",
               "-s", "https://example.org/one")
    )  # fmt: skip
    edited = seeded(
        "statement", "edit", ref, "--lang", "ru", "--kind", "readout", "--date", "2025-12-03",
        "--add-source", "https://example.org/two", "--remove-source", "https://example.org/one",
    )  # fmt: skip
    assert edited.exit_code == 0, edited.output
    assert edited.stdout.startswith("Before:\n")
    statement = _statement(seeded, "Edit me")
    assert (statement["language"], statement["kind"], statement["date"]) == (
        "ru",
        "readout",
        "2025-12-03",
    )
    assert statement["sources"] == [_source_uid(seeded, "https://example.org/two")]
    cleared = seeded("statement", "edit", ref, "--lang", "", "--meeting", "")
    assert cleared.exit_code == 0, cleared.output
    statement = _statement(seeded, "Edit me")
    assert (statement["language"], statement["meeting"]) == (None, None)
    _refused(
        seeded, db_url, "error: --remove-source: expected a statement left with at least one",
        "statement", "edit", ref, "--remove-source", "https://example.org/two",
    )  # fmt: skip
    _refused(seeded, db_url, "error: REF: no statement named 's:999999'",
             "statement", "edit", "s:999999", "--lang", "en")  # fmt: skip


def test_delete_leaves_a_tombstone(seeded: Invoke) -> None:
    ref = _added_ref(
        seeded("statement", "add", "--meeting", TALKS, "--speaker", "Ushakov", "--text", "Gone",
               "-s", "Reuters")
    )  # fmt: skip
    deleted = seeded("statement", "delete", ref, "--yes")
    assert deleted.exit_code == 0, deleted.output
    assert deleted.stdout == f"Deleted statement {ref}.\n"
    again = seeded("statement", "edit", ref, "--lang", "en")
    assert again.exit_code == 2
    assert again.stderr == f"error: REF: statement {ref} (Gone) was deleted\n"
    new = _added_ref(
        seeded("statement", "add", "--meeting", TALKS, "--speaker", "Ushakov", "--text", "New",
               "-s", "Reuters")
    )  # fmt: skip
    assert int(new[2:]) > int(ref[2:])


def test_log_credits_statements_to_their_own_source(seeded: Invoke) -> None:
    base = ["log", "-e", "Witkoff", "-w", "Lavrov", "-p", "Riyadh", "-t", "Side talks",
            "-s", "https://example.org/meeting"]  # fmt: skip
    own = seeded(
        *base, "-d", "2025-09-01", "--statement", "Lavrov: Useful", "--statement-source",
        "https://example.org/said", "--statement-lang", "ru", "--statement-kind", "readout",
    )  # fmt: skip
    assert own.exit_code == 0, own.output
    useful = _statement(seeded, "Useful")
    assert useful["sources"] == [_source_uid(seeded, "https://example.org/said")]
    assert (useful["language"], useful["kind"]) == ("ru", "readout")
    # Without a source of its own, it was said in the report the meeting is logged from.
    plain = seeded(*base, "-d", "2025-09-20", "--statement", "Lavrov: Fine")
    assert plain.exit_code == 0, plain.output
    fine = _statement(seeded, "Fine")
    assert fine["sources"] == [_source_uid(seeded, "https://example.org/meeting")]
    assert (fine["language"], fine["kind"]) == (None, "quote")
