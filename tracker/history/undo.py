"""Undo: a change set reverted, as a new change set.

Every record the change set touched goes back to its state before it: a record it
changed or deleted is written back in that state through the document loader (with
its uid, so it is the same record to every reference, export and later undo), and a
record it added is deleted through the write layer. Both paths write through the write
layer, so the undo is recorded like any write, naming the change set it reverts; and
undoing an undo does it again.

A change set whose records a later change touched is refused, naming those records,
unless forced: reverting it would also throw away the later change. A record it added
that later records refer to (a meeting added to its visit since, say) is never deleted:
the undo is refused, naming them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.canonical import MODELS
from tracker.errors import InvalidInput, TrackerError
from tracker.history.read import SINGULAR, change_set, later_changes
from tracker.history.record import UNDOES, from_json
from tracker.loader import FORMAT, load_document
from tracker.models import Change, ChangeSet, Meeting, Statement, Visit
from tracker.write.writer import Writer

DELETE_ORDER = ("statements", "meetings", "visits", "sources", "places", "people")


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
            restore.setdefault(change.section, []).append(from_json(change.before))
    if restore:
        load_document(session, {"format": FORMAT, **restore}, origin=f"change set {number}")
    deleted = _delete(session, number, remove)
    session.info[UNDOES] = number
    return Undone(number, sum(len(docs) for docs in restore.values()), deleted)


def _delete(session: Session, number: int, remove: dict[str, list[str]]) -> int:
    """Delete the records change set ``number`` added (dependents first)."""
    writer = Writer(session)
    gone = {(section, uid) for section, uids in remove.items() for uid in uids}
    count = 0
    for section in DELETE_ORDER:
        model = MODELS[section]
        uids = remove.get(section, [])
        for start in range(0, len(uids), 500):
            for record in session.scalars(
                select(model).where(model.uid.in_(uids[start : start + 500]))
            ):
                _check_dependents(number, section, record, gone)
                _delete_one(session, number, writer, section, record)
                count += 1
    return count


def _check_dependents(number: int, section: str, record: Any, gone: set[tuple[str, str]]) -> None:
    kept: list[Any] = []
    if isinstance(record, Visit):
        kept = [("meetings", m) for m in record.meetings]
    elif isinstance(record, Meeting):
        kept = [("statements", s) for s in record.statements]
    staying = [f"{SINGULAR[s]} {r.uid}" for s, r in kept if (s, r.uid) not in gone]
    if staying:
        raise Conflict(
            number, f"added {SINGULAR[section]} {record.uid}, which later records refer to", staying
        )


def _delete_one(session: Session, number: int, writer: Writer, section: str, record: Any) -> None:
    if isinstance(record, Statement):
        writer.delete_statement(record)
    elif isinstance(record, Meeting):
        writer.delete_meeting(record, empty_visit=False)
    elif isinstance(record, Visit):
        writer.delete_visit(record)
    else:
        try:
            with session.begin_nested():
                writer.delete_record(record)
        except IntegrityError:
            raise Conflict(
                number,
                f"added {SINGULAR[section]} {record.uid}, which records added since refer to",
                [f"{SINGULAR[section]} {record.uid}"],
            ) from None
