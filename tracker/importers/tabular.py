"""CSV import: the timeline table, and foreign tables through a column mapping.

Two layouts come in through one path:

- the **timeline table** (what ``tracker export --format csv`` writes: ``TIMELINE_KEYS``
  from :mod:`tracker.query`), recognised by its header;
- a **foreign table** (someone else's spreadsheet), whose columns are mapped onto
  ``FIELDS`` with ``--map COLUMN=FIELD`` or a mapping file; a column named exactly like
  a field needs no mapping, and unmapped columns are ignored (and reported once).

A row with no meeting field filled is a visit; a row with one is a meeting and its
visit. Unknown people and places are created. Rows already present (the same uid, or
the same traveller, place and date) are not added again, so importing a file twice adds
nothing.

Speed is by design (issue 7): the file is parsed and validated in memory; people,
places, sources and the records the file may duplicate are loaded once into dicts (a
constant number of queries, never one per row); new rows are written with Core bulk
inserts in batches. All of it happens in the caller's transaction, so a bad row (or
``skip_invalid=False``) leaves the database as it was.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import secrets
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import chain
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from tracker.collector import collector_paused
from tracker.dates import EXAMPLES, When, parse_when
from tracker.durations import parse_duration
from tracker.errors import InvalidInput
from tracker.importers.countries import code_for_name, country_name, is_code
from tracker.models import (
    Meeting,
    MeetingSource,
    Participant,
    Person,
    PersonAlias,
    Place,
    PlaceAlias,
    Source,
    Visit,
    VisitSource,
    VisitTraveller,
)
from tracker.names import name_key as _name_key
from tracker.search import bulk_meeting_insert, restored_after
from tracker.vocab import (
    DurationQualifier,
    MeetingKind,
    MeetingStatus,
    Outcome,
    ParticipantRole,
    PlaceKind,
    choose,
)

# -- the fields -----------------------------------------------------------------------

FIELDS: dict[str, str] = {
    "traveller": "the envoy's name (several separated by ';'); created when unknown",
    "traveller_role": "the traveller's role on this visit (envoy, president, ...)",
    "start": "the visit's first day (EDTF or ISO)",
    "end": "the visit's last day (EDTF or ISO; may be empty)",
    "date": "a single EDTF date or interval, instead of start and end",
    "country": "destination country: a name or an ISO 3166-1 alpha-2 code",
    "city": "destination city (several separated by ';')",
    "venue": "the meeting's venue",
    "title": "the meeting's title",
    "kind": "the meeting's kind (" + ", ".join(m.value for m in MeetingKind) + ")",
    "counterparts": "the people met (separated by ';'); created when unknown",
    "duration": "the meeting's duration, such as 5h, ~3h or 5h+",
    "duration_minutes": "the meeting's duration in whole minutes",
    "duration_qualifier": "exact, about, at-least or at-most (with duration_minutes)",
    "outcome": "the meeting's outcome (" + ", ".join(o.value for o in Outcome) + ")",
    "summary": "the outcome's summary",
    "notes": "free text kept on the record",
    "source_url": "the row's source: its URL",
    "source_title": "the row's source: its title",
    "publisher": "the row's source: its publisher",
    "sources": "several sources separated by ';' (URLs, or publishers' names)",
    "uid": "a stable id from the other system (deduplication)",
}
"""Every field a column can map to, with what it fills."""

MEETING_FIELDS = (
    "venue",
    "title",
    "kind",
    "counterparts",
    "duration",
    "duration_minutes",
    "duration_qualifier",
    "outcome",
    "summary",
)
"""A row with any of these filled is a meeting (and its visit); without, a visit."""

TIMELINE_MAPPING: dict[str, str] = {
    "edtf": "date",
    "kind": "kind",
    "title": "title",
    "envoys": "traveller",
    "counterparts": "counterparts",
    "venue": "venue",
    "city": "city",
    "country": "country",
    "duration_minutes": "duration_minutes",
    "duration_qualifier": "duration_qualifier",
    "outcome": "outcome",
    "outcome_summary": "summary",
    "sources": "sources",
    "uid": "uid",
}
"""How the timeline table's columns map onto the fields (``date``, ``earliest`` and
``latest`` are derived from ``edtf`` and not read)."""

TIMELINE_DERIVED = ("date", "earliest", "latest")

BATCH = 5_000
"""Rows per bulk insert, and rows between two progress reports."""

IN_CHUNK = 500
"""Values per ``IN (...)`` list when looking up what the file names."""

SQLITE_CACHE_KIB = -256 * 1024
"""SQLite's page cache while an import writes (negative: KiB), 256 MiB at most."""

SQLITE_ROWS_PER_INSERT = 500
"""Rows per multi-row INSERT statement on SQLite (fewer when the columns times the
rows would pass the driver's limit on parameters)."""

SQLITE_MAX_VARIABLES = 999
"""Parameters per SQLite statement when the driver cannot say (its oldest limit)."""

SQLITE_REINDEX_FROM = 10_000
SQLITE_REINDEX_SHARE = 4
"""On SQLite, a table's secondary indexes are dropped before an insert of at least
``SQLITE_REINDEX_FROM`` rows that adds at least a ``1/SQLITE_REINDEX_SHARE`` of the rows
it holds, and created again after it: building an index from sorted entries is several
times faster than as many inserts at scattered places (``meeting_participant`` by
person, say)."""

REJECT_COLUMNS = ("reject_row", "reject_column", "reject_reason")

_UID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_MAX_TEXT = 100_000
_ROLE_LIMIT = 100

_KEYS: dict[str, str] = {}


def name_key(name: str) -> str:
    """``tracker.names.name_key``, remembered (a file repeats its names a lot)."""
    key = _KEYS.get(name)
    if key is None:
        if len(_KEYS) > 200_000:
            _KEYS.clear()
        key = _KEYS[name] = _name_key(name)
    return key


_UIDS: list[str] = []
_UIDS_AT_ONCE = 8_192


def new_uid() -> str:
    """A random uid like ``tracker.models.new_uid`` (128 bits, hex), made faster: drawn
    from the system's random source some thousands at a time, and handed out in
    descending order, so that the records of one import go into the ``uid`` indexes
    next to each other rather than at random places."""
    if not _UIDS:
        blob = secrets.token_hex(16 * _UIDS_AT_ONCE)
        _UIDS.extend(sorted(blob[i : i + 32] for i in range(0, len(blob), 32)))
    return _UIDS.pop()


_URL_RE = re.compile(r"https?://[^\s\x00-\x1f\x7f]{1,1992}", re.IGNORECASE)

_ALL_KINDS = tuple(kind.value for kind in PlaceKind)

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: what the importer has done so far."""


# -- what an import did ---------------------------------------------------------------


@dataclass
class Reject:
    """A row left out (``skip_invalid``): its number as a spreadsheet shows it (the
    header is row 1), the column at fault and the reason."""

    row: int
    column: str | None
    reason: str
    values: list[str]


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    layout: str = "mapped"  # "timeline" or "mapped"
    rows: int = 0
    added: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    rejects: list[Reject] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)

    SECTIONS = ("people", "places", "sources", "visits", "meetings")

    @property
    def totals(self) -> dict[str, int]:
        return {
            "added": sum(self.added.values()),
            "updated": sum(self.updated.values()),
            "unchanged": sum(self.unchanged.values()),
        }


def rejects_csv(report: ImportReport) -> str:
    """The rejected rows as CSV: the file's own columns, then row number, column and
    reason (so the file can be fixed and imported again)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*report.header, *REJECT_COLUMNS])
    width = len(report.header)
    for reject in report.rejects:
        values = (reject.values + [""] * width)[:width]
        writer.writerow([*values, reject.row, reject.column or "", reject.reason])
    return buffer.getvalue()


# -- reading the file -----------------------------------------------------------------


