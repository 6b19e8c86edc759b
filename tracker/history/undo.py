"""Undo: a change set reverted, as a new change set.

Every record the change set touched goes back to its state before it: a record it
changed or deleted is written back in that state through the document loader (with
its uid, so it is the same record to every reference, export and later undo), and a
record it added is deleted through the write layer. Both paths write through the write
layer, so the undo is recorded like any write, naming the change set it reverts; and
undoing an undo does it again.

A change set whose records a later change touched is refused, naming those records,
unless forced: reverting it would also throw away the later change. A record it added
that records kept refer to (a meeting added to its visit since, say) is never deleted:
the undo is refused, naming them. The records it added are deleted in batches: undoing
an import of 20,000 rows takes a few times as long as the import did, not one
statement and flush per record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.canonical import LOAD_OPTIONS, MODELS
from tracker.errors import InvalidInput, TrackerError
from tracker.history.read import SINGULAR, change_set, later_changes
from tracker.history.record import UNDOES, from_json
from tracker.loader import FORMAT, load_document
from tracker.models import (
    Change,
    ChangeSet,
    Meeting,
    MeetingSource,
    Participant,
    Place,
    Statement,
    StatementSource,
    Visit,
    VisitSource,
    VisitTraveller,
)
from tracker.write.writer import Writer

Doc = dict[str, Any]

DELETE_ORDER = ("statements", "meetings", "visits", "sources", "places", "people")
CHUNK = 500
ACCOUNTED = ("meetings", "visits")
"""The sections whose records have accounts of their facts."""
REFERRERS: dict[str, list[tuple[str, Any, Any, Any]]] = {
    # section: (owner section, owner model, the column that refers, the link's owner column)
    "statements": [],
    "meetings": [("statements", Statement, Statement.meeting_id, None)],
    "visits": [("meetings", Meeting, Meeting.visit_id, None)],
    "sources": [
        ("meetings", Meeting, MeetingSource.source_id, MeetingSource.meeting_id),
        ("visits", Visit, VisitSource.source_id, VisitSource.visit_id),
        ("statements", Statement, StatementSource.source_id, StatementSource.statement_id),
    ],
    "places": [
        ("places", Place, Place.parent_id, None),
        ("visits", Visit, Visit.destination_id, None),
        ("meetings", Meeting, Meeting.venue_id, None),
    ],
    "people": [
        ("meetings", Meeting, Participant.person_id, Participant.meeting_id),
        ("visits", Visit, VisitTraveller.person_id, VisitTraveller.visit_id),
        ("statements", Statement, Statement.speaker_id, None),
    ],
}
"""What refers to a record of each section, so that an undo never deletes a record
that a record it keeps refers to (the database would delete links and visits' meetings
with it, or refuse)."""


class Conflict(TrackerError):
    """An undo refused: records it would revert were changed since, or are referred to
    by records added since (exit status 1: nothing is wrong with the input)."""

    exit_code = 1

    def __init__(self, number: int, reason: str, records: Sequence[str], hint: str = "") -> None:
        self.field = "undo"
        self.number = number
        self.reason = reason
        self.records = list(records)
        self.hint = hint
        super().__init__(reason)

    def message(self) -> str:
        shown = ", ".join(self.records[:10])
        more = f" and {len(self.records) - 10} more" if len(self.records) > 10 else ""
        return f"undo: change set {self.number} {self.reason}: {shown}{more}{self.hint}"


@dataclass(frozen=True)
class Undone:
    """What an undo did: the change set it reverted, and how many records it restored
    (changed back or added again) and deleted."""

    number: int
    restored: int
    deleted: int


def newest_of(session: Session, who: str) -> int:
    """The newest change set of ``who`` that changed records."""
    number = session.scalar(
        select(ChangeSet.id)
        .where(ChangeSet.who == who)
        .where(ChangeSet.id.in_(select(Change.change_set_id)))
        .order_by(ChangeSet.id.desc())
        .limit(1)
    )
    if number is None:
        raise InvalidInput("N", f"a change set number ({who} has made no change to undo)")
    return int(number)


def undo(session: Session, number: int, *, force: bool = False) -> Undone:
    """Revert change set ``number`` in ``session`` (the caller's write transaction)."""
    found = change_set(session, number)
    changes = list(found.changes)
    if not changes:
        raise InvalidInput("N", "a change set that changed records", number)
    later = later_changes(session, number, changes)
    if later and not force:
        named = dict.fromkeys(
            f"{SINGULAR[c.section]} {c.uid} (change set {c.change_set_id})" for c in later
        )
        raise Conflict(
            number, "touched records changed since", list(named), "; --force reverts it anyway"
        )
    restore: dict[str, list[Any]] = {}
    remove: dict[str, list[str]] = {}
    for change in changes:
        if change.before is None:
            remove.setdefault(change.section, []).append(change.uid)
        else:
            restore.setdefault(change.section, []).append(_state(change.section, change.before))
    if restore:
        load_document(
            session, {"format": FORMAT, **restore}, origin=f"change set {number}", restoring=True
        )
    deleted = _delete(session, number, remove)
    session.info[UNDOES] = number
    return Undone(number, sum(len(docs) for docs in restore.values()), deleted)


def _state(section: str, before: str) -> Doc:
    """A record's state before a change set, as the loader is to write it back. The
    canonical form leaves out the accounts of a record that has none, which to the
    loader means "keep the accounts stored": a meeting or a visit that had none says
    so, and the accounts added since go."""
    doc = from_json(before)
    assert doc is not None
    if section in ACCOUNTED:
        doc.setdefault("accounts", [])
    return doc


def _delete(session: Session, number: int, remove: dict[str, list[str]]) -> int:
    """Delete the records change set ``number`` added, in batches (dependents first),
    once sure that no record kept refers to one of them."""
    gone = {section: set(uids) for section, uids in remove.items()}
    ids: dict[str, list[int]] = {}
    for section, uids in remove.items():
        model = MODELS[section]
        ids[section] = [
            record_id
            for start in range(0, len(uids), CHUNK)
            for record_id in session.scalars(
                select(model.id).where(model.uid.in_(uids[start : start + CHUNK]))
            )
        ]
    for section, found in ids.items():
        staying = _referrers(session, section, found, gone)
        if staying:
            raise Conflict(
                number,
                f"added {section} that records kept refer to",
                [f"{SINGULAR[s]} {uid}" for s, uid in staying],
            )
    writer = Writer(session)
    count = 0
    for section in DELETE_ORDER:
        model = MODELS[section]
        found = ids.get(section, [])
        # Every record of the section read before any goes: a place's parent may be
        # among them (the database would clear the reference).
        records = [
            record
            for start in range(0, len(found), CHUNK)
            for record in session.scalars(
                select(model)
                .where(model.id.in_(found[start : start + CHUNK]))
                .options(*LOAD_OPTIONS.get(section, ()))
            )
        ]
        for start in range(0, len(records), CHUNK):
            writer.delete_all(records[start : start + CHUNK])
        count += len(records)
    session.expunge_all()  # the objects of rows deleted in batches
    return count


def _referrers(
    session: Session, section: str, ids: Sequence[int], gone: dict[str, set[str]]
) -> list[tuple[str, str]]:
    """The records not being deleted that refer to records of ``section`` by ``ids``."""
    found: list[tuple[str, str]] = []
    for owner, model, column, link in REFERRERS[section]:
        for start in range(0, len(ids), CHUNK):
            query = select(model.uid).where(column.in_(ids[start : start + CHUNK]))
            if link is not None:
                query = query.join(link.table, link == model.id)
            found.extend(
                (owner, uid)
                for uid in dict.fromkeys(session.scalars(query))
                if uid not in gone.get(owner, ())
            )
    return found
