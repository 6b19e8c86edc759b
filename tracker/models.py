"""The event model: people, places, visits, meetings, statements and sources.

Every main row has a stable ``uid`` (what export, import and deduplication use) and
created/updated timestamps. Dates are kept as their EDTF text plus the earliest and
latest day they cover: sort by ``earliest``, filter by overlap.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from tracker.vocab import (
    AccountField,
    DurationQualifier,
    MeetingKind,
    MeetingStatus,
    Outcome,
    ParticipantRole,
    PlaceKind,
    StatementKind,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_uid() -> str:
    return uuid.uuid4().hex


class span_days(FunctionElement[float]):  # an SQL function, named like one
    """``latest - earliest`` in days, for two date columns: how long a record may last.

    Its index (``ix_meeting_span``, ``ix_visit_span``; migration 0003) answers "the
    longest span stored" with one index lookup, which bounds a date-overlap filter from
    both sides (``earliest`` between the start minus that span and the end), so that
    ``--from``/``--to`` read a range of ``ix_*_earliest_latest`` whose size does not
    grow with the table. Rendered per backend, exactly as the index was created (the
    SQLite form is in ``db/dialects.py``, applied by ``db/backends.py``).
    """

    type = Float()
    inherit_cache = True
    name = "span_days"


@compiles(span_days)
def _span_days_default(element: span_days, compiler: SQLCompiler, **kw: object) -> str:
    earliest, latest = (compiler.process(c, **kw) for c in element.clauses)
    return f"({latest} - {earliest})"


SPAN_INDEXES = ("ix_meeting_span", "ix_visit_span")
"""Expression indexes that reflection cannot read back on SQLite: autogenerate skips
them (``db/migrations/env.py``)."""


def one_of(column: str, values: Iterable[str]) -> CheckConstraint:
    """A CHECK constraint keeping ``column`` within ``values`` (an enum's, say), written
    as comparisons, ``kind = 'talks' OR kind = 'call'``: SQLite builds the lookup table
    of an IN list again for every row it checks, which made the lists a fifth of what a
    big import spent inserting meetings (migration 0011). A NULL passes, as with IN."""
    return CheckConstraint(" OR ".join(f"{column} = '{value}'" for value in values), name=column)


NEVER_REUSED = {"sqlite_autoincrement": True}
"""Table options of every record table: on SQLite, ``AUTOINCREMENT`` (ids of deleted
rows are never handed out again; PostgreSQL's sequences never reuse them either)."""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Record:
    """Columns every main row has: a surrogate key, a stable uid and timestamps."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-2)
    uid: Mapped[str] = mapped_column(String(64), unique=True, default=new_uid, sort_order=-1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


# -- people ---------------------------------------------------------------------------


class Person(Record, Base):
    __tablename__ = "person"
    __table_args__ = (NEVER_REUSED,)

    name: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200), index=True)
    # ISO 3166-1 alpha-2, or a former country's ISO 3166-3 alpha-4 (tracker.countries)
    country: Mapped[str | None] = mapped_column(String(4))
    wikidata: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)

    aliases: Mapped[list[PersonAlias]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="PersonAlias.id"
    )
    roles: Mapped[list[PersonRole]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="PersonRole.id"
    )

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.name!r}>"


class PersonAlias(Base):
    __tablename__ = "person_alias"
    __table_args__ = (UniqueConstraint("person_id", "name", "lang"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200), index=True)
    lang: Mapped[str | None] = mapped_column(String(16))

    person: Mapped[Person] = relationship(back_populates="aliases")

    def __repr__(self) -> str:
        return f"<PersonAlias {self.name!r} ({self.lang})>"


class PersonRole(Base):
    __tablename__ = "person_role"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    organisation: Mapped[str | None] = mapped_column(String(300))
    start_edtf: Mapped[str | None] = mapped_column(String(64))
    end_edtf: Mapped[str | None] = mapped_column(String(64))

    person: Mapped[Person] = relationship(back_populates="roles")

    def __repr__(self) -> str:
        return f"<PersonRole {self.title!r}>"


# -- places ---------------------------------------------------------------------------


class Place(Record, Base):
    __tablename__ = "place"
    __table_args__ = (one_of("kind", PlaceKind), NEVER_REUSED)

    name: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    # ISO 3166-1 alpha-2, or a former country's ISO 3166-3 alpha-4 (tracker.countries)
    country: Mapped[str | None] = mapped_column(String(4))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("place.id", ondelete="SET NULL"), index=True
    )
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    wikidata: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)

    parent: Mapped[Place | None] = relationship(remote_side="Place.id")
    aliases: Mapped[list[PlaceAlias]] = relationship(
        back_populates="place", cascade="all, delete-orphan", order_by="PlaceAlias.id"
    )

    def __repr__(self) -> str:
        return f"<Place {self.id} {self.name!r} ({self.kind})>"


class PlaceAlias(Base):
    __tablename__ = "place_alias"
    __table_args__ = (UniqueConstraint("place_id", "name", "lang"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200), index=True)
    lang: Mapped[str | None] = mapped_column(String(16))

    place: Mapped[Place] = relationship(back_populates="aliases")

    def __repr__(self) -> str:
        return f"<PlaceAlias {self.name!r} ({self.lang})>"


# -- sources --------------------------------------------------------------------------


class Source(Record, Base):
    __tablename__ = "source"
    __table_args__ = (NEVER_REUSED,)

    url: Mapped[str | None] = mapped_column(String(2000), index=True)
    publisher: Mapped[str | None] = mapped_column(String(300))
    title: Mapped[str | None] = mapped_column(String(1000))
    published: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(16))
    notes: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<Source {self.id} {self.publisher!r} {self.url!r}>"


class VisitSource(Base):
    __tablename__ = "visit_source"

    visit_id: Mapped[int] = mapped_column(
        ForeignKey("visit.id", ondelete="CASCADE"), primary_key=True
    )
    source_id: Mapped[int] = mapped_column(
        ForeignKey("source.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    source: Mapped[Source] = relationship()


class MeetingSource(Base):
    __tablename__ = "meeting_source"
    __table_args__ = (
        # A meeting's sources in their order, read from the index alone (the timeline's
        # sources cell).
        Index("ix_meeting_source_meeting_position", "meeting_id", "position", "source_id"),
    )

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True
    )
    source_id: Mapped[int] = mapped_column(
        ForeignKey("source.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    source: Mapped[Source] = relationship()


class StatementSource(Base):
    __tablename__ = "statement_source"

    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statement.id", ondelete="CASCADE"), primary_key=True
    )
    source_id: Mapped[int] = mapped_column(
        ForeignKey("source.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    source: Mapped[Source] = relationship()


# -- visits ---------------------------------------------------------------------------


class Visit(Record, Base):
    """A trip: travellers, a destination, a date or date range; it holds meetings."""

    __tablename__ = "visit"
    __table_args__ = (
        Index("ix_visit_earliest_latest", "earliest", "latest"),
        CheckConstraint("latest >= earliest", name="bounds"),
        NEVER_REUSED,
    )

    destination_id: Mapped[int | None] = mapped_column(
        ForeignKey("place.id", ondelete="RESTRICT"), index=True
    )
    edtf: Mapped[str] = mapped_column(String(64))
    earliest: Mapped[date] = mapped_column(Date)
    latest: Mapped[date] = mapped_column(Date)
    purpose: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)

    destination: Mapped[Place | None] = relationship()
    travellers: Mapped[list[VisitTraveller]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="VisitTraveller.position"
    )
    meetings: Mapped[list[Meeting]] = relationship(
        back_populates="visit", order_by="(Meeting.earliest, Meeting.id)"
    )
    accounts: Mapped[list[Account]] = relationship(
        back_populates="visit",
        cascade="all, delete-orphan",
        order_by="(Account.field, Account.position)",
    )
    source_links: Mapped[list[VisitSource]] = relationship(
        cascade="all, delete-orphan", order_by="VisitSource.position"
    )
    sources: Mapped[list[Source]] = relationship(
        secondary="visit_source", order_by="VisitSource.position", viewonly=True
    )

    def __repr__(self) -> str:
        return f"<Visit {self.id} {self.edtf}>"


Index("ix_visit_span", span_days(Visit.earliest, Visit.latest))


class VisitTraveller(Base):
    __tablename__ = "visit_traveller"
    __table_args__ = (Index("ix_visit_traveller_person_visit", "person_id", "visit_id"),)

    visit_id: Mapped[int] = mapped_column(
        ForeignKey("visit.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT"), primary_key=True
    )
    role: Mapped[str | None] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)

    visit: Mapped[Visit] = relationship(back_populates="travellers")
    person: Mapped[Person] = relationship()


# -- meetings -------------------------------------------------------------------------


class Meeting(Record, Base):
    """A meeting, talks, summit or call; ``visit`` is empty for one outside any trip."""

    __tablename__ = "meeting"
    __table_args__ = (
        Index("ix_meeting_earliest_latest", "earliest", "latest"),
        CheckConstraint("latest >= earliest", name="bounds"),
        CheckConstraint("duration_minutes IS NULL OR duration_minutes >= 0", name="duration"),
        one_of("kind", MeetingKind),
        one_of("duration_qualifier", DurationQualifier),
        one_of("outcome", Outcome),
        one_of("status", MeetingStatus),
        NEVER_REUSED,
    )

    visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("visit.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), default=MeetingKind.MEETING.value)
    title: Mapped[str] = mapped_column(String(500))
    edtf: Mapped[str] = mapped_column(String(64))
    earliest: Mapped[date] = mapped_column(Date)
    latest: Mapped[date] = mapped_column(Date)
    venue_id: Mapped[int | None] = mapped_column(
        ForeignKey("place.id", ondelete="RESTRICT"), index=True
    )
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    duration_qualifier: Mapped[str | None] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(24), default=Outcome.UNKNOWN.value)
    outcome_summary: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=MeetingStatus.HELD.value)
    notes: Mapped[str | None] = mapped_column(Text)
    # Its list cells as the timeline shows them, built by every write that touches the
    # meeting (``tracker.write.cells``) and read as they are; never loaded with it.
    envoys_cell: Mapped[str] = mapped_column(Text, server_default="", deferred=True)
    counterparts_cell: Mapped[str] = mapped_column(Text, server_default="", deferred=True)
    sources_cell: Mapped[str] = mapped_column(Text, server_default="", deferred=True)

    visit: Mapped[Visit | None] = relationship(back_populates="meetings")
    venue: Mapped[Place | None] = relationship()
    participants: Mapped[list[Participant]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Participant.position"
    )
    topics: Mapped[list[MeetingTopic]] = relationship(
        cascade="all, delete-orphan", order_by="MeetingTopic.position"
    )
    statements: Mapped[list[Statement]] = relationship(
        back_populates="meeting", order_by="(Statement.earliest, Statement.id)"
    )
    accounts: Mapped[list[Account]] = relationship(
        back_populates="meeting",
        cascade="all, delete-orphan",
        order_by="(Account.field, Account.position)",
    )
    source_links: Mapped[list[MeetingSource]] = relationship(
        cascade="all, delete-orphan", order_by="MeetingSource.position"
    )
    sources: Mapped[list[Source]] = relationship(
        secondary="meeting_source", order_by="MeetingSource.position", viewonly=True
    )

    def __repr__(self) -> str:
        return f"<Meeting {self.id} {self.edtf} {self.title!r}>"


Index("ix_meeting_span", span_days(Meeting.earliest, Meeting.latest))


class Participant(Base):
    __tablename__ = "meeting_participant"
    __table_args__ = (
        Index("ix_meeting_participant_person_meeting", "person_id", "meeting_id"),
        # A meeting's participants in their order, read from the index alone (the
        # timeline's envoys and counterparts cells).
        Index(
            "ix_meeting_participant_meeting_position", "meeting_id", "position", "role", "person_id"
        ),
        one_of("role", ParticipantRole),
    )

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT"), primary_key=True
    )
    side: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer, default=0)

    meeting: Mapped[Meeting] = relationship(back_populates="participants")
    person: Mapped[Person] = relationship()


class MeetingTopic(Base):
    __tablename__ = "meeting_topic"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


# -- statements -----------------------------------------------------------------------


class Statement(Record, Base):
    """Who said what, when, in what language, about which meeting."""

    __tablename__ = "statement"
    __table_args__ = (
        CheckConstraint("latest >= earliest", name="bounds"),
        one_of("kind", StatementKind),
        NEVER_REUSED,
    )

    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    speaker_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), default=StatementKind.QUOTE.value)
    edtf: Mapped[str] = mapped_column(String(64))
    earliest: Mapped[date] = mapped_column(Date)
    latest: Mapped[date] = mapped_column(Date)
    language: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)

    meeting: Mapped[Meeting | None] = relationship(back_populates="statements")
    speaker: Mapped[Person] = relationship()
    source_links: Mapped[list[StatementSource]] = relationship(
        cascade="all, delete-orphan", order_by="StatementSource.position"
    )
    sources: Mapped[list[Source]] = relationship(
        secondary="statement_source", order_by="StatementSource.position", viewonly=True
    )

    def __repr__(self) -> str:
        return f"<Statement {self.id} {self.edtf}>"


# -- accounts -------------------------------------------------------------------------


class Account(Base):
    """One account of a fact of a meeting or a visit (its duration, date, venue...):
    the value a source gives, that source, what was said and by whom, and a note.

    A fact may have several; the ``preferred`` one is the record's value (the first
    recorded, unless the user chose another). ``value`` holds the canonical form
    (tracker/1, as JSON) of a date, duration, outcome, summary or status; a venue or
    destination is ``place``, and participants are ``people``: real foreign keys.
    """

    __tablename__ = "account"
    __table_args__ = (
        Index("ix_account_meeting_field", "meeting_id", "field", "position"),
        Index("ix_account_visit_field", "visit_id", "field", "position"),
        CheckConstraint("(meeting_id IS NULL) <> (visit_id IS NULL)", name="record"),
        one_of("field", AccountField),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(String(24))
    position: Mapped[int] = mapped_column(Integer, default=0)
    preferred: Mapped[bool] = mapped_column(Boolean, default=False)
    value: Mapped[str | None] = mapped_column(Text)
    # What the value says, as one text (the canonical value; a place's or the people's
    # uids): equal keys are the same account of the fact, so a fact is disputed when
    # its accounts have more than one key. Kept by ``tracker.write.apply.set_value``.
    value_key: Mapped[str] = mapped_column(Text)
    place_id: Mapped[int | None] = mapped_column(
        ForeignKey("place.id", ondelete="RESTRICT"), index=True
    )
    quote: Mapped[str | None] = mapped_column(Text)
    speaker_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT"), index=True
    )
    language: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)

    meeting: Mapped[Meeting | None] = relationship(back_populates="accounts")
    visit: Mapped[Visit | None] = relationship(back_populates="accounts")
    place: Mapped[Place | None] = relationship()
    speaker: Mapped[Person | None] = relationship()
    people: Mapped[list[AccountPerson]] = relationship(
        cascade="all, delete-orphan", order_by="AccountPerson.position"
    )
    source_links: Mapped[list[AccountSource]] = relationship(
        cascade="all, delete-orphan", order_by="AccountSource.position"
    )

    def __repr__(self) -> str:
        return f"<Account {self.id} {self.field} #{self.position}>"


class AccountSource(Base):
    __tablename__ = "account_source"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), primary_key=True
    )
    source_id: Mapped[int] = mapped_column(
        ForeignKey("source.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    source: Mapped[Source] = relationship()


class AccountPerson(Base):
    """A participant as one account of a meeting's participants gives them."""

    __tablename__ = "account_person"
    __table_args__ = (one_of("role", ParticipantRole),)

    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    side: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer, default=0)

    person: Mapped[Person] = relationship()


