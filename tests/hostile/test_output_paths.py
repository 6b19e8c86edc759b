"""Output paths that would destroy data, and paths echoed back to the terminal.

Every path a command writes (``export -o``, ``import --rejects`` and its default,
``db backup FILE``) is checked before anything is written: never the database or its
``-wal``/``-shm`` (compared by identity, so a hard or symbolic link to it is caught
too), never an input of the same command, never through a symbolic link planted at the
path, never in a folder that does not exist. Each case exits 2 with one line naming the
option, leaves every table as it was (a fingerprint of the rows), leaves every file
byte for byte and every link where it pointed, and leaves no file behind.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.app import main
from tests.conftest import fingerprint

TRIPS = (
    b"traveller,start,end,country,city,notes\n"
    b"Steve Witkoff,2025-09-01,,RU,Moscow,x\n"
    b"Steve Witkoff,2025-13-01,,RU,Moscow,x\n"
)
LOG = ["log", "--create", "-e", "Steve Witkoff", "-d", "2025-12-02", "-p", "Moscow",
       "--country", "RU", "-t", "Talks", "-s", "https://example.org/report"]  # fmt: skip

DATABASE = "expected a file other than the database or its -wal and -shm files"
INPUT = "expected a file other than an input of this command"
LINK = "expected a path that is not a symbolic link (name the file itself)"
FOLDER = "expected a file in a folder that exists"
NOT_A_FILE = "expected a regular file, not a pipe or a device"
DASH = "expected a file, not standard output (it carries this command's report)"

# (id, arguments, option, the reason, SQLite only). In arguments, DB is the database
# file (tracker.db, beside the test's folder) and T/ the test's folder, which holds
# trips.csv, map.yaml, victim.txt, the links out.csv, out.db, r.csv and
# trips.csv.rejects.csv (to victim.txt), db-hard.db (a hard link to the database),
# trips-hard.csv (to trips.csv) and the FIFO fifo.db.
EXPORT = ["export", "--format", "csv", "-o"]
IMPORT = ["import", "T/trips.csv", "--skip-invalid"]
BACKUP = ["db", "backup", "--force"]
CASES = [
    ("export-onto-the-database", [*EXPORT, "DB"], "--output", DATABASE, True),
    ("export-onto-its-wal", [*EXPORT, "DB-wal"], "--output", DATABASE, True),
    ("export-onto-its-shm", [*EXPORT, "DB-shm"], "--output", DATABASE, True),
    ("export-onto-a-hard-link-to-it", [*EXPORT, "T/db-hard.db"], "--output", DATABASE, True),
    ("export-onto-it-by-another-path", [*EXPORT, "T/../tracker.db"], "--output", DATABASE, True),
    ("export-through-a-planted-link", [*EXPORT, "T/out.csv"], "--output", LINK, False),
    ("export-into-a-missing-folder", [*EXPORT, "T/missing/out.csv"], "--output", FOLDER, False),
    ("rejects-onto-the-database", [*IMPORT, "--rejects", "DB"], "--rejects", DATABASE, True),
    ("rejects-onto-its-wal", [*IMPORT, "--rejects", "DB-wal"], "--rejects", DATABASE, True),
    ("rejects-onto-the-input", [*IMPORT, "--rejects", "T/trips.csv"], "--rejects", INPUT, False),
    (
        "rejects-onto-a-link-to-the-input",
        [*IMPORT, "--rejects", "T/trips-hard.csv"],
        "--rejects",
        INPUT,
        False,
    ),
    (
        "rejects-onto-the-mapping",
        [*IMPORT, "--mapping", "T/map.yaml", "--rejects", "T/map.yaml"],
        "--rejects",
        INPUT,
        False,
    ),
    ("rejects-default-is-a-planted-link", IMPORT, "--rejects", LINK, False),
    ("rejects-through-a-planted-link", [*IMPORT, "--rejects", "T/r.csv"], "--rejects", LINK, False),
    (
        "rejects-into-a-missing-folder",
        [*IMPORT, "--rejects", "/nonexistent-tracker/r.csv"],
        "--rejects",
        FOLDER,
        False,
    ),
    ("rejects-to-standard-output", [*IMPORT, "--rejects", "-"], "--rejects", DASH, False),
    (
        "rejects-checked-in-a-dry-run",
        [*IMPORT, "--dry-run", "--rejects", "T/trips.csv"],
        "--rejects",
        INPUT,
        False,
    ),
    ("backup-onto-its-wal", [*BACKUP, "DB-wal"], "FILE", DATABASE, True),
    ("backup-onto-a-hard-link-to-it", [*BACKUP, "T/db-hard.db"], "FILE", DATABASE, True),
    ("backup-through-a-planted-link", [*BACKUP, "T/out.db"], "FILE", LINK, True),
    ("backup-into-a-missing-folder", [*BACKUP, "T/missing/copy.db"], "FILE", FOLDER, True),
    ("backup-into-a-fifo", [*BACKUP, "T/fifo.db"], "FILE", NOT_A_FILE, True),
]


def tracker(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"COLUMNS": "120"})


def _arguments(args: list[str], db: str, folder: Path) -> list[str]:
    out = []
    for arg in args:
        if arg.startswith("DB"):
            arg = db + arg[2:]
        elif arg.startswith("T/"):
            arg = str(folder / arg[2:]) + ("/" if arg.endswith("/") else "")
        out.append(arg)
    return out


def _setting(folder: Path, db: str | None) -> None:
    (folder / "trips.csv").write_bytes(TRIPS)
    (folder / "map.yaml").write_bytes(b"notes: notes\n")
    (folder / "victim.txt").write_bytes(b"keep me\n")
    for link in ("out.csv", "out.db", "r.csv", "trips.csv.rejects.csv"):
        (folder / link).symlink_to(folder / "victim.txt")
    os.link(folder / "trips.csv", folder / "trips-hard.csv")
    os.mkfifo(folder / "fifo.db")
    if db is not None:
        os.link(db, folder / "db-hard.db")


def _state(folder: Path, db: str | None) -> dict[str, str]:
    """Every entry of the folder (and the database's), with its bytes or where it points."""
    state = {}
    folders = [folder] if db is None else [folder, Path(db).parent]
    for where in folders:
        for path in sorted(where.iterdir()):
            if path.is_dir() and not path.is_symlink():
                continue
            if path.is_symlink():
                state[str(path)] = "-> " + os.readlink(path)
            elif path.is_fifo():
                state[str(path)] = "fifo"
            else:
                state[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


@pytest.mark.parametrize(
    ("args", "option", "reason", "sqlite_only"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_a_dangerous_output_path_is_refused_before_anything_is_written(
    db_url: str, tmp_path: Path, args: list[str], option: str, reason: str, sqlite_only: bool
) -> None:
    sqlite = "://" not in db_url
    if sqlite_only and not sqlite:
        pytest.skip("a PostgreSQL database has no file to protect")
    assert tracker("--db", db_url, *LOG).exit_code == 0
    folder = tmp_path / "work"
    folder.mkdir()
    db_file = db_url if sqlite else None
    _setting(folder, db_file)
    argv = _arguments(args, db_url, folder)
    before = fingerprint(db_url)
    files = _state(folder, db_file)

    result = tracker("--db", db_url, *argv)

    assert result.exit_code == 2, (result.exit_code, result.output)
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {option}: {reason}, got "), result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert _state(folder, db_file) == files
    assert fingerprint(db_url) == before


# -- paths echoed back -----------------------------------------------------------------

ESCAPES = "\x1b]0;PWNED\x07\x1b[2J"
SHOWN = "\\x1b]0;PWNED\\x07\\x1b[2J"


def _shown_as_escapes(result: Result) -> None:
    assert "\x1b" not in result.output
    assert "\x07" not in result.output
    assert SHOWN in result.output


def test_a_path_in_an_error_line_is_shown_with_escapes(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert tracker("--db", db_url, *LOG).exit_code == 0
    monkeypatch.chdir(tmp_path)
    result = tracker("--db", db_url, "export", "-o", f"missing/{ESCAPES}.csv")
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1
    _shown_as_escapes(result)

    result = tracker("--db", db_url, "import", str(tmp_path / f"{ESCAPES}.csv"))
    assert result.exit_code == 1, result.output
    assert result.stderr == f"error: {tmp_path}/{SHOWN}.csv: no such file\n"


def test_a_path_in_a_report_line_is_shown_with_escapes(db_url: str, tmp_path: Path) -> None:
    assert tracker("--db", db_url, *LOG).exit_code == 0
    out = tmp_path / f"ok{ESCAPES}.csv"
    result = tracker("--db", db_url, "export", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Wrote 1 meeting as csv to {tmp_path}/ok{SHOWN}.csv.\n"
    assert out.exists()

    trips = tmp_path / f"t{ESCAPES}.csv"
    trips.write_bytes(TRIPS)
    result = tracker("--db", db_url, "import", str(trips), "--skip-invalid")
    assert result.exit_code == 0, result.output
    _shown_as_escapes(result)
    assert result.stdout.splitlines()[0].startswith(f"{tmp_path}/t{SHOWN}.csv: 2 added")
    assert result.stdout.splitlines()[-1] == (
        f"  rejected rows and their reasons: {tmp_path}/t{SHOWN}.csv.rejects.csv"
    )


def test_a_database_path_is_shown_with_escapes(tmp_path: Path) -> None:
    junk = tmp_path / f"{ESCAPES}.db"
    junk.write_bytes(b"date,title\n2025,x\n")
    result = tracker("--db", str(junk), "timeline")
    assert result.exit_code == 1, result.output
    assert result.stderr.count("\n") == 1
    _shown_as_escapes(result)

    source = tmp_path / "tracker.db"
    assert tracker("--db", str(source), *LOG).exit_code == 0
    result = tracker("--db", str(source), "db", "backup", str(tmp_path / f"b{ESCAPES}.db"))
    assert result.exit_code == 0, result.output
    _shown_as_escapes(result)


@pytest.mark.parametrize(
    "form", ["{path}", "sqlite:///{path}", "sqlite:///{path}?timeout=30"], ids=str
)
def test_the_database_is_refused_however_the_db_option_names_it(tmp_path: Path, form: str) -> None:
    # A plain path and a bare sqlite:/// URL are resolved without SQLAlchemy; a URL with
    # options by the engine's own parser: each names the same file to protect.
    path = tmp_path / "tracker.db"
    assert tracker("--db", str(path), *LOG).exit_code == 0
    before = path.read_bytes()
    target = form.format(path=path)
    for args in ([*EXPORT, str(path)], [*BACKUP, str(path)]):
        result = tracker("--db", target, *args)
        assert result.exit_code == 2, result.output
        assert DATABASE in result.stderr
    assert path.read_bytes() == before
