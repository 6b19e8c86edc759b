"""``tracker seed``, ``tracker export`` and ``tracker import``: data in and out."""

from __future__ import annotations

import sys
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


@main.command("export", context_settings=CONTEXT_SETTINGS)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(DOCUMENT_FORMATS),
    help="Output format (default: from the -o file's extension, else json).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
@pass_app
def export(app: App, fmt: str | None, output: Path | None) -> None:
    """Export the database as a tracker/1 document (json or yaml).

    The document is lossless: importing it into an empty database and exporting again
    gives the same text.

    Example: tracker export --format yaml -o timeline.yaml
    """
    from tracker.document import document_json, document_yaml, dump_document

    fmt = fmt or _format_from_extension(output) or "json"
    with app.database().reading() as session:
        document = dump_document(session)
    text = document_json(document) if fmt == "json" else document_yaml(document)
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise Unavailable(
            messages.FILE_UNREADABLE.format(path=output, reason=exc.strerror)
        ) from None
    app.err.print(messages.WROTE.format(what=f"a {fmt} document", path=output))


@main.command("import", context_settings=CONTEXT_SETTINGS)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(DOCUMENT_FORMATS),
    help="Input format (default: from the file's extension).",
)
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@pass_app
def import_(app: App, file: Path, fmt: str | None, dry_run: bool) -> None:
    """Import a tracker/1 document (json or yaml): all or nothing.

    Records are matched by uid: a record already present is updated if it changed and
    left alone if not. The first invalid record stops the import with its path in the
    document and the reason, and nothing is written.

    Example: tracker import --dry-run timeline.yaml
    """
    from tracker.document import SECTIONS, load_document, parse_document_text

    fmt = fmt or _format_from_extension(file)
    if fmt is None:
        raise InvalidInput(
            "--format", messages.FORMAT_UNKNOWN.format(known=", ".join(sorted(EXTENSIONS)))
        )
    text = read_text(file)
    document = parse_document_text(text, origin=str(file), kind=fmt)
    database = app.database()
    if dry_run:
        with database.reading() as session:
            report = load_document(session, document, origin=str(file))
            session.rollback()
        line = messages.DRY_RUN
    else:
        with database.writing() as session:
            report = load_document(session, document, origin=str(file))
        line = messages.LOADED
    app.out.print(line.format(what=str(file), **report.totals))
    for section in SECTIONS:
        counts = {o: getattr(report, o)[section] for o in ("added", "updated", "unchanged")}
        if any(counts.values()):
            app.out.print(messages.SECTION_LINE.format(section=section, **counts))


def read_text(path: Path) -> str:
    """The UTF-8 text of ``path`` (a byte-order mark is dropped)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise Unavailable(messages.FILE_MISSING.format(path=path)) from None
    except OSError as exc:
        raise Unavailable(messages.FILE_UNREADABLE.format(path=path, reason=exc.strerror)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(str(path), "UTF-8 text") from None


def _format_from_extension(path: Path | None) -> str | None:
    return EXTENSIONS.get(path.suffix.lower()) if path is not None else None
