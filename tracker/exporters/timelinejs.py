"""TimelineJS3 JSON: ``{"title": slide, "events": [slide, ...]}``.

Each meeting is a slide: ``start_date`` (and ``end_date`` for an interval) as
``{year, month, day}`` with only the parts its EDTF gives (a month-only date stays
month-only; hour and minute for a date-time), ``text`` {headline, text} with every
value HTML-escaped (TimelineJS renders both as HTML), ``group`` the first envoy (escaped too),
``unique_id`` the meeting's uid, and ``display_date`` as people write the date when
it is approximate or uncertain (``c. Apr 2025``). Events are written one per line as
they are read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from html import escape as html_escape
from typing import Any, TextIO

from tracker.dates import Point, When
from tracker.exporters.base import Export, Exporter
from tracker.query import SourceRef, TimelineRecord, format_duration, precision, when_of
from tracker.text import visible
from tracker.vocab import MeetingStatus

HELD = MeetingStatus.HELD.value

JsonObject = dict[str, Any]


def _date_object(point: Point, when: When | None = None) -> JsonObject:
    value: JsonObject = {"year": point.year}
    if point.month is not None:
        value["month"] = point.month
        if point.day is not None:
            value["day"] = point.day
            if when is not None and when.time is not None:
                hour, minute, _second = when.time.split(":")
                value["hour"] = int(hour)
                value["minute"] = int(minute)
    return value


def _points(when: When) -> tuple[Point, Point | None]:
    """The start and (for an interval) end of a date, at the precision it was given."""
    if when.start is not None:
        end = when.end if when.end is not None and when.end != when.start else None
        return when.start, end
    level = precision(when)
    first, last = when.earliest, when.latest

    def at(day: date) -> Point:
        if level == "year":
            return Point(day.year)
        if level == "month":
            return Point(day.year, day.month)
        return Point(day.year, day.month, day.day)

    start, end = at(first), at(last)
    return start, (end if end != start else None)


def escape(value: str) -> str:
    """``value`` as TimelineJS shows it (HTML): hidden characters as escapes (``\\x1b``,
    ``\\u202e``, as the terminal views show them), then HTML-escaped."""
    return html_escape(visible(value, keep="\n\t"))


def _paragraph(text: str) -> str:
    return "<p>" + escape(text).replace("\n", "<br>") + "</p>"


def _sources_html(sources: Iterable[SourceRef]) -> str:
    """A link for each URL the record holds; a publisher's name or a title is text,
    whatever it looks like."""
    items = []
    for source in sources:
        if source.url:
            items.append(f'<a href="{escape(source.url)}">{escape(source.url)}</a>')
        else:
            items.append(escape(source.publisher or source.title or source.uid))
    return "<p>Sources: " + ", ".join(items) + "</p>" if items else ""


def event(record: TimelineRecord) -> JsonObject:
    """The TimelineJS slide of one timeline record."""
    row = record.row
    when = when_of(row["edtf"], record.earliest, record.latest)
    start, end = _points(when)
    details = [row["kind"] if row["status"] == HELD else f"{row['kind']}, {row['status']}"]
    people = " with ".join(part for part in (row["envoys"], row["counterparts"]) if part)
    if people:
        details.append(people)
    place = ", ".join(dict.fromkeys(p for p in (row["venue"], row["city"], row["country"]) if p))
    if place:
        details.append(place)
    duration = format_duration(row["duration_minutes"], row["duration_qualifier"])
    if duration:
        details.append(duration)
    text = _paragraph(" · ".join(details))
    outcome = f"Outcome: {row['outcome']}"
    if row["outcome_summary"]:
        outcome += f". {row['outcome_summary']}"
    text += _paragraph(outcome) + _sources_html(record.sources)
    headline = row["title"] if row["status"] == HELD else f"{row['title']} ({row['status']})"
    slide: JsonObject = {
        "start_date": _date_object(start, when),
        "text": {"headline": escape(headline), "text": text},
        "unique_id": row["uid"],
    }
    if end is not None:
        slide["end_date"] = _date_object(end)
    if record.envoys:
        slide["group"] = escape(record.envoys[0].name)
    if when.approximate or when.start is None:
        slide["display_date"] = row["date"]
    return slide


class TimelineJsExporter(Exporter):
    name = "timelinejs"
    extensions = ("json",)
    media_type = "application/json"
    summary = "TimelineJS3 JSON (events, start_date, text, group = envoy, unique_id)"

    def write(self, export: Export, stream: TextIO) -> int:
        filters = "; ".join(f"{label} {value}" for label, value in export.filter_labels())
        title = {
            "text": {
                "headline": escape(export.title),
                "text": _paragraph(f"Filters: {filters}") if filters else "",
            }
        }
        stream.write('{"title": ' + json.dumps(title, ensure_ascii=False) + ',\n "events": [')
        count = 0
        for record in export.records():
            stream.write(",\n  " if count else "\n  ")
            stream.write(json.dumps(event(record), ensure_ascii=False))
            count += 1
        stream.write("\n ]}\n" if count else "]}\n")
        return count
