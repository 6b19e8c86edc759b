"""Writing records: log a meeting (and its visit), edit a meeting or visit, delete one.

Services take a Session and leave the transaction to the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.dates import When, parse_when
from tracker.durations import parse_duration
from tracker.errors import Ambiguous, InvalidInput, NotFound
from tracker.models import (
    Meeting,
    MeetingSource,
    MeetingTopic,
    Participant,
    Person,
    Place,
    Source,
    Statement,
    StatementSource,
    Visit,
    VisitSource,
    VisitTraveller,
)
from tracker.names import (
    clean_name,
    describe,
    find_people,
    find_places,
    name_key,
    resolve_person,
    resolve_place,
    suggest,
)
from tracker.vocab import (
    MeetingKind,
    MeetingStatus,
    Outcome,
    ParticipantRole,
    PlaceKind,
    StatementKind,
    choose,
)

_URL_PREFIXES = ("http://", "https://")


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
        role_value = choose(ParticipantRole, role, "--with role").value if role.strip() else None
        side_value = clean_name(side, "--with side") if side.strip() else None
        if side_value is not None and len(side_value) > 100:
            raise InvalidInput("--with side", "a side of at most 100 characters, such as RU")
        return cls(clean_name(name, "--with"), role_value, side_value)


@dataclass(frozen=True)
class SaidLine:
    """``SPEAKER: text`` as typed after ``--statement``."""

    speaker: str
    text: str

    @classmethod
    def parse(cls, text: str) -> SaidLine:
        speaker, colon, said = text.partition(":")
        if not colon or not speaker.strip() or not said.strip():
            raise InvalidInput("--statement", '"SPEAKER: what they said"', text)
        return cls(clean_name(speaker, "--statement speaker"), said.strip())


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


@dataclass(frozen=True)
class Unknown:
    """A name ``log`` would have to create, with the nearest known names."""

    kind: str  # "person" or "place"
    name: str
    suggestions: Sequence[str]


def unknown_names(session: Session, request: LogRequest) -> list[Unknown]:
    """The people and places the request names that do not exist yet (ambiguous names
    raise at once: creating another record would only add to the confusion)."""
    for envoy in request.envoys:
        clean_name(envoy, "--envoy")
    if request.place is not None:
        clean_name(request.place, "--place")
    named = [("--envoy", n) for n in request.envoys]
    named += [("--with", c.name) for c in request.counterparts]
    named += [("--statement", s.speaker) for s in request.statements]
    unknown: list[Unknown] = []
    seen: set[str] = set()
    for option, name in named:
        if name_key(name) in seen:
            continue
        seen.add(name_key(name))
        if not _exists(session, Person, name, option):
            unknown.append(Unknown("person", name, _suggest(session, Person, name)))
    if request.place and not _exists(session, Place, request.place, "--place"):
        unknown.append(Unknown("place", request.place, _suggest(session, Place, request.place)))
    return unknown


def _exists(session: Session, model: type[Person] | type[Place], name: str, option: str) -> bool:
    found: Sequence[Person | Place]
    if model is Person:
        found = find_people(session, name, option)
    else:
        found = find_places(session, name, option)
    if len(found) > 1:
        kind = "person" if model is Person else "place"
        raise Ambiguous(kind, name, [describe(r) for r in found], field=option)
    return bool(found)


def _suggest(session: Session, model: type[Person] | type[Place], name: str) -> Sequence[str]:
    from tracker.models import PersonAlias, PlaceAlias

    if model is Person:
        return suggest(session, Person, PersonAlias, PersonAlias.person_id, name)
    return suggest(session, Place, PlaceAlias, PlaceAlias.place_id, name)


def log_meeting(
    session: Session,
    request: LogRequest,
    *,
    create: Iterable[str] = (),
    today: date | None = None,
) -> Meeting:
    """Record a meeting, joining the envoy's overlapping visit to the same city or
    starting a new one. Names in ``create`` that are unknown are created; any other
    unknown name raises NotFound with suggestions."""
    allowed = {name_key(n) for n in create}
    when = parse_when(request.date, field="--date", today=today)
    kind = choose(MeetingKind, request.kind, "--kind").value
    outcome = choose(Outcome, request.outcome, "--outcome").value
    status = choose(MeetingStatus, request.status, "--status").value
    title = _text(request.title, "--title", required=True, limit=500)
    minutes, qualifier = parse_duration(request.duration) if request.duration else (None, None)
    if not request.envoys:
        raise InvalidInput("--envoy", "at least one envoy")
    for envoy in request.envoys:
        clean_name(envoy, "--envoy")
    if request.place is not None:
        clean_name(request.place, "--place")
    country = _country(request.country)

    envoys = [_person(session, n, allowed, "--envoy") for n in dict.fromkeys(request.envoys)]
    counterparts = [(_person(session, c.name, allowed, "--with"), c) for c in request.counterparts]
    place = _place(session, request.place, allowed, country) if request.place else None
    sources = _sources(session, request)
    if not sources:
        raise InvalidInput("--source", "at least one source (a URL, or a publisher's name)")

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
        outcome_summary=_text(request.summary, "--summary"),
        status=status,
        notes=_text(request.notes, "--notes"),
    )
    seen: set[int] = set()
    participants = []
    for person in envoys:
        seen.add(id(person))
        participants.append(
            Participant(person=person, side=person.country, role=ParticipantRole.ENVOY.value)
        )
    for person, counterpart in counterparts:
        if id(person) in seen:
            raise InvalidInput("--with", "each person once", counterpart.name)
        seen.add(id(person))
        role = counterpart.role or _default_role(person, place)
        participants.append(
            Participant(person=person, side=counterpart.side or person.country, role=role)
        )
    meeting.participants = [_positioned(p, i) for i, p in enumerate(participants)]
    topics = list(dict.fromkeys(clean_name(t, "--topic") for t in request.topics))
    meeting.topics = [
        MeetingTopic(topic=t, key=name_key(t), position=i) for i, t in enumerate(topics)
    ]
    meeting.source_links = [MeetingSource(source=s, position=i) for i, s in enumerate(sources)]

    if not request.no_visit and kind != MeetingKind.CALL.value and place is not None:
        meeting.visit = _visit_for(session, envoys, place, when, sources)
    session.add(meeting)
    for said in request.statements:
        speaker = _person(session, said.speaker, allowed, "--statement speaker")
        statement = Statement(
            meeting=meeting,
            speaker=speaker,
            kind=StatementKind.QUOTE.value,
            edtf=_day_part(when).edtf,
            earliest=when.earliest,
            latest=when.latest,
            text=_text(said.text, "--statement", required=True) or "",
        )
        statement.source_links = [
            StatementSource(source=s, position=i) for i, s in enumerate(sources)
        ]
        session.add(statement)
    session.flush()
    return meeting


def _positioned(participant: Participant, position: int) -> Participant:
    participant.position = position
    return participant


def _default_role(person: Person, place: Place | None) -> str | None:
    """A counterpart from the country the meeting is in is its host."""
    if place is not None and person.country and person.country == _country_of(place):
        return ParticipantRole.HOST.value
    return None


def _country_of(place: Place | None) -> str | None:
    while place is not None:
        if place.country:
            return place.country
        place = place.parent
    return None


def _city_of(place: Place) -> Place:
    """The city a venue is in (the place itself when it is a city or has none)."""
    current: Place | None = place
    while current is not None:
        if current.kind == PlaceKind.CITY.value:
            return current
        current = current.parent
    return place


def _visit_for(
    session: Session, envoys: list[Person], place: Place, when: When, sources: list[Source]
) -> Visit:
    """The envoy's visit to the same city overlapping ``when``, or a new one."""
    city = _city_of(place)
    day = _day_part(when)
    query = (
        select(Visit)
        .join(VisitTraveller, VisitTraveller.visit_id == Visit.id)
        .where(
            VisitTraveller.person_id.in_([p.id for p in envoys if p.id is not None]),
            Visit.destination_id == city.id,
            Visit.earliest <= day.latest,
            Visit.latest >= day.earliest,
        )
        .order_by(Visit.earliest, Visit.id)
    )
    existing = session.scalars(query).first() if city.id is not None else None
    if existing is not None:
        return existing
    visit = Visit(destination=city, edtf=day.edtf, earliest=day.earliest, latest=day.latest)
    visit.travellers = [
        VisitTraveller(person=p, role=ParticipantRole.ENVOY.value, position=i)
        for i, p in enumerate(envoys)
    ]
    visit.source_links = [VisitSource(source=s, position=i) for i, s in enumerate(sources)]
    session.add(visit)
    return visit