def decode(data: bytes, origin: str) -> str:
    """The text of a CSV file: UTF-8, with or without a byte-order mark."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InvalidInput(origin, "UTF-8 text, not UTF-16 (save the file as CSV UTF-8)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInput(
            origin,
            f"UTF-8 text; byte 0x{data[exc.start]:02x} on line {line} is not UTF-8"
            " (convert it, e.g. iconv -f WINDOWS-1252 -t UTF-8)",
        ) from None


def sniff_delimiter(text: str) -> str:
    """Comma, unless the header line has no comma but semicolons, tabs or bars."""
    first = text.split("\n", 1)[0]
    if "," in first:
        return ","
    counts = {mark: first.count(mark) for mark in (";", "\t", "|")}
    best = max(counts, key=lambda mark: counts[mark])
    return best if counts[best] else ","


def delimiter_option(value: str) -> str:
    """The delimiter ``--delimiter`` names: one character, or ``tab``/``\\t``."""
    if value.casefold() in ("tab", "\\t"):
        return "\t"
    if len(value) != 1 or value in '"\r\n' or value.isalnum():
        raise InvalidInput("--delimiter", "one character such as , ; | or 'tab'", value)
    return value


def read_table(text: str, origin: str, delimiter: str | None) -> tuple[list[str], list[list[str]]]:
    """The header and the records of CSV ``text`` (RFC 4180, quotes doubled)."""
    header, records = iter_table(text, origin, delimiter)
    return header, list(records)


def iter_table(
    text: str, origin: str, delimiter: str | None
) -> tuple[list[str], Iterator[list[str]]]:
    """The header of CSV ``text``, and its records one by one (so that a big file is
    never all in memory as lists of cells). The iterator raises InvalidInput at the
    first record that is not well-formed CSV or not as wide as the header."""
    sep = delimiter or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise InvalidInput(f"{origin}: row 1", f"well-formed CSV ({exc})") from None
    if header is None or not any(cell.strip() for cell in header):
        raise InvalidInput(origin, "a CSV file with a header row")
    width = len(header)

    def records() -> Iterator[list[str]]:
        row = 2
        try:
            for record in reader:
                if record and len(record) != width:
                    raise InvalidInput(
                        f"{origin}: row {row}",
                        f"{width} columns as in the header, got {len(record)}"
                        + ("" if delimiter else f" (delimiter {sep!r}; give --delimiter)"),
                    )
                yield record
                row += 1
        except csv.Error as exc:
            raise InvalidInput(f"{origin}: row {row}", f"well-formed CSV ({exc})") from None

    return [cell.strip() for cell in header], records()


# -- mappings -------------------------------------------------------------------------


def parse_map_options(items: Iterable[str]) -> dict[str, str]:
    """``COLUMN=FIELD`` pairs (``--map``) as a mapping."""
    mapping: dict[str, str] = {}
    for item in items:
        column, sep, target = item.rpartition("=")
        if not sep or not column.strip() or not target.strip():
            raise InvalidInput("--map", "COLUMN=FIELD, such as 'start date=start'", item)
        mapping[column.strip()] = _field_name(target, "--map")
    return mapping


def mapping_from_document(data: Mapping[str, Any], origin: str) -> dict[str, str]:
    """A mapping file's content (``COLUMN: FIELD`` pairs) as a mapping."""
    mapping: dict[str, str] = {}
    for column, target in data.items():
        if not isinstance(column, str) or not column.strip() or not isinstance(target, str):
            raise InvalidInput(f"{origin}: {column}", "COLUMN: FIELD pairs (text)", target)
        mapping[column.strip()] = _field_name(target, f"{origin}: {column}")
    return mapping


def _field_name(value: str, where: str) -> str:
    name = value.strip().casefold().replace(" ", "_").replace("-", "_")
    if name not in FIELDS:
        raise InvalidInput(where, "a field: " + ", ".join(FIELDS), value)
    return name


def _plain(column: str) -> str:
    return column.strip().casefold()


def column_fields(
    header: Sequence[str], mapping: Mapping[str, str], origin: str
) -> tuple[str, dict[int, str], list[str]]:
    """The layout, the field each column index fills, and the columns ignored."""
    plain = [_plain(c) for c in header]
    if not mapping and {"edtf", "title", "envoys", "uid"} <= set(plain):
        fields = {i: TIMELINE_MAPPING[c] for i, c in enumerate(plain) if c in TIMELINE_MAPPING}
        ignored = [
            header[i]
            for i, c in enumerate(plain)
            if c not in TIMELINE_MAPPING and c not in TIMELINE_DERIVED
        ]
        return "timeline", fields, ignored
    by_plain = {c: i for i, c in reversed(list(enumerate(plain)))}
    fields = {}
    for column, target in mapping.items():
        index = by_plain.get(_plain(column))
        if index is None:
            shown = ", ".join(repr(c) for c in header)
            raise InvalidInput("--map", f"a column of {origin} ({shown})", column)
        fields[index] = target
    for index, column in enumerate(plain):
        if index not in fields and column.replace(" ", "_") in FIELDS:
            fields[index] = column.replace(" ", "_")
    seen: dict[str, int] = {}
    for index, target in sorted(fields.items()):
        if target in seen:
            raise InvalidInput(
                "--map",
                f"one column per field; {header[seen[target]]!r} and {header[index]!r}"
                f" both fill {target}",
            )
        seen[target] = index
    if "date" in seen and ("start" in seen or "end" in seen):
        raise InvalidInput("--map", "either a date column or start and end columns, not both")
    if "end" in seen and "start" not in seen:
        raise InvalidInput("--map", "a start column to go with the end column")
    if "date" not in seen and "start" not in seen:
        raise InvalidInput(
            "--map", f"a column for start or date in {origin} (map one: --map 'COLUMN=start')"
        )
    if "traveller" not in seen and "counterparts" not in seen:
        raise InvalidInput(
            "--map", f"a column for traveller in {origin} (map one: --map 'COLUMN=traveller')"
        )
    ignored = [header[i] for i in range(len(header)) if i not in fields and header[i]]
    return "mapped", fields, ignored


# -- one row, parsed ------------------------------------------------------------------


class RowError(Exception):
    """A row's value that does not fit its field (internal; becomes InvalidInput or a
    Reject)."""

    def __init__(self, field_name: str, expected: str, got: str | None = None) -> None:
        super().__init__(expected)
        self.field = field_name
        self.expected = expected
        self.got = got


@dataclass(slots=True)
class Parsed:
    """A row turned into checked values (no database needed yet)."""

    number: int
    is_meeting: bool
    travellers: list[str]
    traveller_keys: list[str]
    role: str | None
    when: When
    day: When
    country: str | None  # as given
    cities: list[str]
    city_keys: list[str]
    venue: str | None
    venue_key: str
    title: str | None
    kind: str
    counterparts: list[str]
    counterpart_keys: list[str]
    minutes: int | None
    qualifier: str | None
    outcome: str
    summary: str | None
    notes: str | None
    sources: Sequence[tuple[str | None, str | None, str | None]]  # (url, publisher, title)
    uid: str
    given: frozenset[str]  # the fields the file has columns for


_MEETING_KIND = MeetingKind.MEETING.value
_CALL_KIND = MeetingKind.CALL.value
_UNKNOWN_OUTCOME = Outcome.UNKNOWN.value
_EXACT = DurationQualifier.EXACT.value
_HELD = MeetingStatus.HELD.value
_ENVOY = ParticipantRole.ENVOY.value
_HOST = ParticipantRole.HOST.value
_COUNTRY = PlaceKind.COUNTRY.value
_CITY = PlaceKind.CITY.value
_REGION = PlaceKind.REGION.value
_VENUE = PlaceKind.VENUE.value
_CITY_KINDS = (_CITY, _REGION)

_MEMO_LIMIT = 200_000
"""Entries a parser's cache holds before it starts again (bounds memory on huge files)."""

Source3 = tuple[str | None, str | None, str | None]


