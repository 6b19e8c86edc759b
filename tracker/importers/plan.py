"""What an import will write: new rows as tuples (a big import plans hundreds of
thousands), with references to records that get their ids only when inserted."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, cast

from tracker.write.roles import Span

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: what the importer has done so far."""


class Ref:
    """A record the import creates: its id is known once it is inserted."""

    __slots__ = ("id",)

    def __init__(self) -> None:
        self.id: int | None = None


Id = Hashable
"""A record's id (``int``), or the ``Ref`` of one this import creates."""


def ref_id(value: Id | None) -> int | None:
    if isinstance(value, Ref):
        return value.id
    return cast(int | None, value)


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


PERSON_COLUMNS = ("uid", "name", "key", "country")
PLACE_COLUMNS = ("uid", "name", "key", "kind", "country", "lat", "lon", "parent_id")
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
class Plan:
    """The rows the import will insert or update, with references still to resolve."""

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
    meeting_merges: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    """Stored meetings a matching row adds to: their id and the columns it fills."""
    visit_updates: list[dict[str, Any]] = field(default_factory=list)
    roles: dict[tuple[Id, str], tuple[str, Span]] = field(default_factory=dict)
    """A traveller's role on the trips of this import: by person and title, the title
    as first given and the span of those trips."""