def _day_part(when: When) -> When:
    """A date-time's day (a visit or statement is dated by days)."""
    if when.time is None:
        return when
    return parse_when(when.edtf.split("T", 1)[0])


def _person(session: Session, name: str, allowed: set[str], field_name: str) -> Person:
    found = find_people(session, name)
    if len(found) == 1:
        return found[0]
    if found:
        return resolve_person(session, name)  # raises Ambiguous
    if name_key(name) not in allowed:
        raise NotFound("person", name, _suggest(session, Person, name), field=field_name)
    for pending in session.new:
        if isinstance(pending, Person) and pending.key == name_key(name):
            return pending
    person = Person(name=clean_name(name, field_name), key=name_key(name))
    session.add(person)
    session.flush()
    return person


def _place(session: Session, name: str, allowed: set[str], country: str | None) -> Place:
    found = find_places(session, name)
    if len(found) == 1:
        return found[0]
    if found:
        return resolve_place(session, name)  # raises Ambiguous
    if name_key(name) not in allowed:
        raise NotFound("place", name, _suggest(session, Place, name), field="--place")
    place = Place(
        name=clean_name(name, "--place"),
        key=name_key(name),
        kind=PlaceKind.CITY.value,
        country=country,
    )
    session.add(place)
    session.flush()
    return place