class _Fields:
    """Parsers for single values, with caches (files repeat names and dates a lot), and
    what every row of one file shares: which column fills which field."""

    def __init__(self, fields: Mapping[int, str] | None = None) -> None:
        self.dates: dict[str, When] = {}
        self.days: dict[str, When] = {}
        self.names: dict[str, tuple[str, str]] = {}
        self.sources: dict[str, tuple[Source3, ...]] = {}
        self.set_fields(fields or {})

    def set_fields(self, fields: Mapping[int, str]) -> None:
        self.pairs = tuple(fields.items())
        self.width = max(fields) + 1 if fields else 0
        self.targets = tuple(fields.values())
        indexes = tuple(fields)
        self.cells: Callable[[list[str]], tuple[str, ...]]
        if len(indexes) > 1:
            self.cells = itemgetter(*indexes)
        else:  # itemgetter of one index gives the value itself, not a tuple of one
            self.cells = lambda record: tuple(record[i] for i in indexes)
        self.given = frozenset(fields.values())
        self.meeting_fields = tuple(f for f in MEETING_FIELDS if f in self.given)

    def when(self, text: str, field_name: str) -> When:
        found = self.dates.get(text)
        if found is None:
            if text.casefold() in ("today", "yesterday"):
                raise RowError(field_name, EXAMPLES, text)
            try:
                found = parse_when(text, field=field_name)
            except InvalidInput as exc:
                raise RowError(field_name, exc.expected, text) from None
            if len(self.dates) > _MEMO_LIMIT:
                self.dates.clear()
            self.dates[text] = found
        return found

    def day(self, when: When) -> When:
        """``when`` without its time of day (the days a visit covers)."""
        if when.time is None:
            return when
        found = self.days.get(when.edtf)
        if found is None:
            found = self.days[when.edtf] = _day(when)
        return found

    def name(self, text: str, field_name: str) -> tuple[str, str]:
        """The display name and key of a person or place."""
        found = self.names.get(text)
        if found is None:
            clean = " ".join(text.split())
            key = name_key(clean)
            if not key:
                raise RowError(field_name, "a name with at least one letter or digit", text)
            if len(clean) > 200:
                raise RowError(field_name, "a name of at most 200 characters", text)
            if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") for ch in clean):
                raise RowError(field_name, "a name without control or invisible characters", text)
            found = (clean, key)
            if len(self.names) > _MEMO_LIMIT:
                self.names.clear()
            self.names[text] = found
        return found

    def source_list(self, text: str) -> tuple[Source3, ...]:
        """The sources a ``sources`` cell lists (URLs, or publishers' names)."""
        found = self.sources.get(text)
        if found is None:
            items: list[Source3] = []
            for item in _split(text):
                if item.lower().startswith(("http://", "https://")):
                    items.append((_url(item, "sources"), None, None))
                else:
                    items.append((None, _text(item, "sources", 300), None))
            found = tuple(items)
            if len(self.sources) > _MEMO_LIMIT:
                self.sources.clear()
            self.sources[text] = found
        return found


def _text(value: str, field_name: str, limit: int = _MAX_TEXT) -> str | None:
    if not value:
        return None
    if "\x00" in value:
        raise RowError(field_name, "text without NUL characters")
    if len(value) > limit:
        raise RowError(field_name, f"at most {limit} characters")
    return value


def _split(value: str) -> list[str]:
    if ";" not in value:
        value = value.strip()
        return [value] if value else []
    return [part for item in value.split(";") if (part := item.strip())]


def _day(when: When) -> When:
    if when.time is None:
        return when
    return parse_when(when.edtf.split("T", 1)[0])


def _url(value: str, field_name: str) -> str:
    if _URL_RE.fullmatch(value) is None:
        raise RowError(
            field_name, "an http:// or https:// URL without spaces (at most 2000 characters)", value
        )
    return value


def _title_key(title: str) -> str:
    return " ".join(title.casefold().split())


def derived_uid(kind: str, *parts: object) -> str:
    """A stable uid for a row without one, from what identifies it."""
    text = "\x1f".join(str(p) for p in parts)
    return f"{kind}-{hashlib.sha1(text.encode()).hexdigest()[:20]}"


def parse_row(number: int, record: list[str], parsers: _Fields) -> Parsed:
    """Check one record's values (its columns as ``parsers.set_fields`` was told); raise
    RowError naming the field at fault."""
    if len(record) >= parsers.width:
        get = dict(zip(parsers.targets, map(str.strip, parsers.cells(record)), strict=True))
    else:
        size = len(record)
        get = {t: record[i].strip() if i < size else "" for i, t in parsers.pairs}
    value = get.get
    is_meeting = False
    for name in parsers.meeting_fields:
        if get[name]:
            is_meeting = True
            break
    names = parsers.names

    travellers: list[str] = []
    keys: list[str] = []
    text = value("traveller")
    if text:
        for name in _split(text):
            display, key = names.get(name) or parsers.name(name, "traveller")
            if key not in keys:
                travellers.append(display)
                keys.append(key)
    counterparts: list[str] = []
    counterpart_keys: list[str] = []
    text = value("counterparts")
    if text:
        for name in _split(text):
            display, key = names.get(name) or parsers.name(name, "counterparts")
            if key not in keys and display not in counterparts:
                counterparts.append(display)
                counterpart_keys.append(key)
    if not travellers and not (is_meeting and counterparts):
        raise RowError("traveller", "a traveller's name")
    text = value("traveller_role")
    role = _text(text, "traveller_role", _ROLE_LIMIT) if text else None

    text = value("date")
    if text is not None:
        if not text:
            raise RowError("date", EXAMPLES)
        when = parsers.dates.get(text) or parsers.when(text, "date")
    else:
        start_text, end_text = value("start", ""), value("end", "")
        if not start_text:
            raise RowError("start", EXAMPLES)
        start = parsers.when(start_text, "start")
        when = start
        if end_text:
            end = parsers.when(end_text, "end")
            first, last = parsers.day(start), parsers.day(end)
            if "/" in first.edtf or "/" in last.edtf:
                raise RowError("end", "single dates in start and end", end_text)
            if last.edtf != first.edtf:
                if last.latest < first.earliest:
                    raise RowError("end", f"a date on or after the start ({start_text})", end_text)
                when = parsers.when(f"{first.edtf}/{last.edtf}", "end")
    day = when if when.time is None else parsers.day(when)

    country = value("country") or None
    if country is not None and country not in names:
        parsers.name(country, "country")
    text = value("city")
    cities: list[str] = []
    city_keys: list[str] = []
    if text:
        for name in _split(text):
            display, key = names.get(name) or parsers.name(name, "city")
            cities.append(display)
            city_keys.append(key)
    text = value("venue")
    venue: str | None = None
    venue_key = ""
    if text:
        venue, venue_key = names.get(text) or parsers.name(text, "venue")

    kind = _MEETING_KIND
    text = value("kind")
    if text:
        kind = _CHOICES.get((MeetingKind, text)) or _choice(MeetingKind, text, "kind")
    outcome = _UNKNOWN_OUTCOME
    text = value("outcome")
    if text:
        outcome = _CHOICES.get((Outcome, text)) or _choice(Outcome, text, "outcome")
    minutes: int | None = None
    qualifier: str | None = None
    text = value("duration")
    if text:
        try:
            amount, how = parse_duration(text, "duration")
        except InvalidInput as exc:
            raise RowError("duration", exc.expected, text) from None
        minutes, qualifier = amount, how.value
    text = value("duration_minutes")
    if text:
        if not (text.isascii() and text.isdigit()) or int(text) > 100_000:
            raise RowError("duration_minutes", "a whole number of minutes", text)
        minutes = int(text)
        qualifier = _EXACT
    text = value("duration_qualifier")
    if text:
        if minutes is None:
            raise RowError("duration_qualifier", "a duration to qualify (duration_minutes)")
        qualifier = _choice(DurationQualifier, text, "duration_qualifier")
    text = value("title")
    title = _text(text, "title", 500) if text else None
    if is_meeting and title is None:
        title = _derived_title(kind, counterparts, venue or (cities[0] if cities else country))

    text = value("sources")
    sources: Sequence[Source3] = (
        parsers.sources.get(text) or parsers.source_list(text) if text else ()
    )
    text = value("source_url")
    url = _url(text, "source_url") if text else None
    text = value("publisher")
    publisher = _text(text, "publisher", 300) if text else None
    text = value("source_title")
    source_title = _text(text, "source_title", 1000) if text else None
    if url or publisher or source_title:
        sources = [*sources, (url, publisher, source_title)]

    uid = value("uid", "")
    if uid:
        if not _UID.fullmatch(uid):
            raise RowError("uid", "1-64 letters, digits, '.', '_', ':' or '-'", uid)
    else:
        place = (country or "").casefold(), list(city_keys)
        if is_meeting:
            uid = derived_uid("meeting", keys, place, venue, when.edtf, _title_key(title or ""))
        else:
            uid = derived_uid("visit", keys, place, day.edtf)

    text = value("summary")
    summary = _text(text, "summary") if text else None
    text = value("notes")
    notes = _text(text, "notes") if text else None
    return Parsed(
        number,
        is_meeting,
        travellers,
        keys,
        role,
        when,
        day,
        country,
        cities,
        city_keys,
        venue,
        venue_key,
        title,
        kind,
        counterparts,
        counterpart_keys,
        minutes,
        qualifier,
        outcome,
        summary,
        notes,
        sources,
        uid,
        parsers.given,
    )


