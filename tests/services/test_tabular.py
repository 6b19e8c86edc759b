"""CSV import (tracker.importers.tabular): mapping, dedupe, rejections, round trips."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from db.engine import Database, open_database
from tracker.backend import reader
from tracker.document import load_document
from tracker.errors import InvalidInput
from tracker.importers.tabular import (
    ImportReport,
    column_fields,
    import_csv,
    mapping_from_document,
    parse_map_options,
    rejects_csv,
)
from tracker.models import Meeting, Person, PersonRole, Place, Source, Visit, VisitTraveller
from tracker.query import TIMELINE_KEYS, Filters, timeline_rows
from tracker.seeding import seed_documents

DATA = Path(__file__).parent.parent / "data"
TRIPS = DATA / "official-trips.csv"
TRIPS_MAPPING = {
    "Trip ID": "uid",
    "Traveller": "traveller",
    "Title held": "traveller_role",
    "Start Date": "start",
    "End Date": "end",
    "Remarks": "notes",
    "Source link": "source_url",
    "Reported by": "publisher",
}


def _import(session: Session, text: str, **options: Any) -> ImportReport:
    options.setdefault("create", True)
    return import_csv(session, text.encode(), origin="t.csv", **options)


def _count(session: Session, model: Any) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_the_foreign_fixture_imports_with_its_mapping(session: Session) -> None:
    report = import_csv(
        session, TRIPS.read_bytes(), create=True, origin="trips.csv", mapping=TRIPS_MAPPING
    )
    assert report.layout == "mapped"
    assert report.rows == 7
    assert report.added["visits"] == 7
    assert report.added["people"] == 4  # Witkoff, Kushner, Rubio, Driscoll
    assert report.ignored == []  # Country and City are named like their fields
    assert not report.rejects
    # Russia, RU and Russian Federation are one country place.
    russia = session.scalars(select(Place).where(Place.kind == "country", Place.country == "RU"))
    assert [p.name for p in russia] == ["Russia"]
    visit = session.scalars(select(Visit).where(Visit.uid == "ST-2025-002")).one()
    assert (visit.edtf, visit.notes) == ("2025-03-13/2025-03-14", "Ceasefire proposal")
    assert visit.destination is not None
    assert visit.destination.name == "Moscow"
    assert visit.destination.parent is not None
    assert visit.destination.parent.country == "RU"
    assert [(t.person.name, t.role) for t in visit.travellers] == [
        ("Steve Witkoff", "Special Envoy")
    ]
    assert [s.url for s in visit.sources] == ["https://example.org/trips/march"]
    geneva = session.scalars(select(Visit).where(Visit.uid == "ST-2025-006")).one()
    assert geneva.edtf == "2025-11"  # month only stays month only
    both = session.scalars(select(Visit).where(Visit.uid == "ST-2025-005")).one()
    assert [t.person.name for t in both.travellers] == ["Steve Witkoff", "Jared Kushner"]
    assert both.notes == 'Five hours with Putin, "no compromise"'


def test_importing_the_same_file_twice_adds_nothing(session: Session) -> None:
    data = TRIPS.read_bytes()
    import_csv(session, data, create=True, origin="trips.csv", mapping=TRIPS_MAPPING)
    counts = [_count(session, m) for m in (Person, Place, Source, Visit)]
    again = import_csv(session, data, create=True, origin="trips.csv", mapping=TRIPS_MAPPING)
    assert again.totals == {"added": 0, "updated": 0, "unchanged": 7}
    assert [_count(session, m) for m in (Person, Place, Source, Visit)] == counts


def test_rows_without_uid_are_deduplicated_by_traveller_place_and_date(session: Session) -> None:
    text = (
        "traveller,start,end,country,city\n"
        "Steve Witkoff,2025-04-11,,Russia,St Petersburg\n"
        "steve  WITKOFF,2025-04-11,,RU,st petersburg\n"
        "Steve Witkoff,2025-04-12,,RU,St Petersburg\n"
    )
    report = _import(session, text)
    assert (report.added["visits"], report.unchanged["visits"]) == (2, 1)
    assert _import(session, text).totals["added"] == 0
    assert _count(session, Visit) == 2
    assert _count(session, Person) == 1


def test_a_visit_logged_by_hand_is_not_duplicated(session: Session) -> None:
    load_document(session, _document())
    report = _import(
        session, "traveller,date,city,country\nWładimir Putin,2025-04,Moscow,RU\n"
    )  # found through the alias, the existing place, the same date
    assert report.unchanged["visits"] == 1
    assert _count(session, Visit) == 1


def test_meeting_rows_make_meetings_and_join_their_visit(session: Session) -> None:
    report = import_csv(
        session, (DATA / "official-meetings.csv").read_bytes(), create=True, origin="meetings.csv"
    )
    assert report.ignored == ["desk"]
    assert report.added["meetings"] == 3
    assert report.added["visits"] == 2  # the walk joins the Moscow visit of the talks
    rows = {r["title"]: r for r in timeline_rows(reader(session), Filters())}
    talks = rows["Talks on the US peace plan"]
    assert talks["envoys"] == "Steve Witkoff; Jared Kushner"
    assert talks["counterparts"] == "Vladimir Putin; Yuri Ushakov"
    assert (talks["venue"], talks["city"], talks["country"]) == ("Kremlin", "Moscow", "RU")
    assert (talks["duration_minutes"], talks["duration_qualifier"]) == (300, "at-least")
    assert talks["outcome"] == "no-agreement"
    assert talks["outcome_summary"] == "Not closer to peace; not further either"
    untitled = rows["Talks with Vladimir Putin"]  # no title given: one is derived
    assert (untitled["date"], untitled["duration_qualifier"]) == ("6 Aug 2025", "about")
    walk = session.scalars(select(Meeting).where(Meeting.kind == "walk")).one()
    talks_meeting = session.scalars(
        select(Meeting).where(Meeting.title == "Talks on the US peace plan")
    ).first()
    assert talks_meeting is not None
    assert walk.visit_id is not None
    assert walk.visit_id == talks_meeting.visit_id


def _timeline_csv(rows: Iterable[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=TIMELINE_KEYS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


@pytest.fixture
def seeded_timeline(tmp_path: Path) -> str:
    """The seeds' timeline table as CSV, from a database of its own."""
    source: Database = open_database(str(tmp_path / "seeded.db"))
    try:
        with source.writing() as session:
            for name, document in seed_documents():
                load_document(session, document, origin=name)
        with source.reading() as session:
            return _timeline_csv(timeline_rows(reader(session), Filters()))
    finally:
        source.dispose()


