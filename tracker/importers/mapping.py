"""Which field each column of a CSV file fills: the timeline table's own layout, or a
foreign table's columns mapped with ``--map COLUMN=FIELD`` (a column named like a field
needs no mapping)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tracker.errors import InvalidInput
from tracker.importers.table import encoding_option
from tracker.vocab import MeetingKind, MeetingStatus, Outcome
from tracker.written import check_order, check_pattern

FIELDS: dict[str, str] = {
    "traveller": "the envoy's name (several separated by ';'); created when unknown",
    "traveller_role": "the traveller's role on this visit (envoy, president, ...)",
    "start": "the visit's first day (EDTF, ISO, or as people write it: 2 Dec 2025)",
    "end": "the visit's last day (as start; may be empty)",
    "date": "a single date or interval (2025-12-02/2025-12-03, 2–3 Dec 2025), instead of"
    " start and end",
    "country": "destination country: a code or a name in any language, a former country,"
    " or a country with the place within in parentheses: Denmark (Greenland)",
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
    "status": "the meeting's status ("
    + ", ".join(s.value for s in MeetingStatus)
    + "); held when empty",
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
    "status",
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
    "status": "status",
    "outcome": "outcome",
    "outcome_summary": "summary",
    "sources": "sources",
    "uid": "uid",
}
"""How the timeline table's columns map onto the fields (``date``, ``earliest`` and
``latest`` are derived from ``edtf``, and ``disputed`` from the accounts, which only the
tracker/1 document carries: those are not read)."""

TIMELINE_DERIVED = ("date", "earliest", "latest", "disputed")


def parse_map_options(items: Iterable[str]) -> dict[str, str]:
    """``COLUMN=FIELD`` pairs (``--map``) as a mapping."""
    mapping: dict[str, str] = {}
    for item in items:
        column, sep, target = item.rpartition("=")
        if not sep or not column.strip() or not target.strip():
            raise InvalidInput("mapping", "COLUMN=FIELD, such as 'start date=start'", item)
        mapping[column.strip()] = _field_name(target, "mapping")
    return mapping


@dataclass
class TableMapping:
    """How to read a foreign table: the field each column fills, how its dates are
    written (``date_order``: ``dayfirst`` or ``monthfirst``; ``date_format``: a
    ``strptime`` pattern), and its ``encoding`` when it is not UTF-8."""

    columns: dict[str, str] = field(default_factory=dict)
    date_order: str | None = None
    date_format: str | None = None
    encoding: str | None = None
    values: dict[str, dict[str, str]] = field(default_factory=dict)


SETTINGS = ("date_order", "date_format", "encoding", "values")
"""The keys of a mapping file that are settings, not columns."""


def mapping_from_document(data: Mapping[str, Any], origin: str) -> TableMapping:
    """A mapping file's content: ``COLUMN: FIELD`` pairs, the settings
    ``date_order``, ``date_format`` and ``encoding``, and ``values:`` (for a field, what
    to read instead of a value as the file writes it)."""
    found = TableMapping()
    for column, target in data.items():
        where = f"{origin}: {column}"
        if column == "date_order":
            found.date_order = check_order(_setting(target, where), where)
            continue
        if column == "date_format":
            found.date_format = check_pattern(_setting(target, where), where)
            continue
        if column == "encoding":
            found.encoding = encoding_option(_setting(target, where), where)
            continue
        if column == "values":
            found.values = _values(target, where)
            continue
        if not isinstance(column, str) or not column.strip() or not isinstance(target, str):
            raise InvalidInput(where, "COLUMN: FIELD pairs (text)", target)
        found.columns[column.strip()] = _field_name(target, where)
    return found


def value_key(text: str) -> str:
    """How a ``values:`` entry matches a cell: case and white space folded."""
    return " ".join(text.casefold().split())


def _values(data: object, where: str) -> dict[str, dict[str, str]]:
    """``values:``: for a field, what to read instead of a value as the file writes it
    (``country: {Zanzibar: TZ}``)."""
    if not isinstance(data, Mapping):
        raise InvalidInput(where, "FIELD: {VALUE: REPLACEMENT} pairs", data)
    found: dict[str, dict[str, str]] = {}
    for name, pairs in data.items():
        place = f"{where}.{name}"
        target = _field_name(name, place) if isinstance(name, str) else None
        if target is None or not isinstance(pairs, Mapping):
            raise InvalidInput(place, "a field and its VALUE: REPLACEMENT pairs", pairs)
        table = found.setdefault(target, {})
        for given, replacement in pairs.items():
            if not isinstance(given, str | int) or not isinstance(replacement, str | int):
                raise InvalidInput(f"{place}.{given}", "VALUE: REPLACEMENT (text)", replacement)
            table[value_key(str(given))] = str(replacement)
    return found


def _setting(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput(where, "text", value)
    return value


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
            raise InvalidInput("mapping", f"a column of {origin} ({shown})", column)
        fields[index] = target
    for index, column in enumerate(plain):
        if index not in fields and column.replace(" ", "_") in FIELDS:
            fields[index] = column.replace(" ", "_")
    seen: dict[str, int] = {}
    for index, target in sorted(fields.items()):
        if target in seen:
            raise InvalidInput(
                "mapping",
                f"one column per field; {header[seen[target]]!r} and {header[index]!r}"
                f" both fill {target}",
            )
        seen[target] = index
    if "date" in seen and ("start" in seen or "end" in seen):
        raise InvalidInput("mapping", "either a date column or start and end columns, not both")
    if "end" in seen and "start" not in seen:
        raise InvalidInput("mapping", "a start column to go with the end column")
    if "date" not in seen and "start" not in seen:
        raise InvalidInput(
            "mapping", f"a column for start or date in {origin} (map one: COLUMN=start)"
        )
    if "traveller" not in seen and "counterparts" not in seen:
        raise InvalidInput(
            "mapping",
            f"a column for traveller in {origin} (map one: COLUMN=traveller)",
        )
    ignored = [header[i] for i in range(len(header)) if i not in fields and header[i]]
    return "mapped", fields, ignored
