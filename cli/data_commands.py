"""``tracker seed``, and what the export and import commands share."""

from __future__ import annotations

from pathlib import Path

import click

from cli import messages
from cli.app import CONTEXT_SETTINGS, main
from cli.context import App
from tracker.errors import InvalidInput, Unavailable

pass_app = click.make_pass_decorator(App)

DOCUMENT_FORMATS = ("json", "yaml")
EXTENSIONS = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}


@main.command("seed", context_settings=CONTEXT_SETTINGS)
@pass_app
def seed(app: App) -> None:
    """Load the bundled seed data: the 2025 Ukraine peace-process diplomacy, sourced.

    Running it again changes nothing; a newer tracker updates the records it corrects.

    Example: tracker seed
    """
    from tracker.document import LoadReport, load_document, seed_documents

    total = LoadReport()
    with app.database().writing() as session:
        for name, document in seed_documents():
            report = load_document(session, document, origin=f"seeds/{name}")
            for outcome in ("added", "updated", "unchanged"):
                getattr(total, outcome).update(getattr(report, outcome))
    app.out.print(messages.LOADED.format(what="Seed data", **total.totals))


def read_bytes(path: Path) -> bytes:
    """The bytes of ``path``; a missing or unreadable file is an operational error."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise Unavailable(messages.FILE_MISSING.format(path=path)) from None
    except OSError as exc:
        raise Unavailable(messages.FILE_UNREADABLE.format(path=path, reason=exc.strerror)) from None


def read_text(path: Path) -> str:
    """The UTF-8 text of ``path`` (a byte-order mark is dropped)."""
    try:
        return read_bytes(path).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(str(path), "UTF-8 text") from None


def format_from_extension(path: Path | None) -> str | None:
    return EXTENSIONS.get(path.suffix.lower()) if path is not None else None
