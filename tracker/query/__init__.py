"""The read side, a module per question: ``filters`` (what a listing is narrowed to),
``places``, ``timeline``, ``envoys`` (and their visits and statistics), ``detail``
(one record in full), ``registries`` (people and places), and ``display`` (dates and
durations as people read them).

Services take a Session, never commit and never print. Rows are plain dicts with
snake_case keys (what ``--format json`` prints); dates appear as ``date`` (as shown),
``edtf``, ``earliest`` and ``latest`` (ISO). Lists meant for one table cell are joined
with ``"; "`` (``tracker.cells``: a value holding the separator keeps it, escaped).
"""

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
from tracker.query.envoys import (
    envoy_stats,
    envoy_visits,
    envoys_summary,
    main_meeting,
    sides,
    talks_cells,
    talks_total,
)
from tracker.query.filters import DateRange, Filters, date_range, meeting_conditions
from tracker.query.places import PlaceIndex
from tracker.query.registries import people_rows, place_rows
from tracker.query.timeline import (
    BATCH,
    TIMELINE_KEYS,
    TIMELINE_TABLE,
    TimelineEntry,
    TimelineTuple,
    lanes,
    meeting_sides,
    timeline_batches,
    timeline_entries,
    timeline_rows,
)

__all__ = [
    "BATCH",
    "TIMELINE_KEYS",
    "TIMELINE_TABLE",
    "DateRange",
    "Filters",
    "PlaceIndex",
    "Row",
    "TimelineEntry",
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
    "meeting_conditions",
    "meeting_detail",
    "meeting_sides",
    "people_rows",
    "place_rows",
    "precision",
    "record_detail",
    "shown_edtf",
    "sides",
    "talks_cells",
    "talks_total",
    "timeline_batches",
    "timeline_entries",
    "timeline_rows",
    "visit_detail",
    "when_of",
]
