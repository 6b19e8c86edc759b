"""The change set of a write: recorded in the write's own transaction, from the change
reports every write of the write layer keeps with its session (log, edit, delete,
seed, document and CSV imports, undo, and any write added later: a path that writes
through :class:`tracker.write.writer.Writer` is recorded without code of its own).

Each record touched is one row: its section and uid, and its canonical form (as the
tracker/1 document writes it) before and after, as JSON. A record touched twice in one
write is one row (its first state before, its last after); one added and deleted in the
same write, or left as it was, is none. A write that changed nothing records nothing.
The records a bulk import adds, a run of ids a table (:class:`AddedRows`), go in with
one ``INSERT ... SELECT`` from that table each: a Python object per record would cost
a big import more than its own planning of them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from tracker.backend import backend
from tracker.collector import collector_paused
from tracker.models import Change, ChangeSet
from tracker.write.report import AddedRows, collected
from tracker.write.report import Change as Touched

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


def net_changes(touched: Iterable[Touched | AddedRows]) -> list[Net | AddedRows]:
    """Each record once: its first state before, its last after. A record with neither
    (``before`` and ``after`` empty) is one a bulk import added; a record added and
    deleted by the same write, or left as it was, is left out. A run of records added
    in bulk stays one item, in its place, unless another change of the write touches
    one of them: then it is a change a record, as if each had been told alone."""
    found: dict[Any, list[Any]] = {}
    for change in _told_alone(list(touched)):
        if isinstance(change, AddedRows):
            found[id(change)] = [change]
            continue
        key = (change.section, change.uid)
        net = found.get(key)
        if net is None:
            bulk_added = change.before is None and change.after is None
            found[key] = [change.before, change.after, bulk_added]
        else:
            net[1] = change.after
            net[2] = False
    return [
        net[0] if isinstance(net[0], AddedRows) else (key[0], key[1], net[0], net[1])
        for key, net in found.items()
        if isinstance(net[0], AddedRows) or net[2] or net[0] != net[1]
    ]


def _told_alone(touched: list[Touched | AddedRows]) -> Iterator[Touched | AddedRows]:
    """``touched``, with a run of added records that another change touches too as a
    change a record."""
    others: dict[str, set[str]] = {}
    for change in touched:
        if isinstance(change, Touched):
            others.setdefault(change.section, set()).add(change.uid)
    for change in touched:
        if isinstance(change, AddedRows) and not others.get(change.section, set()).isdisjoint(
            change.uids
        ):
            yield from (Touched(change.section, uid, None, None) for uid in change.uids)
        else:
            yield change


def record_change_set(session: Session, author: Author) -> int | None:
    """Record what the writes of ``session`` changed as one change set, in its
    transaction; return its number (``None``: nothing changed, nothing recorded)."""
    with collector_paused():  # a big import's change set is many small objects
        return _record(session, author)


def _record(session: Session, author: Author) -> int | None:
    reports = collected(session)
    touched: list[Touched | AddedRows] = []
    for report in reports:
        touched += report.changes
        touched += report.added_rows
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
    rows: list[tuple[Any, ...]] = []
    runs: list[tuple[int, AddedRows]] = []
    position = 0
    for change in changes:
        if isinstance(change, AddedRows):
            runs.append((position, change))
            position += change.last - change.first + 1
            continue
        section, uid, before, after = change
        if before is None and after is None:  # added by a bulk import, a uid at a time
            rows.append((number, position, section, uid, ADDED, None, None))
        else:
            op = ADDED if before is None else DELETED if after is None else UPDATED
            rows.append((number, position, section, uid, op, as_json(before), as_json(after)))
        position += 1
    # The bulk path's batched inserts: a big import records hundreds of thousands.
    from tracker.canonical import MODELS
    from tracker.importers.bulk import Writer

    writer = Writer(session, change_set.at, None)
    table = Change.__table__
    writer.insert_rows(table, COLUMNS, rows)  # type: ignore[arg-type]
    queries = []
    for start, run in runs:
        added = MODELS[run.section].__table__
        queries.append(
            select(
                literal(number),
                added.c.id + (start - run.first),
                literal(run.section),
                added.c.uid,
                literal(ADDED),
            ).where(added.c.id.between(run.first, run.last))
        )
    count = sum(len(run.uids) for _start, run in runs)
    writer.insert_from(table, COLUMNS[:5], queries, count)  # type: ignore[arg-type]
    session.info[RECORDED] = change_set.id
    return change_set.id
