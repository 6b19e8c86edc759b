"""The change set of a write: recorded in the write's own transaction, from the change
reports every write of the write layer keeps with its session (log, edit, delete,
seed, document and CSV imports, undo, and any write added later: a path that writes
through :class:`tracker.write.writer.Writer` is recorded without code of its own).

Each record touched is one row: its section and uid, and its canonical form (as the
tracker/1 document writes it) before and after, as JSON. A record touched twice in one
write is one row (its first state before, its last after); one added and deleted in the
same write, or left as it was, is none. A write that changed nothing records nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from tracker.backend import backend
from tracker.collector import collector_paused
from tracker.models import Change, ChangeSet
from tracker.write.report import Change as Touched
from tracker.write.report import collected

Doc = dict[str, Any]
ADDED, UPDATED, DELETED = "added", "updated", "deleted"
COLUMNS = ("change_set_id", "position", "section", "uid", "op", "before", "after")

UNDOES = "tracker.undoes"
"""``session.info`` key: the change set an undo reverts (recorded with its own)."""
RECORDED = "tracker.change_set"
"""``session.info`` key: the number of the change set recorded."""
PRUNED_BEFORE = "tracker.pruned_before"
"""``session.info`` key: the time before which ``prune-history`` removed the history."""


@dataclass(frozen=True)
class Author:
    """Who writes, and how: a name (``--as``, ``TRACKER_USER`` or the system user) and
    the command line, credentials masked."""

    name: str
    command: str = ""


def as_json(doc: Doc | None) -> str | None:
    """A canonical form as stored in the history (compact JSON, keys in document order)."""
    if doc is None:
        return None
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def from_json(text: str | None) -> Doc | None:
    return None if text is None else json.loads(text)


Net = tuple[str, str, Doc | None, Doc | None]
"""A record's net change: section, uid, state before and after."""


def net_changes(touched: Iterable[Touched]) -> list[Net]:
    """Each record once: its first state before, its last after. A record with neither
    (``before`` and ``after`` empty) is one a bulk import added; a record added and
    deleted by the same write, or left as it was, is left out."""
    found: dict[tuple[str, str], list[Any]] = {}
    for change in touched:
        key = (change.section, change.uid)
        net = found.get(key)
        if net is None:
            bulk_added = change.before is None and change.after is None
            found[key] = [change.before, change.after, bulk_added]
        else:
            net[1] = change.after
            net[2] = False
    return [
        (section, uid, before, after)
        for (section, uid), (before, after, bulk_added) in found.items()
        if bulk_added or before != after
    ]


def record_change_set(session: Session, author: Author) -> int | None:
    """Record what the writes of ``session`` changed as one change set, in its
    transaction; return its number (``None``: nothing changed, nothing recorded)."""
    with collector_paused():  # a big import's change set is many small objects
        return _record(session, author)


def _record(session: Session, author: Author) -> int | None:
    touched = [change for report in collected(session) for change in report.changes]
    changes = net_changes(touched)
    pruned = session.info.get(PRUNED_BEFORE)
    if not changes and pruned is None:
        return None
    role = backend(session).role(session)
    change_set = ChangeSet(
        at=datetime.now(UTC),
        who=author.name[:200],
        role=role,
        command=author.command,
        undoes=session.info.get(UNDOES),
        pruned_before=pruned,
    )
    session.add(change_set)
    session.flush()
    number = change_set.id
    rows = [
        (number, position, section, uid, ADDED, None, None)
        if before is None and after is None  # a bulk import's (most of a big change set)
        else (
            number,
            position,
            section,
            uid,
            ADDED if before is None else DELETED if after is None else UPDATED,
            as_json(before),
            as_json(after),
        )
        for position, (section, uid, before, after) in enumerate(changes)
    ]
    # The bulk path's batched inserts: a big import records hundreds of thousands.
    from tracker.importers.bulk import Writer

    Writer(session, change_set.at, None).insert_rows(
        Change.__table__,  # type: ignore[arg-type]
        COLUMNS,
        rows,
    )
    session.info[RECORDED] = change_set.id
    return change_set.id
