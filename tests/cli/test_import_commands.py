"""``tracker import`` of CSV tables: mappings, all or nothing, rejects, dry runs."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner

from cli.app import main
from tests.cli.conftest import Invoke

DATA = Path(__file__).parent.parent / "data"
TRIPS = DATA / "official-trips.csv"
MAPPING = DATA / "official-trips.mapping.yaml"
TRIPS_MAPS = [
    "--map", "Trip ID=uid",
    "--map", "Traveller=traveller",
    "--map", "Title held=traveller_role",
    "--map", "Start Date=start",
    "--map", "End Date=end",
    "--map", "Remarks=notes",
    "--map", "Source link=source_url",
    "--map", "Reported by=publisher",
]  # fmt: skip

TRIPS_REPORT = (
    f"{TRIPS}: 27 added, 0 updated, 0 unchanged.\n"
    "  people: 4 added, 0 updated, 0 unchanged\n"
    "  places: 9 added, 0 updated, 0 unchanged\n"
    "  sources: 7 added, 0 updated, 0 unchanged\n"
    "  visits: 7 added, 0 updated, 0 unchanged\n"
    "  created place: 'Russia'\n"
    "  created place: 'Saudi Arabia'\n"
    "  created place: 'Switzerland'\n"
    "  created place: 'United Arab Emirates'\n"
    "  created place: 'Moscow'\n"
    "  created place: 'St Petersburg'\n"
    "  created place: 'Riyadh'\n"
    "  created place: 'Geneva'\n"
    "  created place: 'Abu Dhabi'\n"
    "  created person: 'Steve Witkoff'\n"
    "  created person: 'Marco Rubio'\n"
    "  created person: 'Jared Kushner'\n"
    "  created person: 'Dan Driscoll'\n"
    "  rows: 7 read, 0 rejected\n"
)


def test_the_foreign_fixture_imports_with_a_mapping_file(run: Invoke) -> None:
    result = run("import", "--create", str(TRIPS), "--mapping", str(MAPPING))
    assert result.exit_code == 0, result.output
    assert result.stdout == TRIPS_REPORT
    assert result.stderr == ""
    visits = run("visits", "Witkoff", "--format", "csv").stdout
    assert "11 Feb 2025" in visits
    assert "13–14 Mar 2025" in visits


def test_the_foreign_fixture_imports_with_map_options(run: Invoke) -> None:
    result = run("import", "--create", str(TRIPS), *TRIPS_MAPS)
    assert result.exit_code == 0, result.output
    assert result.stdout == TRIPS_REPORT


def test_unmapped_columns_are_reported_once(run: Invoke) -> None:
    result = run(
        "import",
        "--create",
        str(TRIPS),
        "--map",
        "Traveller=traveller",
        "--map",
        "Start Date=start",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        "  ignored columns: Trip ID, Title held, End Date, Remarks, Source link, Reported by"
    )


def test_importing_twice_adds_nothing(run: Invoke) -> None:
    run("import", "--create", str(TRIPS), "--mapping", str(MAPPING))
    before = run("export").stdout
    again = run("import", "--create", str(TRIPS), "--mapping", str(MAPPING))
    assert again.stdout.splitlines()[0] == f"{TRIPS}: 0 added, 0 updated, 7 unchanged."
    assert run("export").stdout == before


def test_timeline_csv_round_trips(run: Invoke, tmp_path: Path) -> None:
    run("seed")
    exported = tmp_path / "timeline.csv"
    assert run("export", "--format", "csv", "-o", str(exported)).exit_code == 0
    other = ["--db", str(tmp_path / "other.db")]
    runner = CliRunner()
    imported = runner.invoke(main, [*other, "import", "--create", str(exported)])
    assert imported.exit_code == 0, imported.output
    assert "  meetings: 22 added, 0 updated, 0 unchanged" in imported.stdout.splitlines()
    again = runner.invoke(main, [*other, "export", "--format", "csv"])
    # Every column comes back but "disputed": the competing accounts behind it travel in
    # the tracker/1 document, not in a table of one value per fact.
    with exported.open(encoding="utf-8", newline="") as handle:
        before = list(csv.DictReader(handle))
    after = list(csv.DictReader(io.StringIO(again.stdout, newline="")))
    assert [row.pop("disputed") for row in after] == [""] * 22
    assert [row.pop("disputed") for row in before].count("") < 22
    assert after == before
    # ... and into the database it came from: nothing new.
    same = run("import", "--create", str(exported))
    assert same.stdout.splitlines()[0] == f"{exported}: 0 added, 0 updated, 22 unchanged."


def _big(path: Path, bad_row: int | None) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["traveller", "start date", "end date", "country", "city", "remarks"])
        for row in range(2, 10_002):
            start = f"{2000 + row % 25}-{1 + row % 12:02d}-{1 + row % 28:02d}"
            if row == bad_row:
                start = "2025-02-30"
            writer.writerow(
                [
                    f"Envoy {row % 300}",
                    start,
                    "",
                    ["RU", "Turkey", "CH"][row % 3],
                    f"C{row % 97}",
                    "",
                ]
            )
    return path


def test_a_bad_row_in_10000_leaves_the_database_unchanged(run: Invoke, tmp_path: Path) -> None:
    run("seed")
    before = run("export").stdout
    path = _big(tmp_path / "trips.csv", bad_row=7777)
    result = run(
        "import", "--create", str(path), "--map", "start date=start", "--map", "end date=end"
    )
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f'error: {path}: row 7777, column "start date": expected a day that exists'
        " (Feb 2025 has 28 days), got '2025-02-30'\n"
    )
    assert run("export").stdout == before
    assert not (tmp_path / "trips.csv.rejects.csv").exists()


def test_skip_invalid_imports_9999_and_rejects_one(run: Invoke, tmp_path: Path) -> None:
    path = _big(tmp_path / "trips.csv", bad_row=7777)
    result = run(
        "import",
        "--create",
        str(path),
        "--map",
        "start date=start",
        "--map",
        "end date=end",
        "--skip-invalid",
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "  visits: 9999 added, 0 updated, 0 unchanged" in lines
    assert "  rows: 10000 read, 1 rejected" in lines
    rejects = tmp_path / "trips.csv.rejects.csv"
    assert lines[-1] == f"  rejected rows and their reasons: {rejects}"
    rows = list(csv.reader(rejects.open(encoding="utf-8", newline="")))
    assert len(rows) == 2
    assert rows[1][1] == "2025-02-30"
    assert rows[1][-3:] == [
        "7777",
        "start date",
        "expected a day that exists (Feb 2025 has 28 days), got '2025-02-30'",
    ]
    visits = run("visits", "--format", "json").stdout
    assert visits.count('"envoy"') == 300


def test_rejects_go_where_asked(run: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("traveller,date\nA B,2025-13\nC D,2025\n", encoding="utf-8")
    target = tmp_path / "out" / "bad.csv"
    target.parent.mkdir()
    result = run("import", "--create", str(path), "--skip-invalid", "--rejects", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").splitlines()[1].startswith("A B,2025-13,2,date,")


def test_dry_run_writes_nothing(run: Invoke, tmp_path: Path) -> None:
    run("seed")
    before = run("export").stdout
    dry = run("import", "--create", "--dry-run", str(TRIPS), "--mapping", str(MAPPING))
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.splitlines()[0] == (
        # Every trip is a seeded visit: each row adds its source to it.
        f"Dry run of {TRIPS}: would add 7, update 7, leave 0 unchanged; nothing written."
    )
    assert run("export").stdout == before
    path = tmp_path / "t.csv"
    path.write_text("traveller,date\nA B,2025-13\n", encoding="utf-8")
    dry = run("import", "--create", "--dry-run", "--skip-invalid", str(path))
    assert dry.stdout.splitlines()[-4:] == [
        "  problems: 1 row in 1 column",
        f'  column "date": expected {_EDTF}',
        "    '2025-13': 1 row (2)",
        "  (a dry run writes no reject file)",
    ]
    assert not (tmp_path / "t.csv.rejects.csv").exists()
    assert run("export").stdout == before


_EDTF = "a date such as 2025-04-11, 11 Apr 2025, Apr 2025, 2025, 2–3 Dec 2025 or 2025-04~ (EDTF)"


def test_bad_files_are_one_line_and_exit_2(run: Invoke, tmp_path: Path) -> None:
    cases = {
        "utf16.csv": ("traveller,date\nA,2025\n".encode("utf-16"), "expected UTF-8 text"),
        "latin.csv": ("traveller,date\nJosé,2025\n".encode("latin-1"), "on line 2 is not UTF-8"),
        "quote.csv": (b'traveller,date\n"A,2025\n', "row 2: expected well-formed CSV"),
        "width.csv": (b"traveller,date\nA,2025,x\n", "row 2: expected 2 columns as in the header"),
    }
    for name, (data, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        result = run("import", "--create", str(path))
        assert result.exit_code == 2, name
        assert result.stdout == ""
        assert result.stderr.startswith(f"error: {path}")
        assert message in result.stderr
        assert result.stderr.count("\n") == 1
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufefftraveller,date\nA B,2025\n".encode())
    assert run("import", "--create", str(bom)).exit_code == 0


def test_options_are_checked(run: Invoke, tmp_path: Path) -> None:
    result = run("import", "--create", str(TRIPS), "--map", "Traveller=who")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --map: expected a field: traveller, traveller_role")
    result = run("import", "--create", str(TRIPS), "--delimiter", "ab")
    assert result.stderr.startswith("error: --delimiter: expected one character")
    doc = tmp_path / "d.json"
    doc.write_text('{"format": "tracker/1"}', encoding="utf-8")
    result = run("import", "--create", str(doc), "--map", "a=uid")
    assert result.exit_code == 2
    assert "--map: expected a csv file" in result.stderr
    missing = run("import", "--create", str(tmp_path / "nope.csv"))
    assert (missing.exit_code, missing.stderr) == (
        1,
        f"error: {tmp_path / 'nope.csv'}: no such file\n",
    )


def test_tab_separated_by_extension(run: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "trips.tsv"
    path.write_text("traveller\tdate\tcountry\nA B\t2025-05\tCH\n", encoding="utf-8")
    result = run("import", "--create", str(path))
    assert result.exit_code == 0, result.output
    assert "  visits: 1 added, 0 updated, 0 unchanged" in result.stdout.splitlines()


def test_an_unknown_extension_names_the_format_once(run: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "trips.weird"
    path.write_text("traveller,date\nA B,2025-05\n", encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --format: expected a format given by --format or by the file's extension "
        "(.csv, .json, .tab, .tsv, .yaml, .yml), got 'trips.weird'\n"
    )


def test_a_source_named_twice_in_a_row_is_cited_once(run: Invoke, tmp_path: Path) -> None:
    """A ``sources`` cell that lists a URL twice, and a ``source_url`` cell with it once
    more, give the meeting that source once (and its visit too)."""
    table = tmp_path / "twice.csv"
    url = "https://news.example.org/2025/12/talks"  # made up, and plainly so
    table.write_text(
        "traveller,date,city,country,counterparts,title,sources,source_url\n"
        f"Steve Witkoff,2025-12-02,Moscow,RU,Vladimir Putin,Talks,{url}; {url},{url}\n",
        encoding="utf-8",
    )
    result = run("import", "--create", str(table))
    assert result.exit_code == 0, result.output
    assert "  sources: 1 added, 0 updated, 0 unchanged" in result.stdout.splitlines()
    shown = run("timeline", "--format", "json").stdout
    assert shown.count(url) == 1, shown
