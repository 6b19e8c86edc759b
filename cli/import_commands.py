"""``tracker import``: documents and tables in, all or nothing."""

from __future__ import annotations

import time
from contextlib import nullcontext
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import click

from cli import messages
from cli.app import CONTEXT_SETTINGS, fields_are, main
from cli.context import App
from cli.data_commands import EXTENSIONS, format_from_extension, read_bytes, read_text
from tracker.errors import InvalidInput
from tracker.importers.mapping import TableMapping
from tracker.importers.table import encoding_option
from tracker.limits import MAX_DOCUMENT_BYTES, MAX_TABLE_BYTES
from tracker.text import visible
from tracker.written import check_pattern

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rich.console import Console
    from rich.progress import Progress, TaskID

    from db.outputs import Output
    from tracker.importers.tabular import ImportReport, Reject
    from tracker.write.report import ChangeReport, NewName

pass_app = click.make_pass_decorator(App)

IMPORT_FORMATS = ("json", "yaml", "csv")
TABLE_EXTENSIONS = (".csv", ".tsv", ".tab")

IMPORT_FLAGS = {"mapping": "--map", "delimiter": "--delimiter"}

PROGRESS_DELAY = 0.5
"""Seconds before the progress bar appears: quick imports never show one."""


@main.command("import", context_settings=CONTEXT_SETTINGS)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(IMPORT_FORMATS),
    help="Input format (default: from the file's extension).",
)
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="COLUMN=FIELD",
    help="CSV: the field a column fills (repeatable), e.g. --map 'start date=start'.",
)
@click.option(
    "--mapping",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV: a YAML or JSON file of COLUMN: FIELD pairs (--map adds to it).",
)
@click.option(
    "--delimiter",
    metavar="CHAR",
    help="CSV: the field separator (default: comma, or what the header line uses).",
)
@click.option(
    "--dayfirst",
    "date_order",
    flag_value="dayfirst",
    help="CSV: numeric dates give the day first (02.12.2025 is 2 Dec 2025).",
)
@click.option(
    "--monthfirst",
    "date_order",
    flag_value="monthfirst",
    help="CSV: numeric dates give the month first (12/02/2025 is 2 Dec 2025).",
)
@click.option(
    "--date-format",
    metavar="PATTERN",
    help="CSV: read the dates with this strptime pattern, e.g. '%d.%m.%Y' (one without"
    " %d reads months).",
)
@click.option(
    "--encoding",
    metavar="NAME",
    help="CSV: the file's encoding when it is not UTF-8, e.g. cp1250 (default: UTF-8).",
)
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@click.option(
    "--report",
    "report_format",
    type=click.Choice(("text", "json")),
    default="text",
    show_default=True,
    help="CSV: how to print what the import did, would do, or why it was refused"
    " (json: one object, with every problem).",
)
@click.option(
    "--create",
    is_flag=True,
    help="Create the people and places the file names that are not in the registry.",
)
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="CSV: import the good rows and write the bad ones to a reject file.",
)
@click.option(
    "--rejects",
    type=click.Path(path_type=str),
    metavar="FILE",
    help="CSV: where --skip-invalid writes bad rows (default: FILE.rejects.csv); written "
    "whole before the import commits. Never the database, an input or a symbolic link.",
)
@pass_app
def import_(
    app: App,
    file: Path,
    fmt: str | None,
    maps: tuple[str, ...],
    mapping: Path | None,
    delimiter: str | None,
    date_order: str | None,
    date_format: str | None,
    encoding: str | None,
    dry_run: bool,
    report_format: str,
    create: bool,
    skip_invalid: bool,
    rejects: str | None,
) -> None:
    """Import a tracker/1 document (json or yaml) or a table (csv): all or nothing.

    Documents are matched by uid: a record already present is updated if it changed
    and left alone if not.

    A csv in the timeline-table layout (what 'tracker export --format csv' writes) is
    read as it is. Any other csv needs its columns mapped onto fields: traveller,
    traveller_role, start, end, date, country, city, venue, title, kind, counterparts,
    duration, outcome, summary, notes, source_url, source_title, publisher, uid. A
    column named like a field needs no mapping; other columns are ignored. A row with
    meeting fields (venue, title, kind, counterparts, duration, outcome, summary) is a
    meeting and its visit, else a visit. Names resolve as everywhere (any alias, a
    surname, a declined form); people and places not in the registry are listed, and
    created only with --create. A row that repeats a recorded meeting (same kind,
    overlapping dates, same venue or city, a shared envoy and counterpart) adds what it
    brings to it; a visit row joins its traveller's visit there on those dates.

    Dates may be EDTF or ISO, or written as people write them: 2 Dec 2025, 2–3 Dec 2025,
    Dec 2025, 2 grudnia 2025, 2 декабря 2025. A numeric date such as 12/02/2025 needs
    --dayfirst or --monthfirst (or date_order in the mapping file) unless only one
    reading is a date; --date-format gives a strptime pattern instead. No day is ever
    guessed: Dec 2025 stays a month.

    A file that is not UTF-8 is refused with the encoding it most likely is and the
    command that converts it; --encoding NAME (or encoding: in the mapping file) reads
    it as it is.

    Every row is checked, and every problem is reported at once, grouped by column:
    each bad value, how many rows have it and the first of them. A file with a bad row
    is not imported at all; with --skip-invalid the others are, and the bad rows go to
    a reject file. --dry-run reports the same; --report json prints it as JSON.

    Example: tracker import trips.csv --map 'start date=start' --map 'end date=end' --dry-run
    """
    fields_are(IMPORT_FLAGS)
    fmt = fmt or _format_of(file)
    if fmt is None:
        known = ", ".join(sorted([*EXTENSIONS, *TABLE_EXTENSIONS]))
        raise InvalidInput("--format", messages.FORMAT_UNKNOWN.format(known=known), file.name)
    if fmt != "csv":
        for option, given in (
            ("--map", maps),
            ("--mapping", mapping),
            ("--delimiter", delimiter),
            ("--dayfirst/--monthfirst", date_order),
            ("--date-format", date_format),
            ("--encoding", encoding),
            ("--report", report_format != "text"),
            ("--skip-invalid", skip_invalid),
            ("--rejects", rejects),
        ):
            if given:
                raise InvalidInput(option, messages.CSV_ONLY, f"{fmt} document {file}")
        if create:
            raise InvalidInput("--create", messages.CSV_ONLY, f"{fmt} document {file}")
        _import_document(app, file, fmt, dry_run)
        return
    settings = TableMapping(
        date_order=date_order,
        date_format=check_pattern(date_format, "--date-format"),
        encoding=encoding_option(encoding, "--encoding") if encoding is not None else None,
    )
    _import_table(
        app,
        file,
        maps,
        mapping,
        settings,
        delimiter,
        dry_run,
        create,
        skip_invalid,
        rejects,
        json_report=report_format == "json",
    )


