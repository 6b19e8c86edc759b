"""Filters as plain SQL (``tracker.query.where``) on a plain read, on both databases:
which seeded meetings and visits each filter selects, and how a bad filter is refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from cli.app import main
from db.plain import ReadConnection
from db.reading import reading
from tracker.errors import Ambiguous, InvalidInput, NotFound
from tracker.query.disputes import disputed_fields, disputed_meetings_sql
from tracker.query.where import Filters, meeting_where, visit_where
from tracker.vocab import AccountField


@pytest.fixture
def read(db_url: str) -> Iterator[ReadConnection]:
    result = CliRunner().invoke(main, ["--db", db_url, "seed"])
    assert result.exit_code == 0, result.output
    with reading(db_url) as reader:
        yield reader


def _meetings(read: ReadConnection, filters: Filters) -> list[str]:
    where = meeting_where(read, filters, "m")
    query = f"SELECT m.uid FROM meeting AS m{where.sql()} ORDER BY m.earliest, m.id"
    return [uid for (uid,) in read.all(query, where.params)]


def _visits(read: ReadConnection, filters: Filters) -> list[str]:
    where = visit_where(read, filters, "v")
    query = f"SELECT v.uid FROM visit AS v{where.sql()} ORDER BY v.earliest, v.id"
    return [uid for (uid,) in read.all(query, where.params)]


@pytest.mark.parametrize(
    ("filters", "count"),
    [
        (Filters(), 22),
        (Filters(date_from="2025-04", date_to="2025-04"), 4),
        (Filters(place="Moscow"), 7),
        (Filters(country="RU"), 9),
        (Filters(country="Rosja"), 9),
        (Filters(with_person="Putin"), 7),
        (Filters(topic="ceasefire"), 5),
        (Filters(outcome="no-agreement"), 2),
        (Filters(search="Kremlin"), 6),
        (Filters(date_from="2025-08", place="Alaska"), 1),
    ],
)
def test_each_filter_selects_the_seeded_meetings(
    read: ReadConnection, filters: Filters, count: int
) -> None:
    assert len(_meetings(read, filters)) == count


def test_the_filters_narrow_together(read: ReadConnection) -> None:
    moscow = set(_meetings(read, Filters(place="Moscow")))
    putin = set(_meetings(read, Filters(with_person="Putin")))
    both = _meetings(read, Filters(place="Moscow", with_person="Putin"))
    assert both
    assert set(both) == moscow & putin


def test_a_month_is_every_meeting_that_overlaps_it(read: ReadConnection) -> None:
    april = _meetings(read, Filters(date_from="2025-04", date_to="2025-04"))
    rows = read.all("SELECT uid, earliest, latest FROM meeting ORDER BY earliest, id")
    assert april == [
        uid for uid, first, last in rows if first <= "2025-04-30" and last >= "2025-04-01"
    ]


def test_visits_by_place_and_dates(read: ReadConnection) -> None:
    assert _visits(read, Filters(place="Moscow", date_from="2025-02", date_to="2025-02")) == [
        "visit-2025-02-witkoff-moscow"
    ]
    assert len(_visits(read, Filters())) == read.scalar("SELECT count(*) FROM visit")


def test_bad_filters_name_their_option(read: ReadConnection) -> None:
    with pytest.raises(InvalidInput) as bad_date:
        meeting_where(read, Filters(date_from="2025-13"), "m")
    assert bad_date.value.field == "--from"
    with pytest.raises(InvalidInput) as backwards:
        meeting_where(read, Filters(date_from="2025-05", date_to="2025-04"), "m")
    assert backwards.value.field == "--to"
    with pytest.raises(NotFound) as unknown:
        meeting_where(read, Filters(with_person="Nobody Atall"), "m")
    assert unknown.value.field == "--with"
    with pytest.raises(InvalidInput) as outcome:
        meeting_where(read, Filters(outcome="victory"), "m")
    assert outcome.value.field == "--outcome"
    with pytest.raises(InvalidInput) as words:
        meeting_where(read, Filters(search="!!"), "m")
    assert words.value.field == "--search"


def test_a_name_of_two_people_is_ambiguous(read: ReadConnection) -> None:
    with pytest.raises(Ambiguous) as found:
        meeting_where(read, Filters(envoy="Andriy"), "m")
    assert found.value.field == "--envoy"


def test_disputed_selects_the_meetings_whose_accounts_disagree(read: ReadConnection) -> None:
    disputed = _meetings(read, Filters(disputed=True))
    ids = {uid: mid for mid, uid in read.all("SELECT id, uid FROM meeting")}
    facts = disputed_fields(read, list(ids.values()))
    assert sorted(disputed) == sorted(uid for uid, mid in ids.items() if mid in facts)
    # The Kremlin talks of 2 Dec 2025: four accounts of the duration, two of the date.
    assert facts[ids["meeting-2025-12-02-witkoff-kushner-putin"]] == ["date", "duration"]
    # Only meetings with a disputed duration, for stats.
    durations = read.all(disputed_meetings_sql(AccountField.DURATION))
    assert {mid for (mid,) in durations} == {
        mid for mid, fields in facts.items() if "duration" in fields
    }