# -- bookkeeping ----------------------------------------------------------------------


class Tombstone(Base):
    """A deleted meeting, visit or statement, or a person or place merged into another:
    its id and uid are never given to another record, and a reference to it says that it
    was deleted rather than "not found". A merged record's tombstone keeps the uid of
    the record it went into (``merged_into``), which a document's reference follows."""

    __tablename__ = "tombstone"
    __table_args__ = (
        Index("ix_tombstone_kind_record_id", "kind", "record_id"),
        Index("ix_tombstone_uid", "uid"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[int] = mapped_column(Integer)
    uid: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(600))
    merged_into: Mapped[str | None] = mapped_column(String(64))
    deleted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<Tombstone {self.kind} {self.record_id} {self.uid!r}>"


class SeedRecord(Base):
    """The canonical form (tracker/1, as JSON) in which ``seed`` last wrote a record:
    what ``seed`` compares a record with to tell the user's changes from its own."""

    __tablename__ = "seed_record"

    section: Mapped[str] = mapped_column(String(16), primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), primary_key=True)
    document: Mapped[str] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<SeedRecord {self.section} {self.uid!r}>"


# -- history --------------------------------------------------------------------------


class ChangeSet(Base):
    """One write: when (UTC), who (the name given or the system user, and on
    PostgreSQL the database role), the command line (credentials masked) and, for an
    undo, the change set it reverts. ``pruned_before``: this change set removed the
    history older than that time (as-of cannot reach behind it)."""

    __tablename__ = "change_set"
    __table_args__ = (Index("ix_change_set_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    who: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(200))
    command: Mapped[str] = mapped_column(Text)
    undoes: Mapped[int | None] = mapped_column(Integer)
    pruned_before: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    changes: Mapped[list[Change]] = relationship(
        back_populates="change_set",
        order_by="Change.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"<ChangeSet {self.id} {self.who!r}>"


class Change(Base):
    """One record a change set touched: its section and uid, and its canonical form
    (tracker/1, as JSON) before (``NULL``: it was added) and after (``NULL``: it was
    deleted; or, for a record a bulk import added, as the next change found it)."""

    __tablename__ = "change"
    __table_args__ = (
        Index("ix_change_uid", "uid"),
        one_of("op", ("added", "updated", "deleted")),
    )

    change_set_id: Mapped[int] = mapped_column(
        ForeignKey("change_set.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    section: Mapped[str] = mapped_column(String(16))
    uid: Mapped[str] = mapped_column(String(64))
    op: Mapped[str] = mapped_column(String(8))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    change_set: Mapped[ChangeSet] = relationship(back_populates="changes")

    def __repr__(self) -> str:
        return f"<Change {self.change_set_id}.{self.position} {self.section} {self.uid!r}>"


TABLES = [table.name for table in Base.metadata.sorted_tables]
