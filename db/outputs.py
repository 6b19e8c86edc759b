"""Where a command may write, and writing there without destroying anything.

Every path a command writes (``export -o``, ``import --rejects`` and its default,
``db backup FILE``) is checked by ``check_output`` before anything is read or written,
then written by ``writing_text``, ``staging`` or ``replacing``:

- It is never the database or its ``-wal``, ``-shm`` or ``-journal`` file, and never an
  input of the same command. Files are compared by identity (device and inode), so a
  hard link, a symbolic link or another spelling of the path is caught as well; a path
  that does not exist yet is compared by its real name.
- A symbolic link planted at the path is refused, never followed to overwrite its
  target. A link to a pipe or a terminal (``/dev/stdout`` is one) is written through:
  nothing is replaced there.
- A pipe, a terminal or another character device is written into, never replaced by a
  regular file; ``-`` is standard output.
- A regular file is written to a temporary file beside it (``.NAME.tracker-PID-N.part``,
  mode 0600) and moved into place once complete: it is the old file or the whole new
  one, never half of one. A rename replaces a link planted there meanwhile, never the
  link's target.

While a temporary file exists, SIGTERM and SIGHUP raise ``Terminated``: the temporary
file (and the ``-journal``, ``-wal`` and ``-shm`` of a temporary database) is removed on
the way up, and the command line then ends the process by the same signal. What a
``kill -9`` left is removed by the next run that writes the same file, and only that:
files of this naming pattern, made by a process that no longer runs, older than the
running process, owned by the user, regular files (not links).
"""

from __future__ import annotations

import io
import os
import re
import signal
import stat
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import BinaryIO, Literal, TextIO

from tracker.errors import InvalidInput, Terminated, Unavailable

CANNOT_WRITE = "{path}: cannot write it ({reason})"
KEPT_AT = "{path}: cannot write it ({reason}); what it should hold is in {temporary}"

THE_DATABASE = "a file other than the database or its -wal and -shm files"
AN_INPUT = "a file other than an input of this command"
NOT_A_LINK = "a path that is not a symbolic link (name the file itself)"
A_FOLDER_THAT_EXISTS = "a file in a folder that exists"
A_FOLDER_TO_WRITE = "a file in a folder you may write to"
NOT_A_FOLDER = "a file, not a folder"
NOT_STANDARD_OUTPUT = "a file, not standard output (it carries this command's report)"
A_REGULAR_FILE = "a regular file, not a pipe or a device"
WRITABLE = "a regular file, a pipe or a terminal"
A_NAME = "a file name"

SIDECARS = ("-journal", "-wal", "-shm")
SIGNALS = tuple(s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s)
_TEMPORARY = ".{name}.tracker-{pid}-{attempt}.part"
# Every temporary file this process makes is newer than this; an older one is not ours.
_LOADED = time.time()
# The temporary files this process has made and not yet put in place or removed.
_MADE: set[Path] = set()

Kind = Literal["stdout", "stream", "file"]


@dataclass(frozen=True)
class Output:
    """A path ``check_output`` accepted: standard output, a stream to write into (a
    pipe, a terminal, a device), or a regular file to replace once complete."""

    field: str
    given: str
    kind: Kind
    path: Path | None = None
    exists_refused: str | None = None
    """What is expected instead when the file turns out to exist after all (a file
    that may not be replaced is moved into place with a hard link, which fails then)."""

    def __str__(self) -> str:
        return self.given


