"""Every command and every format, written into a pipe that closes early, stops quietly
with exit status 0 (as ``git log | head -1`` does), on both backends.

The pipes are real: the command runs in a child process whose standard output is the
write end of an OS pipe. In the first set of tests the read end is closed before the
command starts, so its very first write fails, whatever the size of its output; in the
second, ``head -1`` reads one line and goes away, as a user's shell pipe would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cli.app import main

LISTING_FORMATS = ("table", "csv", "json", "ndjson", "markdown")
READS_WITHOUT_FORMAT = (("db", "current"), ("db", "info"))
"""Read commands that have no ``--format``: each is run once."""


def _tracker() -> list[str]:
    beside = Path(sys.executable).with_name("tracker")
    return (
        [str(beside)]
        if beside.exists()
        else [sys.executable, "-c", "from cli.app import main; main()"]
    )


@pytest.fixture
def seeded(db_url: str) -> dict[str, str]:
    """The seed data on each backend, and the uid of one meeting and one visit."""
    runner = CliRunner()
    assert runner.invoke(main, ["--db", db_url, "seed"]).exit_code == 0
    meeting = json.loads(
        runner.invoke(main, ["--db", db_url, "show", "1", "--format", "json"]).stdout
    )
    return {"db": db_url, "meeting": meeting["uid"], "visit": f"v:{meeting['visit']['id']}"}


def _formats() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Every command of the CLI that takes ``--format`` (its path, as typed) and its
    choices, read from the CLI itself: a command or format added later is covered
    without this file knowing of it. ``import`` reads a file in a format; it writes none."""
    found: dict[tuple[str, ...], tuple[str, ...]] = {}

    def walk(command: click.Command, path: tuple[str, ...]) -> None:
        if isinstance(command, click.Group):
            context = click.Context(command)
            for name in command.list_commands(context):
                sub = command.get_command(context, name)
                assert sub is not None
                walk(sub, (*path, name))
            return
        for param in command.params:
            if "--format" in getattr(param, "opts", ()) and isinstance(param.type, click.Choice):
                found[path] = tuple(str(choice) for choice in param.type.choices)

    walk(main, ())
    del found[("import",)]
    return found


def _commands(seeded: dict[str, str]) -> list[list[str]]:
    """Every read command in every format it writes, with the arguments each needs, and
    the timeline's views and filters, which stream differently."""
    arguments: dict[tuple[str, ...], list[list[str]]] = {
        ("visits",): [[], ["Witkoff"]],
        ("counterparts",): [[], ["Witkoff"]],
        ("stats",): [[], ["--with", "Putin"]],
        ("timeline",): [[], ["--envoy", "Witkoff", "--from", "2025"], ["--search", "Kremlin"]],
        ("show",): [[seeded["meeting"]], [seeded["visit"]]],
        ("account", "list"): [[seeded["meeting"], "duration"]],
    }
    commands = [
        [*path, *args, "--format", fmt]
        for path, formats in _formats().items()
        for args in arguments.get(path, [[]])
        for fmt in formats
    ]
    commands += [["timeline", "--view", view] for view in ("tree", "lanes")]
    commands += [["history", "show", "1", "--format", fmt] for fmt in ("table", "json")]
    commands += [list(path) for path in READS_WITHOUT_FORMAT]
    commands += [["--help"], ["timeline", "--help"], ["--version"]]
    return commands


def test_every_command_that_writes_a_format_is_run_in_each(seeded: dict[str, str]) -> None:
    # The list is the CLI's own: export's every registered format, every listing's.
    ran = {tuple(args) for args in _commands(seeded)}
    assert ("export", "--format", "geojson") in ran
    assert ("people", "list", "--format", "markdown") in ran
    assert ("counterparts", "Witkoff", "--format", "ndjson") in ran


def _run_into_closed_pipe(db: str, args: list[str]) -> subprocess.CompletedProcess[bytes]:
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will read: the first write fails with EPIPE
    try:
        return subprocess.run(
            [*_tracker(), "--db", db, *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)


def test_every_command_and_format_into_a_closed_pipe(seeded: dict[str, str]) -> None:
    failures = []
    for args in _commands(seeded):
        result = _run_into_closed_pipe(seeded["db"], args)
        if result.returncode != 0 or result.stderr:
            failures.append((args, result.returncode, result.stderr.decode()[-300:]))
    assert failures == []


@pytest.mark.skipif(shutil.which("head") is None, reason="needs head(1)")
@pytest.mark.parametrize(
    "args",
    [
        ["timeline", "--format", "csv"],
        ["timeline", "--format", "ndjson"],
        ["timeline"],
        ["visits", "--format", "markdown"],
        ["export", "--format", "csv"],
        ["export", "--format", "ics"],
        ["export", "--format", "html"],
    ],
)
def test_head_one_takes_the_first_line(seeded: dict[str, str], args: list[str]) -> None:
    command = [*_tracker(), "--db", seeded["db"], *args]
    producer = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert producer.stdout is not None
    head = subprocess.run(["head", "-1"], stdin=producer.stdout, capture_output=True, check=True)
    producer.stdout.close()
    _out, err = producer.communicate(timeout=120)
    assert (producer.returncode, err.decode()) == (0, "")
    assert head.stdout.count(b"\n") == 1


def test_a_write_whose_reader_went_away_is_kept(seeded: dict[str, str]) -> None:
    # The write is done when its output is shown: a closed pipe must not roll it back.
    runner = CliRunner()
    log = ["log", "-e", "Witkoff", "-w", "Putin", "-d", "2025-10-05", "-p", "Kremlin"]
    log += ["-t", "Talks nobody read about", "-s", "Reuters"]
    result = _run_into_closed_pipe(seeded["db"], log)
    assert (result.returncode, result.stderr.count(b"\n")) == (0, 1)  # the "Logged" line
    timeline = runner.invoke(main, ["--db", seeded["db"], "timeline", "--format", "csv"])
    assert "Talks nobody read about" in timeline.stdout
    edit = ["edit", seeded["meeting"], "--title", "Renamed while nobody read"]
    assert _run_into_closed_pipe(seeded["db"], edit).returncode == 0
    timeline = runner.invoke(main, ["--db", seeded["db"], "timeline", "--format", "csv"])
    assert "Renamed while nobody read" in timeline.stdout