_CHOICES: dict[tuple[Any, str], str] = {}


def _choice(enum: Any, text: str, field_name: str) -> str:
    found = _CHOICES.get((enum, text))
    if found is None:
        try:
            found = str(choose(enum, text, field_name).value)
        except InvalidInput as exc:
            raise RowError(field_name, exc.expected, text) from None
        _CHOICES[(enum, text)] = found
    return found


def _derived_title(kind: str, counterparts: list[str], where: str | None) -> str:
    label = kind.replace("-", " ").capitalize()
    if counterparts:
        return f"{label} with {', '.join(counterparts)}"[:500]
    if where:
        return f"{label} in {where}"[:500]
    raise RowError("title", "a title (a row with meeting fields is a meeting)")


# -- what is in the database ----------------------------------------------------------


def _chunks(values: Sequence[Any], size: int = IN_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class Ref:
    """A record the import creates: its id is known once it is inserted."""

    __slots__ = ("id",)

    def __init__(self) -> None:
        self.id: int | None = None


Id = int | Ref


def _id(value: Id | None) -> int | None:
    if isinstance(value, Ref):
        return value.id
    return value


@dataclass
class _PlaceInfo:
    ref: Id
    name: str
    kind: str
    country: str | None
    parent: Id | None


@dataclass
class _VisitInfo:
    ref: Id
    destination: Id | None
    earliest: date
    latest: date
    travellers: list[Id]
    order: int = 0  # when it was registered: the first candidate wins


class _Index:
    """People, places, sources and the visits and meetings the file might repeat,
    loaded once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.people: dict[str, list[Id]] = {}
        self.person_country: dict[Id, str | None] = {}
        for pid, key, country in session.execute(select(Person.id, Person.key, Person.country)):
            self.people.setdefault(key, []).append(pid)
            self.person_country[pid] = country
        for pid, key in session.execute(select(PersonAlias.person_id, PersonAlias.key)):
            if pid not in self.people.setdefault(key, []):
                self.people[key].append(pid)
        self.places: dict[Id, _PlaceInfo] = {}
        self.place_keys: dict[str, list[Id]] = {}
        rows = session.execute(
            select(Place.id, Place.name, Place.key, Place.kind, Place.country, Place.parent_id)
        )
        for pid, name, key, kind, country, parent in rows:
            self.places[pid] = _PlaceInfo(pid, name, kind, country, parent)
            self.place_keys.setdefault(key, []).append(pid)
        for pid, key in session.execute(select(PlaceAlias.place_id, PlaceAlias.key)):
            if pid not in self.place_keys.setdefault(key, []):
                self.place_keys[key].append(pid)
        self.countries: dict[str, Id] = {}
        for place_id, info in self.places.items():
            if info.kind == PlaceKind.COUNTRY.value and info.country:
                self.countries.setdefault(info.country, place_id)
        self.by_url: dict[str, Id] = {}
        self.by_publisher: dict[tuple[str, str | None], Id] = {}
        self.meetings: dict[str, dict[str, Any]] = {}
        self.visits_by_uid: dict[str, dict[str, Any]] = {}
        self.visit_keys: dict[tuple[Id, Id | None, str], Id] = {}
        self.meeting_keys: set[tuple[Id | None, Id | None, str, str]] = set()
        self.visits_at: dict[Id | None, list[_VisitInfo]] = {}
        self._visit_count = 0
        # The same visits by destination and travellers, so that finding the visit a
        # meeting joins looks at that envoy's visits there, not every visit there.
        self.visits_led: dict[tuple[Id | None, tuple[Id, ...]], list[_VisitInfo]] = {}

    def add_visit(self, visit: _VisitInfo) -> None:
        """Register a visit (stored, or planned by this import) for ``_joinable``."""
        visit.order = self._visit_count
        self._visit_count += 1
        self.visits_at.setdefault(visit.destination, []).append(visit)
        key = (visit.destination, tuple(visit.travellers))
        self.visits_led.setdefault(key, []).append(visit)

    def load_for(self, rows: Sequence[Parsed]) -> None:
        """Load what the parsed rows may refer to or repeat (a few queries per
        ``IN_CHUNK`` values, never one per row)."""
        session = self.session
        # Nothing to look up in an empty table (the first import into a new database).
        sources = self._has_rows(Source.id)
        urls = sorted({s[0] for r in rows for s in r.sources if s[0]}) if sources else []
        for chunk in _chunks(urls):
            for sid, url in session.execute(
                select(Source.id, Source.url).where(Source.url.in_(chunk))
            ):
                if url is not None:
                    self.by_url.setdefault(url, sid)
        publishers = (
            sorted({s[1] for r in rows for s in r.sources if not s[0] and s[1]}) if sources else []
        )
        for chunk in _chunks(publishers):
            query = select(Source.id, Source.publisher, Source.title).where(
                Source.url.is_(None), Source.publisher.in_(chunk)
            )
            for sid, publisher, title in session.execute(query):
                if publisher is not None:
                    self.by_publisher.setdefault((publisher, title), sid)
        meeting_uids = (
            sorted({r.uid for r in rows if r.is_meeting}) if self._has_rows(Meeting.id) else []
        )
        columns = (
            Meeting.id,
            Meeting.uid,
            Meeting.kind,
            Meeting.title,
            Meeting.edtf,
            Meeting.duration_minutes,
            Meeting.duration_qualifier,
            Meeting.outcome,
            Meeting.outcome_summary,
            Meeting.notes,
        )
        for chunk in _chunks(meeting_uids):
            for found in session.execute(select(*columns).where(Meeting.uid.in_(chunk))):
                self.meetings[found.uid] = dict(found._mapping)
        visit_uids = (
            sorted({r.uid for r in rows if not r.is_meeting}) if self._has_rows(Visit.id) else []
        )
        visit_columns = (Visit.id, Visit.uid, Visit.edtf, Visit.notes)
        for chunk in _chunks(visit_uids):
            for visit in session.execute(select(*visit_columns).where(Visit.uid.in_(chunk))):
                self.visits_by_uid[visit.uid] = dict(visit._mapping)
        if not rows:
            return
        first = min(r.day.earliest for r in rows)
        last = max(r.day.latest for r in rows)
        self._load_visits(first, last)
        self._load_meetings(first, last)

    def _has_rows(self, column: Any) -> bool:
        return self.session.execute(select(column).limit(1)).first() is not None

    def _load_visits(self, first: date, last: date) -> None:
        query = (
            select(
                Visit.id,
                Visit.destination_id,
                Visit.edtf,
                Visit.earliest,
                Visit.latest,
                VisitTraveller.person_id,
            )
            .join(VisitTraveller, VisitTraveller.visit_id == Visit.id)
            .where(Visit.earliest <= last, Visit.latest >= first)
            .order_by(Visit.id, VisitTraveller.position, VisitTraveller.person_id)
        )
        current: _VisitInfo | None = None
        found: list[_VisitInfo] = []
        for vid, destination, edtf, earliest, latest, person in self.session.execute(query):
            if current is None or current.ref != vid:
                current = _VisitInfo(vid, destination, earliest, latest, [])
                found.append(current)
                self.visit_keys.setdefault((person, destination, edtf), vid)
            current.travellers.append(person)
        for visit in found:
            self.add_visit(visit)

    def _load_meetings(self, first: date, last: date) -> None:
        envoy = (
            select(Participant.person_id)
            .where(
                Participant.meeting_id == Meeting.id,
                Participant.role == ParticipantRole.ENVOY.value,
            )
            .order_by(Participant.position, Participant.person_id)
            .limit(1)
            .scalar_subquery()
        )
        traveller = (
            select(VisitTraveller.person_id)
            .where(VisitTraveller.visit_id == Meeting.visit_id)
            .order_by(VisitTraveller.position, VisitTraveller.person_id)
            .limit(1)
            .scalar_subquery()
        )
        destination = select(Visit.destination_id).where(Visit.id == Meeting.visit_id)
        query = select(
            func.coalesce(traveller, envoy),
            func.coalesce(Meeting.venue_id, destination.scalar_subquery()),
            Meeting.edtf,
            Meeting.title,
        ).where(Meeting.earliest <= last, Meeting.latest >= first)
        for person, place, edtf, title in self.session.execute(query):
            self.meeting_keys.add((person, place, edtf, _title_key(title)))


# -- the plan -------------------------------------------------------------------------


PERSON_COLUMNS = ("uid", "name", "key", "country")
PLACE_COLUMNS = ("uid", "name", "key", "kind", "country", "parent_id")
SOURCE_COLUMNS = ("uid", "url", "publisher", "title")
VISIT_COLUMNS = ("uid", "edtf", "earliest", "latest", "notes", "purpose", "destination_id")
MEETING_COLUMNS = (
    "uid",
    "kind",
    "title",
    "edtf",
    "earliest",
    "latest",
    "duration_minutes",
    "duration_qualifier",
    "outcome",
    "outcome_summary",
    "status",
    "notes",
    "visit_id",
    "venue_id",
)
TRAVELLER_COLUMNS = ("visit_id", "person_id", "role", "position")
VISIT_SOURCE_COLUMNS = ("visit_id", "source_id", "position")
PARTICIPANT_COLUMNS = ("meeting_id", "person_id", "side", "role", "position")
MEETING_SOURCE_COLUMNS = ("meeting_id", "source_id", "position")
"""The columns each table's planned rows fill, in the order of their values (a
record's id and timestamps are added when it is written; the last columns of places,
visits and meetings are filled from the references the plan keeps beside the values)."""


@dataclass
class _Plan:
    """The rows the import will insert or update, with references still to resolve.

    New records keep their values as tuples in the order of the ``*_COLUMNS`` above
    (not dicts: a big import plans hundreds of thousands of them)."""

    people: list[tuple[Ref, tuple[Any, ...]]] = field(default_factory=list)
    places: list[tuple[Ref, tuple[Any, ...], Id | None]] = field(default_factory=list)
    sources: list[tuple[Ref, tuple[Any, ...]]] = field(default_factory=list)
    visits: list[tuple[Ref, tuple[Any, ...], Id | None]] = field(default_factory=list)
    travellers: list[tuple[Id, Id, str | None, int]] = field(default_factory=list)
    visit_sources: list[tuple[Id, Id, int]] = field(default_factory=list)
    meetings: list[tuple[Ref, tuple[Any, ...], Id | None, Id | None]] = field(default_factory=list)
    participants: list[tuple[Id, Id, str | None, str | None, int]] = field(default_factory=list)
    meeting_sources: list[tuple[Id, Id, int]] = field(default_factory=list)
    meeting_updates: list[dict[str, Any]] = field(default_factory=list)
    visit_updates: list[dict[str, Any]] = field(default_factory=list)


class _Planner:
    """Turns parsed rows into a plan against the index; new records go into both."""

    def __init__(self, index: _Index, report: ImportReport, now: datetime) -> None:
        self.index = index
        self.report = report
        self.now = now
        self.plan = _Plan()
        self.file_uids: set[str] = set()
        self.source_refs: dict[tuple[str | None, str | None, str | None], Id] = {}
        self.found_places: dict[tuple[str, tuple[str, ...], str | None, Id | None], Id] = {}
        self.codes: dict[str, str] = {}
        self.named_countries: dict[tuple[str, str, Id | None], bool] = {}

    # People and places (lookups first, creation after the row is known to be good)

    def person(self, name: str, key: str, field_name: str) -> Id | None:
        found = self.index.people.get(key, [])
        if len(found) > 1:
            raise RowError(field_name, f"one person named {name!r}, found {len(found)}", name)
        return found[0] if found else None

    def new_person(self, name: str, key: str) -> Id:
        found = self.index.people.get(key)
        if found:
            return found[0]  # created by an earlier row of this file
        ref = Ref()
        self.plan.people.append((ref, (new_uid(), name, key, None)))
        self.index.people[key] = [ref]
        self.index.person_country[ref] = None
        self.report.added["people"] += 1
        return ref

    def country(self, text: str) -> tuple[str, Id | None]:
        """The ISO code ``text`` names and the existing country place, if any."""
        code = self.codes.get(text)
        if code is not None:
            return code, self.index.countries.get(code)
        value = text.strip()
        if len(value) == 2 and value.isascii() and value.isalpha() and is_code(value):
            code = self.codes[text] = value.upper()
        else:
            key = name_key(value)
            known = [
                p
                for p in self.index.place_keys.get(key, [])
                if self.index.places[p].kind == _COUNTRY and self.index.places[p].country
            ]
            codes = {self.index.places[p].country for p in known}
            if len(codes) == 1:
                code = codes.pop()
            elif not codes:
                code = code_for_name(value)
            if code is None:
                raise RowError(
                    "country", "a country's name or ISO 3166-1 alpha-2 code such as RU", text
                )
        return code, self.index.countries.get(code)

    def place(
        self, name: str, kinds: tuple[str, ...], country: str | None, parent: Id | None
    ) -> Id | None:
        """The existing place named ``name`` of one of ``kinds``, preferring those in
        ``country`` or under ``parent``; ``None`` when there is none."""
        memo = (name, kinds, country, parent)
        if memo in self.found_places:
            return self.found_places[memo]
        found = self._place(name, kinds, country, parent)
        if found is not None:  # a miss is not kept: the row goes on to create the place
            self.found_places[memo] = found
        return found

    def _place(
        self, name: str, kinds: tuple[str, ...], country: str | None, parent: Id | None
    ) -> Id | None:
        found = [
            p
            for p in self.index.place_keys.get(name_key(name), [])
            if self.index.places[p].kind in kinds
        ]
        if country is not None:
            found = [p for p in found if self._country_of(p) in (None, country)]
        if len(found) > 1 and parent is not None:
            under = [p for p in found if parent in self._chain(p)]
            found = under or found
        if len(found) > 1 and country is not None:
            same = [p for p in found if self._country_of(p) == country]
            found = same or found
        if len(found) > 1:
            names = "; ".join(
                f"{self.index.places[p].name} ({self._country_of(p) or 'no country'})"
                for p in found
            )
            raise RowError(
                "city" if "city" in kinds else "venue", f"one place, found {names}", name
            )
        return found[0] if found else None

    def _chain(self, place: Id) -> list[Id]:
        chain: list[Id] = []
        current: Id | None = place
        while current is not None and current not in chain and current in self.index.places:
            chain.append(current)
            current = self.index.places[current].parent
        return chain

    def _country_of(self, place: Id) -> str | None:
        for p in self._chain(place):
            if self.index.places[p].country:
                return self.index.places[p].country
        return None

    def new_place(self, name: str, kind: str, country: str | None, parent: Id | None) -> Ref:
        ref = Ref()
        key = name_key(name)
        self.plan.places.append((ref, (new_uid(), name, key, kind, country), parent))
        self.index.places[ref] = _PlaceInfo(ref, name, kind, country, parent)
        self.index.place_keys.setdefault(key, []).append(ref)
        if kind == _COUNTRY and country:
            self.index.countries.setdefault(country, ref)
        self.report.added["places"] += 1
        return ref

    def source(self, spec: tuple[str | None, str | None, str | None]) -> Id:
        url, publisher, title = spec
        known = self.source_refs.get(spec)
        if known is not None:
            return known
        existing: Id | None
        if url:
            existing = self.index.by_url.get(url)
        else:
            existing = self.index.by_publisher.get((publisher or "", title))
            if existing is None and publisher:
                existing = self.index.by_publisher.get((publisher, None))
        if existing is None:
            ref = Ref()
            self.plan.sources.append((ref, (new_uid(), url, publisher, title)))
            if url:
                self.index.by_url[url] = ref
            else:
                self.index.by_publisher[(publisher or "", title)] = ref
            self.report.added["sources"] += 1
            existing = ref
        self.source_refs[spec] = existing
        return existing

    # One row

    def _people(
        self, names: Sequence[str], keys: Sequence[str], field_name: str
    ) -> list[Id | None]:
        """The people ``names`` (with their ``keys``) name: the one known person of a
        key at once, else through ``person`` (which creates, or raises)."""
        index = self.index.people
        found: list[Id | None] = []
        for name, key in zip(names, keys, strict=True):
            known = index.get(key)
            found.append(
                known[0]
                if known is not None and len(known) == 1
                else self.person(name, key, field_name)
            )
        return found

    def add(self, row: Parsed) -> None:
        if row.uid in self.file_uids:
            raise RowError("uid", "a uid not used twice in one file", row.uid)
        # Look everything up first: a row that fails must leave nothing behind.
        travellers = self._people(row.travellers, row.traveller_keys, "traveller")
        counterparts = self._people(row.counterparts, row.counterpart_keys, "counterparts")
        code, country = self.country(row.country) if row.country else (None, None)
        multi = len(row.cities) > 1
        city_name = row.cities[0] if len(row.cities) == 1 else None
        city = self.place(city_name, _CITY_KINDS, code, country) if city_name else None
        venue: Id | None = None
        venue_is = None
        if row.venue is not None:
            vkey = row.venue_key
            if city_name is not None and vkey == row.city_keys[0]:
                venue_is = "city"
            elif code is not None and self._names_country(row.venue, vkey, code, country):
                venue_is = "country"
            else:
                venue = self.place(row.venue, _ALL_KINDS, code, city or country)

        if row.is_meeting:
            existing_meeting = self.index.meetings.get(row.uid)
            if existing_meeting is not None:
                self.file_uids.add(row.uid)
                self._update_meeting(existing_meeting, row)
                return
        else:
            existing_visit = self.index.visits_by_uid.get(row.uid)
            if existing_visit is not None:
                self.file_uids.add(row.uid)
                self._update_visit(existing_visit, row)
                return

        # Create what is missing, parents first.
        if code is not None and country is None:
            country = self.new_place(country_name(code) or code, _COUNTRY, code, None)
        if city_name is not None and city is None:
            city = self.new_place(city_name, _CITY, code, country)
        if venue_is == "city":
            venue = city
        elif venue_is == "country":
            venue = country
        elif row.venue is not None and venue is None:
            venue = self.new_place(row.venue, _VENUE, code, city or country)
        people = [
            t if t is not None else self.new_person(n, k)
            for t, n, k in zip(travellers, row.travellers, row.traveller_keys, strict=True)
        ]
        others = [
            c if c is not None else self.new_person(n, k)
            for c, n, k in zip(counterparts, row.counterparts, row.counterpart_keys, strict=True)
        ]
        destination = city if city is not None else country
        if destination is None and venue is not None:
            destination = self._city_or_self(venue)
        notes = row.notes
        if multi:
            notes = "; ".join(filter(None, ["Cities: " + "; ".join(row.cities), notes]))
        self.file_uids.add(row.uid)
        if row.is_meeting:
            self._meeting(
                row,
                people,
                others,
                venue if venue is not None else destination,
                destination,
                code,
                notes,
            )
        else:
            self._visit(row, people, destination, notes)

    def _names_country(self, name: str, key: str, code: str, country: Id | None) -> bool:
        memo = (key, code, country)
        found = self.named_countries.get(memo)
        if found is None:
            found = code_for_name(name) == code or (
                country is not None and name_key(self.index.places[country].name) == key
            )
            self.named_countries[memo] = found
        return found

    def _city_or_self(self, place: Id) -> Id:
        for p in self._chain(place):
            if self.index.places[p].kind == _CITY:
                return p
        return place

    def _visit(
        self, row: Parsed, people: list[Id], destination: Id | None, notes: str | None
    ) -> None:
        key = (people[0], destination, row.day.edtf)
        if key in self.index.visit_keys:
            self.report.unchanged["visits"] += 1
            return
        self.index.visit_keys[key] = self._plan_visit(
            row, people, destination, uid=row.uid, notes=notes, role=row.role
        )

    def _plan_visit(
        self,
        row: Parsed,
        people: list[Id],
        destination: Id | None,
        *,
        uid: str,
        notes: str | None,
        role: str | None,
    ) -> Ref:
        """Plan a new visit of ``people`` to ``destination`` on the row's days."""
        ref = Ref()
        day = row.day
        plan = self.plan
        plan.visits.append(
            (ref, (uid, day.edtf, day.earliest, day.latest, notes, None), destination)
        )
        self.index.add_visit(_VisitInfo(ref, destination, day.earliest, day.latest, list(people)))
        travellers = plan.travellers
        for position, person in enumerate(people):
            travellers.append((ref, person, role, position))
        if row.sources:
            source = self.source
            links = plan.visit_sources
            for position, spec in enumerate(dict.fromkeys(row.sources)):
                links.append((ref, source(spec), position))
        self.report.added["visits"] += 1
        return ref

    def _meeting(
        self,
        row: Parsed,
        people: list[Id],
        others: list[Id],
        place: Id | None,
        destination: Id | None,
        code: str | None,
        notes: str | None,
    ) -> None:
        assert row.title is not None
        key = (people[0] if people else None, place, row.when.edtf, _title_key(row.title))
        meeting_keys = self.index.meeting_keys
        if key in meeting_keys:
            self.report.unchanged["meetings"] += 1
            return
        meeting_keys.add(key)
        visit: Id | None = None
        if people and destination is not None and row.kind != _CALL_KIND:
            joined = self._joinable(people, destination, row.day)
            if joined is not None:
                visit = joined.ref
            else:
                visit = self._plan_visit(
                    row,
                    people,
                    destination,
                    uid=new_uid(),
                    notes=None,
                    role=row.role or _ENVOY,
                )
        ref = Ref()
        when = row.when
        values = (
            row.uid,
            row.kind,
            row.title,
            when.edtf,
            when.earliest,
            when.latest,
            row.minutes,
            row.qualifier,
            row.outcome,
            row.summary,
            _HELD,
            notes,
        )
        # Without a visit, the meeting keeps its place itself.
        venue = place if row.venue is not None or visit is None else None
        plan = self.plan
        plan.meetings.append((ref, values, visit, venue))
        participants = plan.participants
        sides = self.index.person_country
        position = 0
        for person in people:
            participants.append((ref, person, sides.get(person), _ENVOY, position))
            position += 1
        for person in others:
            if person in people:
                continue
            side = sides.get(person)
            participants.append(
                (ref, person, side, _HOST if side and side == code else None, position)
            )
            position += 1
        if row.sources:
            source = self.source
            links = plan.meeting_sources
            for index, spec in enumerate(dict.fromkeys(row.sources)):
                links.append((ref, source(spec), index))
        self.report.added["meetings"] += 1

    def _joinable(self, people: list[Id], destination: Id, day: When) -> _VisitInfo | None:
        """A visit to ``destination`` overlapping ``day`` whose travellers lead the
        row's envoys in the same order (so the timeline shows the same envoys); the
        first registered of them when several are."""
        best: _VisitInfo | None = None
        for lead in range(len(people) + 1):
            key = (destination, tuple(people[:lead]))
            for visit in self.index.visits_led.get(key, ()):
                if visit.earliest <= day.latest and visit.latest >= day.earliest:
                    if best is None or visit.order < best.order:
                        best = visit
                    break  # each list is in order of registration
        return best

    def _update_meeting(self, stored: dict[str, Any], row: Parsed) -> None:
        wanted: dict[str, Any] = {"edtf": row.when.edtf}
        if "kind" in row.given:
            wanted["kind"] = row.kind
        if "title" in row.given and row.title:
            wanted["title"] = row.title
        if row.given & {"duration", "duration_minutes"}:
            wanted["duration_minutes"] = row.minutes
            wanted["duration_qualifier"] = row.qualifier
        if "outcome" in row.given:
            wanted["outcome"] = row.outcome
        if "summary" in row.given:
            wanted["outcome_summary"] = row.summary
        if "notes" in row.given:
            wanted["notes"] = row.notes
        changed = {k: v for k, v in wanted.items() if stored[k] != v}
        if not changed:
            self.report.unchanged["meetings"] += 1
            return
        values = {
            "b_id": stored["id"],
            "kind": stored["kind"],
            "title": stored["title"],
            "edtf": stored["edtf"],
            "duration_minutes": stored["duration_minutes"],
            "duration_qualifier": stored["duration_qualifier"],
            "outcome": stored["outcome"],
            "outcome_summary": stored["outcome_summary"],
            "notes": stored["notes"],
            **changed,
        }
        when = parse_when(values["edtf"])
        values["earliest"], values["latest"] = when.earliest, when.latest
        values["updated_at"] = self.now
        self.plan.meeting_updates.append(values)
        self.report.updated["meetings"] += 1

    def _update_visit(self, stored: dict[str, Any], row: Parsed) -> None:
        wanted: dict[str, Any] = {"edtf": row.day.edtf}
        if "notes" in row.given:
            wanted["notes"] = row.notes
        changed = {k: v for k, v in wanted.items() if stored[k] != v}
        if not changed:
            self.report.unchanged["visits"] += 1
            return
        values = {"b_id": stored["id"], "edtf": stored["edtf"], "notes": stored["notes"], **changed}
        when = parse_when(values["edtf"])
        values["earliest"], values["latest"] = when.earliest, when.latest
        values["updated_at"] = self.now
        self.plan.visit_updates.append(values)
        self.report.updated["visits"] += 1


