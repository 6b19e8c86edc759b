"""Reading the history: change sets listed, one change set record by record, a
record's state after a change, and the whole record as it stood at a time.

Every write records the records it touched with their state before (see
:mod:`tracker.history.record`), so the record at a time ``T`` is the record as it
stands, with each record changed since ``T`` taken back to its state before the first
change after ``T`` (and those added since left out). The history reaches back to its
start: the upgrade that added it, or the last ``db prune-history``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.canonical import LOAD_OPTIONS, MODELS, canonical
from tracker.dump import FORMAT, dump_document, order_document
from tracker.errors import InvalidInput, NotFound
from tracker.history.record import ADDED, DELETED, from_json
from tracker.models import Change, ChangeSet, Tombstone

Doc = dict[str, Any]
MOMENT = "a date or a date-time (2026-11-29, 2026-11-29T14:05, 2026-11-29T14:05+01:00)"
SINGULAR = {
    "people": "person",
    "places": "place",
    "sources": "source",
    "visits": "visit",
    "meetings": "meeting",
    "statements": "statement",
}
HISTORY_KEYS = ("number", "at", "who", "role", "command", "added", "updated", "deleted", "undoes")


def moment(text: str, field: str, *, end: bool = False) -> datetime:
    """A time as a user writes it: a date (its first moment, or with ``end`` its
    last), or a date-time (UTC unless it gives an offset)."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            start = datetime.combine(day, time(), UTC)
            return start + timedelta(days=1, microseconds=-1) if end else start
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(field, MOMENT, text) from None
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


def utc(stamp: datetime) -> datetime:
    """A stored time as UTC (SQLite hands back naive times, stored as UTC)."""
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


def shown_time(stamp: datetime) -> str:
    return utc(stamp).strftime("%Y-%m-%d %H:%M:%S UTC")


# -- listing --------------------------------------------------------------------------


def record_uid(session: Session, ref: str) -> str:
    """The uid ``ref`` names: a uid the history knows, or a meeting or visit as
    ``tracker show`` takes it (a deleted one by its id too)."""
    from tracker.query import find_record

    text = ref.strip()
    if text and session.scalar(select(Change.uid).where(Change.uid == text).limit(1)):
        return text
    for model in MODELS.values():
        if text and session.scalar(select(model.id).where(model.uid == text)) is not None:
            return text
    lowered = text.casefold()
    if lowered[:2] in ("m:", "v:") and text[2:].strip().isdigit():
        kind = "meeting" if lowered[0] == "m" else "visit"
        gone = session.scalar(
            select(Tombstone.uid).where(
                Tombstone.kind == kind, Tombstone.record_id == int(text[2:].strip())
            )
        )
        if gone is not None:
            return gone
    return str(find_record(session, text).uid)


