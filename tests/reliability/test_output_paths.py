"""Output paths: what a command writes never replaces what it should not, and never
leaves a temporary file behind.

- A FIFO, a character device or standard output is written into, never replaced by a
  regular file; ``-o -`` is standard output.
- The reject file of ``import --skip-invalid`` is written completely before the import
  commits: when it cannot be written, nothing is imported.
- SIGTERM and SIGHUP during an export or a backup remove its temporary file (and the
  temporary database's ``-journal``, ``-wal`` and ``-shm``); the process then ends by
  that signal. Temporaries a ``kill -9`` left are removed by the next run that writes
  the same file, and only those: files of its own naming pattern, of a process that has
  ended, older than the running process and owned by the user.

Signals, resource limits and real file descriptors need real processes: those tests run
``tracker`` as a child process.
"""

from __future__ import annotations

import csv
import os
import resource
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.app import main
from tests.conftest import fingerprint

COMMAND = [sys.executable, "-c", "from cli.app import main; main()"]
LOG = ["log", "--create", "-e", "Steve Witkoff", "-d", "2025-12-02", "-p", "Moscow",
       "--country", "RU", "-t", "Talks", "-s", "https://example.org/report"]  # fmt: skip


def tracker(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _csv_of_meetings(path: Path, count: int) -> Path:
    """A foreign csv of ``count`` meetings (and their visits), enough to make an export
    last a few seconds."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["traveller", "date", "city", "country", "title", "notes"])
        for i in range(count):
            day = f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}"
            writer.writerow(
                [f"Envoy {i % 50}", day, f"City {i % 20}", "RU", f"Talks {i}", "x" * 200]
            )
    return path


@pytest.fixture(scope="module")
def big_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database of 10,000 meetings: its json export takes a few seconds."""
    folder = tmp_path_factory.mktemp("big")
    path = folder / "big.db"
    table = _csv_of_meetings(folder / "m.csv", 10_000)
    result = tracker("--db", str(path), "import", "--create", str(table))
    assert result.exit_code == 0, result.output
    return path


def _leftovers(folder: Path, name: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(f".{name}."))


def _wait_for_temporary(folder: Path, name: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while not _leftovers(folder, name):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no temporary file appeared"
        time.sleep(0.005)


# -- writing into what is not a regular file ---------------------------------------------


@pytest.fixture
def logged(db_url: str) -> str:
    assert tracker("--db", db_url, *LOG).exit_code == 0
    return db_url


def test_export_writes_into_a_fifo_and_leaves_it_a_fifo(logged: str, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    fifo = folder / "pipe.csv"
    os.mkfifo(fifo)
    received: list[bytes] = []
    # A reader, and a writer of the test's own that keeps the reader from seeing the end
    # of the stream before the export has written into it (and the export from ever
    # waiting for a reader).
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    keeper = os.open(fifo, os.O_WRONLY)
    os.set_blocking(reader, True)

    def drain() -> None:
        with os.fdopen(reader, "rb") as stream:
            received.append(stream.read())

    thread = threading.Thread(target=drain)
    thread.start()
    try:
        result = tracker("--db", logged, "export", "-o", str(fifo))
    finally:
        os.close(keeper)
        thread.join(timeout=60)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert received[0].decode().splitlines()[1].startswith("2 Dec 2025,2025-12-02,")
    assert result.stderr == f"Wrote 1 meeting as csv to {fifo}.\n"
    assert sorted(p.name for p in folder.iterdir()) == ["pipe.csv"]


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_export_writes_into_a_character_device_and_leaves_it_one(
    logged: str, tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    null = folder / "null"  # a second /dev/null, so that the real one is never at stake
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    result = tracker("--db", logged, "export", "--format", "csv", "-o", str(null))
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    assert os.lstat(null).st_rdev == os.makedev(1, 3)
    assert sorted(p.name for p in folder.iterdir()) == ["null"]


def test_dash_is_standard_output(logged: str, tmp_path: Path) -> None:
    result = tracker("--db", logged, "export", "--format", "csv", "-o", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].startswith("2 Dec 2025,2025-12-02,")
    assert result.stderr == ""
    assert not (tmp_path / "-").exists()


def test_a_link_to_standard_output_writes_to_standard_output(tmp_path: Path) -> None:
    database = str(tmp_path / "tracker.db")
    assert tracker("--db", database, *LOG).exit_code == 0
    # What /dev/stdout is: a symbolic link to the process's own file descriptor 1.
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    for stdout in (subprocess.PIPE, (tmp_path / "captured.csv").open("wb")):
        done = subprocess.run(
            [*COMMAND, "--db", database, "export", "--format", "csv", "-o", str(link)],
            stdout=stdout,
            stderr=subprocess.PIPE,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert link.is_symlink()
        assert os.readlink(link) == "/proc/self/fd/1"
        if stdout is subprocess.PIPE:
            text = done.stdout.decode()
        else:
            stdout.close()
            text = (tmp_path / "captured.csv").read_text(encoding="utf-8")
        assert text.splitlines()[1].startswith("2 Dec 2025,2025-12-02,")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["captured.csv", "stdout", "tracker.db"]


# -- the reject file comes before the commit ---------------------------------------------


def _limit_file_size() -> None:
    # Any file this process writes past 1 MB fails with EFBIG ("File too large"), as on
    # a full disk; Python ignores SIGXFSZ, so the write returns the error.
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))


def test_a_reject_file_that_cannot_be_written_imports_nothing(db_url: str, tmp_path: Path) -> None:
    assert tracker("--db", db_url, "db", "upgrade").exit_code == 0
    folder = tmp_path / "in"
    folder.mkdir()
    trips = folder / "trips.csv"
    with trips.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["traveller", "start", "country", "notes"])
        writer.writerows([[f"Envoy {i}", "2025-09-01", "RU", "good"] for i in range(3)])
        # About 1.5 MB of rejected rows: more than the child may write to one file.
        writer.writerows([["Envoy x", "2025-13-01", "RU", "n" * 5000]] * 300)
    before = fingerprint(db_url)
    done = subprocess.run(
        [*COMMAND, "--db", db_url, "import", "--create", str(trips), "--skip-invalid"],
        capture_output=True,
        timeout=300,
        preexec_fn=_limit_file_size,
    )
    assert fingerprint(db_url) == before
    assert done.returncode == 1, done.stderr
    rejects = folder / "trips.csv.rejects.csv"
    assert done.stderr.decode() == f"error: {rejects}: cannot write it (File too large)\n"
    assert done.stdout == b""
    assert sorted(p.name for p in folder.iterdir()) == ["trips.csv"]


# -- signals and temporaries -------------------------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["TERM", "HUP"])
def test_a_signal_during_an_export_removes_its_temporary_file(
    big_database: Path, tmp_path: Path, signum: int
) -> None:
    out = tmp_path / "everything.json"
    out.write_text("the previous export\n", encoding="utf-8")
    export = subprocess.Popen(
        [*COMMAND, "--db", str(big_database), "export", "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_temporary(tmp_path, out.name, export)
        export.send_signal(signum)
        _, stderr = export.communicate(timeout=60)
    finally:
        export.kill()
        export.wait()
    assert export.returncode == -signum, stderr
    assert _leftovers(tmp_path, out.name) == []
    assert out.read_text(encoding="utf-8") == "the previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["everything.json"]


@pytest.fixture
def locked_database(tmp_path: Path) -> Iterator[tuple[Path, sqlite3.Connection]]:
    """A tracker database in rollback-journal mode (as every backup is), and a connection
    holding an exclusive lock on it: a backup of it waits until the lock is released."""
    path = tmp_path / "source.db"
    assert tracker("--db", str(path), *LOG).exit_code == 0
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode = DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield path, holder
    finally:
        if holder.in_transaction:
            holder.rollback()
        holder.close()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["TERM", "HUP"])
def test_a_signal_during_a_backup_removes_its_temporary_files(
    locked_database: tuple[Path, sqlite3.Connection], tmp_path: Path, signum: int
) -> None:
    source, holder = locked_database
    folder = tmp_path / "backups"
    folder.mkdir()
    copy = folder / "copy.db"
    backup = subprocess.Popen(
        [*COMMAND, "--db", str(source), "db", "backup", str(copy)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_temporary(folder, copy.name, backup)
        backup.send_signal(signum)
        time.sleep(0.5)
        holder.rollback()  # the copy can go on, and the process can act on the signal
        _, stderr = backup.communicate(timeout=60)
    finally:
        backup.kill()
        backup.wait()
    assert backup.returncode == -signum, stderr
    assert list(folder.iterdir()) == []


def _ended_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_the_next_export_removes_what_a_kill_9_left_and_nothing_else(
    big_database: Path, tmp_path: Path
) -> None:
    out = tmp_path / "everything.json"
    export = subprocess.Popen(
        [*COMMAND, "--db", str(big_database), "export", "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_temporary(tmp_path, out.name, export)
    finally:
        export.kill()
        export.communicate()
    left = _leftovers(tmp_path, out.name)
    assert len(left) == 1, left

    ended, alive = _ended_pid(), os.getpid()
    kept = {
        # another process's, still running
        f".{out.name}.tracker-{alive}-0.part": "file",
        # not of tracker's naming pattern
        f".{out.name}.{ended}.part": "file",
        f".{out.name}.tracker-{ended}-0.partial": "file",
        # a link, not a file
        f".{out.name}.tracker-{ended}-1.part": "link",
        # made after this run began: not a leftover of a process that ended before it
        f".{out.name}.tracker-{ended}-2.part": "future",
    }
    if os.geteuid() == 0:
        kept[f".{out.name}.tracker-{ended}-3.part"] = "someone else's"
    for name, kind in kept.items():
        path = tmp_path / name
        if kind == "link":
            path.symlink_to(tmp_path / "elsewhere")
            continue
        path.write_text("not tracker's to remove\n", encoding="utf-8")
        if kind == "future":
            later = time.time() + 3600
            os.utime(path, (later, later))
        elif kind == "someone else's":
            os.chown(path, 65534, 65534)
    stale = tmp_path / f".{out.name}.tracker-{ended}-4.part"
    stale.write_text("a leftover\n", encoding="utf-8")
    for suffix in ("-journal", "-wal", "-shm"):
        Path(f"{stale}{suffix}").write_text("a leftover\n", encoding="utf-8")

    done = subprocess.run(
        [*COMMAND, "--db", str(big_database), "export", "--format", "csv", "-o", str(out)],
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([out.name, *kept])


def test_the_next_backup_removes_what_a_kill_9_left(
    locked_database: tuple[Path, sqlite3.Connection], tmp_path: Path
) -> None:
    source, holder = locked_database
    folder = tmp_path / "backups"
    folder.mkdir()
    copy = folder / "copy.db"
    backup = subprocess.Popen(
        [*COMMAND, "--db", str(source), "db", "backup", str(copy)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_temporary(folder, copy.name, backup)
    finally:
        backup.kill()
        backup.communicate()
    holder.rollback()
    assert _leftovers(folder, copy.name) != []
    done = subprocess.run(
        [*COMMAND, "--db", str(source), "db", "backup", str(copy)],
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["copy.db"]
