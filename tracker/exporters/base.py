"""What every exporter shares: the ``Export`` (the selected records, read lazily in
batches) and the ``Exporter`` base class.

An exporter pulls what it needs from the ``Export`` it is given: the timeline rows
(csv, markdown, ndjson), the timeline records, each row with its meeting's people,
sources and place (html, timelinejs, ics, geojson, graphml, gexf), the visits (ics,
geojson), or the lossless document (json, yaml). Rows and records come from the one
timeline builder (``tracker.query.timeline``); every iterator reads in batches with a
constant number of statements per batch, so an export writes rows as they are read and
its memory does not grow with the database.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, ClassVar, TextIO, TypeVar

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, selectinload

from tracker.backend import reader
from tracker.models import Meeting, Visit, VisitSource, VisitTraveller
from tracker.query import (
    BATCH,
    Filters,
    Row,
    TimelineRecord,
    TimelineTuple,
    meeting_conditions,
    timeline_batches,
    timeline_records,
    timeline_rows,
    when_of,
)

DEFAULT_TITLE = "Diplomatic visits and meetings"

FILTER_LABELS = {
    "date_from": "from",
    "date_to": "to",
    "envoy": "envoy",
    "with_person": "with",
    "place": "place",
    "country": "country",
    "topic": "topic",
    "outcome": "outcome",
    "search": "search",
    "disputed": "disputed",
}
"""How each filter is named to a reader (the command-line option without its dashes)."""

PROGRESS_EVERY = 250
"""Meetings between two calls of the progress callback."""

T = TypeVar("T")


@dataclass(frozen=True)
class Summary:
    """How many meetings an export holds and the days they span."""

    meetings: int
    earliest: date | None
    latest: date | None


class Export:
    """The records an export writes: the meetings ``filters`` select (all of them when
    no filter is set) and what they refer to, read in batches from ``session``.

    ``progress`` is called with the number of meetings read so far, every
    ``PROGRESS_EVERY`` meetings and once at the end.
    """

    def __init__(
        self,
        session: Session,
        filters: Filters | None = None,
        *,
        title: str = DEFAULT_TITLE,
        progress: Callable[[int], None] | None = None,
        as_of: datetime | None = None,
    ) -> None:
        self.session = session
        self.read = reader(session)
        """A plain read in the session's transaction: the timeline builder's."""
        self.filters = filters or Filters()
        self.as_of = as_of
        self.title = title
        self.progress = progress
        self._conditions: list[ColumnElement[bool]] | None = None
        self._summary: Summary | None = None
        self._streams: list[Generator[Any, None, None]] = []

    def close(self) -> None:
        """Close every stream handed out (their cursors with them) while the session is
        open: a writer stopped half-way (its reader went away) leaves none to be closed
        later, after the connection."""
        while self._streams:
            self._streams.pop().close()

    def _tracked(self, stream: Generator[T, None, None]) -> Generator[T, None, None]:
        self._streams.append(stream)
        return stream

    @property
    def filtered(self) -> bool:
        return self.filters != Filters()

    def filter_labels(self) -> list[tuple[str, str]]:
        """The filters set, as (label, value) pairs in the order of ``Filters``."""
        return [
            (FILTER_LABELS[f.name], "yes" if value is True else value)
            for f in fields(Filters)
            if (value := getattr(self.filters, f.name)) not in (None, False)
        ]

    def conditions(self) -> list[ColumnElement[bool]]:
        """The WHERE conditions on ``Meeting`` (names resolved once; raises InvalidInput,
        NotFound or Ambiguous for a bad filter before anything is written)."""
        if self._conditions is None:
            self._conditions = meeting_conditions(self.session, self.filters)
        return self._conditions

    def summary(self) -> Summary:
        """The number of meetings and their first and last day (one query)."""
        if self._summary is None:
            count, earliest, latest = self.session.execute(
                select(func.count(Meeting.id), func.min(Meeting.earliest), func.max(Meeting.latest))
                .select_from(Meeting)
                .where(*self.conditions())
            ).one()
            self._summary = Summary(int(count), earliest, latest)
        return self._summary

    # -- what exporters read ------------------------------------------------------------

    def records(self) -> Iterator[TimelineRecord]:
        """The timeline records (each row with its meeting's people, sources and place),
        in timeline order."""
        records = timeline_records(self.read, self.filters)
        return self._tracked(self._counted(records))

    def rows(self) -> Iterator[Row]:
        """The timeline table: one dict per meeting (keys ``tracker.query.TIMELINE_KEYS``),
        read without ORM objects: the fast path of the table formats."""
        rows = timeline_rows(self.read, self.filters)
        return self._tracked(self._counted(rows))

    def row_batches(self) -> Iterator[list[TimelineTuple]]:
        """The timeline table in lists of tuples (values in ``TIMELINE_KEYS`` order, as
        ``rows`` gives them): the fastest path, for formats that write plain cells.
        Progress is reported as for ``rows``."""
        return self._tracked(self._row_batches())

    def _row_batches(self) -> Generator[list[TimelineTuple], None, None]:
        count = 0
        for batch in timeline_batches(self.read, self.filters):
            yield batch
            if self.progress is not None:
                done = count + len(batch)
                for reached in range(
                    count - count % PROGRESS_EVERY + PROGRESS_EVERY, done + 1, PROGRESS_EVERY
                ):
                    self.progress(reached)
            count += len(batch)
        if self.progress is not None:
            self.progress(count)

    def _counted(self, items: Iterator[T]) -> Generator[T, None, None]:
        """``items``, reporting progress every ``PROGRESS_EVERY`` and at the end."""
        count = 0
        for item in items:
            yield item
            count += 1
            if self.progress is not None and count % PROGRESS_EVERY == 0:
                self.progress(count)
        if self.progress is not None:
            self.progress(count)

    def visits(self) -> Iterator[Visit]:
        """The visits that hold a selected meeting (every visit when nothing is
        filtered), by date, with travellers and sources, streamed in batches."""
        return self._tracked(self._visits())

    def _visits(self) -> Generator[Visit, None, None]:
        query = (
            select(Visit)
            .order_by(Visit.earliest, Visit.latest, Visit.id)
            .options(
                selectinload(Visit.travellers).selectinload(VisitTraveller.person),
                selectinload(Visit.source_links).selectinload(VisitSource.source),
            )
            .execution_options(yield_per=BATCH)
        )
        if self.filtered:
            held = select(Meeting.visit_id).where(Meeting.visit_id.is_not(None), *self.conditions())
            query = query.where(Visit.id.in_(held))
        yield from self.session.scalars(query)

    def timed_offsets(self) -> set[str]:
        """The UTC offsets (``Z``, ``+03:00``) of the selected meetings dated to the minute."""
        offsets: set[str] = set()
        query = (
            select(Meeting.edtf)
            .where(Meeting.edtf.contains("T"), *self.conditions())
            .execution_options(yield_per=BATCH * 10)
        )
        for edtf in self.session.scalars(query):
            offset = when_of(edtf, date.min, date.min).offset
            if offset is not None:
                offsets.add(offset)
        return offsets

    def document(self) -> dict[str, Any]:
        """The lossless ``tracker/1`` document of the selected meetings and what they
        refer to; the whole database when nothing is filtered (as it stood at ``as_of``,
        when given)."""
        from tracker.document import dump_document

        if self.as_of is not None:
            from tracker.history.read import document_as_of

            return document_as_of(self.session, self.as_of)
        if not self.filtered:
            return dump_document(self.session)
        uids = list(self.session.scalars(select(Meeting.uid).where(*self.conditions())))
        document = dump_document(self.session, uids)
        if self.progress is not None:
            self.progress(len(uids))
        return document


class Exporter(ABC):
    """Writes an ``Export`` to a text stream in one format; returns the number of meetings
    written.

    ``name`` is what ``--format`` takes; ``extensions`` (without the dot) are the file
    names it is picked for, the first being the usual one; ``media_type`` is the IANA
    media type of what it writes. Streams are text with ``newline=""``: an exporter
    writes the line endings its format asks for (CRLF for csv and ics).
    """

    name: ClassVar[str]
    extensions: ClassVar[tuple[str, ...]]
    media_type: ClassVar[str]
    summary: ClassVar[str]

    @abstractmethod
    def write(self, export: Export, stream: TextIO) -> int:
        """Write ``export`` to ``stream``; return the number of meetings written."""


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of ``size`` (the last may be shorter)."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