def check_output(
    given: str | os.PathLike[str],
    *,
    field: str,
    database: Path | None = None,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
    stdout: bool = True,
    streams: bool = True,
    exists_refused: str | None = None,
) -> Output:
    """Whether ``given`` may be written by a command on the SQLite file ``database``
    (``None``: a database that is no file) reading ``inputs``.

    ``field`` names the option or argument in messages. ``stdout``: ``-`` (or a link to
    this process's standard output) may mean standard output; ``streams``: a pipe or a
    device may be written into; ``exists_refused``: an existing file is refused, with
    this expectation (else it is replaced). Raises InvalidInput, naming ``field``,
    for a path that must not be written (see the module's docstring).
    """
    text = os.fspath(given)
    if text == "-":
        if not stdout:
            raise InvalidInput(field, NOT_STANDARD_OUTPUT, text)
        return Output(field, text, "stdout")
    if not text.strip():
        raise InvalidInput(field, A_NAME, text)
    path = Path(text).expanduser().absolute()
    protected = _Protected.of(database, inputs)
    try:
        entry = path.lstat()
    except FileNotFoundError:
        return _new_file(field, text, path, protected, exists_refused)
    except OSError as exc:
        raise InvalidInput(field, f"a path that can be written ({exc.strerror})", text) from None
    try:
        target: os.stat_result | None = path.stat()
    except OSError:
        target = None  # a link to nothing
    if target is not None and (what := protected.holds(target)):
        raise InvalidInput(field, what, text)
    if stat.S_ISLNK(entry.st_mode):
        if target is not None and _is_standard_output(target):
            if not stdout:
                raise InvalidInput(field, NOT_STANDARD_OUTPUT, text)
            return Output(field, text, "stdout")
        if target is not None and streams and _is_stream(target):
            return Output(field, text, "stream", path)
        raise InvalidInput(field, NOT_A_LINK, text)
    if stat.S_ISDIR(entry.st_mode):
        raise InvalidInput(field, NOT_A_FOLDER, text)
    if stat.S_ISREG(entry.st_mode):
        if exists_refused is not None:
            raise InvalidInput(field, exists_refused, text)
        if not os.access(path.parent, os.W_OK | os.X_OK):
            raise InvalidInput(field, A_FOLDER_TO_WRITE, text)
        return Output(field, text, "file", path, exists_refused)
    if _is_stream(entry):
        if not streams:
            raise InvalidInput(field, A_REGULAR_FILE, text)
        return Output(field, text, "stream", path)
    raise InvalidInput(field, WRITABLE if streams else A_REGULAR_FILE, text)


def _new_file(
    field: str, text: str, path: Path, protected: _Protected, exists_refused: str | None
) -> Output:
    if not path.parent.is_dir():
        raise InvalidInput(field, A_FOLDER_THAT_EXISTS, text)
    if what := protected.named(path):
        raise InvalidInput(field, what, text)
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise InvalidInput(field, A_FOLDER_TO_WRITE, text)
    return Output(field, text, "file", path, exists_refused)


@dataclass
class _Protected:
    """The files a command must not write: by identity, and by real name."""

    identities: dict[tuple[int, int], str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls, database: Path | None, inputs: Iterable[str | os.PathLike[str] | None]
    ) -> _Protected:
        protected = cls()
        if database is not None:
            # SQLite keeps -wal and -shm beside the file a symbolic link leads to.
            for base in dict.fromkeys([str(database), os.path.realpath(database)]):
                for suffix in ("", *SIDECARS):
                    protected.add(base + suffix, THE_DATABASE)
        for given in inputs:
            if given is not None:
                protected.add(os.path.abspath(os.fspath(given)), AN_INPUT)
        return protected

    def add(self, name: str, what: str) -> None:
        self.names.setdefault(os.path.realpath(name), what)
        with suppress(OSError):
            found = os.stat(name)
            self.identities.setdefault((found.st_dev, found.st_ino), what)

    def holds(self, found: os.stat_result) -> str | None:
        return self.identities.get((found.st_dev, found.st_ino))

    def named(self, path: Path) -> str | None:
        return self.names.get(os.path.realpath(path))


def _is_stream(found: os.stat_result) -> bool:
    return stat.S_ISFIFO(found.st_mode) or stat.S_ISCHR(found.st_mode)


