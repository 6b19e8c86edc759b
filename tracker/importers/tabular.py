"""CSV import: the timeline table, and foreign tables through a column mapping.

Two layouts come in through one path:

- the **timeline table** (what ``tracker export --format csv`` writes: ``TIMELINE_KEYS``
  from :mod:`tracker.query`), recognised by its header;
- a **foreign table** (someone else's spreadsheet), whose columns are mapped onto
  ``FIELDS`` with ``--map COLUMN=FIELD`` or a mapping file; a column named exactly like
  a field needs no mapping, and unmapped columns are ignored (and reported once).

A row with no meeting field filled is a visit; a row with one is a meeting and its
visit. The import takes every decision from the write layer's rules (the name
resolver, source identity, the duplicate and visit rules: see
:mod:`tracker.importers.planner`), and only batches the SQL. People and places that
are not in the registry are listed and created only when the import may create them.

The modules, in the order an import runs: :mod:`~tracker.importers.table` reads the
file, :mod:`~tracker.importers.mapping` says which column fills which field,
:mod:`~tracker.importers.rows` checks each row's values,
:mod:`~tracker.importers.existing` loads what the rows may name or repeat,
:mod:`~tracker.importers.planner` decides, :mod:`~tracker.importers.bulk` writes. All
of it happens in the caller's transaction, so a bad row (or a refusal) leaves the
database as it was.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from tracker import countries, gazetteer
from tracker.collector import collector_paused
from tracker.errors import InvalidInput
from tracker.importers.bulk import BATCH, Writer
from tracker.importers.existing import Existing
from tracker.importers.mapping import (
    FIELDS,
    MEETING_FIELDS,
    TIMELINE_MAPPING,
    TableMapping,
    column_fields,
    mapping_from_document,
    parse_map_options,
)
from tracker.importers.plan import Progress
from tracker.importers.planner import Planner
from tracker.importers.problems import ProblemRows, Reject, group, problems_json
from tracker.importers.rows import Parsed, Parsers, RowError, RowErrors, parse_row
from tracker.importers.table import (
    NotUTF8,
    decode,
    delimiter_option,
    encoding_option,
    iter_table,
    read_table,
)
from tracker.importers.touched import reported
from tracker.write.report import ChangeReport, NewName

REJECT_COLUMNS = ("reject_row", "reject_column", "reject_reason")


# -- what an import did ---------------------------------------------------------------


@dataclass
class ImportReport(ChangeReport):
    """What an import did (or, in a dry run, would do)."""

    layout: str = "mapped"  # "timeline" or "mapped"
    rows: int = 0
    rejects: list[Reject] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)

    SECTIONS = ("people", "places", "sources", "visits", "meetings")

    @property
    def rejected(self) -> int:
        """How many rows were left out (a row may have several problems)."""
        return len({reject.row for reject in self.rejects})


class UnknownNames(InvalidInput):
    """An import names people or places that are not in the registry, and may not
    create them: ``names`` lists each (with the nearest known names); ``report`` is
    what the import would have done."""

    def __init__(self, field: str, names: list[NewName], report: ImportReport) -> None:
        self.names = names
        self.report = report
        people = sum(1 for n in names if n.kind == "person")
        places = len(names) - people
        counted = ", ".join(
            part
            for part in (
                f"{people} {'person is' if people == 1 else 'people are'} new" if people else "",
                f"{places} {'place is' if places == 1 else 'places are'} new" if places else "",
            )
            if part
        )
        super().__init__(field, f"known names ({counted})")


def rejects_csv(report: ImportReport) -> str:
    """The rejected rows as CSV: the file's own columns, then row number, column and
    reason (so the file can be fixed and imported again)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*report.header, *REJECT_COLUMNS])
    width = len(report.header)
    rows: dict[int, list[Reject]] = {}
    for reject in report.rejects:
        rows.setdefault(reject.row, []).append(reject)
    for number, problems in rows.items():  # one line a row, with each of its problems
        kept = next((r.values for r in problems if r.values), [])
        values = (kept + [""] * width)[:width]
        columns = "; ".join(dict.fromkeys(r.column or "" for r in problems))
        reasons = "; ".join(r.reason for r in problems)
        writer.writerow([*values, number, columns, reasons])
    return buffer.getvalue()


# -- the entry point ------------------------------------------------------------------


def import_csv(
    session: Session,
    data: bytes,
    *,
    origin: str,
    mapping: TableMapping | Mapping[str, str] | None = None,
    delimiter: str | None = None,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    create: bool = False,
) -> ImportReport:
    """Import CSV ``data`` (the bytes of a file) into the session; return what was done.

    Every row is checked. Bad rows raise ProblemRows (an InvalidInput naming the row,
    column and reason when there is one, listing them all in ``report.rejects``), unless
    ``skip_invalid``: then they are left out and listed in ``report.rejects``. People
    and places not in the registry raise UnknownNames (listing them all) unless
    ``create``; then they are created and listed in ``report.new_names`` (a country the
    country resolver knows is created without asking, and listed too). Nothing is
    committed here: the caller owns the transaction.
    """
    with collector_paused():
        return _import(session, data, origin, mapping, delimiter, skip_invalid, progress, create)