def _format_of(file: Path) -> str | None:
    if file.suffix.lower() in TABLE_EXTENSIONS:
        return "csv"
    return format_from_extension(file)


def _import_document(app: App, file: Path, fmt: str, dry_run: bool) -> None:
    from tracker.document import SECTIONS, load_document, parse_document_text

    text = read_text(file, MAX_DOCUMENT_BYTES)
    document = parse_document_text(text, origin=str(file), kind=fmt)
    with app.database().writing(dry_run=dry_run) as session:
        report = load_document(session, document, origin=str(file))
    line = messages.DRY_RUN if dry_run else messages.LOADED
    _print_counts(app, line.format(what=visible(str(file)), **report.totals), report, SECTIONS)


def _import_table(
    app: App,
    file: Path,
    maps: tuple[str, ...],
    mapping_file: Path | None,
    settings: TableMapping,
    delimiter: str | None,
    dry_run: bool,
    create: bool,
    skip_invalid: bool,
    rejects: str | None,
    *,
    json_report: bool,
) -> None:
    from db.outputs import check_output, staging
    from tracker.importers.tabular import (
        NotUTF8,
        ProblemRows,
        UnknownNames,
        delimiter_option,
        import_csv,
        mapping_from_document,
        parse_map_options,
        rejects_csv,
    )

    if rejects is not None and not skip_invalid:
        raise InvalidInput("--rejects", "--skip-invalid as well (bad rows stop the import)")
    data_bytes = read_bytes(file, MAX_TABLE_BYTES)
    # Checked before anything is written (a dry run reports what the import would).
    reject_target = None
    if skip_invalid:
        reject_target = check_output(
            rejects if rejects is not None else f"{file}.rejects.csv",
            field="--rejects",
            database=app.database_file(),
            inputs=[file, mapping_file],
            stdout=False,
        )
    mapping = TableMapping()
    if mapping_file is not None:
        from tracker.document import parse_document_text  # only for a mapping file

        text = read_text(mapping_file, MAX_DOCUMENT_BYTES)
        data = parse_document_text(text, origin=str(mapping_file))
        mapping = mapping_from_document(data, str(mapping_file))
    mapping.columns.update(parse_map_options(maps))
    # The command line's settings win over the mapping file's.
    mapping.date_order = settings.date_order or mapping.date_order
    mapping.date_format = settings.date_format or mapping.date_format
    mapping.encoding = settings.encoding or mapping.encoding
    if delimiter is not None:
        delimiter = delimiter_option(delimiter)
    elif file.suffix.lower() in (".tsv", ".tab"):
        delimiter = "\t"
    database = app.database()
    # The reject file is written whole before the commit and put in place after it: if
    # it cannot be written, nothing is imported; if the import fails, it is not left.
    # A dry run takes a write transaction all the same (new ids are counted on from the
    # largest), and rolls it back; it writes no reject file.
    try:
        with (
            staging(reject_target) if reject_target and not dry_run else nullcontext() as staged,
            _ProgressBar(app.err) as progress,
            database.writing(dry_run=dry_run) as session,
        ):
            report = import_csv(
                session,
                data_bytes,
                origin=str(file),
                mapping=mapping,
                delimiter=delimiter,
                skip_invalid=skip_invalid,
                progress=progress,
                create=create,
            )
            if report.rejects and staged is not None:
                staged.write(rejects_csv(report))
    except UnknownNames as exc:
        if json_report:
            _print_json(app, file, exc.report, dry_run, refused=exc.names)
        else:
            app.out.print("\n".join(_new_name_line(messages.NEW_NAME, new) for new in exc.names))
        exc.expected += messages.CREATE_HINT
        raise
    except NotUTF8 as exc:
        if exc.encoding is not None:
            exc.expected += messages.ENCODING_HINT.format(encoding=exc.encoding)
        else:
            exc.expected += messages.NO_ENCODING_HINT
        raise
    except ProblemRows as exc:
        if json_report:
            _print_json(app, file, exc.report, dry_run, refused=exc.report.new_names)
        elif len(exc.report.rejects) > 1:  # one problem is all in the error line
            _print_problems(app, exc.report.rejects)
            if exc.report.new_names:
                names = exc.report.new_names
                app.out.print("\n".join(_new_name_line(messages.NEW_NAME, n) for n in names))
        if len(exc.report.rejects) > 1:
            exc.expected += messages.SKIP_HINT
        raise
    if json_report:
        _print_json(app, file, report, dry_run, rejects=reject_target)
        return
    _print_report(app, file, report, dry_run, reject_target)


