"""Statements on their own: who said what, when, in what language, about which
meeting, and the sources that report it.

A statement added or edited here is one tracker/1 record loaded by the document loader
(:mod:`tracker.loader`): the same field rules, the same resolver for its speaker and
its meeting, the same change report. Its sources are found or created by the one
source identity (:mod:`tracker.write.sources`). Errors name fields (``speaker``,
``text``, ``date``, ``source``...).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.canonical import canonical
from tracker.errors import Deleted, InvalidInput, NotFound, TrackerError
from tracker.loader import load_record
from tracker.models import Meeting, Statement, new_uid
from tracker.write.report import ChangeReport
from tracker.write.sources import SourceSpec
from tracker.write.writer import Writer, day_part, deleted_reference

Doc = dict[str, Any]


class SameStatement(TrackerError):
    """The statement is already recorded: the same speaker, meeting and text."""

    field = "text"

    def __init__(self, existing: Statement) -> None:
        self.ref = f"s:{existing.id}"
        self.uid = existing.uid
        super().__init__(existing.uid)

    def message(self) -> str:
        return f"{self.field}: already recorded as statement {self.ref} (uid {self.uid})"


@dataclass
class StatementFields:
    """What ``statement add`` and ``statement edit`` can set; ``None`` leaves a field
    as it is (in an edit), and an empty text clears an optional one."""

    speaker: str | None = None
    text: str | None = None
    meeting: str | None = None  # a meeting reference; "" for none
    kind: str | None = None
    date: str | None = None
    language: str | None = None
    notes: str | None = None


def find_statement(session: Session, ref: str) -> Statement:
    """The statement ``ref`` names: its uid, ``s:ID`` or a bare id. A reference to a
    deleted statement says so."""
    text = ref.strip()
    if not text or len(text) > 200 or not text.isprintable():
        raise InvalidInput("statement", "a uid, s:ID or a number", ref)
    number: int | None = None
    match = re.fullmatch(r"(?:[sS]:)?\s*([0-9]{1,18})", text)
    if match:
        number = int(match.group(1))
        found = session.get(Statement, number)
    else:
        found = session.scalars(select(Statement).where(Statement.uid == text)).first()
    if found is not None:
        return found
    label = deleted_reference(
        session, "statement", record_id=number, uid=None if number is not None else text
    )
    if label is not None:
        raise Deleted("statement", text, label, field="statement")
    raise NotFound("statement", text, field="statement")


def add_statement(
    session: Session,
    fields: StatementFields,
    sources: Sequence[SourceSpec],
    *,
    report: ChangeReport | None = None,
) -> Statement:
    """Record a statement, credited to ``sources`` (at least one). Its date is its
    meeting's day unless given."""
    from tracker.query import find_record

    if not sources:
        raise InvalidInput("source", "at least one source (a URL, or a publisher's name)")
    meeting = find_record(session, fields.meeting) if fields.meeting else None
    if meeting is not None and not isinstance(meeting, Meeting):
        raise InvalidInput("meeting", "a meeting (m:ID or its uid), not a visit", fields.meeting)
    date = fields.date
    if date is None and meeting is not None:
        from tracker.dates import parse_when

        date = day_part(parse_when(meeting.edtf)).edtf
    raw: Doc = {
        "uid": new_uid(),
        "speaker": fields.speaker,
        "meeting": meeting.uid if meeting is not None else None,
        "kind": fields.kind,
        "date": date,
        "language": fields.language,
        "text": fields.text,
        "notes": fields.notes,
        "sources": _source_uids(session, sources, report),
    }
    writer = Writer(session)
    speaker = _speaker(session, fields.speaker)
    if speaker is not None and fields.text:
        same = writer.same_statement(speaker, meeting, fields.text.strip())
        if same is not None:
            raise SameStatement(same)
    return _load(session, raw, report)


def edit_statement(
    session: Session,
    statement: Statement,
    fields: StatementFields,
    *,
    add_sources: Sequence[SourceSpec] = (),
    remove_sources: Sequence[str] = (),
    report: ChangeReport | None = None,
) -> Statement:
    """Change the fields given; sources are added, or removed by URL or publisher."""
    from tracker.query import find_record

    current = canonical("statements", statement)
    given = {k: v for k, v in vars(fields).items() if v is not None}
    if not given and not add_sources and not remove_sources:
        raise InvalidInput("edit", "at least one field to change, such as text")
    raw: Doc = {
        "uid": statement.uid,
        "speaker": current["speaker"],
        "date": current["date"],
        "text": current["text"],
        **{k: (v if v != "" else None) for k, v in given.items() if k != "meeting"},
    }
    if fields.meeting is not None:
        meeting = find_record(session, fields.meeting) if fields.meeting.strip() else None
        if meeting is not None and not isinstance(meeting, Meeting):
            raise InvalidInput("meeting", "a meeting (m:ID or its uid), not a visit")
        raw["meeting"] = meeting.uid if meeting is not None else None
    for required in ("speaker", "date", "text"):
        if raw[required] is None:
            raise InvalidInput(required, "a value (it is required)")
    if add_sources or remove_sources:
        uids = list(current["sources"])
        for value in remove_sources:
            wanted = value.strip()
            kept = [
                uid
                for uid, source in zip(uids, statement.sources, strict=True)
                if wanted not in (source.url, source.publisher, source.uid)
            ]
            if len(kept) == len(uids):
                raise InvalidInput("remove source", "a source of this statement", value)
            uids = kept
        for uid in _source_uids(session, add_sources, report):
            if uid not in uids:
                uids.append(uid)
        if not uids:
            raise InvalidInput("remove source", "a statement left with at least one source")
        raw["sources"] = uids
    return _load(session, raw, report)


def delete_statement(session: Session, statement: Statement) -> ChangeReport:
    """Delete a statement; its id and uid are never given to another."""
    report = ChangeReport()
    Writer(session, report=report).delete_statement(statement)
    session.flush()
    return report


# -- the one way in --------------------------------------------------------------------


def _source_uids(
    session: Session, specs: Sequence[SourceSpec], report: ChangeReport | None
) -> list[str]:
    writer = Writer(session, report=report)
    found = [writer.source(*spec) for spec in specs]
    writer.finish()
    return list(dict.fromkeys(source.uid for source in found))


def _speaker(session: Session, name: str | None) -> Any:
    if not name:
        return None
    from tracker.lookup import find_people

    people = find_people(session, name, "speaker")
    return people[0] if len(people) == 1 else None


def _load(session: Session, raw: Doc, report: ChangeReport | None) -> Statement:
    try:
        found = load_record(session, "statements", raw, report=report)
    except TrackerError as exc:
        if exc.field:
            exc.field = re.sub(r"^sources\[\d+\]", "source", exc.field)
        raise
    assert isinstance(found, Statement)
    return found
