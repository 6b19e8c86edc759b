"""One CSV row turned into checked values, before any database lookup: each value by
the field rules every path uses (names, dates, durations, URLs, text limits), an error
naming the field at fault."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from tracker import fields
from tracker.cells import split_list
from tracker.dates import EXAMPLES, When, parse_when
from tracker.durations import parse_duration
from tracker.errors import InvalidInput
from tracker.importers.mapping import MEETING_FIELDS, value_key
from tracker.names import clean_name
from tracker.names import name_key as _name_key
from tracker.vocab import (
    DurationQualifier,
    MeetingKind,
    MeetingStatus,
    Outcome,
    ParticipantRole,
    PlaceKind,
    choose,
)
from tracker.write.sources import source_spec

_MAX_TEXT = fields.MAX_TEXT
_ROLE_LIMIT = fields.ROLE_LIMIT

_KEYS: dict[str, str] = {}


def name_key(name: str) -> str:
    """``tracker.names.name_key``, remembered (a file repeats its names a lot)."""
    key = _KEYS.get(name)
    if key is None:
        if len(_KEYS) > 200_000:
            _KEYS.clear()
        key = _KEYS[name] = _name_key(name)
    return key


class RowError(Exception):
    """A row's value that does not fit its field (internal; becomes InvalidInput or a
    Reject)."""

    def __init__(self, field_name: str, expected: str, got: str | None = None) -> None:
        super().__init__(expected)
        self.field = field_name
        self.expected = expected
        self.got = got


class RowErrors(Exception):
    """Every value of one row that does not fit its field, one error a field, in the
    order the fields are checked (internal; each becomes a Reject of the one row)."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(error.expected for error in errors))
        self.errors = errors


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
    status: str
    summary: str | None
    notes: str | None
    sources: Sequence[Source3]  # (url, publisher, title), each once
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