def _new_name_line(line: str, new: NewName) -> str:
    hint = ""
    if new.suggestions:
        hint = messages.DID_YOU_MEAN.format(names=", ".join(repr(s) for s in new.suggestions))
    return line.format(kind=new.kind, name=repr(new.name), hint=hint)


def _print_counts(app: App, first: str, report: ChangeReport, sections: Sequence[str]) -> None:
    app.out.print(first)
    for section in sections:
        counts = {o: getattr(report, o)[section] for o in ("added", "updated", "unchanged")}
        if any(counts.values()):
            line = messages.SECTION_LINE.format(section=section, **counts)
            if report.matched[section]:
                line += messages.MATCHED.format(matched=report.matched[section])
            app.out.print(line)
    created = messages.WOULD_CREATE if first.startswith("Dry run") else messages.CREATED_NAME
    if report.new_names:
        # One print for them all: a big import may name thousands.
        app.out.print("\n".join(_new_name_line(created, new) for new in report.new_names))


def _print_report(
    app: App, file: Path, report: ImportReport, dry_run: bool, rejects: Output | None
) -> None:
    line = messages.DRY_RUN if dry_run else messages.LOADED
    _print_counts(
        app, line.format(what=visible(str(file)), **report.totals), report, report.SECTIONS
    )
    app.out.print(messages.ROWS_LINE.format(rows=report.rows, rejected=report.rejected))
    if report.ignored:
        app.out.print(messages.IGNORED_LINE.format(columns=visible(", ".join(report.ignored))))
    if report.rejects:
        _print_problems(app, report.rejects)
        if dry_run:
            app.out.print(messages.REJECTS_NOT_WRITTEN)
        elif rejects is not None:
            app.out.print(messages.REJECTS_WRITTEN.format(path=visible(rejects.given)))


