"""Writing records from the command line: log a meeting (and its visit), edit a meeting
or visit, delete one. Every write goes through :class:`tracker.write.writer.Writer`.

Errors name fields (``envoy``, ``counterpart``, ``place``, ``date``...); the command
line says which option fills each.

Services take a Session and leave the transaction to the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from tracker import fields
from tracker.dates import parse_when
from tracker.durations import parse_duration
from tracker.errors import InvalidInput
from tracker.models import (
    Meeting,
    MeetingSource,
    MeetingTopic,
    Participant,
    Person,
    Place,
    Statement,
    StatementSource,
    Visit,
    VisitSource,
)
from tracker.names import clean_name, name_key
from tracker.vocab import (
    MeetingKind,
    MeetingStatus,
    Outcome,
    ParticipantRole,
    StatementKind,
    choose,
)
from tracker.write.report import ChangeReport
from tracker.write.sources import SourceSpec, source_spec
from tracker.write.writer import Creating, Writer, day_part


@dataclass(frozen=True)
class Counterpart:
    """``NAME``, ``NAME:ROLE`` or ``NAME:ROLE:SIDE`` as typed after ``--with``."""

    name: str
    role: str | None = None
    side: str | None = None

    @classmethod
    def parse(cls, text: str) -> Counterpart:
        name, _, rest = text.partition(":")
        role, _, side = rest.partition(":")
        role_value = (
            choose(ParticipantRole, role, "counterpart role").value if role.strip() else None
        )
        side_value = clean_name(side, "counterpart side") if side.strip() else None
        if side_value is not None and len(side_value) > 100:
            raise InvalidInput("counterpart side", "a side of at most 100 characters, such as RU")
        return cls(clean_name(name, "counterpart"), role_value, side_value)


@dataclass(frozen=True)
class SaidLine:
    """``SPEAKER: text`` as typed after ``--statement``."""

    speaker: str
    text: str

    @classmethod
    def parse(cls, text: str) -> SaidLine:
        speaker, colon, said = text.partition(":")
        if not colon or not speaker.strip() or not said.strip():
            raise InvalidInput("statement", '"SPEAKER: what they said"', text)
        return cls(clean_name(speaker, "statement speaker"), said.strip())


@dataclass
class LogRequest:
    """Everything ``tracker log`` can be told about a meeting."""

    envoys: list[str]
    date: str
    title: str
    place: str | None = None
    kind: str = MeetingKind.TALKS.value
    counterparts: list[Counterpart] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    duration: str | None = None
    outcome: str = Outcome.UNKNOWN.value
    summary: str | None = None
    status: str = MeetingStatus.HELD.value
    statements: list[SaidLine] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    publisher: str | None = None
    source_title: str | None = None
    notes: str | None = None
    country: str | None = None
    no_visit: bool = False
    duplicate: bool = False  # write it even if it probably repeats a meeting
    statement_sources: list[str] = field(default_factory=list)  # default: the meeting's
    statement_language: str | None = None
    statement_kind: str = StatementKind.QUOTE.value


@dataclass(frozen=True)
class Unknown:
    """A name ``log`` would have to create, with the nearest known names."""

    kind: str  # "person" or "place"
    name: str
    suggestions: Sequence[str]
    field: str = "envoy"


def unknown_names(session: Session, request: LogRequest) -> list[Unknown]:
    """The people and places the request names that do not exist yet (ambiguous names
    raise at once: creating another record would only add to the confusion)."""
    writer = Writer(session)
    named = [("envoy", n) for n in request.envoys]
    named += [("counterpart", c.name) for c in request.counterparts]
    named += [("statement speaker", s.speaker) for s in request.statements]
    unknown: list[Unknown] = []
    seen: set[str] = set()
    for field_name, name in named:
        new = writer.unknown("person", name, field_name)
        if new is not None and name_key(name) not in seen:
            seen.add(name_key(name))
            unknown.append(Unknown("person", name, new.suggestions, field_name))
    if request.place is not None:
        new = writer.unknown("place", request.place, "place")
        if new is not None:
            unknown.append(Unknown("place", request.place, new.suggestions, "place"))
    return unknown


def log_meeting(
    session: Session,
    request: LogRequest,
    *,
    create: Creating | Sequence[str] = (),
    today: date | None = None,
    report: ChangeReport | None = None,
) -> Meeting:
    """Record a meeting: its envoys as participants in the role ``envoy``; in the
    visit of its envoys that it falls in (the visit rule), or a new one. A meeting that
    probably repeats a recorded one raises ProbableDuplicate unless
    ``request.duplicate``. Unknown names are created only as ``create`` allows; any
    other raises NotFound with suggestions."""
    allowed = create if isinstance(create, Creating) else Creating.names(create)
    writer = Writer(session, create=allowed, report=report)
    when = parse_when(request.date, field="date", today=today)
    kind = choose(MeetingKind, request.kind, "kind").value
    outcome = choose(Outcome, request.outcome, "outcome").value
    status = choose(MeetingStatus, request.status, "status").value
    title = fields.text(request.title, "title", required=True, limit=fields.TITLE_LIMIT)
    minutes, qualifier = (
        parse_duration(request.duration, "duration") if request.duration else (None, None)
    )
    if not request.envoys:
        raise InvalidInput("envoy", "at least one envoy")
    for envoy in request.envoys:
        clean_name(envoy, "envoy")
    if request.place is not None:
        clean_name(request.place, "place")
    country = fields.country(request.country, "country")
    meeting_specs = source_specs(request.sources, request.publisher, request.source_title)
    if not meeting_specs:
        raise InvalidInput("source", "at least one source (a URL, or a publisher's name)")
    summary = fields.text(request.summary, "summary")
    notes = fields.text(request.notes, "notes")
    topics = list(dict.fromkeys(clean_name(t, "topic") for t in request.topics))
    statements = [(s, fields.text(s.text, "statement", required=True)) for s in request.statements]
    statement_kind = choose(StatementKind, request.statement_kind, "statement kind").value
    statement_language = fields.language(request.statement_language, "statement language")
    statement_specs = source_specs(request.statement_sources, None, None, "statement source")

    envoys = _unique_people(
        [writer.person(n, "envoy", country=None) for n in dict.fromkeys(request.envoys)]
    )
    counterparts = [(writer.person(c.name, "counterpart"), c) for c in request.counterparts]
    place = writer.place(request.place, "place", country=country) if request.place else None
    sources = [writer.source(*spec) for spec in meeting_specs]
    said_in = [writer.source(*spec) for spec in statement_specs] or sources

    meeting = Meeting(
        kind=kind,
        title=title,
        edtf=when.edtf,
        earliest=when.earliest,
        latest=when.latest,
        venue=place,
        duration_minutes=minutes,
        duration_qualifier=qualifier.value if qualifier else None,
        outcome=outcome,
        outcome_summary=summary,
        status=status,
        notes=notes,
    )
    seen = {person.id for person in envoys}
    participants = [
        Participant(person=person, side=person.country, role=ParticipantRole.ENVOY.value)
        for person in envoys
    ]
    for person, counterpart in counterparts:
        if person.id in seen:
            raise InvalidInput("counterpart", "each person once", counterpart.name)
        seen.add(person.id)
        role = counterpart.role or _default_role(writer, person, place)
        participants.append(
            Participant(person=person, side=counterpart.side or person.country, role=role)
        )
    meeting.participants = [_positioned(p, i) for i, p in enumerate(participants)]
    meeting.topics = [
        MeetingTopic(topic=t, key=name_key(t), position=i) for i, t in enumerate(topics)
    ]
    meeting.source_links = [MeetingSource(source=s, position=i) for i, s in enumerate(sources)]
    if not request.duplicate:
        writer.check_new_meeting(meeting)
    writer.touch(meeting, new=True)
    if not request.no_visit and kind != MeetingKind.CALL.value and place is not None:
        meeting.visit, _created = writer.visit_for(envoys, place, when, sources)
    session.add(meeting)
    for said, text in statements:
        speaker = writer.person(said.speaker, "statement speaker")
        statement = Statement(
            meeting=meeting,
            speaker=speaker,
            kind=statement_kind,
            edtf=day_part(when).edtf,
            earliest=when.earliest,
            latest=when.latest,
            language=statement_language,
            text=text or "",
        )
        statement.source_links = [
            StatementSource(source=s, position=i) for i, s in enumerate(dict.fromkeys(said_in))
        ]
        session.add(statement)
        writer.touch(statement, new=True)
    writer.finish()
    return meeting


def _unique_people(people: list[Person]) -> list[Person]:
    return list({person.id: person for person in people}.values())


def _positioned(participant: Participant, position: int) -> Participant:
    participant.position = position
    return participant


def _default_role(writer: Writer, person: Person, place: Place | None) -> str | None:
    """A counterpart from the country the meeting is in is its host."""
    if place is None or not person.country:
        return None
    if place.id is None:
        writer.session.flush()
    if person.country == writer.tree.country_of(place.id):
        return ParticipantRole.HOST.value
    return None


def source_specs(
    values: Sequence[str], publisher: str | None, title: str | None, field: str = "source"
) -> list[SourceSpec]:
    """``(url, publisher, title)`` of each source given as one value (a URL, or a
    publisher's name); ``publisher`` and ``title`` describe the first. Errors name
    ``field``."""
    specs: list[SourceSpec] = []
    for index, value in enumerate(dict.fromkeys(v.strip() for v in values if v.strip())):
        spec = source_spec(
            value,
            publisher if index == 0 else None,
            title if index == 0 else None,
            fields_named=(field, "publisher", "source title"),
        )
        if spec is not None:
            specs.append(spec)
    if not specs and publisher:
        spec = source_spec(None, publisher, title)
        if spec is not None:
            specs.append(spec)
    return specs


# -- edit and delete ------------------------------------------------------------------


@dataclass
class Changes:
    """The fields ``tracker edit`` can set; ``None`` leaves a field as it is."""

    title: str | None = None
    date: str | None = None
    kind: str | None = None
    place: str | None = None
    duration: str | None = None
    outcome: str | None = None
    summary: str | None = None
    status: str | None = None
    notes: str | None = None
    purpose: str | None = None
    add_topics: list[str] = field(default_factory=list)
    add_sources: list[str] = field(default_factory=list)

    def empty(self) -> bool:
        return all(value is None or value == [] for value in vars(self).values())


MEETING_ONLY = ("title", "kind", "duration", "outcome", "summary", "status", "add_topics")
FIELD_OF = {"add_topics": "topic", "add_sources": "source"}


def edit_record(
    session: Session, record: Meeting | Visit, changes: Changes, report: ChangeReport | None = None
) -> list[str]:
    """Apply ``changes`` to a meeting or a visit (fields that do not apply are an error).

    A meeting whose new date or place falls outside its visit moves to the visit of
    its envoys that it falls in, or to a new one. Returns sentences saying what moved.
    """
    writer = Writer(session, report=report)
    writer.touch(record)
    if changes.empty():
        raise InvalidInput("edit", "at least one field to change, such as title or date")
    _refuse_facts_with_accounts(record, changes)
    if isinstance(record, Visit):
        for name in MEETING_ONLY:
            if getattr(changes, name) not in (None, []):
                raise InvalidInput(FIELD_OF.get(name, name), "a change that a visit has")
    if changes.date is not None:
        when = parse_when(changes.date, field="date")
        if isinstance(record, Visit):
            when = day_part(when)
        record.edtf, record.earliest, record.latest = when.edtf, when.earliest, when.latest
    if changes.notes is not None:
        record.notes = fields.text(changes.notes, "notes")
    if changes.add_sources:
        links = record.source_links
        have = {link.source.uid for link in links}
        for spec in source_specs(changes.add_sources, None, None):
            source = writer.source(*spec)
            session.flush()
            if source.uid not in have:
                have.add(source.uid)
                link_type = VisitSource if isinstance(record, Visit) else MeetingSource
                links.append(link_type(source=source, position=len(links)))  # type: ignore[arg-type]
    if isinstance(record, Visit):
        if changes.purpose is not None:
            record.purpose = fields.text(changes.purpose, "purpose")
        if changes.place is not None:
            record.destination = writer.place(changes.place, "place")
        writer.finish()
        return []
    if changes.purpose is not None:
        raise InvalidInput("purpose", "a change that a meeting has (a visit has a purpose)")
    if changes.title is not None:
        record.title = (
            fields.text(changes.title, "title", required=True, limit=fields.TITLE_LIMIT)
            or record.title
        )
    if changes.kind is not None:
        record.kind = choose(MeetingKind, changes.kind, "kind").value
    if changes.place is not None:
        record.venue = writer.place(changes.place, "place")
    if changes.duration is not None:
        if changes.duration.strip().lower() in ("", "none", "unknown"):
            record.duration_minutes = record.duration_qualifier = None
        else:
            minutes, qualifier = parse_duration(changes.duration, "duration")
            record.duration_minutes, record.duration_qualifier = minutes, qualifier.value
    if changes.outcome is not None:
        record.outcome = choose(Outcome, changes.outcome, "outcome").value
    if changes.summary is not None:
        record.outcome_summary = fields.text(changes.summary, "summary")
    if changes.status is not None:
        record.status = choose(MeetingStatus, changes.status, "status").value
    if changes.add_topics:
        have_keys = {t.key for t in record.topics}
        for topic in changes.add_topics:
            text = clean_name(topic, "topic")
            if name_key(text) not in have_keys:
                have_keys.add(name_key(text))
                record.topics.append(
                    MeetingTopic(topic=text, key=name_key(text), position=len(record.topics))
                )
    session.flush()
    moved = writer.keep_in_its_visit(record) if (changes.date or changes.place) else None
    writer.finish()
    return [moved] if moved else []


ACCOUNTED = {
    "date": "date",
    "place": "place",
    "duration": "duration",
    "outcome": "outcome",
    "summary": "outcome_summary",
    "status": "status",
}


def _refuse_facts_with_accounts(record: Meeting | Visit, changes: Changes) -> None:
    """A fact with accounts takes the value of its preferred account: an edit would
    set a value that no account gives, so it is refused, naming the way that works."""
    from tracker.accounts import by_field, field_named

    with_accounts = by_field(record.accounts)
    for name, typed in ACCOUNTED.items():
        if getattr(changes, name) is None:
            continue
        if isinstance(record, Visit) and name not in ("date", "place"):
            continue
        if field_named(record, typed) in with_accounts:
            raise InvalidInput(
                name,
                "no change to a fact that has accounts: add an account of it (tracker account"
                " add) or prefer another (tracker account prefer)",
            )


@dataclass(frozen=True)
class Deleted:
    """What ``delete_record`` removed."""

    visits: int
    meetings: int
    statements: int
    emptied: Visit | None  # a visit removed because its last meeting went


def delete_record(session: Session, record: Meeting | Visit) -> Deleted:
    """Delete a meeting (with its statements, and its visit when it was the visit's
    last meeting) or a visit (with its meetings and their statements)."""
    report = ChangeReport()
    writer = Writer(session, report=report)
    emptied = None
    if isinstance(record, Meeting):
        emptied = writer.delete_meeting(record)
    else:
        writer.delete_visit(record)
    return Deleted(
        report.deleted["visits"], report.deleted["meetings"], report.deleted["statements"], emptied
    )