def _import(
    session: Session,
    data: bytes,
    origin: str,
    mapping: TableMapping | Mapping[str, str] | None,
    delimiter: str | None,
    skip_invalid: bool,
    progress: Progress | None,
    create: bool,
) -> ImportReport:
    if not isinstance(mapping, TableMapping):
        mapping = TableMapping(dict(mapping or {}))
    text = decode(data, origin, mapping.encoding)
    header, records = iter_table(text, origin, delimiter)
    layout, fields, ignored = column_fields(header, mapping.columns, origin)
    report = ImportReport(layout=layout, ignored=ignored, header=header)
    column_of = {target: header[index] for index, target in fields.items()}
    total = text.count("\n")  # about the number of records, for the progress bar
    now = datetime.now(UTC)

    def fail(number: int, values: list[str], exc: RowError) -> None:
        # Every problem is kept, so that all of them are reported at once; the values
        # only for the reject file (--skip-invalid).
        column = column_of.get(exc.field)
        if column is None and exc.field == "end":
            column = column_of.get("start")
        reason = InvalidInput("", exc.expected, exc.got).message()[2:]
        kept = values if skip_invalid else []
        report.rejects.append(Reject(number, column, reason, kept, exc.expected, exc.got))

    # The records are parsed as they are read and not kept (a rejected row's values
    # are read again at the end), so a big file is in memory once as text and once as
    # parsed rows, never also as lists of cells.
    country_at = next((i for i, target in fields.items() if target == "country"), None)
    unchecked: list[tuple[int, str]] = []
    parsers = Parsers(
        fields,
        date_order=mapping.date_order,
        date_format=mapping.date_format,
        values=mapping.values,
    )
    parsed: list[Parsed] = []
    for position, record in enumerate(records):
        number = position + 2
        if progress is not None and position % BATCH == 0:
            progress("checking", min(position, total), total)
        if not record or not "".join(record).strip():
            continue
        report.rows += 1
        try:
            parsed.append(parse_row(number, record, parsers))
        except RowErrors as exc:
            for error in exc.errors:
                fail(number, record, error)
            checked = any(error.field == "country" for error in exc.errors)
            if not checked and country_at is not None and country_at < len(record):
                # The country too (it is known only to the planner), so that a row's bad
                # country is not found only once its other problems are fixed.
                unchecked.append((number, record[country_at].strip()))

    # Only a reject file reads the rows again (for the values of rows rejected later):
    # else the text goes before the planning and the writing, whose peak is the import's.
    again = text if skip_invalid else None
    del text
    existing = Existing(session)
    existing.load_for(parsed)
    planner = Planner(existing, report, now)
    for number, country in unchecked:
        if country and not (parsers.values and "country" in parsers.values):
            try:
                planner.country(country)
            except RowError as exc:
                fail(number, [], exc)
    late: list[Reject] = []
    for position, row in enumerate(parsed):
        if progress is not None and position % BATCH == 0:
            progress("resolving", position, len(parsed))
        try:
            planner.add(row)
        except RowError as exc:
            fail(row.number, [], exc)
            late.append(report.rejects[-1])
        except RowErrors as exc:
            for error in exc.errors:
                fail(row.number, [], error)
                late.append(report.rejects[-1])
    del parsed
    if late and again is not None:
        wanted: dict[int, list[Reject]] = {}
        for reject in late:
            wanted.setdefault(reject.row, []).append(reject)
        for position, record in enumerate(iter_table(again, origin, delimiter)[1]):
            for reject in wanted.get(position + 2, ()):
                reject.values = record
    # A row's problems in the order of its columns (as the reject file lists them).
    place = {column: position for position, column in enumerate(header)}
    report.rejects.sort(key=lambda r: (r.row, place.get(r.column or "", -1)))
    if report.rejects and not skip_invalid:
        report.new_names = planner.refused() if not create else []
        raise ProblemRows(origin, report)
    new = [
        *planner.new_countries.values(),
        *planner.new_places.values(),
        *planner.new_people.values(),
    ]
    if (planner.new_places or planner.new_people) and not create:
        field_name = "traveller" if planner.new_people else "city"
        raise UnknownNames(field_name, planner.refused(), report)
    report.new_names = new
    # What the rules compared the rows with is not needed to write the plan, nor are
    # the cities and country names the rows were looked up in: their memory goes to the
    # writing (whose peak is the import's). The people's names stay: the list cells of
    # the new meetings name them.
    plan = planner.plan
    names = existing.people.names
    del planner, existing
    gazetteer.release()
    countries.release()
    with reported(session, plan, report) as touched:
        Writer(session, now, progress).write(plan, touched["meetings"], names)
    return report


__all__ = [
    "FIELDS",
    "MEETING_FIELDS",
    "TIMELINE_MAPPING",
    "ImportReport",
    "NotUTF8",
    "Parsed",
    "ProblemRows",
    "Reject",
    "TableMapping",
    "UnknownNames",
    "column_fields",
    "decode",
    "delimiter_option",
    "encoding_option",
    "group",
    "import_csv",
    "mapping_from_document",
    "parse_map_options",
    "problems_json",
    "read_table",
    "rejects_csv",
]
