"""One record in full: a meeting or a visit found by its reference, as one JSON-ready
object, on a plain read (``tracker.sql.Reader``; in a write, ``tracker.backend.reader``
gives one inside the session's transaction)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from tracker.errors import Deleted, InvalidInput, NotFound
from tracker.query.display import Row, dated, day_count, format_duration, when_of
from tracker.query.disputes import disputed_accounts
from tracker.sql import Reader

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tracker.models import Meeting, Visit

Kind = Literal["meeting", "visit"]
Ref = tuple[Kind, int]


def find_ref(read: Reader, ref: str) -> Ref:
    """The meeting or visit ``ref`` names: a uid, ``m:ID``, ``v:ID`` or a bare id
    (a meeting first, then a visit). A reference to a deleted record says so."""
    text = ref.strip()
    if not text or len(text) > 200 or not text.isprintable():
        raise InvalidInput("REF", "a uid, m:ID, v:ID or a number", ref)
    lowered = text.casefold()
    if lowered[:2] in ("m:", "v:"):
        kind: Kind = "meeting" if lowered[0] == "m" else "visit"
        number = _record_id(text[2:].strip(), ref)
        if number is None or not _exists(read, kind, "id", number):
            raise _missing(read, [kind], text, number=number)
        return kind, number
    if text.isascii() and text.isdigit():
        number = _record_id(text, ref)
        if number is not None:
            for kind in ("meeting", "visit"):
                if _exists(read, kind, "id", number):
                    return kind, number
        raise _missing(read, ["meeting", "visit"], text, number=number, kind="record")
    for kind in ("meeting", "visit"):
        found = read.scalar(f"SELECT id FROM {kind} WHERE uid = :uid", {"uid": text})
        if found is not None:
            return kind, found
    missing = _missing(read, ["meeting", "visit"], text, uid=text, kind="record")
    if not isinstance(missing, Deleted):
        missing.suggestions = _similar_uids(read, text)
    raise missing


def find_record(session: Session, ref: str) -> Meeting | Visit:
    """The meeting or visit ``ref`` names (``find_ref``), loaded in ``session``: what a
    write changes."""
    from tracker.backend import reader
    from tracker.models import Meeting, Visit

    kind, number = find_ref(reader(session), ref)
    record = session.get(Meeting, number) if kind == "meeting" else session.get(Visit, number)
    assert record is not None  # found in this transaction a moment ago
    return record


def _exists(read: Reader, kind: Kind, column: str, value: Any) -> bool:
    return (
        read.scalar(f"SELECT 1 FROM {kind} WHERE {column} = :value", {"value": value}) is not None
    )


def deleted_label(
    read: Reader, kind: str, *, record_id: int | None = None, uid: str | None = None
) -> str | None:
    """How a deleted record is named (``'Title', 1 Sep 2025``), or ``None`` if no record
    of ``kind`` with that id or uid was deleted."""
    query = "SELECT label FROM tombstone WHERE kind = :kind"
    params: dict[str, Any] = {"kind": kind}
    if record_id is not None:
        query += " AND record_id = :record_id"
        params["record_id"] = record_id
    if uid is not None:
        query += " AND uid = :uid"
        params["uid"] = uid
    return read.scalar(query + " ORDER BY id DESC", params)  # type: ignore[no-any-return]


def _missing(
    read: Reader,
    kinds: list[str],
    text: str,
    *,
    number: int | None = None,
    uid: str | None = None,
    kind: str | None = None,
) -> NotFound:
    """NotFound for ``text``, or Deleted when it names a deleted record."""
    for each in kinds:
        if number is None and uid is None:
            break
        label = deleted_label(read, each, record_id=number, uid=uid)
        if label is not None:
            return Deleted(each, text, label, field="REF")
    return NotFound(kind or kinds[0], text)


def _record_id(number: str, ref: str) -> int | None:
    """The id in a reference; ``None`` for one too large to be any row's id."""
    if not (number.isascii() and number.isdigit()):
        raise InvalidInput("REF", "a uid, m:ID, v:ID or a number", ref)
    value = int(number)
    return value if value <= 2**31 - 1 else None


def _similar_uids(read: Reader, text: str) -> list[str]:
    from rapidfuzz import process

    uids = [uid for (uid,) in read.rows("SELECT uid FROM meeting")]
    uids += [uid for (uid,) in read.rows("SELECT uid FROM visit")]
    best = process.extract(text, uids, limit=3, score_cutoff=80)
    return [uid for uid, _score, _index in best]


# -- the detail -----------------------------------------------------------------------

SOURCE_COLUMNS = "s.uid, s.publisher, s.title, s.url, s.published, s.language"


def _sources(read: Reader, link: str, owner: str, owner_id: int) -> list[Row]:
    rows = read.all(
        f"SELECT {SOURCE_COLUMNS} FROM {link} AS l JOIN source AS s ON s.id = l.source_id"
        f" WHERE l.{owner} = :id ORDER BY l.position",
        {"id": owner_id},
    )
    keys = ("uid", "publisher", "title", "url", "published", "language")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def place_chain(read: Reader, place_id: int | None) -> list[str]:
    """``["Kremlin", "Moscow", "Russia"]``: the place and its parents by name."""
    names: list[str] = []
    seen: set[int] = set()
    while place_id is not None and place_id not in seen:
        seen.add(place_id)
        row = read.all("SELECT name, parent_id FROM place WHERE id = :id", {"id": place_id})
        if not row:
            break
        name, place_id = row[0]
        names.append(name)
    return names


def _place_name(read: Reader, place_id: int | None) -> str | None:
    if place_id is None:
        return None
    return read.scalar("SELECT name FROM place WHERE id = :id", {"id": place_id})  # type: ignore[no-any-return]