def _is_standard_output(found: os.stat_result) -> bool:
    try:
        ours = os.fstat(sys.stdout.fileno())
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return False
    return (ours.st_dev, ours.st_ino) == (found.st_dev, found.st_ino)


# -- writing --------------------------------------------------------------------------


@contextmanager
def writing_text(output: Output) -> Iterator[TextIO]:
    """A UTF-8 text stream with no newline translation onto ``output``: standard output,
    the stream itself, or a temporary file that replaces the file once the block ends
    without error."""
    if output.kind == "stdout":
        stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
        try:
            yield stream
            stream.flush()
        finally:
            stream.detach()
        return
    if output.kind == "stream":
        with _opened_stream(output) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            try:
                yield text
                text.flush()
            except OSError as exc:
                raise _cannot_write(output, exc) from None
            finally:
                text.detach()
        return
    with replacing(output) as temporary, temporary.open("w", encoding="utf-8", newline="") as file:
        yield file


@contextmanager
def replacing(output: Output, *, private: bool = False) -> Iterator[Path]:
    """A new, empty temporary file beside ``output`` (mode 0600) to write; when the block
    ends without error it is synced and moved onto the file, keeping the file's mode
    (or the umask's, for a new one) unless ``private``. Otherwise it is removed, with its
    ``-journal``, ``-wal`` and ``-shm``. Failures to write raise Unavailable."""
    _remove_stale(output)
    with _removed_on_signals():
        temporary = _Temporary.beside(output)
        try:
            try:
                yield temporary.path
                temporary.put_in_place(private=private)
            except OSError as exc:
                raise _cannot_write(output, exc) from None
        finally:
            temporary.discard()


