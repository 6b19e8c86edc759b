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
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from tracker.models import Change, ChangeSet
from tracker.write.report import Change as Touched
from tracker.write.report import collected

Doc = dict[str, Any]
ADDED, UPDATED, DELETED = "added", "updated", "deleted"
ROWS_PER_INSERT = 5_000

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


@dataclass
class _Net:
    section: str
    uid: str
    before: Doc | None
    after: Doc | None
    added: bool = field(default=False)


def as_json(doc: Doc | None) -> str | None:
    """A canonical form as stored in the history (compact JSON, keys in document order)."""
    if doc is None:
        return None
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def from_json(text: str | None) -> Doc | None:
    return None if text is None else json.loads(text)


def net_changes(touched: Iterable[Touched]) -> list[_Net]:
    """Each record once: its first state before, its last after."""
    found: dict[tuple[str, str], _Net] = {}
    for change in touched:
        key = (change.section, change.uid)
        net = found.get(key)
        if net is None:
            # A record added by a bulk import: no state before, and none kept after
            # (it is the record as the next change found it, or as it stands).
            bulk_added = change.before is None and change.after is None
            found[key] = _Net(change.section, change.uid, change.before, change.after, bulk_added)
        else:
            net.after = change.after
            net.added = False
    kept = []
    for net in found.values():
        if net.added:
            kept.append(net)
        elif net.before is None and net.after is None:
            continue  # added and deleted by the same write
        elif net.before != net.after:
            kept.append(net)
    return kept


def record_change_set(session: Session, author: Author) -> int | None:
    """Record what the writes of ``session`` changed as one change set, in its
    transaction; return its number (``None``: nothing changed, nothing recorded)."""
    touched = [change for report in collected(session) for change in report.changes]
    changes = net_changes(touched)
    pruned = session.info.get(PRUNED_BEFORE)
    if not changes and pruned is None:
        return None
    role = None
    if session.get_bind().dialect.name == "postgresql":
        role = session.scalar(select(func.current_user()))
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
    rows = [
        {
            "change_set_id": change_set.id,
            "position": position,
            "section": net.section,
            "uid": net.uid,
            "op": ADDED if net.before is None else DELETED if net.after is None else UPDATED,
            "before": as_json(net.before),
            "after": as_json(net.after),
        }
        for position, net in enumerate(changes)
    ]
    connection = session.connection()
    for start in range(0, len(rows), ROWS_PER_INSERT):
        connection.execute(insert(Change), rows[start : start + ROWS_PER_INSERT])
    session.info[RECORDED] = change_set.id
    return change_set.id
