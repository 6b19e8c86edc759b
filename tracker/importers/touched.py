"""What a bulk import changes, record by record, for its change report (and so for
the history): the stored visits, meetings and people (their roles) it adds to or updates, with their
canonical form before and after, and the records it adds.

The stored records are few next to the rows of a big import, and are read through the
ORM in their canonical form as every other path reads them. A record the import adds
is reported by its uid alone: its state after is the record as it stands, or as the
next change found it (:func:`tracker.history.read.state_after`), so a big import does
not read back what it has just written. The records of a table it adds are one run of
ids (:class:`~tracker.write.report.AddedRows`), which the history records in one
statement; a change a uid at a time only where the ids it was handed are not one run.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.canonical import LOAD_OPTIONS, MODELS, canonical
from tracker.importers.existing import chunks
from tracker.importers.plan import Plan, Ref
from tracker.write.report import AddedRows, Change, ChangeReport, collect

Doc = dict[str, Any]


def stored_touched(plan: Plan) -> dict[str, set[int]]:
    """The ids of the stored visits and meetings ``plan`` updates or adds to, and of the
    stored people whose roles it may add or widen."""
    meetings = {row["b_id"] for row in plan.meeting_updates}
    meetings.update(meeting for meeting, _change in plan.meeting_merges)
    meetings.update(stored_in(plan.participants))
    meetings.update(stored_in(plan.meeting_sources))
    visits = {row["b_id"] for row in plan.visit_updates}
    visits.update(stored_in(plan.travellers))
    visits.update(stored_in(plan.visit_sources))
    people = {cast(int, p) for p, _title in plan.roles if p.__class__ is not Ref}
    return {
        "visits": {int(v) for v in visits},
        "meetings": {int(m) for m in meetings},
        "people": people,
    }


def stored_in(links: Iterable[tuple[Any, ...]], at: int = 0) -> set[Any]:
    """The stored records (not planned ones) that planned links start from (or hold
    at ``at``): a big import plans hundreds of thousands of links, nearly all between
    records it adds."""
    return {found for found in set(map(itemgetter(at), links)) if found.__class__ is not Ref}


def _states(session: Session, wanted: dict[str, set[int]]) -> dict[tuple[str, int], Doc]:
    states: dict[tuple[str, int], Doc] = {}
    for section, ids in wanted.items():
        model = MODELS[section]
        for chunk in chunks(sorted(ids)):
            query = (
                select(model)
                .where(model.id.in_(chunk))
                .options(*LOAD_OPTIONS[section])
                .execution_options(populate_existing=True)
            )
            for record in session.scalars(query):
                states[(section, record.id)] = canonical(section, record)
    return states


@contextmanager
def reported(session: Session, plan: Plan, report: ChangeReport) -> Iterator[dict[str, set[int]]]:
    """Around the writing of ``plan``: every record it touches in ``report.changes``,
    and ``report`` kept with the session for its change set. Gives the ids of the
    stored records the plan touches (``stored_touched``), which the writing needs too."""
    touched = stored_touched(plan)
    before = _states(session, touched)
    yield touched
    after = _states(session, touched)
    for (section, _id), doc in before.items():
        now = after.get((section, _id))
        if now != doc:  # a role the person already held for those dates changes nothing
            report.changes.append(Change(section, doc["uid"], doc, now))
    for section, added in _added(plan):
        report_added(report, section, added)
    collect(session, report)


def report_added(report: ChangeReport, section: str, added: Sequence[tuple[Any, ...]]) -> None:
    """The records ``added`` (planned, now written: each a ref and its values, the uid
    first) in ``report``: one run when their ids are one run, as the bulk writer hands
    them out (in the order of their ids: new places go in parents first), else a change
    each."""
    if not added:
        return
    ids = [item[0].id for item in added]
    uids = [item[1][0] for item in added]
    first = ids[0]
    if ids != list(range(first, first + len(ids))):
        pairs = sorted(zip(ids, uids, strict=True))
        ids, uids = [new_id for new_id, _uid in pairs], [uid for _id, uid in pairs]
        first = ids[0]
        if ids[-1] - first + 1 != len(ids):  # ids are keys: as many between is all of them
            report.changes.extend(Change(section, uid, None, None) for uid in uids)
            return
    report.added_rows.append(AddedRows(section, first, ids[-1], uids))


def _added(plan: Plan) -> Iterable[tuple[str, Sequence[tuple[Any, ...]]]]:
    yield "people", plan.people
    yield "places", plan.places
    yield "sources", plan.sources
    yield "visits", plan.visits
    yield "meetings", plan.meetings