# -- writing --------------------------------------------------------------------------


class _Writer:
    """Bulk inserts, in batches.

    New ids: on PostgreSQL the sequences hand them out (``INSERT ... RETURNING id``
    through SQLAlchemy Core, batched, in parameter order). On SQLite, where ordered
    RETURNING falls back to one statement per row, they are counted on from
    ``max(id)``: safe because the import runs in a write transaction (``BEGIN
    IMMEDIATE``), so no other writer can take them in between.

    On SQLite the rows go to the driver as multi-row ``INSERT ... VALUES (...), (...)``
    statements of a few hundred rows: SQLite builds the lookup table of a CHECK's ``IN
    (...)`` list (``kind``, ``outcome``, ``role``...) once per statement it runs, so one
    statement per row (``executemany``) spends most of its time rebuilding them. Each
    value is first converted by its column type's bind processor for the dialect, as a
    Core insert would (once per distinct value: dates and timestamps repeat).
    """

    def __init__(self, session: Session, now: datetime, progress: Progress | None) -> None:
        self.session = session
        self.now = now
        self.progress = progress
        self.done = 0
        self.total = 0
        self.shown = 0
        self.count_ids = session.get_bind().dialect.name == "sqlite"

    def insert_records(self, table: Table, items: _Records) -> None:
        """Insert rows of a table with an id, uid and timestamps; fill in their refs."""
        if not items.rows:
            return
        connection = self.session.connection()
        columns = items.columns
        if self.count_ids:
            first = (connection.execute(select(func.max(table.c.id))).scalar() or 0) + 1
            numbers = range(first, first + len(items.refs))
            for ref, new_id in zip(items.refs, numbers, strict=True):
                ref.id = new_id
            now = self.now
            rows = [
                (new_id, *row, now, now) for new_id, row in zip(numbers, items.rows, strict=True)
            ]
            self.insert_rows(table, ("id", *columns, "created_at", "updated_at"), rows)
            return
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        stamps = {"created_at": self.now, "updated_at": self.now}
        for start in range(0, len(items.rows), BATCH):
            chunk = items.rows[start : start + BATCH]
            ids = connection.execute(
                statement, [{**dict(zip(columns, row, strict=True)), **stamps} for row in chunk]
            ).scalars()
            for ref, new_id in zip(items.refs[start : start + BATCH], ids, strict=True):
                ref.id = new_id
            self._advance(len(chunk))

    def insert_rows(
        self, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        """Insert ``rows``, tuples of values for ``columns`` (resolved: no refs)."""
        if not rows:
            return
        if self.count_ids and self._insert_sqlite(table, columns, rows):
            return
        connection = self.session.connection()
        statement = insert(table)
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            connection.execute(statement, [dict(zip(columns, row, strict=True)) for row in chunk])
            self._advance(len(chunk))

    def _insert_sqlite(
        self, table: Table, keys: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> bool:
        """SQLite: the rows as multi-row INSERTs through the driver (see the class).
        ``False`` (nothing done) when a column left out has a Python-side default: the
        Core insert then fills it in."""
        if any(c.default is not None for c in table.columns if c.key not in keys):
            return False
        connection = self.session.connection()
        dialect = connection.dialect
        columns = [table.columns[key] for key in keys]
        processors = [
            (position, processor)
            for position, c in enumerate(columns)
            if (processor := c.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        ]
        if processors:
            values = list(zip(*rows, strict=True))
            for position, processor in processors:
                column = values[position]
                stored = {v: processor(v) for v in set(column) if v is not None}
                values[position] = tuple(map(stored.get, column, column))
            rows = list(zip(*values, strict=True))
        width = len(columns)
        driver = connection.connection.driver_connection
        limit = SQLITE_MAX_VARIABLES
        with suppress(AttributeError, sqlite3.Error):
            limit = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)  # type: ignore[union-attr]
        per = max(1, min(SQLITE_ROWS_PER_INSERT, limit // width))
        quote = dialect.identifier_preparer.quote
        head = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(c.name) for c in columns)}) VALUES "
        )
        one = "(" + ", ".join("?" * width) + ")"
        full = head + ", ".join([one] * per)
        cursor = driver.cursor()  # type: ignore[union-attr]
        flat = chain.from_iterable
        try:
            with _indexes_deferred(connection, table.name, len(rows)):
                for start in range(0, len(rows), per):
                    chunk = rows[start : start + per]
                    sql = full if len(chunk) == per else head + ", ".join([one] * len(chunk))
                    cursor.execute(sql, list(flat(chunk)))
                    self._advance(len(chunk))
        finally:
            cursor.close()
        return True

    def update_rows(self, table: Table, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        statement = update(table).where(table.c.id == bindparam("b_id"))
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            self.session.connection().execute(statement, chunk)
            self._advance(len(chunk))

    def _advance(self, count: int) -> None:
        self.done += count
        if self.progress is not None and self.done - self.shown >= BATCH:
            self.shown = self.done
            self.progress("writing", min(self.done, self.total), self.total)

    def write(self, plan: _Plan) -> None:
        if not self.count_ids:
            self._write(plan)
            return
        # SQLite: a page cache large enough for the indexes a big import touches (the
        # default 2 MiB makes every index insert a read), for this import only.
        connection = self.session.connection()
        before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
        connection.exec_driver_sql(f"PRAGMA cache_size = {SQLITE_CACHE_KIB}")
        try:
            self._write(plan)
        finally:
            connection.exec_driver_sql(f"PRAGMA cache_size = {int(before or -2000)}")

    def _write(self, plan: _Plan) -> None:
        self.total = sum(
            len(items)
            for items in (
                plan.people,
                plan.places,
                plan.sources,
                plan.visits,
                plan.travellers,
                plan.visit_sources,
                plan.meetings,
                plan.participants,
                plan.meeting_sources,
                plan.meeting_updates,
                plan.visit_updates,
            )
        )
        self.insert_records(
            Person.__table__,  # type: ignore[arg-type]
            _Records(PERSON_COLUMNS, [p[0] for p in plan.people], [p[1] for p in plan.people]),
        )
        # Places: parents before children (a parent is always planned before its child).
        pending = list(plan.places)
        while pending:
            ready = [p for p in pending if p[2] is None or _id(p[2]) is not None]
            self.insert_records(
                Place.__table__,  # type: ignore[arg-type]
                _Records(
                    PLACE_COLUMNS,
                    [ref for ref, _values, _parent in ready],
                    [(*values, _id(parent)) for _ref, values, parent in ready],
                ),
            )
            pending = [p for p in pending if p[0].id is None]
        self.insert_records(
            Source.__table__,  # type: ignore[arg-type]
            _Records(SOURCE_COLUMNS, [s[0] for s in plan.sources], [s[1] for s in plan.sources]),
        )
        self.insert_records(
            Visit.__table__,  # type: ignore[arg-type]
            _Records(
                VISIT_COLUMNS,
                [v[0] for v in plan.visits],
                [(*values, _id(d)) for _ref, values, d in plan.visits],
            ),
        )
        self.insert_rows(
            VisitTraveller.__table__,  # type: ignore[arg-type]
            TRAVELLER_COLUMNS,
            [(_id(v), _id(p), role, pos) for v, p, role, pos in plan.travellers],
        )
        self.insert_rows(
            VisitSource.__table__,  # type: ignore[arg-type]
            VISIT_SOURCE_COLUMNS,
            [(_id(v), _id(s), pos) for v, s, pos in plan.visit_sources],
        )
        with bulk_meeting_insert(self.session.connection(), len(plan.meetings)):
            self.insert_records(
                Meeting.__table__,  # type: ignore[arg-type]
                _Records(
                    MEETING_COLUMNS,
                    [m[0] for m in plan.meetings],
                    [
                        (
                            *values,
                            visit.id if visit.__class__ is Ref else visit,
                            venue.id if venue.__class__ is Ref else venue,
                        )
                        for _ref, values, visit, venue in plan.meetings
                    ],
                ),
            )
        self.insert_rows(
            Participant.__table__,  # type: ignore[arg-type]
            PARTICIPANT_COLUMNS,
            [
                (
                    m.id if m.__class__ is Ref else m,
                    p.id if p.__class__ is Ref else p,
                    side,
                    role,
                    position,
                )
                for m, p, side, role, position in plan.participants
            ],
        )
        self.insert_rows(
            MeetingSource.__table__,  # type: ignore[arg-type]
            MEETING_SOURCE_COLUMNS,
            [
                (m.id if m.__class__ is Ref else m, s.id if s.__class__ is Ref else s, position)
                for m, s, position in plan.meeting_sources
            ],
        )
        self.update_rows(Meeting.__table__, plan.meeting_updates)  # type: ignore[arg-type]
        self.update_rows(Visit.__table__, plan.visit_updates)  # type: ignore[arg-type]


@contextmanager
def _indexes_deferred(connection: Connection, table: str, count: int) -> Iterator[None]:
    """SQLite: around an insert of ``count`` rows into ``table``, its secondary indexes
    (not the unique ones, which check the rows as they come) dropped, and created again
    after from the text SQLite stored for them, when the insert is large enough (see
    ``SQLITE_REINDEX_SHARE``). All in the caller's transaction: a rollback restores them
    with everything else, and no other connection ever sees the table without them."""
    if count < SQLITE_REINDEX_FROM:
        yield
        return
    quote = connection.dialect.identifier_preparer.quote
    stored = connection.exec_driver_sql(f"SELECT count(*) FROM {quote(table)}").scalar() or 0
    if count * SQLITE_REINDEX_SHARE < stored:
        yield
        return
    found = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master"
        " WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        (table,),
    ).all()
    indexes = [
        (name, sql) for name, sql in found if not sql.lstrip().upper().startswith("CREATE UNIQUE")
    ]
    for name, _sql in indexes:
        connection.exec_driver_sql(f"DROP INDEX {quote(name)}")

    def restore() -> None:
        for _name, sql in indexes:
            connection.exec_driver_sql(sql)

    with restored_after(restore):
        yield