def test_the_timeline_table_round_trips(session: Session, seeded_timeline: str) -> None:
    report = _import(session, seeded_timeline)
    assert report.layout == "timeline"
    assert report.added["meetings"] == 22
    session.flush()
    # Every column comes back but ``disputed``: the accounts it is read from travel only
    # in the tracker/1 document, and a table's own column is not read.
    seeded = list(csv.DictReader(io.StringIO(seeded_timeline, newline="")))
    assert any(row["disputed"] for row in seeded)
    expected = _timeline_csv({**row, "disputed": ""} for row in seeded)
    assert _timeline_csv(timeline_rows(reader(session), Filters())) == expected
    again = _import(session, seeded_timeline)
    assert again.totals == {"added": 0, "updated": 0, "unchanged": 22}


def test_a_changed_row_of_a_known_uid_updates_the_meeting(
    session: Session, seeded_timeline: str
) -> None:
    _import(session, seeded_timeline)
    changed = seeded_timeline.replace(
        "Witkoff meets Putin during the Marc Fogel trip", "Witkoff meets Putin (Fogel trip)"
    )
    report = _import(session, changed)
    assert (report.updated["meetings"], report.unchanged["meetings"]) == (1, 21)
    meeting = session.scalars(
        select(Meeting).where(Meeting.uid == "meeting-2025-02-11-witkoff-putin")
    ).one()
    session.refresh(meeting)
    assert meeting.title == "Witkoff meets Putin (Fogel trip)"


def _trips(count: int, bad: int | None = None) -> str:
    lines = ["Traveller,Start Date,Country,City"]
    for number in range(2, count + 2):
        day = (
            "2025-02-30"
            if number == bad
            else f"20{10 + number % 15}-0{1 + number % 9}-1{number % 9}"
        )
        lines.append(f"Envoy {number % 40},{day},{'RU' if number % 2 else 'Turkey'},City {number}")
    return "\n".join(lines) + "\n"