class Staged:
    """Text for ``output``, written completely by ``write`` (to a temporary file, synced),
    and put in place only when ``staging`` ends without error."""

    def __init__(self, output: Output) -> None:
        self.output = output
        self._temporary: _Temporary | None = None
        self._text: str | None = None

    def write(self, text: str) -> None:
        if self.output.kind != "file":
            self._text = text  # a pipe or a device: nothing to replace, written at the end
            return
        self._temporary = _Temporary.beside(self.output)
        try:
            with self._temporary.path.open("w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            _sync(self._temporary.path)
        except OSError as exc:
            raise _cannot_write(self.output, exc) from None

    def _finish(self) -> None:
        if self._temporary is not None:
            kept = self._temporary.path
            try:
                self._temporary.put_in_place(private=False)
            except OSError as exc:
                # Kept where it is: what it holds exists nowhere else.
                self._temporary = None
                raise Unavailable(
                    KEPT_AT.format(path=self.output.given, reason=exc.strerror, temporary=kept)
                ) from None
        elif self._text is not None:
            with _opened_stream(self.output) as raw:
                try:
                    raw.write(self._text.encode("utf-8"))
                except OSError as exc:
                    raise _cannot_write(self.output, exc) from None

    def _discard(self) -> None:
        if self._temporary is not None:
            self._temporary.discard()


@contextmanager
def staging(output: Output) -> Iterator[Staged]:
    """For a file that must be whole before something else is done, and put in place
    after it: ``with staging(out) as staged: ...; staged.write(text); <commit>``. When
    the block fails, the staged file is removed and the old one is left as it was."""
    if output.kind == "stdout":
        raise InvalidInput(output.field, NOT_STANDARD_OUTPUT, output.given)
    if output.kind == "file":
        _remove_stale(output)
    staged = Staged(output)
    with _removed_on_signals():
        try:
            yield staged
            staged._finish()
        finally:
            staged._discard()


@dataclass
class _Temporary:
    output: Output
    path: Path

    @classmethod
    def beside(cls, output: Output) -> _Temporary:
        """A new, empty file with mode 0600 next to ``output``."""
        assert output.path is not None
        flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC
        for attempt in range(100):
            name = _TEMPORARY.format(name=output.path.name, pid=os.getpid(), attempt=attempt)
            candidate = output.path.with_name(name)
            if candidate in _MADE:
                continue  # this process's own, still in use
            # Counted as made before it exists: a signal between its creation and the
            # caller's cleanup still finds it (see ``_removed_on_signals``).
            _MADE.add(candidate)
            try:
                fd = os.open(candidate, flags, 0o600)
            except FileExistsError:
                _MADE.discard(candidate)
                continue
            except OSError as exc:
                _MADE.discard(candidate)
                raise _cannot_write(output, exc) from None
            os.close(fd)
            return cls(output, candidate)
        raise Unavailable(
            CANNOT_WRITE.format(path=output.given, reason="no temporary file name is free")
        )

    def put_in_place(self, *, private: bool) -> None:
        destination = self.output.path
        assert destination is not None
        _sync(self.path)
        if not private:
            os.chmod(self.path, _mode_for(destination))
        if self.output.exists_refused is not None:
            try:
                # A hard link fails if the file appeared meanwhile: never replace it.
                os.link(self.path, destination)
            except FileExistsError:
                raise InvalidInput(
                    self.output.field, self.output.exists_refused, self.output.given
                ) from None
        else:
            os.replace(self.path, destination)
        _MADE.discard(self.path)
        _sync_folder(destination.parent)

    def discard(self) -> None:
        _discard(self.path)


def _discard(path: Path) -> None:
    """Remove a temporary file of this process, with its sidecars."""
    for leftover in (path, *_sidecars(path)):
        with suppress(FileNotFoundError):
            leftover.unlink()
    _MADE.discard(path)


@contextmanager
def _opened_stream(output: Output) -> Iterator[BinaryIO]:
    """The pipe or device ``output`` names, opened for writing: nothing is created or
    truncated, and a regular file found there now (swapped in since the check) is
    refused."""
    assert output.path is not None
    try:
        fd = os.open(output.path, os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        raise _cannot_write(output, exc) from None
    if not _is_stream(os.fstat(fd)):
        os.close(fd)
        raise InvalidInput(output.field, WRITABLE, output.given)
    with os.fdopen(fd, "wb") as raw:
        yield raw


def _cannot_write(output: Output, exc: OSError) -> Unavailable:
    return Unavailable(CANNOT_WRITE.format(path=output.given, reason=exc.strerror))


def _mode_for(path: Path) -> int:
    """The permissions ``path`` has, or those a new file gets (the temporary file is
    created private; the file it becomes must not be)."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _sidecars(path: Path) -> tuple[Path, ...]:
    return tuple(path.with_name(path.name + suffix) for suffix in SIDECARS)


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- signals and leftovers ------------------------------------------------------------


@contextmanager
def _removed_on_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP raise Terminated while the block runs (see the module's
    docstring); a second signal during the cleanup is ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: FrameType | None) -> None:
        for number in SIGNALS:
            signal.signal(number, signal.SIG_IGN)
        raise Terminated(signum)

    previous = {number: signal.signal(number, stop) for number in SIGNALS}
    try:
        yield
    except Terminated:
        # Also what a signal caught between a file's creation and its owner's cleanup.
        for path in list(_MADE):
            _discard(path)
        raise
    finally:
        for number, handler in previous.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)


def _remove_stale(output: Output) -> None:
    """Remove the temporary files for ``output`` that a process killed outright left."""
    assert output.path is not None
    prefix = re.escape(_TEMPORARY.split("{pid}")[0].format(name=output.path.name))
    pattern = re.compile(rf"{prefix}(\d+)-\d+\.part(?:-journal|-wal|-shm)?")
    try:
        entries = list(os.scandir(output.path.parent))
    except OSError:
        return
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None or _running(int(match.group(1))):
            continue
        try:
            found = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if (
            stat.S_ISREG(found.st_mode)
            and found.st_uid == os.geteuid()
            and found.st_mtime < _LOADED
        ):
            with suppress(OSError):
                os.unlink(entry.path)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    except (OverflowError, OSError):
        return False
    return True