@dataclass
class _Records:
    """New records of one table for ``_Writer.insert_records``: the columns their
    values fill, their refs (to receive their ids) and their values (refs resolved)."""

    columns: tuple[str, ...]
    refs: list[Ref]
    rows: list[tuple[Any, ...]]


# -- the entry point ------------------------------------------------------------------


def import_csv(
    session: Session,
    data: bytes,
    *,
    origin: str,
    mapping: Mapping[str, str] | None = None,
    delimiter: str | None = None,
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import CSV ``data`` (the bytes of a file) into the session; return what was done.

    A bad row raises InvalidInput naming its row (as a spreadsheet numbers it), column
    and the reason, unless ``skip_invalid``: then it is left out and listed in
    ``report.rejects``. Nothing is committed here: the caller owns the transaction.
    """
    with collector_paused():
        return _import(session, data, origin, mapping, delimiter, skip_invalid, progress)


def _import(
    session: Session,
    data: bytes,
    origin: str,
    mapping: Mapping[str, str] | None,
    delimiter: str | None,
    skip_invalid: bool,
    progress: Progress | None,
) -> ImportReport:
    text = decode(data, origin)
    header, records = iter_table(text, origin, delimiter)
    layout, fields, ignored = column_fields(header, mapping or {}, origin)
    report = ImportReport(layout=layout, ignored=ignored, header=header)
    column_of = {target: header[index] for index, target in fields.items()}
    total = text.count("\n")  # about the number of records, for the progress bar
    now = datetime.now(UTC)

    def fail(number: int, values: list[str], exc: RowError) -> None:
        column = column_of.get(exc.field)
        if column is None and exc.field == "end":
            column = column_of.get("start")
        where = (
            f'{origin}: row {number}, column "{column}"' if column else f"{origin}: row {number}"
        )
        error = InvalidInput(where, exc.expected, exc.got)
        if not skip_invalid:
            # A file that is not well-formed CSV says so first, wherever that is.
            for _record in records:
                pass
            raise error
        reason = str(error)[len(where) + 2 :]
        report.rejects.append(Reject(number, column, reason, values))

    # The records are parsed as they are read and not kept (a rejected row's values
    # are read again at the end), so a big file is in memory once as text and once as
    # parsed rows, never also as lists of cells.
    parsers = _Fields(fields)
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
        except RowError as exc:
            fail(number, record, exc)

    index = _Index(session)
    index.load_for(parsed)
    planner = _Planner(index, report, now)
    late: list[Reject] = []
    for position, row in enumerate(parsed):
        if progress is not None and position % BATCH == 0:
            progress("resolving", position, len(parsed))
        try:
            planner.add(row)
        except RowError as exc:
            fail(row.number, [], exc)
            late.append(report.rejects[-1])
    del parsed
    if late:
        wanted = {reject.row: reject for reject in late}
        for position, record in enumerate(iter_table(text, origin, delimiter)[1]):
            reject = wanted.get(position + 2)
            if reject is not None:
                reject.values = record
    report.rejects.sort(key=lambda r: r.row)
    _Writer(session, now, progress).write(planner.plan)
    return report


__all__ = [
    "FIELDS",
    "MEETING_FIELDS",
    "TIMELINE_MAPPING",
    "ImportReport",
    "Reject",
    "column_fields",
    "decode",
    "delimiter_option",
    "import_csv",
    "mapping_from_document",
    "parse_map_options",
    "read_table",
    "rejects_csv",
]