def test_a_bad_row_stops_the_import_naming_row_and_column(session: Session) -> None:
    with pytest.raises(InvalidInput) as caught:
        _import(
            session, _trips(50, bad=37), mapping={"Traveller": "traveller", "Start Date": "start"}
        )
    assert str(caught.value) == (
        't.csv: row 37, column "Start Date": expected a day that exists (Feb 2025 has 28 days),'
        " got '2025-02-30'"
    )


def test_skip_invalid_leaves_bad_rows_out_and_lists_them(session: Session) -> None:
    text = _trips(50, bad=37) + "Envoy 1,2025-01-01,Atlantis,Nowhere\n"
    report = _import(
        session,
        text,
        mapping={"Traveller": "traveller", "Start Date": "start"},
        skip_invalid=True,
    )
    assert report.added["visits"] == 49
    assert [(r.row, r.column) for r in report.rejects] == [(37, "Start Date"), (52, "Country")]
    assert report.rejects[1].reason.startswith("expected a country's name (in any language)")
    rejected = list(csv.reader(io.StringIO(rejects_csv(report))))
    assert rejected[0] == ["Traveller", "Start Date", "Country", "City", *REJECT_HEADER]
    assert rejected[1][:2] == ["Envoy 37", "2025-02-30"]
    assert rejected[1][4:6] == ["37", "Start Date"]
    assert _count(session, Place) == 2 + 49  # two countries, a city per good row


REJECT_HEADER = ["reject_row", "reject_column", "reject_reason"]


def test_a_row_rejected_when_resolving_keeps_its_values(session: Session) -> None:
    """The importer does not keep the cells of every record: a row rejected after
    parsing (an unknown country, a uid used twice) gets them back from the file."""
    text = _trips(5) + "Envoy 1,2025-01-01,Atlantis,Nowhere\nEnvoy 9,2025-01-02,RU,Kazan\n"
    report = _import(
        session, text, mapping={"Traveller": "traveller", "Start Date": "start"}, skip_invalid=True
    )
    assert [(r.row, r.column, r.values) for r in report.rejects] == [
        (7, "Country", ["Envoy 1", "2025-01-01", "Atlantis", "Nowhere"])
    ]


def test_bad_csv_is_reported_before_a_bad_value_above_it(session: Session) -> None:
    text = _trips(20, bad=5) + "Envoy 1,2025-01-01,RU,Moscow,extra\n"
    with pytest.raises(InvalidInput, match="row 22: expected 4 columns as in the header"):
        _import(session, text, mapping={"Traveller": "traveller", "Start Date": "start"})