def meeting_detail(read: Reader, meeting_id: int) -> Row:
    """Everything about one meeting, as one JSON-ready object."""
    (
        uid,
        kind,
        title,
        edtf,
        earliest,
        latest,
        venue_id,
        minutes,
        qualifier,
        status,
        outcome,
        summary,
        notes,
        visit_id,
    ) = read.all(
        "SELECT uid, kind, title, edtf, earliest, latest, venue_id, duration_minutes,"
        " duration_qualifier, status, outcome, outcome_summary, notes, visit_id"
        " FROM meeting WHERE id = :id",
        {"id": meeting_id},
    )[0]
    visit = None
    if visit_id is not None:
        v_uid, v_edtf, v_earliest, v_latest, destination_id = read.all(
            "SELECT uid, edtf, earliest, latest, destination_id FROM visit WHERE id = :id",
            {"id": visit_id},
        )[0]
        visit = {
            "id": visit_id,
            "uid": v_uid,
            **dated(v_edtf, v_earliest, v_latest),
            "destination": _place_name(read, destination_id),
        }
    participants = read.all(
        "SELECT p.name, p.uid, mp.side, mp.role FROM meeting_participant AS mp"
        " JOIN person AS p ON p.id = mp.person_id WHERE mp.meeting_id = :id"
        " ORDER BY mp.position",
        {"id": meeting_id},
    )
    topics = read.all(
        "SELECT topic FROM meeting_topic WHERE meeting_id = :id ORDER BY position",
        {"id": meeting_id},
    )
    statements = read.all(
        "SELECT s.id, s.uid, p.name, s.kind, s.edtf, s.earliest, s.latest, s.language,"
        " s.text, s.notes FROM statement AS s JOIN person AS p ON p.id = s.speaker_id"
        " WHERE s.meeting_id = :id ORDER BY s.earliest, s.id",
        {"id": meeting_id},
    )
    return {
        "type": "meeting",
        "id": meeting_id,
        "uid": uid,
        "kind": kind,
        "title": title,
        **dated(edtf, earliest, latest),
        "venue": _place_name(read, venue_id),
        "place_chain": place_chain(read, venue_id),
        "duration_minutes": minutes,
        "duration_qualifier": qualifier,
        "duration": format_duration(minutes, qualifier),
        "status": status,
        "outcome": outcome,
        "outcome_summary": summary,
        "notes": notes,
        "visit": visit,
        "participants": [
            {"name": name, "uid": person_uid, "side": side, "role": role}
            for name, person_uid, side, role in participants
        ],
        "topics": [topic for (topic,) in topics],
        "statements": [
            {
                "uid": s_uid,
                "speaker": speaker,
                "kind": s_kind,
                **dated(s_edtf, s_earliest, s_latest),
                "language": language,
                "text": text,
                "notes": s_notes,
                "sources": _sources(read, "statement_source", "statement_id", s_id),
            }
            for (
                s_id,
                s_uid,
                speaker,
                s_kind,
                s_edtf,
                s_earliest,
                s_latest,
                language,
                text,
                s_notes,
            ) in statements
        ],
        "sources": _sources(read, "meeting_source", "meeting_id", meeting_id),
        "disputed": disputed_accounts(read, "meeting", meeting_id),
    }


def visit_detail(read: Reader, visit_id: int) -> Row:
    """Everything about one visit, as one JSON-ready object."""
    uid, edtf, earliest, latest, destination_id, purpose, notes = read.all(
        "SELECT uid, edtf, earliest, latest, destination_id, purpose, notes FROM visit"
        " WHERE id = :id",
        {"id": visit_id},
    )[0]
    when = when_of(edtf, earliest, latest)
    travellers = read.all(
        "SELECT p.name, p.uid, t.role FROM visit_traveller AS t"
        " JOIN person AS p ON p.id = t.person_id WHERE t.visit_id = :id ORDER BY t.position",
        {"id": visit_id},
    )
    meetings = read.all(
        "SELECT m.id, m.uid, m.edtf, m.earliest, m.latest, m.kind, m.title, ve.name,"
        " m.duration_minutes, m.duration_qualifier, m.status, m.outcome FROM meeting AS m"
        " LEFT JOIN place AS ve ON ve.id = m.venue_id"
        " WHERE m.visit_id = :id ORDER BY m.earliest, m.id",
        {"id": visit_id},
    )
    return {
        "type": "visit",
        "id": visit_id,
        "uid": uid,
        **dated(edtf, earliest, latest),
        "days": day_count(when),
        "destination": _place_name(read, destination_id),
        "place_chain": place_chain(read, destination_id),
        "purpose": purpose,
        "notes": notes,
        "travellers": [
            {"name": name, "uid": person_uid, "role": role} for name, person_uid, role in travellers
        ],
        "meetings": [
            {
                "id": m_id,
                "uid": m_uid,
                **dated(m_edtf, m_earliest, m_latest),
                "kind": kind,
                "title": title,
                "venue": venue,
                "duration": format_duration(minutes, qualifier),
                "status": status,
                "outcome": outcome,
            }
            for (
                m_id,
                m_uid,
                m_edtf,
                m_earliest,
                m_latest,
                kind,
                title,
                venue,
                minutes,
                qualifier,
                status,
                outcome,
            ) in meetings
        ],
        "sources": _sources(read, "visit_source", "visit_id", visit_id),
        "disputed": disputed_accounts(read, "visit", visit_id),
    }


def record_detail(read: Reader, ref: Ref) -> Row:
    """Everything about the meeting or visit ``ref`` (from ``find_ref``)."""
    kind, number = ref
    return meeting_detail(read, number) if kind == "meeting" else visit_detail(read, number)