def _sources(session: Session, request: LogRequest) -> list[Source]:
    sources: list[Source] = []
    for index, value in enumerate(dict.fromkeys(s.strip() for s in request.sources if s.strip())):
        publisher = request.publisher if index == 0 else None
        title = request.source_title if index == 0 else None
        if value.lower().startswith(_URL_PREFIXES):
            if any(ch.isspace() or ord(ch) < 32 for ch in value) or len(value) > 2000:
                raise InvalidInput("--source", "a URL without spaces or control characters", value)
            existing = session.scalars(select(Source).where(Source.url == value)).first()
            if existing is not None:
                sources.append(existing)
                continue
            sources.append(
                Source(
                    url=value,
                    publisher=_text(publisher, "--publisher", limit=300),
                    title=_text(title, "--source-title", limit=1000),
                )
            )
        else:
            name = _text(value, "--source", required=True, limit=300)
            sources.append(Source(publisher=name, title=_text(title, "--source-title", limit=1000)))
    if not sources and request.publisher:
        sources.append(
            Source(
                publisher=_text(request.publisher, "--publisher", limit=300),
                title=_text(request.source_title, "--source-title", limit=1000),
            )
        )
    for source in sources:
        if source.id is None:
            session.add(source)
    return sources


def _text(
    value: str | None, field_name: str, *, required: bool = False, limit: int = 100_000
) -> str | None:
    if value is None or not value.strip():
        if required:
            raise InvalidInput(field_name, "a value (it is required)")
        return None
    if "\x00" in value:
        raise InvalidInput(field_name, "text without NUL characters")
    if len(value) > limit:
        raise InvalidInput(field_name, f"at most {limit} characters")
    return value.strip()


def _country(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    code = value.strip().upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        raise InvalidInput("--country", "an ISO 3166-1 alpha-2 code such as RU", value)
    return code


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


def edit_record(session: Session, record: Meeting | Visit, changes: Changes) -> None:
    """Apply ``changes`` to a meeting or a visit (fields that do not apply are an error)."""
    if changes.empty():
        raise InvalidInput("edit", "at least one field to change, such as --title or --date")
    if isinstance(record, Visit):
        for name in MEETING_ONLY:
            if getattr(changes, name) not in (None, []):
                raise InvalidInput(f"--{name.replace('_', '-')}", "a change that a visit has")
    if changes.date is not None:
        when = parse_when(changes.date, field="--date")
        if isinstance(record, Visit):
            when = _day_part(when)
        record.edtf, record.earliest, record.latest = when.edtf, when.earliest, when.latest
    if changes.notes is not None:
        record.notes = _text(changes.notes, "--notes")
    if changes.add_sources:
        links = record.source_links
        have = {link.source.uid for link in links}
        for source in _sources(
            session, LogRequest(envoys=[], date="", title="", sources=changes.add_sources)
        ):
            if source.uid not in have:
                link_type = VisitSource if isinstance(record, Visit) else MeetingSource
                links.append(link_type(source=source, position=len(links)))  # type: ignore[arg-type]
    if isinstance(record, Visit):
        if changes.purpose is not None:
            record.purpose = _text(changes.purpose, "--purpose")
        if changes.place is not None:
            record.destination = resolve_place(session, changes.place)
        session.flush()
        return
    if changes.purpose is not None:
        raise InvalidInput("--purpose", "a change that a meeting has (a visit has a purpose)")
    if changes.title is not None:
        record.title = _text(changes.title, "--title", required=True, limit=500) or record.title
    if changes.kind is not None:
        record.kind = choose(MeetingKind, changes.kind, "--kind").value
    if changes.place is not None:
        record.venue = resolve_place(session, changes.place)
    if changes.duration is not None:
        if changes.duration.strip().lower() in ("", "none", "unknown"):
            record.duration_minutes = record.duration_qualifier = None
        else:
            minutes, qualifier = parse_duration(changes.duration)
            record.duration_minutes, record.duration_qualifier = minutes, qualifier.value
    if changes.outcome is not None:
        record.outcome = choose(Outcome, changes.outcome, "--outcome").value
    if changes.summary is not None:
        record.outcome_summary = _text(changes.summary, "--summary")
    if changes.status is not None:
        record.status = choose(MeetingStatus, changes.status, "--status").value
    if changes.add_topics:
        have_keys = {t.key for t in record.topics}
        for topic in changes.add_topics:
            text = clean_name(topic, "--add-topic")
            if name_key(text) not in have_keys:
                have_keys.add(name_key(text))
                record.topics.append(
                    MeetingTopic(topic=text, key=name_key(text), position=len(record.topics))
                )
    session.flush()


def delete_record(session: Session, record: Meeting | Visit) -> dict[str, int]:
    """Delete a meeting (with its statements) or a visit (with its meetings and their
    statements); return how many of each went."""
    meetings = [record] if isinstance(record, Meeting) else list(record.meetings)
    statements = [s for m in meetings for s in m.statements]
    counts = {
        "visits": int(isinstance(record, Visit)),
        "meetings": len(meetings),
        "statements": len(statements),
    }
    for statement in statements:
        session.delete(statement)
    for meeting in meetings:
        session.delete(meeting)
    if isinstance(record, Visit):
        session.delete(record)
    session.flush()
    return counts
