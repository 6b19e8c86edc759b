"""``tracker seed``, and what the export and import commands share."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO, NoReturn

import click

from cli import messages
from cli.app import CONTEXT_SETTINGS, main
from cli.context import App
from tracker.errors import InvalidInput, Unavailable

pass_app = click.make_pass_decorator(App)

DOCUMENT_FORMATS = ("json", "yaml")
EXTENSIONS = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}
STREAM_CHUNK = 1024 * 1024


@main.command("seed", context_settings=CONTEXT_SETTINGS)
@pass_app
def seed(app: App) -> None:
    """Load the bundled seed data: the 2025 Ukraine peace-process diplomacy, sourced.

    Running it again changes nothing; a newer tracker updates the records it corrects,
    but never a field you changed since it was seeded: it keeps yours and says so.

    Example: tracker seed
    """
    from tracker.loader import SINGULAR
    from tracker.seeding import seed as load_seeds

    with app.database().writing() as session:
        report = load_seeds(session)
    app.out.print(messages.LOADED.format(what="Seed data", **report.totals))
    for kept in report.kept:
        app.out.print(
            messages.KEPT_LINE.format(
                kind=SINGULAR[kept.section],
                uid=kept.uid,
                fields=", ".join(kept.fields),
            )
        )


def read_bytes(path: Path, limit: int) -> bytes:
    """The bytes of ``path``, at most ``limit`` of them; a missing or unreadable file is
    an operational error, a larger one bad input.

    A regular file is refused by its size before anything is read. A pipe or a device
    (``/dev/stdin``, ``<(...)``, ``/dev/zero``) is read in chunks up to the limit, and
    refused at its first NUL byte: no document or table holds one.
    """
    try:
        with path.open("rb") as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISREG(info.st_mode):
                if info.st_size > limit:
                    _too_large(path, limit, info.st_size)
                data = handle.read(limit + 1)  # + 1: a file that grew meanwhile
            else:
                data = _read_stream(handle, path, limit)
    except FileNotFoundError:
        raise Unavailable(messages.FILE_MISSING.format(path=path)) from None
    except OSError as exc:
        raise Unavailable(messages.FILE_UNREADABLE.format(path=path, reason=exc.strerror)) from None
    if len(data) > limit:
        _too_large(path, limit, None)
    return data


def _read_stream(handle: BinaryIO, path: Path, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = handle.read(min(STREAM_CHUNK, limit + 1 - size))
        if not chunk:
            break
        if b"\0" in chunk:
            raise InvalidInput(str(path), messages.NUL_IN_STREAM)
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _too_large(path: Path, limit: int, size: int | None) -> NoReturn:
    from tracker.limits import size_text

    found = size_text(size) if size is not None else None
    raise InvalidInput(
        str(path), messages.FILE_TOO_LARGE.format(limit=size_text(limit), found=found or "more")
    )


def read_text(path: Path, limit: int) -> str:
    """The UTF-8 text of ``path`` (a byte-order mark is dropped), read as
    ``read_bytes`` reads it."""
    try:
        return read_bytes(path, limit).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(str(path), "UTF-8 text") from None


def format_from_extension(path: Path | None) -> str | None:
    return EXTENSIONS.get(path.suffix.lower()) if path is not None else None
