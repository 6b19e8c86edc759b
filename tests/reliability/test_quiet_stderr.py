"""What reaches the user's stderr: one line for bad input, never a library's warning,
and never the raw bytes of an argument that is not UTF-8.

The commands run in child processes with Python's warnings shown ``always`` (so a
warning anywhere would print), and in-process with every warning turned into an error
(so a warning anywhere would fail the command).
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.app import main

COMMAND = [sys.executable, "-W", "always", "-c", "from cli.app import main; main()"]

LOG = ["log", "-d", "2025-11-02", "-p", "Kreml", "-t", "Talks", "-s", "https://example.org/a"]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = str(tmp_path_factory.mktemp("quiet") / "tracker.db")
    result = CliRunner().invoke(main, ["--db", db, "seed"])
    assert result.exit_code == 0, result.output
    return db


def _run(*args: str | bytes, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *args],
        capture_output=True,
        text=True,
        errors="backslashreplace",
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


# -- warnings -------------------------------------------------------------------------


def test_log_without_an_envoy_says_one_line_and_no_warning(seeded: str) -> None:
    result = _run("--db", seeded, *LOG)
    assert result.returncode == 2
    assert result.stderr == (
        "error: --envoy: expected a value (it is required when not on a terminal)\n"
    )


def test_a_warning_is_shown_with_debug_only(seeded: str) -> None:
    # A warning raised while a command runs is kept from the user's stderr, unless
    # --debug asks for everything.
    probe = (
        "import warnings, click\n"
        "from cli.app import main\n"
        "@main.command('warn-probe')\n"
        "def probe():\n"
        "    warnings.warn('probe warning', UserWarning, stacklevel=1)\n"
        "main()\n"
    )
    plain = subprocess.run(
        [sys.executable, "-W", "always", "-c", probe, "--db", seeded, "warn-probe"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (plain.returncode, plain.stderr) == (0, "")
    debug = subprocess.run(
        [sys.executable, "-W", "always", "-c", probe, "--db", seeded, "--debug", "warn-probe"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert debug.returncode == 0
    assert "probe warning" in debug.stderr


EVERYDAY = [
    ["timeline"],
    ["timeline", "--view", "tree"],
    ["timeline", "--view", "lanes", "--format", "json"],
    ["visits"],
    ["visits", "Witkoff", "--format", "csv"],
    ["stats", "--format", "markdown"],
    ["people", "--search", "Putin"],
    ["places"],
    ["show", "meeting-2025-04-25-witkoff-putin"],
    *(["export", "--format", fmt] for fmt in ("csv", "json", "yaml", "html", "ics", "timelinejs")),
    ["db", "info"],
    LOG,
    [*LOG, "-e", "Nobody Atall"],
    [*LOG, "-e", "Witkoff", "--duration", "0.001h"],
    ["timeline", "--from", "2025-13", "--format", "csv"],
]


@pytest.mark.parametrize("args", EVERYDAY, ids=lambda args: " ".join(args)[:40])
def test_everyday_commands_raise_no_warning(seeded: str, args: list[str]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = CliRunner().invoke(main, ["--db", seeded, *args])
    assert result.exit_code in (0, 2), result.output[-800:]
    assert "unexpected" not in result.stderr, result.stderr
    assert "Warning" not in result.stderr, result.stderr


# -- arguments that are not UTF-8 -----------------------------------------------------


@pytest.mark.parametrize(
    ("args", "named"),
    [
        ([*LOG, "-e", "Witkoff", "--notes", b"caf\xe9"], "--notes"),
        (["timeline", "--search", b"\xff\xfe"], "--search"),
        (["visits", b"Witk\xf6ff"], "ENVOY"),
        (["export", "--format", "html", "--title", b"\xc3\x28"], "--title"),
    ],
)
def test_an_argument_that_is_not_utf8_is_named_and_refused(
    seeded: str, args: list[str | bytes], named: str
) -> None:
    before = Path(seeded).read_bytes()
    result = _run("--db", seeded, *args)
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        f"error: {named}: expected UTF-8 text (the argument holds bytes that are not UTF-8)\n"
    )
    assert result.stdout == ""
    assert Path(seeded).read_bytes() == before


def test_a_database_path_that_is_not_utf8_is_refused_before_creating_it(tmp_path: Path) -> None:
    target = os.fsencode(tmp_path) + b"/caf\xe9.db"
    result = _run("--db", target, "timeline")
    assert result.returncode == 2
    assert result.stderr.startswith("error: --db: expected UTF-8 text")
    assert os.listdir(tmp_path) == []
    from_env = _run("timeline", env={"TRACKER_DB": os.fsdecode(target)})
    assert from_env.returncode == 2
    assert from_env.stderr.startswith("error: --db (from TRACKER_DB): expected UTF-8 text")
    assert os.listdir(tmp_path) == []


def test_a_file_path_that_is_not_utf8_still_works(seeded: str, tmp_path: Path) -> None:
    target = os.fsencode(tmp_path) + b"/caf\xe9.csv"
    result = _run("--db", seeded, "export", "--format", "csv", "-o", target)
    assert result.returncode == 0, result.stderr
    assert Path(os.fsdecode(target)).read_text(encoding="utf-8").startswith("date,edtf,")