def test_a_rejected_row_creates_nothing(session: Session) -> None:
    text = "traveller,date,country,city\nNew Person,2025-13,RU,New City\n"
    report = _import(session, text, skip_invalid=True)
    assert len(report.rejects) == 1
    assert report.totals["added"] == 0
    text = "traveller,date,country\nNew Person,2025-01,Atlantis\n"
    assert _import(session, text, skip_invalid=True).totals["added"] == 0
    session.flush()
    assert _count(session, Person) == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("traveller,date\nA,2025\n".encode("utf-16"), "expected UTF-8 text, not UTF-16"),
        (
            "traveller,date\nLech Wałęsa,2025\n".encode("cp1250"),
            "expected UTF-8 text; byte 0xb3 on line 2 is not UTF-8",
        ),
        (b'traveller,date\n"A,2025\n', "t.csv: row 2: expected well-formed CSV"),
        (b"traveller,date\nA,2025,extra\n", "t.csv: row 2: expected 2 columns as in the header"),
        (b"", "t.csv: expected a CSV file with a header row"),
        (b"traveller,when\nA,2025\n", "mapping: expected a column for start or date"),
        (b"who,date\nA,2025\n", "mapping: expected a column for traveller"),
    ],
)
def test_files_that_are_not_good_csv_are_one_clear_error(
    session: Session, data: bytes, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        import_csv(session, data, create=True, origin="t.csv")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_byte_order_mark_and_semicolons_are_fine(session: Session) -> None:
    data = "\ufefftraveller;date;city;country\nSteve Witkoff;2025-04-11;Moscow;RU\n".encode()
    report = import_csv(session, data, create=True, origin="t.csv")
    assert report.added["visits"] == 1


def test_the_delimiter_can_be_given(session: Session) -> None:
    report = _import(session, "traveller|date\nA B|2025\n", delimiter="|")
    assert report.added["visits"] == 1


def test_mappings_are_checked() -> None:
    assert parse_map_options(["start date=start", "Who = Traveller"]) == {
        "start date": "start",
        "Who": "traveller",
    }
    with pytest.raises(InvalidInput, match="expected a field: traveller, traveller_role"):
        parse_map_options(["a=nonsense"])
    with pytest.raises(InvalidInput, match="expected COLUMN=FIELD"):
        parse_map_options(["start"])
    with pytest.raises(InvalidInput, match="expected COLUMN: FIELD pairs"):
        mapping_from_document({"a": 3}, "m.yaml")
    with pytest.raises(InvalidInput, match=r"expected a column of t.csv \('a', 'b'\), got 'c'"):
        column_fields(["a", "b"], {"c": "traveller"}, "t.csv")
    with pytest.raises(InvalidInput, match="both fill traveller"):
        column_fields(["a", "traveller", "date"], {"a": "traveller"}, "t.csv")


def test_a_known_country_spelling_wins_over_the_table(session: Session) -> None:
    load_document(session, _document())
    report = _import(session, "traveller,date,country\nA B,2025,Rosja\n")
    assert report.added["places"] == 0  # Rosja is an alias of the stored Russia
    visit = session.scalars(select(Visit)).all()[-1]
    assert visit.destination is not None
    assert visit.destination.name == "Rossiya"


def test_queries_do_not_grow_with_the_rows(database: Database) -> None:
    def statements(rows: int) -> int:
        seen: list[str] = []

        def count(*_args: Any) -> None:
            seen.append("x")

        text = "traveller,date,country,city,title,counterparts\n" + "".join(
            f"Envoy {i % 7},2025-01-{1 + i % 28:02d},RU,City {i % 5},Talks {i},Host {i % 3}\n"
            for i in range(rows)
        )
        event.listen(database.engine, "before_cursor_execute", count)
        try:
            with database.writing() as session:
                _import(session, text)
                session.rollback()
        finally:
            event.remove(database.engine, "before_cursor_execute", count)
        return len(seen)

    assert statements(20) == statements(400)


def _document() -> dict[str, Any]:
    return {
        "format": "tracker/1",
        "people": [
            {
                "uid": "p-putin",
                "name": "Vladimir Putin",
                "aliases": [{"name": "Władimir Putin", "lang": "pl"}],
            }
        ],
        "places": [
            {
                "uid": "ru",
                "name": "Rossiya",
                "kind": "country",
                "country": "RU",
                "aliases": [{"name": "Rosja", "lang": "pl"}],
            },
            {"uid": "moscow", "name": "Moscow", "kind": "city", "country": "RU", "parent": "ru"},
        ],
        "visits": [
            {
                "uid": "v1",
                "travellers": [{"person": "p-putin"}],
                "destination": "moscow",
                "date": "2025-04",
            }
        ],
    }


def test_visit_travellers_keep_their_order(session: Session) -> None:
    _import(session, "traveller,date,city\nB Person; A Person,2025-03,Kyiv\n")
    people = session.scalars(
        select(Person.name)
        .join(VisitTraveller, VisitTraveller.person_id == Person.id)
        .order_by(VisitTraveller.position)
    ).all()
    assert people == ["B Person", "A Person"]


# -- the duplicate rules hold (each test fails when its rule is taken out) ------------


def test_a_uid_used_twice_in_one_file_is_refused(session: Session) -> None:
    text = (
        "traveller,date,city,country,uid\n"
        "Steve Witkoff,2025-02-11,Moscow,RU,trip-1\n"
        "Marco Rubio,2025-03-01,Riyadh,SA,trip-1\n"
    )
    with pytest.raises(InvalidInput) as caught:
        _import(session, text)
    assert str(caught.value) == (
        "t.csv: row 3, column \"uid\": expected a uid not used twice in one file, got 'trip-1'"
    )


def test_a_visit_row_with_a_known_uid_updates_that_visit(session: Session) -> None:
    _import(session, "traveller,date,city,country,uid\nSteve Witkoff,2025-02-11,Moscow,RU,trip-1\n")
    report = _import(
        session,
        "traveller,date,city,country,uid,notes\nMarco Rubio,2025-03-01,Riyadh,SA,trip-1,moved\n",
    )
    assert report.updated["visits"] == 1
    assert report.added["visits"] == 0
    session.flush()
    visit = session.scalars(select(Visit).where(Visit.uid == "trip-1")).one()
    session.refresh(visit)
    assert (visit.edtf, visit.notes) == ("2025-03-01", "moved")
    assert _count(session, Visit) == 1


def test_a_meeting_row_that_repeats_one_in_the_same_file_is_one_meeting(
    session: Session,
) -> None:
    text = (
        "traveller,date,city,country,venue,counterparts,kind,source_url\n"
        "Steve Witkoff,2025-08-06,Moscow,RU,Kremlin,Vladimir Putin,talks,https://example.org/1\n"
        "Witkoff,2025-08-06,Moscow,RU,Kremlin,Putin; Yuri Ushakov,talks,https://example.org/2\n"
    )
    report = _import(session, text)
    assert (report.added["meetings"], report.matched["meetings"]) == (1, 1)
    session.flush()
    meeting = session.scalars(select(Meeting)).one()
    assert [p.person.name for p in meeting.participants] == [
        "Steve Witkoff",
        "Vladimir Putin",
        "Yuri Ushakov",
    ]
    assert [s.url for s in meeting.sources] == ["https://example.org/1", "https://example.org/2"]


def test_a_mapping_file_holds_settings_and_values() -> None:
    found = mapping_from_document(
        {
            "Who": "traveller",
            "date_order": "Day-first",
            "encoding": "windows-1250",
            "values": {"Country": {" Zanzibar ": "TZ"}, "traveller role": {"sec": "Secretary"}},
        },
        "m.yaml",
    )
    assert found.columns == {"Who": "traveller"}
    assert (found.date_order, found.encoding) == ("dayfirst", "cp1250")
    assert found.values == {"country": {"zanzibar": "TZ"}, "traveller_role": {"sec": "Secretary"}}
    with pytest.raises(InvalidInput, match=r"m\.yaml: values: expected FIELD"):
        mapping_from_document({"values": 3}, "m.yaml")
    with pytest.raises(InvalidInput, match=r"m\.yaml: values\.nonsense: expected a field"):
        mapping_from_document({"values": {"nonsense": {"a": "b"}}}, "m.yaml")
    with pytest.raises(InvalidInput, match=r"m\.yaml: encoding: expected an encoding"):
        mapping_from_document({"encoding": "klingon"}, "m.yaml")


def test_a_role_held_on_several_trips_covers_them_all(session: Session) -> None:
    _import(session, "traveller,start,traveller_role\nA B,2025-03-01,Envoy\n")
    _import(session, "traveller,start,end,traveller_role\nA B,2025-01-05,2025-01-06,envoy\n")
    _import(session, "traveller,start,traveller_role\nA B,2025-06,Adviser\n")
    session.flush()
    roles = session.scalars(select(PersonRole).order_by(PersonRole.id)).all()
    assert [(r.title, r.start_edtf, r.end_edtf) for r in roles] == [
        ("Envoy", "2025-01-05", "2025-03-01"),
        ("Adviser", "2025-06", "2025-06"),
    ]


def test_an_import_lets_go_of_the_cities_and_country_names_before_it_writes(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker import countries, gazetteer
    from tracker.importers.bulk import Writer

    held: list[tuple[int, int]] = []
    write = Writer.write

    def measured(self: Writer, plan: Any, stored_meetings: Any, people: Any = None) -> None:
        held.append(
            (gazetteer._entries.cache_info().currsize, countries._index.cache_info().currsize)
        )
        write(self, plan, stored_meetings, people)

    monkeypatch.setattr(Writer, "write", measured)
    report = _import(
        session, "traveller,start,city,country\nMarco Rubio,2025-02-18,Riyadh,Saudi Arabia\n"
    )
    assert report.added["places"] == 2
    city = session.scalars(select(Place).where(Place.name == "Riyadh")).one()
    assert city.lat == pytest.approx(24.69, abs=0.05)  # from the gazetteer, read
    assert held == [(0, 0)]  # and let go before the writing
    assert gazetteer.new_city("Riyadh", "SA", "country")[0] == "SA"  # read again
