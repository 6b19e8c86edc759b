"""What every exporter shares: the ``Export`` (the selected records, read lazily in
batches) and the ``Exporter`` base class.

An exporter pulls what it needs from the ``Export`` it is given: the timeline rows
(csv, markdown, ndjson), the timeline records, each row with its meeting's people,
sources and place (html, timelinejs, ics, geojson), the visits (ics, geojson), or the
lossless document (json, yaml). Rows, records and visits are read on a plain read
(``tracker.sql.Reader``: no SQLAlchemy on SQLite) by the one timeline builder
(``tracker.query.timeline``), filtered by the one filter code (``tracker.query.where``);
only an exporter that declares ``reads_orm`` is given a SQLAlchemy session as well.
Every iterator reads in batches with a constant number of statements per batch, so an
export writes rows as they are read and its memory does not grow with the database.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, TextIO, TypeVar

from tracker.query.display import Row, when_of
from tracker.query.timeline import (
    TimelineRecord,
    TimelineTuple,
    timeline_batches,
    timeline_records,
    timeline_rows,
)
from tracker.query.visits import VisitRecord, visit_records
from tracker.query.where import Filters, Where, meeting_where
from tracker.sql import Reader

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

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
    no filter is set) and what they refer to, read in batches on ``read``.

    ``session`` is a SQLAlchemy session in the same transaction as ``read``
    (``tracker.backend.reader(session)``), given only for an exporter that
    ``reads_orm``. ``progress`` is called with the number of meetings read so far,
    every ``PROGRESS_EVERY`` meetings and once at the end.
    """

    def __init__(
        self,
        read: Reader,
        filters: Filters | None = None,
        *,
        session: Session | None = None,
        title: str = DEFAULT_TITLE,
        progress: Callable[[int], None] | None = None,
        as_of: datetime | None = None,
    ) -> None:
        self.read = read
        self._session = session
        self.filters = filters or Filters()
        self.as_of = as_of
        self.title = title
        self.progress = progress
        self._where: Where | None = None
        self._summary: Summary | None = None
        self._streams: list[Generator[Any, None, None]] = []

    @property
    def session(self) -> Session:
        """The SQLAlchemy session, for an exporter that ``reads_orm``."""
        if self._session is None:
            raise RuntimeError("this export was given no session (its exporter reads_orm?)")
        return self._session

    def close(self) -> None:
        """Close every stream handed out (their cursors with them) while the read is
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

    def where(self) -> Where:
        """The WHERE conditions on the meetings, aliased ``m`` (names resolved once;
        raises InvalidInput, NotFound or Ambiguous for a bad filter before anything is
        written)."""
        if self._where is None:
            self._where = meeting_where(self.read, self.filters, "m")
        return self._where

    def summary(self) -> Summary:
        """The number of meetings and their first and last day (one query)."""
        if self._summary is None:
            where = self.where()
            count, earliest, latest = self.read.all(
                "SELECT count(*), min(m.earliest), max(m.latest) FROM meeting AS m" + where.sql(),
                where.params,
            )[0]
            self._summary = Summary(int(count), _day(earliest), _day(latest))
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

    def visits(self) -> Iterator[VisitRecord]:
        """The visits that hold a selected meeting (every visit when nothing is
        filtered), by date, with travellers and sources, streamed in batches."""
        held = self.where() if self.filtered else None
        return self._tracked(visit_records(self.read, held))

    def timed_offsets(self) -> set[str]:
        """The UTC offsets (``Z``, ``+03:00``) of the selected meetings dated to the minute."""
        where = self.where()
        offsets: set[str] = set()
        query = "SELECT m.edtf FROM meeting AS m WHERE m.edtf LIKE '%T%'" + where.sql("AND")
        for (edtf,) in self.read.rows(query, where.params):
            offset = when_of(edtf, date.min, date.min).offset
            if offset is not None:
                offsets.add(offset)
        return offsets

    def meeting_uids(self) -> list[str]:
        """The uids of the selected meetings."""
        where = self.where()
        query = "SELECT m.uid FROM meeting AS m" + where.sql()
        return [uid for (uid,) in self.read.rows(query, where.params)]

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
        uids = self.meeting_uids()
        document = dump_document(self.session, uids)
        if self.progress is not None:
            self.progress(len(uids))
        return document


def _day(value: Any) -> date | None:
    """A date as a plain read gives it (ISO text), or ``None``."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


class Exporter(ABC):
    """Writes an ``Export`` to a text stream in one format; returns the number of meetings
    written.

    ``name`` is what ``--format`` takes; ``extensions`` (without the dot) are the file
    names it is picked for, the first being the usual one; ``media_type`` is the IANA
    media type of what it writes. Streams are text with ``newline=""``: an exporter
    writes the line endings its format asks for (CRLF for csv and ics).

    ``reads_orm``: the exporter reads ``export.session`` (SQLAlchemy's models) beside
    the plain read; the command opens a session only for such an exporter.
    """

    name: ClassVar[str]
    extensions: ClassVar[tuple[str, ...]]
    media_type: ClassVar[str]
    summary: ClassVar[str]
    reads_orm: ClassVar[bool] = False

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