def _plural(count: int, word: str) -> str:
    return word if count == 1 else f"{word}s"


def _print_problems(app: App, rejects: list[Reject]) -> None:
    """Every problem, grouped by column and what was expected: each bad value, how many
    rows have it, and the first of them."""
    from tracker.importers.tabular import group

    problems = group(rejects)
    columns = len({p.column for p in problems})
    count = len({r.row for r in rejects})
    lines = [
        messages.PROBLEMS_LINE.format(
            rows=count,
            row_word=_plural(count, "row"),
            columns=columns,
            column_word=_plural(columns, "column"),
        )
    ]
    for problem in problems:
        where = f'column "{problem.column}"' if problem.column else "row"
        lines.append(messages.PROBLEM_LINE.format(where=where, expected=problem.expected))
        for value in problem.values:
            rows = ", ".join(str(r) for r in value.first_rows)
            if value.rows > len(value.first_rows):
                rows += messages.MORE_ROWS
            line = messages.PROBLEM_VALUE if value.value is not None else messages.PROBLEM_NO_VALUE
            lines.append(
                line.format(
                    value=repr(value.value),
                    count=value.rows,
                    row_word=_plural(value.rows, "row"),
                    rows=rows,
                )
            )
    app.out.print("\n".join(visible(line) for line in lines))


def _print_json(
    app: App,
    file: Path,
    report: ImportReport,
    dry_run: bool,
    *,
    refused: Sequence[NewName] = (),
    rejects: Output | None = None,
) -> None:
    """The report as one JSON object: what was (or would be) done, every problem, and
    the names that are new."""
    import json

    from tracker.importers.tabular import group, problems_json

    imported = not dry_run and not refused and (not report.rejects or rejects is not None)
    document = {
        "file": str(file),
        "dry_run": dry_run,
        "imported": imported,
        "rows": report.rows,
        "rejected": report.rejected,
        "added": dict(report.added),
        "updated": dict(report.updated),
        "unchanged": dict(report.unchanged),
        "matched": dict(report.matched),
        "created": [
            {"kind": n.kind, "name": n.name} for n in (report.new_names if imported else [])
        ],
        "new_names": [
            {"kind": n.kind, "name": n.name, "suggestions": list(n.suggestions)} for n in refused
        ],
        "ignored_columns": report.ignored,
        "problems": problems_json(group(report.rejects)),
        "rejects_file": rejects.given if rejects is not None and not dry_run else None,
    }
    app.out.print(json.dumps(document, ensure_ascii=False, indent=2), markup=False, highlight=False)


class _ProgressBar:
    """Draws the importer's progress on stderr: on a terminal only, and only once an
    import has taken more than a moment."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.enabled = console.is_terminal
        self.started = time.monotonic()
        self.progress: Progress | None = None
        self.task: TaskID | None = None

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.progress is not None:
            self.progress.stop()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.progress is None:
            if time.monotonic() - self.started < PROGRESS_DELAY:
                return
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=self.console,
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task(stage, total=total)
        assert self.task is not None
        self.progress.update(self.task, description=stage, completed=done, total=total)
