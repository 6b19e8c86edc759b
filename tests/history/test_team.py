"""Team mode: two people writing at once each get their own change set, and undoing
one of them leaves the other's work intact. On a SQLite file and on PostgreSQL."""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Callable
from typing import Any

from tests.cli.conftest import Invoke
from tests.reliability import workers

SPAWN = multiprocessing.get_context("spawn")
EACH = 10


def test_concurrent_writers_each_get_their_change_sets_and_undo_keeps_the_other(
    db_url: str,
    run: Invoke,
    export: Callable[[], str],
    change_sets: Callable[[], list[dict[str, Any]]],
) -> None:
    export()  # the database at head before the writers race
    start = SPAWN.Barrier(2)
    results = SPAWN.Queue()
    writers = [
        SPAWN.Process(
            target=workers.log_meetings_as, args=(db_url, name, worker, EACH, start, results)
        )
        for worker, name in enumerate(("ana", "ben"))
    ]
    for process in writers:
        process.start()
    try:
        outcomes = dict(results.get(timeout=600) for _ in writers)
    finally:
        for process in writers:
            process.join(timeout=60)
            if process.is_alive():
                process.kill()
    assert outcomes == {0: [], 1: []}

    found = change_sets()[1:]  # after the one that starts the history
    assert sorted(c["who"] for c in found) == ["ana"] * EACH + ["ben"] * EACH
    for change_set in found:
        meetings = [c for c in change_set["changes"] if c["section"] == "meetings"]
        assert len(meetings) == 1
        assert meetings[0]["op"] == "added"
        worker = "w0" if change_set["who"] == "ana" else "w1"
        assert meetings[0]["after"]["title"].startswith(f"Talks {worker} ")

    # One of Ana's logs that made nothing another log shares (a visit that Ben's
    # meetings joined, the first log's people and places): undone.
    before = json.loads(export())
    meetings_in = {v["uid"]: 0 for v in before["visits"]}
    for meeting in before["meetings"]:
        meetings_in[meeting["visit"]] += 1

    def alone(change_set: dict[str, Any]) -> bool:
        added = [(x["section"], x["uid"]) for x in change_set["changes"] if x["op"] == "added"]
        return all(
            section not in ("people", "places") and (section != "visits" or meetings_in[uid] == 1)
            for section, uid in added
        )

    target = next(c for c in reversed(found) if c["who"] == "ana" and alone(c))
    title = next(x["after"]["title"] for x in target["changes"] if x["section"] == "meetings")
    result = run("undo", str(target["id"]))
    assert result.exit_code == 0, result.output
    after = json.loads(export())
    titles = sorted(m["title"] for m in after["meetings"])
    assert title not in titles
    assert sorted([*titles, title]) == sorted(m["title"] for m in before["meetings"])
    assert len([t for t in titles if t.startswith("Talks w1 ")]) == EACH
    assert after["people"] == before["people"]