def history_rows(
    session: Session,
    *,
    uid: str | None = None,
    who: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Iterator[dict[str, Any]]:
    """The change sets, newest first, as plain rows (``HISTORY_KEYS``)."""
    counts = (
        select(
            Change.change_set_id,
            func.count().filter(Change.op == "added").label("added"),
            func.count().filter(Change.op == "updated").label("updated"),
            func.count().filter(Change.op == "deleted").label("deleted"),
        )
        .group_by(Change.change_set_id)
        .subquery()
    )
    query = (
        select(ChangeSet, counts.c.added, counts.c.updated, counts.c.deleted)
        .outerjoin(counts, counts.c.change_set_id == ChangeSet.id)
        .order_by(ChangeSet.id.desc())
    )
    if uid is not None:
        query = query.where(ChangeSet.id.in_(select(Change.change_set_id).where(Change.uid == uid)))
    if who is not None:
        query = query.where(func.lower(ChangeSet.who) == who.strip().lower())
    if start is not None:
        query = query.where(ChangeSet.at >= start)
    if end is not None:
        query = query.where(ChangeSet.at <= end)
    for change_set, added, updated, deleted in session.execute(query):
        yield {
            "number": change_set.id,
            "at": shown_time(change_set.at),
            "who": change_set.who,
            "role": change_set.role,
            "command": change_set.command,
            "added": added or 0,
            "updated": updated or 0,
            "deleted": deleted or 0,
            "undoes": change_set.undoes,
        }


# -- one change set -------------------------------------------------------------------


@dataclass(frozen=True)
class RecordChange:
    """One record of a change set: what happened to it, and its state before and after."""

    section: str
    uid: str
    op: str
    before: Doc | None
    after: Doc | None

    @property
    def kind(self) -> str:
        return SINGULAR[self.section]

    def fields(self) -> list[tuple[str, Any, Any]]:
        """``(key, before, after)`` for every key that differs (every key that holds
        something, of a record added or deleted)."""
        before, after = self.before or {}, self.after or {}
        keys = list(dict.fromkeys([*before, *after]))
        return [
            (key, before.get(key), after.get(key))
            for key in keys
            if key != "uid" and before.get(key) != after.get(key)
        ]


def change_set(session: Session, number: int, field: str = "N") -> ChangeSet:
    found = session.get(ChangeSet, number)
    if found is None:
        raise NotFound("change set", str(number), field=field)
    return found


def record_changes(session: Session, found: ChangeSet) -> list[RecordChange]:
    """The records change set ``found`` touched, each with its state before and after."""
    return [
        RecordChange(c.section, c.uid, c.op, from_json(c.before), state_after(session, found.id, c))
        for c in found.changes
    ]


def state_after(session: Session, number: int, change: Change) -> Doc | None:
    """A record's state after change set ``number``: as stored with the change, or,
    for a record a bulk import added, as the next change found it, or as it stands."""
    if change.after is not None or change.op == DELETED:
        return from_json(change.after)
    later = session.scalar(
        select(Change.before)
        .where(Change.uid == change.uid, Change.section == change.section)
        .where(Change.change_set_id > number)
        .order_by(Change.change_set_id, Change.position)
        .limit(1)
    )
    if later is not None:
        return from_json(later)
    return current(session, change.section, change.uid)


def current(session: Session, section: str, uid: str) -> Doc | None:
    model = MODELS[section]
    query = select(model).where(model.uid == uid).options(*LOAD_OPTIONS.get(section, ()))
    record = session.scalars(query).first()
    return canonical(section, record) if record is not None else None


def later_changes(session: Session, number: int, changes: Sequence[Change]) -> list[Change]:
    """Changes after change set ``number`` to records it touched."""
    touched = {(c.section, c.uid) for c in changes}
    uids = sorted({uid for _section, uid in touched})
    found: list[Change] = []
    for start in range(0, len(uids), 500):
        query = (
            select(Change)
            .where(Change.change_set_id > number, Change.uid.in_(uids[start : start + 500]))
            .order_by(Change.change_set_id, Change.position)
        )
        found.extend(c for c in session.scalars(query) if (c.section, c.uid) in touched)
    return sorted(found, key=lambda c: (c.change_set_id, c.position))


# -- as of a time ---------------------------------------------------------------------


def history_start(session: Session) -> datetime | None:
    """How far back the history reaches: the last prune's time, else its first change
    set (the upgrade that added it)."""
    pruned = session.scalar(select(func.max(ChangeSet.pruned_before)))
    if pruned is not None:
        return utc(pruned)
    first = session.scalar(select(func.min(ChangeSet.at)))
    return utc(first) if first is not None else None


def _reachable(session: Session, when: datetime, field: str) -> None:
    start = history_start(session)
    if start is None or when < start:
        since = f"the history starts at {shown_time(start)}" if start else "there is no history"
        raise InvalidInput(field, f"a time the history reaches ({since})", when.isoformat())


def _firsts_after(session: Session, when: datetime, uid: str | None = None) -> dict[Any, Any]:
    """For each record changed after ``when``: its state before the first such change."""
    query = (
        select(Change.section, Change.uid, Change.before)
        .join(ChangeSet, ChangeSet.id == Change.change_set_id)
        .where(ChangeSet.at > when)
        .order_by(Change.change_set_id.desc(), Change.position.desc())
    )
    if uid is not None:
        query = query.where(Change.uid == uid)
    firsts: dict[tuple[str, str], str | None] = {}
    for section, record_uid, before in session.execute(query):
        firsts[(section, record_uid)] = before  # the earliest change comes last
    return firsts


def document_as_of(session: Session, when: datetime, field: str = "--as-of") -> Doc:
    """The whole record as it stood at ``when``, as ``export`` wrote it then."""
    _reachable(session, when, field)
    document = dump_document(session)
    firsts = _firsts_after(session, when)
    if not firsts:
        return document
    sections: dict[str, dict[str, Doc]] = {
        section: {doc["uid"]: doc for doc in document[section]} for section in SINGULAR
    }
    for (section, uid), before in firsts.items():
        if before is None:
            sections[section].pop(uid, None)
        else:
            sections[section][uid] = from_json(before)  # type: ignore[assignment]
    return order_document(
        {"format": FORMAT, **{s: list(docs.values()) for s, docs in sections.items()}}
    )


def record_as_of(
    session: Session, uid: str, when: datetime, field: str = "--as-of"
) -> RecordChange:
    """One record at ``when`` (``after`` is its state then; ``None``: it did not exist)."""
    _reachable(session, when, field)
    firsts = _firsts_after(session, when, uid)
    sections = [section for section, _uid in firsts] or [
        s for s in SINGULAR if current(session, s, uid) is not None
    ]
    if not sections:
        raise NotFound("record", uid, field="REF")
    section = sections[0]
    if (section, uid) in firsts:
        state = from_json(firsts[(section, uid)])
    else:
        state = current(session, section, uid)
    return RecordChange(section, uid, ADDED, None, state)
