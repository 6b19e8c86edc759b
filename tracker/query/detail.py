"""One record in full: a meeting or a visit found by its reference, as one JSON-ready
object."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.errors import Deleted, InvalidInput, NotFound
from tracker.models import (
    Meeting,
    Source,
    Visit,
)
from tracker.query.display import Row, dated, day_count, format_duration, when_of
from tracker.query.places import place_chain


def find_record(session: Session, ref: str) -> Meeting | Visit:
    """The meeting or visit ``ref`` names: a uid, ``m:ID``, ``v:ID`` or a bare id
    (a meeting first, then a visit). A reference to a deleted record says so."""
    text = ref.strip()
    if not text or len(text) > 200 or not text.isprintable():
        raise InvalidInput("REF", "a uid, m:ID, v:ID or a number", ref)
    lowered = text.casefold()
    if lowered[:2] in ("m:", "v:"):
        number = _record_id(text[2:].strip(), ref)
        if lowered[0] == "m":
            meeting = session.get(Meeting, number) if number is not None else None
            if meeting is None:
                raise _missing(session, ["meeting"], text, number=number)
            return meeting
        visit = session.get(Visit, number) if number is not None else None
        if visit is None:
            raise _missing(session, ["visit"], text, number=number)
        return visit
    if text.isascii() and text.isdigit():
        number = _record_id(text, ref)
        if number is not None:
            meeting = session.get(Meeting, number)
            if meeting is not None:
                return meeting
            visit = session.get(Visit, number)
            if visit is not None:
                return visit
        raise _missing(session, ["meeting", "visit"], text, number=number, kind="record")
    meeting = session.scalars(select(Meeting).where(Meeting.uid == text)).first()
    if meeting is not None:
        return meeting
    visit = session.scalars(select(Visit).where(Visit.uid == text)).first()
    if visit is not None:
        return visit
    missing = _missing(session, ["meeting", "visit"], text, uid=text, kind="record")
    if not isinstance(missing, Deleted):
        missing.suggestions = _similar_uids(session, text)
    raise missing


def _missing(
    session: Session,
    kinds: list[str],
    text: str,
    *,
    number: int | None = None,
    uid: str | None = None,
    kind: str | None = None,
) -> NotFound:
    """NotFound for ``text``, or Deleted when it names a deleted record."""
    from tracker.write.writer import deleted_reference

    for each in kinds:
        if number is None and uid is None:
            break
        label = deleted_reference(session, each, record_id=number, uid=uid)
        if label is not None:
            return Deleted(each, text, label, field="REF")
    return NotFound(kind or kinds[0], text)


def _record_id(number: str, ref: str) -> int | None:
    """The id in a reference; ``None`` for one too large to be any row's id."""
    if not (number.isascii() and number.isdigit()):
        raise InvalidInput("REF", "a uid, m:ID, v:ID or a number", ref)
    value = int(number)
    return value if value <= 2**31 - 1 else None


def _similar_uids(session: Session, text: str) -> list[str]:
    from rapidfuzz import process

    uids = list(session.scalars(select(Meeting.uid))) + list(session.scalars(select(Visit.uid)))
    best = process.extract(text, uids, limit=3, score_cutoff=80)
    return [uid for uid, _score, _index in best]


def _source(source: Source) -> Row:
    return {
        "uid": source.uid,
        "publisher": source.publisher,
        "title": source.title,
        "url": source.url,
        "published": source.published,
        "language": source.language,
    }


def meeting_detail(meeting: Meeting) -> Row:
    """Everything about one meeting, as one JSON-ready object."""
    visit = meeting.visit
    return {
        "type": "meeting",
        "id": meeting.id,
        "uid": meeting.uid,
        "kind": meeting.kind,
        "title": meeting.title,
        **dated(meeting.edtf, meeting.earliest, meeting.latest),
        "venue": meeting.venue.name if meeting.venue is not None else None,
        "place_chain": place_chain(meeting.venue),
        "duration_minutes": meeting.duration_minutes,
        "duration_qualifier": meeting.duration_qualifier,
        "duration": format_duration(meeting.duration_minutes, meeting.duration_qualifier),
        "status": meeting.status,
        "outcome": meeting.outcome,
        "outcome_summary": meeting.outcome_summary,
        "notes": meeting.notes,
        "visit": None
        if visit is None
        else {
            "id": visit.id,
            "uid": visit.uid,
            **dated(visit.edtf, visit.earliest, visit.latest),
            "destination": visit.destination.name if visit.destination is not None else None,
        },
        "participants": [
            {
                "name": p.person.name,
                "uid": p.person.uid,
                "side": p.side,
                "role": p.role,
            }
            for p in meeting.participants
        ],
        "topics": [topic.topic for topic in meeting.topics],
        "statements": [
            {
                "uid": s.uid,
                "speaker": s.speaker.name,
                "kind": s.kind,
                **dated(s.edtf, s.earliest, s.latest),
                "language": s.language,
                "text": s.text,
                "notes": s.notes,
                "sources": [_source(source) for source in s.sources],
            }
            for s in meeting.statements
        ],
        "sources": [_source(source) for source in meeting.sources],
    }


def visit_detail(visit: Visit) -> Row:
    """Everything about one visit, as one JSON-ready object."""
    when = when_of(visit.edtf, visit.earliest, visit.latest)
    return {
        "type": "visit",
        "id": visit.id,
        "uid": visit.uid,
        **dated(visit.edtf, visit.earliest, visit.latest),
        "days": day_count(when),
        "destination": visit.destination.name if visit.destination is not None else None,
        "place_chain": place_chain(visit.destination),
        "purpose": visit.purpose,
        "notes": visit.notes,
        "travellers": [
            {"name": t.person.name, "uid": t.person.uid, "role": t.role} for t in visit.travellers
        ],
        "meetings": [
            {
                "id": m.id,
                "uid": m.uid,
                **dated(m.edtf, m.earliest, m.latest),
                "kind": m.kind,
                "title": m.title,
                "venue": m.venue.name if m.venue is not None else None,
                "duration": format_duration(m.duration_minutes, m.duration_qualifier),
                "status": m.status,
                "outcome": m.outcome,
            }
            for m in visit.meetings
        ],
        "sources": [_source(source) for source in visit.sources],
    }


def record_detail(record: Meeting | Visit) -> Row:
    return meeting_detail(record) if isinstance(record, Meeting) else visit_detail(record)
