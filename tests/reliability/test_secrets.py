"""Files and secrets: SQLite files are private to their owner, and a PostgreSQL password
never shows in output, error messages, logs, or even ``--debug`` tracebacks."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import traceback
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import make_url

from cli.app import main
from tests.conftest import POSTGRES_URL, postgres_schema_url
from tests.reliability import workers

SECRET = "secretpw"
UNREACHABLE = f"postgresql+psycopg://analyst:{SECRET}@127.0.0.1:1/team"


def _mode(path: Path | str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _everything_shown(result: Result, caplog: pytest.LogCaptureFixture) -> str:
    """All a user could see: stdout, stderr, the traceback (with --debug Python prints
    it), and every log record down to DEBUG."""
    shown = [result.stdout, result.stderr, caplog.text]
    if result.exc_info is not None and not isinstance(result.exception, SystemExit):
        shown.append("".join(traceback.format_exception(*result.exc_info)))
    shown.extend(record.getMessage() for record in caplog.records)
    return "\n".join(shown)


# -- files ----------------------------------------------------------------------------


@pytest.mark.usefixtures("common_umask")
def test_a_new_sqlite_file_and_its_wal_are_private(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    result = CliRunner().invoke(main, workers.log_args(str(path), 0, 0))
    assert result.exit_code == 0, result.output
    assert _mode(path) == 0o600
    # Keep a reader open so the WAL and shared-memory files outlive the next command.
    reader = sqlite3.connect(path)
    try:
        reader.execute("SELECT count(*) FROM meeting").fetchone()
        result = CliRunner().invoke(main, workers.log_args(str(path), 0, 1))
        assert result.exit_code == 0, result.output
        for suffix in ("-wal", "-shm"):
            assert _mode(f"{path}{suffix}") == 0o600, suffix
    finally:
        reader.close()


@pytest.mark.usefixtures("common_umask")
def test_the_default_database_and_its_folder_are_private() -> None:
    args = workers.log_args("unused", 0, 0)[2:]  # no --db: the default location
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    folder = Path(os.environ["XDG_DATA_HOME"]) / "tracker"
    assert _mode(folder) == 0o700
    assert _mode(folder / "tracker.db") == 0o600


# -- passwords ------------------------------------------------------------------------


def _commands(tmp_path: Path) -> list[list[str]]:
    document = tmp_path / "in.json"
    document.write_text('{"format": "tracker/1"}', encoding="utf-8")
    return [
        ["db", "info"],
        ["db", "upgrade"],
        ["db", "current"],
        ["db", "backup", str(tmp_path / "copy.db")],
        ["timeline"],
        ["export"],
        ["import", str(document)],
        workers.log_args("unused", 0, 0)[2:],
    ]


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_an_unreachable_servers_password_is_never_shown(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, debug: bool
) -> None:
    caplog.set_level(logging.DEBUG)
    for args in _commands(tmp_path):
        caplog.clear()
        options = ["--debug"] if debug else []
        result = CliRunner().invoke(main, [*options, "--db", UNREACHABLE, *args])
        assert result.exit_code == 1, (args, result.output)
        shown = _everything_shown(result, caplog)
        assert SECRET not in shown, args
        assert "analyst:***@127.0.0.1:1/team" in shown, args
        if not debug:
            assert result.stdout == ""
            assert result.stderr.count("\n") == 1, (args, result.stderr)
            assert result.stderr.startswith("error: "), (args, result.stderr)
    assert list(tmp_path.iterdir()) == [tmp_path / "in.json"]


def test_the_password_in_tracker_db_is_not_shown_either(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    result = CliRunner().invoke(main, ["db", "info"], env={"TRACKER_DB": UNREACHABLE})
    assert result.exit_code == 1
    assert SECRET not in _everything_shown(result, caplog)


@pytest.mark.parametrize(
    "target",
    [
        f"mysql://analyst:{SECRET}@127.0.0.1/team",
        f"postgresql+psycopg://analyst:{SECRET}@127.0.0.1:notaport/team",
        f"postgresql+psycopg://analyst:{SECRET}@[::1/team",
    ],
)
def test_a_malformed_url_is_rejected_without_its_password(target: str) -> None:
    result = CliRunner().invoke(main, ["--db", target, "db", "info"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --db: expected")
    assert SECRET not in result.output


@pytest.mark.postgres
@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_a_reachable_servers_password_is_never_shown(
    postgres_schema: str, tmp_path: Path, caplog: pytest.LogCaptureFixture, debug: bool
) -> None:
    # The test server trusts local connections, so any password is accepted.
    url = make_url(postgres_schema_url(postgres_schema)).set(password=SECRET)
    target = url.render_as_string(hide_password=False)
    assert SECRET in target
    caplog.set_level(logging.DEBUG)
    options = ["--debug"] if debug else []
    bad_date = workers.log_args(target, 0, 0)
    bad_date[bad_date.index("--date") + 1] = "2025-13-45"
    for args, code in [
        (["--db", target, "db", "upgrade"], 0),
        (["--db", target, "db", "info"], 0),
        (workers.log_args(target, 0, 0), 0),
        (bad_date, 2),
        (["--db", target, "show", "m:999"], 2),
        (["--db", target, "timeline"], 0),
        (["--db", target, "db", "backup", str(tmp_path / "copy.db")], 1),
    ]:
        caplog.clear()
        result = CliRunner().invoke(main, [*options, *args])
        if debug and code:
            # The error propagates, for Python to print its traceback.
            assert result.exc_info is not None
            assert not isinstance(result.exception, SystemExit), args
        else:
            assert result.exit_code == code, (args, result.output)
        assert SECRET not in _everything_shown(result, caplog), args
    info = CliRunner().invoke(main, ["--db", target, "db", "info"])
    assert f"{url.username}:***@" in info.stdout
    assert POSTGRES_URL  # the marker's promise: this ran against the real server


# -- credentials in the query string ---------------------------------------------------------

QUERY_SECRET = "querysecret"
# libpq takes a password (and a client key's passphrase) as query parameters too.
IN_THE_QUERY = [
    f"postgresql+psycopg://analyst@127.0.0.1:1/team?password={QUERY_SECRET}",
    f"postgresql+psycopg://analyst@127.0.0.1:1/team?sslmode=disable&sslpassword={QUERY_SECRET}",
    f"postgresql+psycopg://analyst:{SECRET}@127.0.0.1:1/team?PASSWORD={QUERY_SECRET}",
]


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
@pytest.mark.parametrize("target", IN_THE_QUERY, ids=["password", "sslpassword", "both"])
def test_a_password_in_the_query_string_is_never_shown(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, target: str, debug: bool
) -> None:
    caplog.set_level(logging.DEBUG)
    for args in _commands(tmp_path):
        caplog.clear()
        options = ["--debug"] if debug else []
        result = CliRunner().invoke(main, [*options, "--db", target, *args])
        assert result.exit_code == 1, (args, result.output)
        shown = _everything_shown(result, caplog)
        assert QUERY_SECRET not in shown, args
        assert SECRET not in shown, args
        assert "password=***" in shown.lower(), args
    assert list(tmp_path.iterdir()) == [tmp_path / "in.json"]


def test_the_pg_dump_advice_leaves_out_every_credential(tmp_path: Path) -> None:
    target = (
        f"postgresql+psycopg://analyst:{SECRET}@db.example.org:5433/team"
        f"?sslmode=require&password={QUERY_SECRET}&sslpassword={QUERY_SECRET}"
    )
    result = CliRunner().invoke(main, ["--db", target, "db", "backup", str(tmp_path / "t.dump")])
    assert result.exit_code == 1
    assert result.stderr == (
        "error: db backup: postgresql+psycopg://analyst:***@db.example.org:5433/team"
        "?password=***&sslmode=require&sslpassword=***"
        " is a PostgreSQL database; back it up with pg_dump, e.g."
        " pg_dump --format=custom --file=FILE"
        " 'postgresql://analyst@db.example.org:5433/team?sslmode=require'\n"
    )


@pytest.mark.postgres
def test_a_reachable_servers_query_password_is_never_shown(
    postgres_schema: str, caplog: pytest.LogCaptureFixture
) -> None:
    url = make_url(postgres_schema_url(postgres_schema))
    url = url.update_query_dict({"password": QUERY_SECRET})
    target = url.render_as_string(hide_password=False)
    caplog.set_level(logging.DEBUG)
    bad_date = workers.log_args(target, 0, 0)
    bad_date[bad_date.index("--date") + 1] = "2025-13-45"
    for args in (["--db", target, "db", "info"], ["--debug", *bad_date]):
        caplog.clear()
        result = CliRunner().invoke(main, args)
        assert QUERY_SECRET not in _everything_shown(result, caplog), args
    info = CliRunner().invoke(main, ["--db", target, "db", "info"], env={"COLUMNS": "300"})
    assert info.exit_code == 0, info.output
    assert "password=***" in info.stdout


# -- the default location's folders under any umask -------------------------------------------


def test_missing_parents_of_the_default_location_are_private_under_umask_000(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DATA_HOME")  # the default: ~/.local/share
    previous = os.umask(0)
    try:
        result = CliRunner().invoke(main, workers.log_args("unused", 0, 0)[2:])
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    for folder in (".local", ".local/share", ".local/share/tracker"):
        assert _mode(home / folder) == 0o700, folder
    assert _mode(home / ".local/share/tracker/tracker.db") == 0o600
