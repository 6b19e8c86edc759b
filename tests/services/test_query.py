"""The read-side services (tracker.query, tracker.search), on SQLite and PostgreSQL.

``build_world`` is also used by tests/cli/test_read_commands.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session

from tracker.backend import reader
from tracker.dates import parse_when
from tracker.errors import Ambiguous, InvalidInput, NotFound
from tracker.models import (
    Meeting,
    MeetingSource,
    MeetingTopic,
    Participant,
    Person,
    PersonAlias,
    Place,
    PlaceAlias,
    Source,
    Statement,
    Visit,
    VisitTraveller,
)
from tracker.names import name_key
from tracker.query import (
    TIMELINE_KEYS,
    DateRange,
    Filters,
    day_count,
    envoy_stats,
    envoy_visits,
    envoys_summary,
    find_record,
    format_duration,
    lanes,
    main_meeting,
    meeting_detail,
    people_rows,
    place_rows,
    precision,
    talks_cells,
    timeline_batches,
    timeline_records,
    timeline_rows,
    visit_detail,
)
from tracker.query import timeline as query
from tracker.sql import Reader

HOSTILE_TITLE = "[bold]x \x1b[31mred\u202e"


def _person(session: Session, name: str, country: str, *aliases: tuple[str, str]) -> Person:
    person = Person(name=name, key=name_key(name), country=country)
    person.aliases = [PersonAlias(name=a, key=name_key(a), lang=lang) for a, lang in aliases]
    session.add(person)
    return person


def _place(
    session: Session,
    name: str,
    kind: str,
    country: str,
    parent: Place | None = None,
    *aliases: tuple[str, str],
) -> Place:
    place = Place(name=name, key=name_key(name), kind=kind, country=country, parent=parent)
    place.aliases = [PlaceAlias(name=a, key=name_key(a), lang=lang) for a, lang in aliases]
    session.add(place)
    return place


def _dated(record: Visit | Meeting | Statement, edtf: str) -> None:
    when = parse_when(edtf)
    record.edtf, record.earliest, record.latest = when.edtf, when.earliest, when.latest


def _visit(session: Session, uid: str, edtf: str, destination: Place, *travellers: Person) -> Visit:
    visit = Visit(uid=uid, destination=destination)
    _dated(visit, edtf)
    visit.travellers = [
        VisitTraveller(person=p, role="envoy", position=i) for i, p in enumerate(travellers)
    ]
    session.add(visit)
    return visit


def _meeting(
    session: Session,
    uid: str,
    visit: Visit | None,
    edtf: str,
    title: str,
    venue: Place | None,
    participants: list[tuple[Person, str, str]],
    *,
    kind: str = "talks",
    minutes: int | None = None,
    qualifier: str | None = None,
    outcome: str = "unknown",
    summary: str | None = None,
    notes: str | None = None,
    topics: tuple[str, ...] = (),
    sources: tuple[Source, ...] = (),
) -> Meeting:
    meeting = Meeting(
        uid=uid,
        visit=visit,
        kind=kind,
        title=title,
        venue=venue,
        duration_minutes=minutes,
        duration_qualifier=qualifier,
        outcome=outcome,
        outcome_summary=summary,
        notes=notes,
    )
    _dated(meeting, edtf)
    meeting.participants = [
        Participant(person=p, side=side, role=role, position=i)
        for i, (p, side, role) in enumerate(participants)
    ]
    meeting.topics = [
        MeetingTopic(topic=t, key=name_key(t), position=i) for i, t in enumerate(topics)
    ]
    meeting.source_links = [MeetingSource(source=s, position=i) for i, s in enumerate(sources)]
    session.add(meeting)
    return meeting


def build_world(session: Session) -> dict[str, Any]:
    """A small record: Witkoff's 2025 trips, a month-only Dmitriev visit, a statement,
    a hostile title. Returns the objects by short name."""
    w = _person(session, "Steve Witkoff", "US", ("Стив Уиткофф", "ru"), ("Steven Witkoff", "en"))
    putin = _person(
        session, "Vladimir Putin", "RU", ("Владимир Путин", "ru"), ("Władimir Putin", "pl")
    )
    ushakov = _person(session, "Yuri Ushakov", "RU", ("Юрий Ушаков", "ru"))
    dmitriev = _person(session, "Kirill Dmitriev", "RU")
    kushner = _person(session, "Jared Kushner", "US")
    russia = _place(session, "Russia", "country", "RU", None, ("Rosja", "pl"), ("Россия", "ru"))
    moscow = _place(session, "Moscow", "city", "RU", russia, ("Moskwa", "pl"))
    kremlin = _place(session, "Kremlin", "venue", "RU", moscow, ("Кремль", "ru"))
    spb = _place(session, "St Petersburg", "city", "RU", russia)
    usa = _place(session, "United States", "country", "US", None)
    washington = _place(session, "Washington", "city", "US", usa)
    tass = Source(uid="src-tass", url="https://tass.com/1", publisher="TASS")
    seed = Source(uid="src-seed", url=None, publisher="Polish news report")
    session.add_all([tass, seed])

    v1 = _visit(session, "v-feb", "2025-02-11", moscow, w)
    v2 = _visit(session, "v-apr-spb", "2025-04-11", spb, w)
    v3 = _visit(session, "v-apr-moscow", "2025-04-25", moscow, w)
    v4 = _visit(session, "v-dec", "2025-12-02/2025-12-03", moscow, w, kushner)
    v5 = _visit(session, "v-dmitriev", "2025-04", washington, dmitriev)
    m1 = _meeting(
        session, "m-feb", v1, "2025-02-11", "Witkoff meets Putin", moscow,
        [(w, "US", "envoy"), (putin, "RU", "host")], minutes=210, qualifier="about",
        sources=(tass,),
    )  # fmt: skip
    m2 = _meeting(
        session, "m-apr-spb", v2, "2025-04-11", "Talks at the Presidential Library", spb,
        [(w, "US", "envoy"), (putin, "RU", "host"), (ushakov, "RU", "adviser")],
        minutes=240, qualifier="at-least", topics=("Ukraine settlement",),
    )  # fmt: skip
    m3 = _meeting(
        session, "m-apr-kremlin", v3, "2025-04-25", "Fourth meeting", kremlin,
        [(w, "US", "envoy"), (putin, "RU", "host")], minutes=180, qualifier="about",
        outcome="partial-agreement", summary="Positions moved closer",
        topics=("Ukraine settlement", "direct negotiations"),
    )  # fmt: skip
    m4 = _meeting(
        session, "m-apr-washington", v5, "2025-04", "Dmitriev meets Witkoff", washington,
        [(dmitriev, "RU", "envoy"), (w, "US", "host")],
    )  # fmt: skip
    m5 = _meeting(
        session, "m-dec-walk", v4, "2025-12-02", HOSTILE_TITLE, moscow,
        [(w, "US", "envoy"), (kushner, "US", "envoy")], kind="walk",
        notes="Walk through Red Square with city-hall officials",
    )  # fmt: skip
    m6 = _meeting(
        session, "m-dec-talks", v4, "2025-12-02/2025-12-03", "Talks on the peace plan", kremlin,
        [(w, "US", "envoy"), (kushner, "US", "envoy"), (putin, "RU", "host"),
         (ushakov, "RU", "adviser")],
        minutes=300, qualifier="at-least", outcome="no-agreement",
        summary="No compromise reached yet", sources=(seed, tass),
    )  # fmt: skip
    quote = Statement(
        uid="s-dec",
        meeting=m6,
        speaker=ushakov,
        kind="quote",
        language="ru",
        text="Not closer to peace, but not further either",
    )
    _dated(quote, "2025-12-03")
    session.add(quote)
    session.flush()
    return {
        "witkoff": w,
        "putin": putin,
        "ushakov": ushakov,
        "dmitriev": dmitriev,
        "kushner": kushner,
        "russia": russia,
        "moscow": moscow,
        "kremlin": kremlin,
        "visits": [v1, v2, v3, v4, v5],
        "meetings": [m1, m2, m3, m4, m5, m6],
        "quote": quote,
    }


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    return build_world(session)


def _uids(rows: Any) -> list[str]:
    return [row["uid"] for row in rows]


# -- the timeline ---------------------------------------------------------------------


def test_timeline_order_puts_a_month_before_its_days(session: Session, world: Any) -> None:
    assert _uids(timeline_rows(reader(session), Filters())) == [
        "m-feb",
        "m-apr-washington",
        "m-apr-spb",
        "m-apr-kremlin",
        "m-dec-walk",
        "m-dec-talks",
    ]


def test_timeline_april_overlap(session: Session, world: Any) -> None:
    rows = list(timeline_rows(reader(session), Filters(date_from="2025-04", date_to="2025-04")))
    assert _uids(rows) == ["m-apr-washington", "m-apr-spb", "m-apr-kremlin"]
    assert rows[0]["date"] == "Apr 2025"
    assert (rows[0]["earliest"], rows[0]["latest"]) == ("2025-04-01", "2025-04-30")


def test_timeline_overlap_catches_an_interval_across_the_bound(
    session: Session, world: Any
) -> None:
    rows = timeline_rows(reader(session), Filters(date_from="2025-12-03"))
    assert _uids(rows) == ["m-dec-talks"]
    assert _uids(timeline_rows(reader(session), Filters(date_to="2025-02-11"))) == ["m-feb"]


def test_timeline_row_shape(session: Session, world: Any) -> None:
    rows = {row["uid"]: row for row in timeline_rows(reader(session), Filters())}
    assert rows["m-dec-talks"] == {
        "date": "2–3 Dec 2025",
        "edtf": "2025-12-02/2025-12-03",
        "earliest": "2025-12-02",
        "latest": "2025-12-03",
        "kind": "talks",
        "title": "Talks on the peace plan",
        "envoys": "Steve Witkoff; Jared Kushner",
        "counterparts": "Vladimir Putin; Yuri Ushakov",
        "venue": "Kremlin",
        "city": "Moscow",
        "country": "RU",
        "duration_minutes": 300,
        "duration_qualifier": "at-least",
        "status": "held",
        "outcome": "no-agreement",
        "outcome_summary": "No compromise reached yet",
        "sources": "Polish news report; https://tass.com/1",
        "disputed": [],
        "uid": "m-dec-talks",
    }
    # A participant in the role of envoy is an envoy even without a visit of theirs.
    assert rows["m-apr-washington"]["envoys"] == "Kirill Dmitriev"
    assert rows["m-apr-washington"]["counterparts"] == "Steve Witkoff"
    assert rows["m-feb"]["city"] == "Moscow"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(envoy="Dmitriev"), ["m-apr-washington"]),
        (Filters(envoy="Kushner"), ["m-dec-walk", "m-dec-talks"]),
        (Filters(with_person="Юрий Ушаков"), ["m-apr-spb", "m-dec-talks"]),
        (Filters(place="Kremlin"), ["m-apr-kremlin", "m-dec-talks"]),
        (Filters(place="Moskwa"), ["m-feb", "m-apr-kremlin", "m-dec-walk", "m-dec-talks"]),
        (
            Filters(place="Russia"),
            ["m-feb", "m-apr-spb", "m-apr-kremlin", "m-dec-walk", "m-dec-talks"],
        ),
        (Filters(country="us"), ["m-apr-washington"]),
        (Filters(country="Rosja", date_to="2025-03"), ["m-feb"]),
        (Filters(topic="ukraine  SETTLEMENT"), ["m-apr-spb", "m-apr-kremlin"]),
        (Filters(outcome="Partial Agreement"), ["m-apr-kremlin"]),
        (Filters(envoy="Witkoff", date_from="2025-04", date_to="2025-04-20"), ["m-apr-spb"]),
    ],
)
def test_timeline_filters(
    session: Session, world: Any, filters: Filters, expected: list[str]
) -> None:
    assert _uids(timeline_rows(reader(session), filters)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("peace plan", ["m-dec-talks"]),  # title
        ("compromise", ["m-dec-talks"]),  # outcome summary
        ("red square", ["m-dec-walk"]),  # notes
        ("FURTHER either", ["m-dec-talks"]),  # statement text, any case
        ("closer", ["m-apr-kremlin", "m-dec-talks"]),  # summary and statement
        ('"meets', ["m-feb", "m-apr-washington"]),  # a stray quote is just punctuation
        ("nowhere-to-be-found", []),
    ],
)
def test_full_text_search(session: Session, world: Any, query: str, expected: list[str]) -> None:
    assert _uids(timeline_rows(reader(session), Filters(search=query))) == expected


def test_search_follows_updates_and_deletes(session: Session, world: Any) -> None:
    session.execute(update(Meeting).where(Meeting.uid == "m-feb").values(title="Samovar talks"))
    assert _uids(timeline_rows(reader(session), Filters(search="samovar"))) == ["m-feb"]
    assert _uids(timeline_rows(reader(session), Filters(search="Witkoff meets Putin"))) == []
    session.execute(delete(Statement).where(Statement.uid == "s-dec"))
    assert _uids(timeline_rows(reader(session), Filters(search="further"))) == []
    m_feb = session.scalars(select(Meeting).where(Meeting.uid == "m-feb")).one()
    fresh = Statement(uid="s-new", meeting=m_feb, speaker=world["putin"], text="A new quotation")
    _dated(fresh, "2025-02")
    session.add(fresh)
    session.flush()
    assert _uids(timeline_rows(reader(session), Filters(search="quotation"))) == ["m-feb"]
    session.execute(delete(Meeting).where(Meeting.uid == "m-feb"))
    assert _uids(timeline_rows(reader(session), Filters(search="samovar"))) == []
    assert _uids(timeline_rows(reader(session), Filters(search="quotation"))) == []
    if session.get_bind().dialect.name == "sqlite":
        # The FTS5 indexes still agree with their content tables (raises if not).
        for table in ("meeting_fts", "statement_fts"):
            session.execute(text(f"INSERT INTO {table}({table}) VALUES ('integrity-check')"))


def test_search_needs_a_word(session: Session, world: Any) -> None:
    with pytest.raises(InvalidInput, match="--search"):
        list(timeline_rows(reader(session), Filters(search=" -- ")))


@pytest.mark.postgres
def test_postgres_search_can_use_the_gin_indexes(session: Session, world: Any) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    from tracker.query.where import meeting_where

    session.execute(text("SET LOCAL enable_seqscan = off"))
    read = reader(session)
    where = meeting_where(read, Filters(search="peace"))
    plan = "\n".join(
        line
        for (line,) in read.all("EXPLAIN SELECT m.id FROM meeting AS m" + where.sql(), where.params)
    )
    assert "ix_meeting_fulltext" in plan
    assert "ix_statement_fulltext" in plan


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        (Filters(date_from="April"), "--from"),
        (Filters(date_to="2025-13"), "--to"),
        (Filters(date_from="2025-05", date_to="2025-04"), "--to"),
        (Filters(outcome="success"), "--outcome"),
        (Filters(country="Moscow"), "--country"),
        (Filters(topic="!!"), "--topic"),
    ],
)
def test_bad_filters_name_the_field(
    session: Session, world: Any, filters: Filters, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        list(timeline_rows(reader(session), filters))
    assert caught.value.field == field


def test_unknown_names_propagate(session: Session, world: Any) -> None:
    with pytest.raises(NotFound) as caught:
        list(timeline_rows(reader(session), Filters(envoy="Witkof")))
    assert "Steve Witkoff" in caught.value.suggestions
    with pytest.raises(NotFound):
        list(timeline_rows(reader(session), Filters(place="Atlantis")))


def _many_meetings(session: Session, count: int, tag: str) -> None:
    a = _person(session, f"Envoy {tag}", "US")
    b = _person(session, f"Host {tag}", "RU")
    city = _place(session, f"City {tag}", "city", "RU")
    source = Source(uid=f"src-{tag}", url=f"https://example.org/{tag}", publisher="P")
    for i in range(count):
        visit = _visit(session, f"v-{tag}-{i}", f"2024-01-{i % 28 + 1:02d}", city, a)
        _meeting(
            session, f"m-{tag}-{i}", visit, f"2024-01-{i % 28 + 1:02d}", f"Meeting {tag}", city,
            [(a, "US", "envoy"), (b, "RU", "host")], topics=("trade",), sources=(source,),
        )  # fmt: skip
    session.flush()


class _Counting:
    """A plain read that counts the statements run on it."""

    def __init__(self, read: Reader) -> None:
        self.read = read
        self.sql = read.sql
        self.seen: list[str] = []

    def rows(self, query: str, params: Any = None) -> Iterator[tuple[Any, ...]]:
        self.seen.append(query)
        return self.read.rows(query, params)

    def batches(self, query: str, params: Any, size: int) -> Iterator[list[tuple[Any, ...]]]:
        self.seen.append(query)
        return self.read.batches(query, params, size)

    def all(self, query: str, params: Any = None) -> list[tuple[Any, ...]]:
        self.seen.append(query)
        return self.read.all(query, params)

    def scalar(self, query: str, params: Any = None) -> Any:
        self.seen.append(query)
        return self.read.scalar(query, params)


def test_timeline_issues_a_constant_number_of_statements(session: Session) -> None:
    _many_meetings(session, 5, "few")
    _many_meetings(session, 50, "many")
    counted = _Counting(reader(session))
    few = list(timeline_rows(counted, Filters(envoy="Envoy few")))
    few_count = len(counted.seen)
    counted = _Counting(reader(session))
    many = list(timeline_rows(counted, Filters(envoy="Envoy many")))
    many_count = len(counted.seen)
    assert (len(few), len(many)) == (5, 50)
    assert few_count == many_count
    assert few_count < 15


def test_timeline_records_know_their_precision(session: Session, world: Any) -> None:
    entries = list(timeline_records(reader(session), Filters()))
    assert [e.precision for e in entries] == ["day", "month", "day", "day", "day", "day"]
    assert entries[1].envoy_names == ["Kirill Dmitriev"]


def test_lanes_count_meetings_per_envoy_and_month(session: Session, world: Any) -> None:
    filters = Filters(date_from="2025-02", date_to="2025-05")
    months, rows = lanes(
        timeline_records(reader(session), filters), DateRange(date(2025, 2, 1), None)
    )
    assert months == ["2025-02", "2025-03", "2025-04"]
    assert rows == [
        {"envoy": "Steve Witkoff", "status": "held", "2025-02": 1, "2025-03": 0, "2025-04": 2}
        | {"disputed": {}},
        {"envoy": "Kirill Dmitriev", "status": "held", "2025-02": 0, "2025-03": 0, "2025-04": 1}
        | {"disputed": {}},
    ]


def test_lanes_refuse_an_endless_range(session: Session, world: Any) -> None:
    with pytest.raises(InvalidInput, match="months"):
        lanes(timeline_records(reader(session), Filters()), DateRange(date(1900, 1, 1), None))


# -- visits ---------------------------------------------------------------------------


def test_envoys_summary(session: Session, world: Any) -> None:
    assert envoys_summary(reader(session), Filters()) == [
        {
            "envoy": "Steve Witkoff",
            "visits": 4,
            "meetings": 5,
            "first": "11 Feb 2025",
            "first_edtf": "2025-02-11",
            "last": "2–3 Dec 2025",
            "last_edtf": "2025-12-02/2025-12-03",
            "destinations": "Moscow; St Petersburg",
            "uid": world["witkoff"].uid,
        },
        {
            "envoy": "Kirill Dmitriev",
            "visits": 1,
            "meetings": 1,
            "first": "Apr 2025",
            "first_edtf": "2025-04",
            "last": "Apr 2025",
            "last_edtf": "2025-04",
            "destinations": "Washington",
            "uid": world["dmitriev"].uid,
        },
        {
            "envoy": "Jared Kushner",
            "visits": 1,
            "meetings": 2,
            "first": "2–3 Dec 2025",
            "first_edtf": "2025-12-02/2025-12-03",
            "last": "2–3 Dec 2025",
            "last_edtf": "2025-12-02/2025-12-03",
            "destinations": "Moscow",
            "uid": world["kushner"].uid,
        },
    ]


def test_envoy_visits(session: Session, world: Any) -> None:
    rows = envoy_visits(reader(session), "Steve Witkoff", Filters())
    assert [(r["n"], r["date"], r["destination"], r["country"], r["days"]) for r in rows] == [
        (1, "11 Feb 2025", "Moscow", "RU", 1),
        (2, "11 Apr 2025", "St Petersburg", "RU", 1),
        (3, "25 Apr 2025", "Moscow", "RU", 1),
        (4, "2–3 Dec 2025", "Moscow", "RU", 2),
    ]
    last = rows[-1]
    assert last["meetings"] == 2
    assert last["counterparts"] == "Vladimir Putin; Yuri Ushakov"
    assert (last["outcome"], last["outcome_summary"]) == (
        "no-agreement",
        "No compromise reached yet",
    )
    assert rows[1]["counterparts"] == "Vladimir Putin; Yuri Ushakov"


def test_month_only_visit_has_no_day_count(session: Session, world: Any) -> None:
    (row,) = envoy_visits(reader(session), "Dmitriev", Filters())
    assert (row["date"], row["days"], row["edtf"]) == ("Apr 2025", None, "2025-04")


def test_visits_for_a_cyrillic_alias_equal_the_english_name(session: Session, world: Any) -> None:
    english = envoy_visits(reader(session), "Steve Witkoff", Filters())
    assert envoy_visits(reader(session), "Стив Уиткофф", Filters()) == english
    assert envoy_visits(reader(session), "witkoffa", Filters()) == english


@pytest.mark.parametrize(
    ("filters", "dates"),
    [
        (Filters(date_from="2025-04", date_to="2025-04"), ["11 Apr 2025", "25 Apr 2025"]),
        (Filters(place="Kremlin"), []),
        (Filters(place="Moscow", date_to="2025-06"), ["11 Feb 2025", "25 Apr 2025"]),
        (Filters(place="Russia", date_from="2025-12"), ["2–3 Dec 2025"]),
        (Filters(country="Россия", date_to="2025-04-11"), ["11 Feb 2025", "11 Apr 2025"]),
        (Filters(country="US"), []),
    ],
)
def test_envoy_visit_filters(
    session: Session, world: Any, filters: Filters, dates: list[str]
) -> None:
    assert [row["date"] for row in envoy_visits(reader(session), "Witkoff", filters)] == dates


def test_ambiguous_envoy(session: Session, world: Any) -> None:
    _person(session, "Steve Witkoff", "GB")
    session.flush()
    with pytest.raises(Ambiguous) as caught:
        envoy_visits(reader(session), "Steve Witkoff", Filters())
    assert len(caught.value.candidates) == 2


def test_main_meeting_is_the_longest_talks(session: Session, world: Any) -> None:
    walk, talks = world["meetings"][4], world["meetings"][5]
    assert main_meeting([walk, talks]) is talks
    assert main_meeting([walk]) is walk
    assert main_meeting([]) is None
    first, second = world["meetings"][0], world["meetings"][2]  # 210 and 180 minutes
    assert main_meeting([second, first]) is first


# -- one record -----------------------------------------------------------------------


def test_find_record(session: Session, world: Any) -> None:
    m6 = world["meetings"][5]
    v4 = world["visits"][3]
    assert find_record(session, "m-dec-talks") is m6
    assert find_record(session, f"m:{m6.id}") is m6
    assert find_record(session, f"V:{v4.id}") is v4
    assert find_record(session, str(m6.id)) is m6
    assert find_record(session, " v-dec ") is v4
    with pytest.raises(NotFound) as caught:
        find_record(session, "m-dec-talk")
    assert "m-dec-talks" in caught.value.suggestions
    for missing in ("m:999999", "v:99999999999", "99999"):
        with pytest.raises(NotFound):
            find_record(session, missing)
    with pytest.raises(InvalidInput):
        find_record(session, "m:x1")


def test_meeting_detail(session: Session, world: Any) -> None:
    detail = meeting_detail(reader(session), world["meetings"][5].id)
    assert detail["place_chain"] == ["Kremlin", "Moscow", "Russia"]
    assert detail["duration"] == "at least 5 h"
    assert detail["participants"][0] == {
        "name": "Steve Witkoff",
        "uid": world["witkoff"].uid,
        "side": "US",
        "role": "envoy",
    }
    (statement,) = detail["statements"]
    assert statement["speaker"] == "Yuri Ushakov"
    assert statement["date"] == "3 Dec 2025"
    assert [s["uid"] for s in detail["sources"]] == ["src-seed", "src-tass"]
    assert detail["visit"]["uid"] == "v-dec"


def test_visit_detail(session: Session, world: Any) -> None:
    detail = visit_detail(reader(session), world["visits"][3].id)
    assert detail["days"] == 2
    assert [t["name"] for t in detail["travellers"]] == ["Steve Witkoff", "Jared Kushner"]
    assert [m["uid"] for m in detail["meetings"]] == ["m-dec-walk", "m-dec-talks"]
    assert detail["place_chain"] == ["Moscow", "Russia"]


# -- registries and stats -------------------------------------------------------------


def test_people_registry(session: Session, world: Any) -> None:
    rows = people_rows(reader(session), "Władimir")
    assert rows == [
        {
            "name": "Vladimir Putin",
            "country": "RU",
            "aliases": "Владимир Путин (ru); Władimir Putin (pl)",
            "roles": "",
            "wikidata": None,
            "uid": world["putin"].uid,
        }
    ]
    assert [r["name"] for r in people_rows(reader(session))][:2] == [
        "Jared Kushner",
        "Kirill Dmitriev",
    ]
    assert [r["name"] for r in people_rows(reader(session), "shak")] == ["Yuri Ushakov"]


def test_places_registry(session: Session, world: Any) -> None:
    rows = place_rows(reader(session), "Кремль")
    assert rows == [
        {
            "name": "Kremlin",
            "kind": "venue",
            "country": "RU",
            "parent": "Moscow",
            "aliases": "Кремль (ru)",
            "wikidata": None,
            "uid": world["kremlin"].uid,
        }
    ]
    assert len(place_rows(reader(session))) == 6


def test_envoy_stats(session: Session, world: Any) -> None:
    witkoff, dmitriev, kushner = envoy_stats(reader(session), Filters())
    assert witkoff["envoy"] == "Steve Witkoff"
    assert (witkoff["visits"], witkoff["meetings"]) == (4, 5)
    # Gaps by earliest day: 11 Feb → 11 Apr → 25 Apr → 2 Dec.
    assert witkoff["longest_gap_days"] == 221
    assert witkoff["mean_gap_days"] == round((59 + 14 + 221) / 3, 1)
    assert witkoff["talks_minutes"] == 210 + 240 + 180 + 300
    assert witkoff["talks"] == "at least c. 15 h 30 min"
    assert witkoff["meetings_without_duration"] == 1
    assert witkoff["outcomes"] == {"partial-agreement": 1, "no-agreement": 1, "unknown": 3}
    assert dmitriev["talks"] is None
    assert dmitriev["mean_gap_days"] is None
    assert kushner["talks"] == "at least 5 h"


@pytest.mark.parametrize(
    ("durations", "expected"),
    [
        ([(60, "exact"), (30, None)], "1 h 30 min"),
        ([(60, "about"), (30, "exact")], "about 1 h 30 min"),
        ([(60, "at-least"), (45, "at-most")], "about 1 h 45 min"),
        ([(20, "at-most")], "at most 20 min"),
        ([], None),
    ],
)
def test_talks_cells(durations: list[tuple[int, str | None]], expected: str | None) -> None:
    qualifiers = {q or "exact" for _m, q in durations}
    cells = talks_cells(
        meetings=len(durations),
        timed=len(durations),
        minutes=sum(m for m, _q in durations),
        at_least="at-least" in qualifiers,
        at_most="at-most" in qualifiers,
        about="about" in qualifiers,
    )
    assert cells["talks"] == expected


# -- dates and durations --------------------------------------------------------------


@pytest.mark.parametrize(
    ("edtf", "expected_precision", "days"),
    [
        ("2025-04-11", "day", 1),
        ("2025-12-02/2025-12-03", "day", 2),
        ("2025-04", "month", None),
        ("2025", "year", None),
        ("2025-04~", "month", None),
        ("2025-04-01/2025-05", "day", None),
        ("2025-12-02T17:00+03:00", "day", 1),
        ("2025-21", "month", None),  # a season: the library's form, shown from its bounds
    ],
)
def test_precision_and_days(edtf: str, expected_precision: str, days: int | None) -> None:
    when = parse_when(edtf)
    assert precision(when) == expected_precision
    assert day_count(when) == days


@pytest.mark.parametrize(
    ("minutes", "qualifier", "expected"),
    [
        (300, "at-least", "at least 5 h"),
        (210, "about", "about 3 h 30 min"),
        (45, "exact", "45 min"),
        (90, None, "1 h 30 min"),
        (None, "about", None),
    ],
)
def test_format_duration(minutes: int | None, qualifier: str | None, expected: str | None) -> None:
    assert format_duration(minutes, qualifier) == expected


def _sides_world(session: Session) -> None:
    """Meetings whose envoys come each way: a visit's travellers (in their order, one of
    them also a participant), a visit without travellers and no visit at all (the
    participants in the role of envoy), a meeting with nobody; sources with and without
    a URL, several to a meeting."""
    a = _person(session, "Envoy A", "US")
    b = _person(session, "Envoy B", "US")
    host = _person(session, "Host", "RU")
    aide = _person(session, "Aide", "RU")
    country = _place(session, "Land", "country", "RU")
    city = _place(session, "Capital", "city", "RU", country)
    hall = _place(session, "Hall", "venue", "RU", city)
    web = Source(uid="src-web", url="https://example.org/a", publisher="P")
    paper = Source(uid="src-paper", publisher="Daily Paper", title="Issue 1")
    bare = Source(uid="src-bare")
    trip = _visit(session, "v-trip", "2024-03-01/2024-03-03", city, b, a)
    empty = _visit(session, "v-empty", "2024-03-05", city)
    people = [(host, "RU", "host"), (a, "US", "envoy"), (aide, "RU", "adviser")]
    _meeting(session, "m-trip", trip, "2024-03-02", "On the trip", hall, people,
             sources=(paper, web))  # fmt: skip
    _meeting(session, "m-trip-2", trip, "2024-03-02", "No venue", None, [(host, "RU", "host")])
    _meeting(session, "m-empty", empty, "2024-03-05", "Empty visit", None, people,
             sources=(bare,))  # fmt: skip
    called = [(aide, "RU", "adviser"), (b, "US", "envoy"), (a, "US", "envoy")]
    _meeting(session, "m-call", None, "2024-03", "A call", None, called, kind="call")
    _meeting(session, "m-none", None, "2024", "Nobody", country, [], minutes=90)
    session.flush()


def test_timeline_rows_agree_over_many_partitions(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Partitions of two meetings, the names of people read again for each partition.
    from tracker.document import load_document
    from tracker.seeding import seed_documents

    for _name, document in seed_documents():
        load_document(session, document)
    _sides_world(session)
    whole = list(timeline_rows(reader(session), Filters()))
    assert len(whole) == 27
    monkeypatch.setattr(query, "ROWS_BATCH", 2)
    monkeypatch.setattr(query, "NAMES_KEPT", 0)
    assert list(timeline_rows(reader(session), Filters())) == whole
    assert [record.row for record in timeline_records(reader(session), Filters())] == whole
    rows = {row["uid"]: row for row in whole}
    # Envoy B travelled on the trip but took no part in the meeting: not its envoy.
    assert rows["m-trip"]["envoys"] == "Envoy A"
    assert rows["m-trip"]["counterparts"] == "Host; Aide"
    assert rows["m-trip"]["sources"] == "Daily Paper; https://example.org/a"
    assert rows["m-trip"]["venue"] == "Hall"
    assert rows["m-trip-2"]["city"] == "Capital"
    assert rows["m-empty"]["envoys"] == "Envoy A"
    assert rows["m-empty"]["sources"] == "src-bare"
    assert (rows["m-call"]["envoys"], rows["m-call"]["counterparts"]) == (
        "Envoy B; Envoy A",
        "Aide",
    )
    assert (rows["m-none"]["envoys"], rows["m-none"]["sources"]) == ("", "")


def test_timeline_batches_are_tuples_in_the_order_of_the_keys(session: Session) -> None:
    _sides_world(session)
    rows = list(timeline_rows(reader(session), Filters()))
    batches = list(timeline_batches(reader(session), Filters()))
    assert [dict(zip(TIMELINE_KEYS, values, strict=True)) for values in batches[0]] == rows


def test_timeline_records_hold_the_people_sources_and_place(session: Session) -> None:
    # What the views beyond the table read beside each row, from the same builder: the
    # envoys and counterparts by the one rule, with their roles and sides, every
    # participant in order, the sources, the place (venue, else the destination).
    _sides_world(session)
    records = {r.row["uid"]: r for r in timeline_records(reader(session), Filters())}
    assert [r.row for r in records.values()] == list(timeline_rows(reader(session), Filters()))
    trip = records["m-trip"]
    assert [(p.name, p.role, p.side) for p in trip.envoys] == [("Envoy A", "envoy", "US")]
    assert [(p.name, p.role, p.side) for p in trip.counterparts] == [
        ("Host", "host", "RU"),
        ("Aide", "adviser", "RU"),
    ]
    assert [p.name for p in trip.participants] == ["Host", "Envoy A", "Aide"]
    assert trip.envoy_names == ["Envoy A"]
    assert records["m-call"].envoy_names == ["Envoy B", "Envoy A"]
    assert [(s.uid, s.url, s.publisher, s.title) for s in trip.sources] == [
        ("src-paper", None, "Daily Paper", "Issue 1"),
        ("src-web", "https://example.org/a", "P", None),
    ]
    hall = session.scalars(select(Place.id).where(Place.name == "Hall")).one()
    capital = session.scalars(select(Place.id).where(Place.name == "Capital")).one()
    assert (trip.place_id, records["m-trip-2"].place_id) == (hall, capital)
    assert records["m-call"].place_id is None
    assert (trip.earliest, trip.latest, trip.precision) == (date(2024, 3, 2),) * 2 + ("day",)
    assert records["m-call"].precision == "month"
    assert records["m-none"].precision == "year"
    assert trip.updated_at is not None
    assert (records["m-none"].envoys, records["m-none"].sources) == ([], [])
