"""The domain's exceptions. The command line turns them into exit codes in one place.

Errors name the field at fault (``envoy``, ``date``, ``meetings[3].title``), never a
command-line option: the command line knows which option fills which field, and shows
that (``--envoy``) instead, through ``field``, which it may change before the message
is read.
"""

from __future__ import annotations

import reprlib
from collections.abc import Sequence


class TrackerError(Exception):
    """Base of every error the domain raises on purpose.

    ``exit_code`` is what the command line exits with: 2 for bad input (the user can
    fix the command), 1 for an operational failure (the database, a file).
    """

    exit_code = 2
    field: str | None = None

    def __str__(self) -> str:
        return self.message()

    def message(self) -> str:
        return super().__str__()


class InvalidInput(TrackerError):
    """A value the user gave does not fit its field."""

    def __init__(self, field: str, expected: str, got: object | None = None) -> None:
        self.field = field
        self.expected = expected
        self.got = got
        super().__init__(field, expected)

    def message(self) -> str:
        text = f"{self.field}: expected {self.expected}"
        if self.got is not None:
            text += f", got {_quote(self.got)}"
        return text


class NotFound(TrackerError):
    """A name or reference matched nothing; ``suggestions`` are the nearest names."""

    def __init__(
        self, kind: str, name: str, suggestions: Sequence[str] = (), *, field: str | None = None
    ) -> None:
        self.kind = kind
        self.name = name
        self.suggestions = list(suggestions)
        self.field = field or kind
        super().__init__(kind, name)

    def message(self) -> str:
        text = f"{self.field}: no {self.kind} named {_quote(self.name)}"
        if self.suggestions:
            text += "; did you mean " + ", ".join(_quote(s) for s in self.suggestions) + "?"
        return text


class Deleted(NotFound):
    """A reference to a record that was deleted (its id or uid is never reused)."""

    def __init__(self, kind: str, ref: str, label: str, *, field: str | None = None) -> None:
        self.label = label
        super().__init__(kind, ref, field=field)

    def message(self) -> str:
        return f"{self.field}: {self.kind} {self.name} ({self.label}) was deleted"


class Ambiguous(TrackerError):
    """A name matched more than one record; ``candidates`` describe each of them."""

    def __init__(
        self, kind: str, name: str, candidates: Sequence[str], *, field: str | None = None
    ) -> None:
        self.kind = kind
        self.name = name
        self.candidates = list(candidates)
        self.field = field or kind
        super().__init__(kind, name)

    def message(self) -> str:
        listed = "; ".join(self.candidates)
        return (
            f"{self.field}: {_quote(self.name)} matches {len(self.candidates)}"
            f" {self.kind} records: {listed}"
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
