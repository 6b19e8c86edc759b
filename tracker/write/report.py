"""What a write did: per section, what was added, updated, left unchanged, matched to
an existing record or deleted; the records it touched, with their state before and
after (as the tracker/1 document writes them); the people and places it created; and,
for ``seed``, the local changes it kept.

This is the one place a write reports what it touched: every report a write makes is
kept with its session (:func:`collect`), and the transaction records their ``changes``
(and the runs of records added in bulk, ``added_rows``) as one change set
(:mod:`tracker.history.record`) without knowing which path wrote them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

SECTIONS = ("people", "places", "sources", "visits", "meetings", "statements")
OUTCOMES = ("added", "updated", "unchanged")

Doc = dict[str, Any]


@dataclass(slots=True)
class Change:
    """One record a write touched: its section, its uid and its canonical form before
    (``None``: it is new) and after (``None``: it was deleted). A bulk import leaves
    ``after`` of the rows it adds empty: they are read back by uid when needed."""

    section: str
    uid: str
    before: Doc | None
    after: Doc | None


@dataclass(frozen=True)
class AddedRows:
    """Records a bulk write added, told by their ids instead of a :class:`Change` each:
    every record of ``section`` whose id runs from ``first`` to ``last``, with ``uids``
    in the order of their ids. A write holds the database's one write lock and ids are
    never handed out twice, so no other record has an id in that run: the history
    records them with one statement, from the table itself, without a Python object
    per record (a big import adds hundreds of thousands)."""

    section: str
    first: int
    last: int
    uids: Sequence[str]


@dataclass(frozen=True)
class Kept:
    """A seeded record's fields that ``seed`` left as the user changed them."""

    section: str
    uid: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class NewName:
    """A person or place a write would create (or did, with ``create``)."""

    kind: str  # "person" or "place"
    name: str
    suggestions: tuple[str, ...] = ()
    country: str | None = None


@dataclass
class ChangeReport:
    added: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    matched: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)
    changes: list[Change] = field(default_factory=list)
    added_rows: list[AddedRows] = field(default_factory=list)
    new_names: list[NewName] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, outcome: str, section: str, number: int = 1) -> None:
        getattr(self, outcome)[section] += number

    def record(self, section: str, uid: str, before: Doc | None, after: Doc | None) -> None:
        """A record touched: counted as added, updated, deleted or unchanged."""
        if before is None and after is not None:
            self.added[section] += 1
        elif after is None and before is not None:
            self.deleted[section] += 1
        elif before == after:
            self.unchanged[section] += 1
            return
        else:
            self.updated[section] += 1
        self.changes.append(Change(section, uid, before, after))

    @property
    def totals(self) -> dict[str, int]:
        return {outcome: sum(getattr(self, outcome).values()) for outcome in OUTCOMES}

    def merge(self, other: ChangeReport) -> None:
        for name in ("added", "updated", "unchanged", "matched", "deleted"):
            getattr(self, name).update(getattr(other, name))
        self.changes += other.changes
        self.added_rows += other.added_rows
        self.new_names += other.new_names
        self.kept += other.kept
        self.notes += other.notes

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {outcome: {s: getattr(self, outcome)[s] for s in SECTIONS} for outcome in OUTCOMES}


REPORTS = "tracker.reports"
"""Where a session keeps the reports of the writes made in it (``session.info``)."""


def collect(session: Session, report: ChangeReport) -> None:
    """Keep ``report`` with ``session``: its changes go into the transaction's change set."""
    reports: list[ChangeReport] = session.info.setdefault(REPORTS, [])
    if not any(kept is report for kept in reports):
        reports.append(report)


def collected(session: Session) -> list[ChangeReport]:
    """The reports of the writes made in ``session`` so far, in order."""
    return list(session.info.get(REPORTS, ()))
