"""``tracker log``, ``tracker edit`` and ``tracker delete``."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import Invoke

FOUNDING = [
    "log",
    "-e", "Witkoffowi",
    "-e", "Jared Kushner",
    "-w", "Władimir Putin",
    "-w", "Jurij Uszakow:adviser",
    "-d", "2025-12-02",
    "-p", "Kreml",
    "-t", "Rozmowy o planie pokojowym",
    "--duration", "5h+",
    "--outcome", "no-agreement",
    "--summary", "Nie udało się wypracować kompromisu",
    "--statement", "Jurij Uszakow: Nie jesteśmy bliżej pokoju, ale nie jesteśmy też dalej",
    "-s", "Polish news report (crediting Reuters)",
]  # fmt: skip


@pytest.fixture
def seeded(run: Invoke) -> Invoke:
    assert run("seed").exit_code == 0
    return run


def _meeting(run: Invoke, uid: str) -> dict[str, object]:
    document = json.loads(run("export").stdout)
    return next(m for m in document["meetings"] if m["uid"] == uid)


def test_log_the_founding_meeting_with_polish_names(seeded: Invoke) -> None:
    # The seeded talks are this meeting: logging it again needs --duplicate.
    result = seeded(*FOUNDING, "--duplicate")
    assert result.exit_code == 0, result.output
    uid = result.stderr.removeprefix("Logged meeting ").strip().rstrip(".")
    meeting = _meeting(seeded, uid)
    assert [p["person"] for p in meeting["participants"]] == [  # type: ignore[index]
        "person-steve-witkoff",
        "person-jared-kushner",
        "person-vladimir-putin",
        "person-yuri-ushakov",
    ]
    assert [p["role"] for p in meeting["participants"]] == [  # type: ignore[index]
        "envoy", "envoy", "host", "adviser",
    ]  # fmt: skip
    assert meeting["venue"] == "place-kremlin"
    assert meeting["duration"] == {"minutes": 300, "qualifier": "at-least"}
    # The seeded trip of 2-3 Dec to Moscow overlaps: the meeting joins it.
    assert meeting["visit"] == "visit-2025-12-witkoff-kushner-moscow"
    lines = result.stdout.splitlines()
    assert lines[1].split() == ["kind", "talks"]
    assert lines[3] == "date          2 Dec 2025 (EDTF 2025-12-02)"
    assert lines[4] == "venue         Kremlin, Moscow, Russia"
    assert lines[5] == "duration      at least 5 h"


def test_a_meeting_elsewhere_starts_a_new_visit(seeded: Invoke) -> None:
    result = seeded(
        "log", "-e", "Стив Уиткофф", "-d", "2025-09", "-p", "Riyadh", "-t", "Talks",
        "-s", "https://example.org/x",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads(seeded("export").stdout)
    new = [v for v in document["visits"] if v["date"] == "2025-09"]
    assert len(new) == 1
    assert new[0]["destination"] == "place-riyadh"
    assert new[0]["travellers"] == [{"person": "person-steve-witkoff", "role": "envoy"}]


def test_unknown_name_needs_create(seeded: Invoke) -> None:
    args = ["log", "-e", "Steve Witkof", "-d", "2025-09-01", "-p", "Moscow", "-t", "T",
            "-s", "Someone"]  # fmt: skip
    refused = seeded(*args)
    assert refused.exit_code == 2
    assert refused.stderr.startswith("error: --envoy: expected a known person")
    assert "did you mean Steve Witkoff" in refused.stderr
    created = seeded(*args, "--create")
    assert created.exit_code == 0, created.output
    people = json.loads(seeded("people", "--format", "json").stdout)
    assert "Steve Witkof" in [p["name"] for p in people]


@pytest.mark.parametrize(
    ("change", "line"),
    [
        (["-d", "2025-13-01"], "error: --date: expected a date such as"),
        (["-d", "2025-12-03/2025-12-02"], "error: --date: expected an interval that ends on"),
        (["--outcome", "victory"], "error: Invalid value for '--outcome': 'victory' is not one of"),
        (["--duration", "five hours"], "error: --duration: expected a duration such as 5h"),
        (["-w", "Vladimir"], None),
        (["-w", "Putin:emperor"], "error: --with role: expected one of envoy, host"),
        (["--statement", "no colon here"], 'error: --statement: expected "SPEAKER: what'),
        (["-t", "   "], "error: --title: expected a value"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    seeded: Invoke, change: list[str], line: str | None
) -> None:
    if change == ["-w", "Vladimir"]:
        # Two seeded people answer to "Vladimir": the error lists both.
        line = (
            "error: --with: 'Vladimir' matches 2 person records: Vladimir Putin (RU; uid "
            "person-vladimir-putin); Vladimir Medinsky (RU; uid person-vladimir-medinsky)\n"
        )
    before = seeded("export").stdout
    args = ["log", "-e", "Witkoff", "-d", "2025-12-02", "-p", "Kreml", "-t", "Talks",
            "-s", "Reuters"]  # fmt: skip
    for flag, value in zip(change[::2], change[1::2], strict=True):
        if flag in args:
            args[args.index(flag) + 1] = value
        else:
            args += [flag, value]
    result = seeded(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith(line)
    assert result.stderr.count("\n") == 1
    assert seeded("export").stdout == before


def test_missing_required_field_off_a_terminal(seeded: Invoke) -> None:
    result = seeded("log", "-e", "Witkoff", "-p", "Moscow", "-t", "x", "-s", "x")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --date: expected a value (it is required when not on a terminal)\n"
    )


def test_on_a_terminal_log_offers_the_envoys_of_meetings(
    seeded: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What -e means: the people who took part in a meeting as its envoy, not every
    # traveller (Yermak, Putin and Lavrov travelled and led or joined their side).
    monkeypatch.setattr("cli.write_commands._interactive", lambda: True)
    result = seeded("log", "-d", "2025-12-20", "-p", "Moscow", "-t", "Talks", "-s", "Reuters",
                    "-w", "Putin", input="Steve Witkoff\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    known = next(line for line in result.stderr.splitlines() if line.startswith("Known: "))
    assert known.removeprefix("Known: ").split(", ") == [
        "Andrii Hnatov",
        "Dan Driscoll",
        "Jared Kushner",
        "Kirill Dmitriev",
        "Marco Rubio",
        "Mike Waltz",
        "Rustem Umerov",
        "Steve Witkoff",
    ]


def test_edit_shows_before_and_after(seeded: Invoke) -> None:
    uid = "meeting-2025-04-25-witkoff-putin"
    result = seeded("edit", uid, "--duration", "~3h30m", "--add-topic", "sanctions")
    assert result.exit_code == 0, result.output
    before, after = result.stdout.split("\nAfter:\n")
    assert "duration      about 3 h\n" in before
    assert "duration      about 3 h 30 min\n" in after
    assert _meeting(seeded, uid)["duration"] == {"minutes": 210, "qualifier": "about"}
    assert "sanctions" in _meeting(seeded, uid)["topics"]  # type: ignore[operator]


def test_edit_rejects_a_meeting_field_on_a_visit(seeded: Invoke) -> None:
    before = seeded("export").stdout
    result = seeded("edit", "visit-2025-04-25-witkoff-moscow", "--outcome", "agreement")
    assert result.exit_code == 2
    assert result.stderr == "error: --outcome: expected a change that a visit has\n"
    assert seeded("export").stdout == before


def test_delete_asks_first_and_yes_skips(seeded: Invoke) -> None:
    uid = "meeting-2025-08-06-witkoff-putin"
    refused = seeded("delete", uid)
    assert refused.exit_code == 2
    assert "--yes" in refused.stderr
    done = seeded("delete", uid, "--yes")
    assert done.exit_code == 0, done.output
    assert done.stdout == "Deleted 0 visit(s), 1 meeting(s), 2 statement(s).\n"
    assert uid not in seeded("export").stdout
    gone = seeded("show", uid)
    assert gone.exit_code == 2