class Parsers:
    """Parsers for single values, with caches (files repeat names and dates a lot), and
    what every row of one file shares: which column fills which field."""

    def __init__(
        self,
        fields: Mapping[int, str] | None = None,
        *,
        date_order: str | None = None,
        date_format: str | None = None,
        values: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.values = dict(values or {})
        self.date_order = date_order
        self.date_format = date_format
        self.dates: dict[str, When] = {}
        self.days: dict[str, When] = {}
        self.spans: dict[tuple[str, str], When] = {}
        self.given_sources: dict[tuple[str | None, str | None, str | None], Source3] = {}
        self.names: dict[str, tuple[str, str]] = {}
        self.sources: dict[str, tuple[Source3, ...]] = {}
        self.travellers: dict[str, tuple[list[str], list[str]]] = {}
        self.cities: dict[str, tuple[list[str], list[str]]] = {}
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
                found = parse_when(
                    text, field=field_name, order=self.date_order, pattern=self.date_format
                )
            except InvalidInput as exc:
                raise RowError(field_name, exc.expected, text) from None
            if len(self.dates) > _MEMO_LIMIT:
                self.dates.clear()
            self.dates[text] = found
        return found

    def span(self, start_text: str, end_text: str, errors: list[RowError]) -> When | None:
        """The dates a start and an end cell give: the start's, or (two single dates,
        the end not before the start) the days from one to the other. ``None`` when
        they do not fit, each cell's error added to ``errors``."""
        when: When | None = None
        try:
            if not start_text:
                raise RowError("start", EXAMPLES)
            when = self.when(start_text, "start")
        except RowError as exc:
            errors.append(exc)
        if not end_text:
            return when
        try:
            end = self.when(end_text, "end")
            if when is None:
                return None
            first, last = self.day(when), self.day(end)
            if "/" in first.edtf or "/" in last.edtf:
                raise RowError("end", "single dates in start and end", end_text)
            if last.edtf != first.edtf:
                if last.latest < first.earliest:
                    raise RowError("end", f"a date on or after the start ({start_text})", end_text)
                when = self.when(f"{first.edtf}/{last.edtf}", "end")
        except RowError as exc:
            errors.append(exc)
            return None
        if len(self.spans) > _MEMO_LIMIT:
            self.spans.clear()
        self.spans[(start_text, end_text)] = when
        return when

    def day(self, when: When) -> When:
        """``when`` without its time of day (the days a visit covers)."""
        if when.time is None:
            return when
        found = self.days.get(when.edtf)
        if found is None:
            found = self.days[when.edtf] = _day(when)
        return found

    def name(self, text: str, field_name: str) -> tuple[str, str]:
        """The display name and key of a person or place (the name rule of every path)."""
        found = self.names.get(text)
        if found is None:
            try:
                clean = clean_name(text, field_name)
            except InvalidInput as exc:
                raise RowError(field_name, exc.expected, text) from None
            found = (clean, name_key(clean))
            if len(self.names) > _MEMO_LIMIT:
                self.names.clear()
            self.names[text] = found
        return found

    def name_list(self, text: str, field_name: str) -> tuple[list[str], list[str]]:
        """The names a ``traveller`` or ``city`` cell lists (a person once, by key; a
        city as often as it is named), and their keys. Remembered by the cell's text: a
        file names the same travellers and cities row after row, and those rows share
        the lists (which nothing changes)."""
        memo = self.travellers if field_name == "traveller" else self.cities
        found = memo.get(text)
        if found is None:
            names: list[str] = []
            keys: list[str] = []
            for name in split_list(text):
                display, key = self.names.get(name) or self.name(name, field_name)
                if field_name == "city" or key not in keys:
                    names.append(display)
                    keys.append(key)
            if len(memo) > _MEMO_LIMIT:
                memo.clear()
            found = memo[text] = (names, keys)
        return found

    def source(self, given: tuple[str | None, str | None, str | None]) -> Source3 | None:
        """The source that a row's ``source_url``, ``publisher`` and ``source_title``
        cells give."""
        found = _source(*given, ("source_url", "publisher", "source_title"))
        if found is not None:
            if len(self.given_sources) > _MEMO_LIMIT:
                self.given_sources.clear()
            self.given_sources[given] = found
        return found

    def source_list(self, text: str) -> tuple[Source3, ...]:
        """The sources a ``sources`` cell lists (URLs, or publishers' names), each once."""
        found = self.sources.get(text)
        if found is None:
            items: list[Source3] = []
            for item in split_list(text):
                spec = _source(item, None, None, ("sources", "sources", "sources"))
                if spec is not None:
                    items.append(spec)
            found = tuple(dict.fromkeys(items))
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


def _day(when: When) -> When:
    if when.time is None:
        return when
    return parse_when(when.edtf.split("T", 1)[0])


def _source(
    value: str | None,
    publisher: str | None,
    title: str | None,
    named: tuple[str, str, str],
) -> Source3 | None:
    try:
        return source_spec(value, publisher, title, fields_named=named)
    except InvalidInput as exc:
        got = None if exc.got is None else str(exc.got)
        raise RowError(exc.field or named[0], exc.expected, got) from None


def _title_key(title: str) -> str:
    return " ".join(title.casefold().split())


def derived_uid(kind: str, *parts: object) -> str:
    """A stable uid for a row without one, from what identifies it."""
    text = "\x1f".join(str(p) for p in parts)
    return f"{kind}-{hashlib.sha1(text.encode()).hexdigest()[:20]}"


def parse_row(number: int, record: list[str], parsers: Parsers) -> Parsed:
    """Check one record's values (its columns as ``parsers.set_fields`` was told); raise
    RowErrors naming every field at fault (one error a field), so that a row's
    problems are all found in one run, not one run per cell."""
    if len(record) >= parsers.width:
        get = dict(zip(parsers.targets, map(str.strip, parsers.cells(record)), strict=True))
    else:
        size = len(record)
        get = {t: record[i].strip() if i < size else "" for i, t in parsers.pairs}
    if parsers.values:
        _replace(get, parsers.values)
    value = get.get
    is_meeting = False
    for name in parsers.meeting_fields:
        if get[name]:
            is_meeting = True
            break
    names = parsers.names
    # Each field is checked on its own, and its error kept: a try costs nothing until
    # something is raised, so a good row is checked as fast as before.
    errors: list[RowError] = []

    travellers: list[str] = []
    keys: list[str] = []
    text = value("traveller")
    if text:
        try:
            travellers, keys = parsers.travellers.get(text) or parsers.name_list(text, "traveller")
        except RowError as exc:
            errors.append(exc)
    counterparts: list[str] = []
    counterpart_keys: list[str] = []
    text = value("counterparts")
    if text:
        try:
            for name in split_list(text):
                display, key = names.get(name) or parsers.name(name, "counterparts")
                if key not in keys and display not in counterparts:
                    counterparts.append(display)
                    counterpart_keys.append(key)
        except RowError as exc:
            errors.append(exc)
    if not travellers and not (is_meeting and counterparts) and not errors:
        errors.append(RowError("traveller", "a traveller's name"))
    role: str | None = None
    text = value("traveller_role")
    if text:
        try:
            role = _text(text, "traveller_role", _ROLE_LIMIT)
        except RowError as exc:
            errors.append(exc)

    when: When | None = None
    text = value("date")
    if text is not None:
        try:
            if not text:
                raise RowError("date", EXAMPLES)
            when = parsers.dates.get(text) or parsers.when(text, "date")
        except RowError as exc:
            errors.append(exc)
    else:
        start_text, end_text = value("start", ""), value("end", "")
        when = parsers.spans.get((start_text, end_text)) or parsers.span(
            start_text, end_text, errors
        )

    country = value("country") or None
    if country is not None and country not in names:
        try:
            parsers.name(country, "country")
        except RowError as exc:
            errors.append(exc)
    text = value("city")
    cities: list[str] = []
    city_keys: list[str] = []
    if text:
        try:
            cities, city_keys = parsers.cities.get(text) or parsers.name_list(text, "city")
        except RowError as exc:
            errors.append(exc)
    text = value("venue")
    venue: str | None = None
    venue_key = ""
    if text:
        try:
            venue, venue_key = names.get(text) or parsers.name(text, "venue")
        except RowError as exc:
            errors.append(exc)

    kind = _MEETING_KIND
    text = value("kind")
    if text:
        try:
            kind = _CHOICES.get((MeetingKind, text)) or _choice(MeetingKind, text, "kind")
        except RowError as exc:
            errors.append(exc)
    outcome = _UNKNOWN_OUTCOME
    text = value("outcome")
    if text:
        try:
            outcome = _CHOICES.get((Outcome, text)) or _choice(Outcome, text, "outcome")
        except RowError as exc:
            errors.append(exc)
    status = _HELD
    text = value("status")
    if text:
        try:
            status = _CHOICES.get((MeetingStatus, text)) or _choice(MeetingStatus, text, "status")
        except RowError as exc:
            errors.append(exc)
    minutes: int | None = None
    qualifier: str | None = None
    duration_text = value("duration")
    if duration_text:
        try:
            amount, how = parse_duration(duration_text, "duration")
            minutes, qualifier = amount, how.value
        except InvalidInput as exc:
            errors.append(RowError("duration", exc.expected, duration_text))
    minutes_text = value("duration_minutes")
    if minutes_text:
        if not (minutes_text.isascii() and minutes_text.isdigit()) or int(minutes_text) > 100_000:
            errors.append(RowError("duration_minutes", "a whole number of minutes", minutes_text))
        else:
            minutes = int(minutes_text)
            qualifier = _EXACT
    text = value("duration_qualifier")
    if text:
        try:
            if not (duration_text or minutes_text):
                raise RowError("duration_qualifier", "a duration to qualify (duration_minutes)")
            qualifier = _choice(DurationQualifier, text, "duration_qualifier")
        except RowError as exc:
            errors.append(exc)
    title: str | None = None
    text = value("title")
    if text:
        try:
            title = _text(text, "title", 500)
        except RowError as exc:
            errors.append(exc)
    elif is_meeting:
        try:
            title = _derived_title(kind, counterparts, venue or (cities[0] if cities else country))
        except RowError as exc:
            if not any(e.field in ("counterparts", "city", "venue") for e in errors):
                errors.append(exc)  # not when a bad name is why there is nothing to name

    sources: Sequence[Source3] = ()
    text = value("sources")
    if text:
        try:
            sources = parsers.sources.get(text) or parsers.source_list(text)
        except RowError as exc:
            errors.append(exc)
    given = value("source_url"), value("publisher"), value("source_title")
    if any(given):
        # The rule of log's --source: a source cell that is no URL names the publisher.
        try:
            spec = parsers.given_sources.get(given) or parsers.source(given)
            if spec is not None and spec not in sources:
                sources = [*sources, spec]
        except RowError as exc:
            errors.append(exc)

    uid = value("uid", "")
    if uid:
        try:
            fields.uid(uid, "uid")
        except InvalidInput as exc:
            errors.append(RowError("uid", exc.expected, uid))

    summary: str | None = None
    text = value("summary")
    if text:
        try:
            summary = _text(text, "summary")
        except RowError as exc:
            errors.append(exc)
    notes: str | None = None
    text = value("notes")
    if text:
        try:
            notes = _text(text, "notes")
        except RowError as exc:
            errors.append(exc)
    if errors:
        raise RowErrors(errors)
    assert when is not None  # no error, so a date was read
    day = when if when.time is None else parsers.day(when)
    if not uid:
        place = (country or "").casefold(), list(city_keys)
        if is_meeting:
            uid = derived_uid("meeting", keys, place, venue, when.edtf, _title_key(title or ""))
        else:
            uid = derived_uid("visit", keys, place, day.edtf)
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
        status,
        summary,
        notes,
        sources,
        uid,
        parsers.given,
    )


_LISTS = frozenset({"traveller", "counterparts", "city", "sources"})
"""Fields whose cells list values separated by ';' (each is replaced on its own)."""


def _replace(cells: dict[str, str], values: Mapping[str, Mapping[str, str]]) -> None:
    """The mapping file's ``values:``: a cell (or, in a list, an item) it names is read
    as the value it gives instead."""
    for name, table in values.items():
        cell = cells.get(name)
        if not cell:
            continue
        found = table.get(value_key(cell))
        if found is not None:
            cells[name] = found
        elif name in _LISTS and ";" in cell:
            items = [table.get(value_key(item), item.strip()) for item in cell.split(";")]
            cells[name] = "; ".join(items)


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
