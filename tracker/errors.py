"""The domain's exceptions. The command line turns them into exit codes in one place."""

from __future__ import annotations

import reprlib
from collections.abc import Sequence


class TrackerError(Exception):
    """Base of every error the domain raises on purpose.

    ``exit_code`` is what the command line exits with: 2 for bad input (the user can
    fix the command), 1 for an operational failure (the database, a file).
    """

    exit_code = 2


class InvalidInput(TrackerError):
    """A value the user gave does not fit its field."""

    def __init__(self, field: str, expected: str, got: object | None = None) -> None:
        self.field = field
        self.expected = expected
        self.got = got
        message = f"{field}: expected {expected}"
        if got is not None:
            message += f", got {_quote(got)}"
        super().__init__(message)


class NotFound(TrackerError):
    """A name or reference matched nothing; ``suggestions`` are the nearest names."""

    def __init__(
        self, kind: str, name: str, suggestions: Sequence[str] = (), *, field: str | None = None
    ) -> None:
        self.kind = kind
        self.name = name
        self.suggestions = list(suggestions)
        self.field = field or kind
        message = f"{self.field}: no {kind} named {_quote(name)}"
        if self.suggestions:
            message += "; did you mean " + ", ".join(_quote(s) for s in self.suggestions) + "?"
        super().__init__(message)


class Ambiguous(TrackerError):
    """A name matched more than one record; ``candidates`` describe each of them."""

    def __init__(
        self, kind: str, name: str, candidates: Sequence[str], *, field: str | None = None
    ) -> None:
        self.kind = kind
        self.name = name
        self.candidates = list(candidates)
        self.field = field or kind
        listed = "; ".join(self.candidates)
        super().__init__(
            f"{self.field}: {_quote(name)} matches {len(self.candidates)} {kind} records: {listed}"
        )


class Unavailable(TrackerError):
    """The database or a file cannot be used (exit status 1)."""

    exit_code = 1


def _quote(value: object) -> str:
    """Quote a user value for a one-line message, shortened and with controls made visible.

    A list or mapping is shown a few items and levels deep, never in full: formatting a
    whole value from a hostile file could take any time and memory.
    """
    text = _SHORT.repr(value) if isinstance(value, list | tuple | dict | set) else str(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return repr(text)


_SHORT = reprlib.Repr()
_SHORT.maxlevel = 3
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxdict = _SHORT.maxset = 4
_SHORT.maxstring = _SHORT.maxother = 40


class Terminated(BaseException):
    """The process was sent SIGTERM or SIGHUP while it had something to clean up.

    Raised by the signal handler that ``db.outputs`` installs while a temporary file
    exists, so that every ``finally`` block and context manager on the way up runs (the
    temporary file is removed, a transaction rolled back); the command line then ends
    the process by the same signal. A BaseException, so that no ``except Exception``
    stops it on the way.
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"terminated by signal {signum}")
