"""The read side, a module per question: ``where`` (what a listing is narrowed to),
``places``, ``timeline``, ``envoys`` (and their visits and statistics), ``detail``
(one record in full), ``registries`` (people and places), and ``display`` (dates and
durations as people read them).

Services take a Session, or a plain read (``tracker.sql.Reader``: the read commands'
way, with no SQLAlchemy on SQLite), never commit and never print. Rows are plain dicts with
snake_case keys (what ``--format json`` prints); dates appear as ``date`` (as shown),
``edtf``, ``earliest`` and ``latest`` (ISO). Lists meant for one table cell are joined
with ``"; "`` (``tracker.cells``: a value holding the separator keeps it, escaped).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracker.query.detail import find_record, meeting_detail, record_detail, visit_detail
    from tracker.query.display import (
        Row,
        day_count,
        format_duration,
        format_minutes,
        precision,
        shown_edtf,
        when_of,
    )
    from tracker.query.envoys import taking_part
    from tracker.query.places import PlaceIndex
    from tracker.query.registries import people_rows, place_rows
    from tracker.query.sides import sides
    from tracker.query.timeline import (
        BATCH,
        TIMELINE_KEYS,
        TIMELINE_TABLE,
        Attendee,
        SourceRef,
        TimelineRecord,
        TimelineTuple,
        lanes,
        timeline_batches,
        timeline_records,
        timeline_rows,
    )
    from tracker.query.travels import (
        envoy_stats,
        envoy_visits,
        envoys_summary,
        main_meeting,
        talks_cells,
    )
    from tracker.query.where import DateRange, Filters, date_range

_HOMES = {
    "find_record": "tracker.query.detail",
    "meeting_detail": "tracker.query.detail",
    "record_detail": "tracker.query.detail",
    "visit_detail": "tracker.query.detail",
    "Row": "tracker.query.display",
    "day_count": "tracker.query.display",
    "format_duration": "tracker.query.display",
    "format_minutes": "tracker.query.display",
    "precision": "tracker.query.display",
    "shown_edtf": "tracker.query.display",
    "when_of": "tracker.query.display",
    "envoy_stats": "tracker.query.travels",
    "envoy_visits": "tracker.query.travels",
    "envoys_summary": "tracker.query.travels",
    "main_meeting": "tracker.query.travels",
    "sides": "tracker.query.sides",
    "taking_part": "tracker.query.envoys",
    "talks_cells": "tracker.query.travels",
    "DateRange": "tracker.query.where",
    "Filters": "tracker.query.where",
    "date_range": "tracker.query.where",
    "PlaceIndex": "tracker.query.places",
    "people_rows": "tracker.query.registries",
    "place_rows": "tracker.query.registries",
    "BATCH": "tracker.query.timeline",
    "TIMELINE_KEYS": "tracker.query.timeline",
    "TIMELINE_TABLE": "tracker.query.timeline",
    "Attendee": "tracker.query.timeline",
    "SourceRef": "tracker.query.timeline",
    "TimelineRecord": "tracker.query.timeline",
    "TimelineTuple": "tracker.query.timeline",
    "lanes": "tracker.query.timeline",
    "timeline_batches": "tracker.query.timeline",
    "timeline_records": "tracker.query.timeline",
    "timeline_rows": "tracker.query.timeline",
}
"""The module each name is defined in (the imports above, for the type checker):
imported on first use, so that importing a module of this package (``display``,
``where``) loads nothing else, SQLAlchemy least of all."""


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'tracker.query' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)


__all__ = [
    "BATCH",
    "TIMELINE_KEYS",
    "TIMELINE_TABLE",
    "Attendee",
    "DateRange",
    "Filters",
    "PlaceIndex",
    "Row",
    "SourceRef",
    "TimelineRecord",
    "TimelineTuple",
    "date_range",
    "day_count",
    "envoy_stats",
    "envoy_visits",
    "envoys_summary",
    "find_record",
    "format_duration",
    "format_minutes",
    "lanes",
    "main_meeting",
    "meeting_detail",
    "people_rows",
    "place_rows",
    "precision",
    "record_detail",
    "shown_edtf",
    "sides",
    "taking_part",
    "talks_cells",
    "timeline_batches",
    "timeline_records",
    "timeline_rows",
    "visit_detail",
    "when_of",
]
