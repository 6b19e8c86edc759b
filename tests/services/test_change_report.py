"""The write layer knows what each write touched: the records, with their state before
and after, as the tracker/1 document writes them (what a history of changes needs)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tracker.document import load_document
from tracker.records import Changes, LogRequest, delete_record, edit_record, log_meeting
from tracker.write.report import ChangeReport

REGISTRY = {
    "format": "tracker/1",
    "people": [
        {"uid": "p-witkoff", "name": "Steve Witkoff", "country": "US"},
        {"uid": "p-putin", "name": "Vladimir Putin", "country": "RU"},
    ],
    "places": [
        {"uid": "pl-russia", "name": "Russia", "kind": "country", "country": "RU"},
        {"uid": "pl-moscow", "name": "Moscow", "kind": "city", "parent": "pl-russia"},
    ],
}


def test_log_edit_and_delete_report_what_they_touched(session: Session) -> None:
    load_document(session, REGISTRY)
    logged = ChangeReport()
    meeting = log_meeting(
        session,
        LogRequest(
            envoys=["Witkoff"],
            date="2025-08-06",
            title="Talks",
            place="Moscow",
            counterparts=[],
            sources=["Reuters"],
        ),
        report=logged,
    )
    assert sorted((c.section, c.before is None) for c in logged.changes) == [
        ("meetings", True),
        ("sources", True),
        ("visits", True),
    ]
    added = next(c for c in logged.changes if c.section == "meetings")
    assert added.uid == meeting.uid
    assert added.after is not None
    assert added.after["title"] == "Talks"

    edited = ChangeReport()
    edit_record(session, meeting, Changes(title="Talks in Moscow"), edited)
    [change] = edited.changes
    assert change.before is not None
    assert change.after is not None
    assert (change.before["title"], change.after["title"]) == ("Talks", "Talks in Moscow")
    assert edited.totals == {"added": 0, "updated": 1, "unchanged": 0}

    deleted = delete_record(session, meeting)
    assert (deleted.meetings, deleted.visits) == (1, 1)  # the visit had no other meeting
