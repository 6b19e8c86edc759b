"""iCalendar (RFC 5545), written through the icalendar library, one event at a time.

- One VEVENT per meeting. A meeting dated to the minute is timed: DTSTART in its own
  UTC offset (a VTIMEZONE of that fixed offset, or UTC), DTEND from its duration when
  one is known. Any other is all-day over its bounds: DTSTART;VALUE=DATE its earliest
  day, DTEND the day after its latest; a date not given to the day, or approximate or
  uncertain, says so in the DESCRIPTION ("date uncertain: Apr 2025").
- One multi-day all-day VEVENT per visit (TRANSP:TRANSPARENT, CATEGORIES:visit).
- UID is ``{record uid}@tracker``: the same record keeps its event across exports.
- DTSTAMP and LAST-MODIFIED are the record's ``updated_at``, so the same data exports
  the same bytes.
- ATTENDEE: CN the name, ROLE=REQ-PARTICIPANT for envoys, NON-PARTICIPANT for
  observers, OPT-PARTICIPANT for everyone else, X-TRACKER-ROLE the tracker role; the
  address is a ``urn:tracker:person:{uid}`` URI (a cal-address is any URI; no e-mail
  address is made up).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, TextIO

from tracker import __version__
from tracker.dates import When
from tracker.exporters.base import Export, Exporter
from tracker.query import (
    Attendee,
    PlaceIndex,
    SourceRef,
    TimelineRecord,
    day_count,
    format_duration,
    when_of,
)
from tracker.query.visits import Traveller, VisitRecord
from tracker.text import visible
from tracker.vocab import MeetingStatus, ParticipantRole

if TYPE_CHECKING:  # icalendar is imported when a calendar is written, not with the registry
    from icalendar import Calendar, Event, Timezone, vCalAddress

PRODID = f"-//tracker//tracker {__version__}//EN"

_STATUS = {
    MeetingStatus.HELD.value: "CONFIRMED",
    MeetingStatus.ANNOUNCED.value: "TENTATIVE",
    MeetingStatus.POSTPONED.value: "TENTATIVE",
    MeetingStatus.CANCELLED.value: "CANCELLED",
}


def event_uid(record_uid: str) -> str:
    return f"{record_uid}@tracker"


def person_address(person: Attendee | Traveller) -> str:
    """The cal-address URI of a person (RFC 5545 allows any URI)."""
    return f"urn:tracker:person:{person.uid}"


def zone_name(offset: str) -> str:
    return f"UTC{offset}"


def _zone(offset: str) -> tzinfo:
    if offset == "Z":
        return UTC
    sign = -1 if offset[0] == "-" else 1
    delta = sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
    return timezone(delta, zone_name(offset))


def vtimezone(offset: str) -> Timezone:
    """A VTIMEZONE for one fixed UTC offset (``+03:00``), valid at every date."""
    from icalendar import Timezone, TimezoneStandard

    zone = _zone(offset)
    delta = zone.utcoffset(None)
    assert delta is not None
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1601, 1, 1))
    standard.add("tzoffsetfrom", delta)
    standard.add("tzoffsetto", delta)
    standard.add("tzname", zone_name(offset))
    component = Timezone()
    component.add("tzid", zone_name(offset))
    component.add_component(standard)
    return component


def stamp(moment: datetime | None) -> datetime:
    """A record's timestamp in UTC, to the second (SQLite gives it back naive)."""
    if moment is None:
        return datetime(1970, 1, 1, tzinfo=UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def uncertain(when: When) -> bool:
    """Whether the date is not given to the day, or is approximate or uncertain."""
    return when.approximate or day_count(when) is None


def _set_dates(event: Event, when: When, minutes: int | None) -> None:
    if when.time is not None and when.offset is not None:
        hour, minute, second = (int(part) for part in when.time.split(":"))
        day = when.earliest
        start = datetime(
            day.year, day.month, day.day, hour, minute, second, tzinfo=_zone(when.offset)
        )
        event.add("dtstart", start)
        if minutes is not None:
            length = timedelta(minutes=minutes)
            if start.replace(tzinfo=None) <= datetime.max - length:
                event.add("dtend", start + length)
            else:  # it ends after 9999-12-31: no DATE-TIME can say when
                event.add("duration", length)
        return
    set_days(event, when.earliest, when.latest)


def set_days(event: Event, first: date, last: date) -> None:
    """An all-day event from ``first`` to ``last``: DTEND is the day after, or, for an
    event that ends on 9999-12-31 (a DATE has four-digit years), a DURATION in days."""
    event.add("dtstart", first)
    if last < date.max:
        event.add("dtend", last + timedelta(days=1))
    else:
        event.add("duration", last - first + timedelta(days=1))


def text(value: str) -> str:
    """A TEXT value: control characters (which RFC 5545 forbids) and other hidden ones
    are shown as escapes (``\\x0b``, ``\\u202e``), as the terminal views show them;
    a line break and a tab are text here (the library escapes the line break)."""
    return visible(value, keep="\n\t")


def _attendee(person: Attendee | Traveller, role: str, tracker_role: str | None) -> vCalAddress:
    from icalendar import vCalAddress

    address = vCalAddress(person_address(person))
    address.params["CN"] = text(person.name)
    address.params["CUTYPE"] = "INDIVIDUAL"
    address.params["ROLE"] = role
    if tracker_role:
        address.params["X-TRACKER-ROLE"] = tracker_role
    return address


def _location(places: PlaceIndex, place_id: int | None) -> str | None:
    names = list(dict.fromkeys(place.name for place in places.chain(place_id)))
    return ", ".join(names) or None


def _source_lines(sources: Iterable[SourceRef]) -> list[str]:
    lines = []
    for source in sources:
        label = ", ".join(part for part in (source.publisher, source.title) if part)
        if source.url:
            lines.append(f"- {label}: {source.url}" if label else f"- {source.url}")
        else:
            lines.append(f"- {label or source.uid}")
    return ["Sources:", *lines] if lines else []


def meeting_event(record: TimelineRecord, places: PlaceIndex) -> Event:
    from icalendar import Event

    row = record.row
    when = when_of(row["edtf"], record.earliest, record.latest)
    event = Event()
    event.add("uid", event_uid(row["uid"]))
    event.add("dtstamp", stamp(record.updated_at))
    event.add("last-modified", stamp(record.updated_at))
    event.add("summary", text(row["title"]))
    _set_dates(event, when, row["duration_minutes"])
    location = _location(places, record.place_id)
    if location:
        event.add("location", text(location))

    people = " with ".join(part for part in (row["envoys"], row["counterparts"]) if part)
    lines = [f"{row['kind']}: {people}" if people else row["kind"]]
    if uncertain(when):
        lines.append(f"date uncertain: {row['date']}")
    duration = format_duration(row["duration_minutes"], row["duration_qualifier"])
    if duration:
        lines.append(f"duration: {duration}")
    lines.append(f"outcome: {row['outcome']}")
    if row["outcome_summary"]:
        lines.append(row["outcome_summary"])
    lines.extend(_source_lines(record.sources))
    event.add("description", text("\n".join(lines)))
    event.add("categories", [row["kind"]])
    event.add("status", _STATUS.get(row["status"], "CONFIRMED"))
    for person in record.envoys:
        event.add("attendee", _attendee(person, "REQ-PARTICIPANT", person.role))
    for person in record.counterparts:
        role = person.role
        ical_role = "NON-PARTICIPANT" if role == ParticipantRole.OBSERVER else "OPT-PARTICIPANT"
        event.add("attendee", _attendee(person, ical_role, role))
    return event


def visit_event(visit: VisitRecord, places: PlaceIndex) -> Event:
    from icalendar import Event

    when = when_of(visit.edtf, visit.earliest, visit.latest)
    names = ", ".join(traveller.name for traveller in visit.travellers)
    destination = places.name(visit.destination_id)
    summary = "Visit"
    if names:
        summary += f": {names}"
    if destination:
        summary += f" to {destination}"
    event = Event()
    event.add("uid", event_uid(visit.uid))
    event.add("dtstamp", stamp(visit.updated_at))
    event.add("last-modified", stamp(visit.updated_at))
    event.add("summary", text(summary))
    set_days(event, when.earliest, when.latest)
    event.add("transp", "TRANSPARENT")
    location = _location(places, visit.destination_id)
    if location:
        event.add("location", text(location))
    lines = []
    if uncertain(when):
        lines.append(f"date uncertain: {when.display}")
    if visit.purpose:
        lines.append(visit.purpose)
    lines.extend(_source_lines(visit.sources))
    if lines:
        event.add("description", text("\n".join(lines)))
    event.add("categories", ["visit"])
    for traveller in visit.travellers:
        event.add("attendee", _attendee(traveller, "REQ-PARTICIPANT", traveller.role))
    return event


def _text(component: Calendar | Timezone | Event) -> str:
    text: str = component.to_ical().decode("utf-8")
    return text


class IcsExporter(Exporter):
    name = "ics"
    extensions = ("ics",)
    media_type = "text/calendar; charset=utf-8"
    summary = "iCalendar: an event per meeting (timed or all-day) and per visit"

    def write(self, export: Export, stream: TextIO) -> int:
        from icalendar import Calendar

        calendar = Calendar()
        calendar.add("version", "2.0")
        calendar.add("prodid", PRODID)
        calendar.add("calscale", "GREGORIAN")
        calendar.add("x-wr-calname", text(export.title))
        head = _text(calendar)
        end = "END:VCALENDAR\r\n"
        assert head.endswith(end)
        stream.write(head[: -len(end)])
        for offset in sorted(export.timed_offsets() - {"Z"}):
            stream.write(_text(vtimezone(offset)))
        places = PlaceIndex(export.read)
        count = 0
        for record in export.records():
            stream.write(_text(meeting_event(record, places)))
            count += 1
        for visit in export.visits():
            stream.write(_text(visit_event(visit, places)))
        stream.write(end)
        return count
