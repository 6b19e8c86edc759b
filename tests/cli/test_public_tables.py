"""Tables written the way public datasets are: former, renamed, inverted, dotted and
qualified country names, territories, dates in many forms, publishers without URLs,
roles, a file in Windows-1250. Every row in, the right country on each."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke

DATA = Path(__file__).parent.parent / "data"
HISTORIC = DATA / "historic-trips.csv"
HISTORIC_MAPPING = DATA / "historic-trips.mapping.yaml"
POLISH = DATA / "wyjazdy-cp1250.csv"
POLISH_MAPPING = DATA / "wyjazdy.mapping.yaml"


def _visits(run: Invoke, name: str) -> list[tuple[str, str | None, str]]:
    result = run("visits", name, "--format", "json")
    assert result.exit_code == 0, result.output
    return [(v["edtf"], v["country"], v["destination"]) for v in json.loads(result.stdout)]


def test_a_historic_table_imports_every_row(run: Invoke) -> None:
    result = run("import", "--create", str(HISTORIC), "--mapping", str(HISTORIC_MAPPING))
    assert result.exit_code == 0, result.output
    assert "rows: 18 read, 0 rejected" in result.stdout
    assert _visits(run, "Mary Ellison") == [
        ("1974-10-24/1974-10-27", "SUHH", "Moscow"),
        ("1974-11-23/1974-11-24", "SUHH", "Vladivostok"),
        ("1975-11-05", "KR", "Seoul"),
        ("1975-12", "MM", "Rangoon"),
        ("1976-01~", "LK", "Colombo"),
        ("1976-04-28", "CD", "Kinshasa"),
        ("1977-05-13/1977-05-14", "YUCS", "Pristina"),
        ("1978-02-02", "CSHH", "Prague"),
        ("1979-03-12", "DDDE", "East Berlin"),
        ("1979-08-06", "TZ", "Stone Town"),
    ]
    assert _visits(run, "John Carver") == [
        ("2001-03-03", "CD", "Kinshasa"),
        ("2008-06", "XK", "Pristina"),
        ("2010-02-02", "TW", "Taipei"),
        ("2012-11-10", "PS", "Ramallah"),
        ("2013-04-20", "VA", "Vatican City"),
        ("2019-09-05/2019-09-06", "DK", "Nuuk"),
        ("2019-11-12", "GB", "London"),
        ("2025-12-02/2025-12-03", "RU", "Moskwa"),
    ]
    places = {p["name"]: p for p in json.loads(run("places", "--format", "json").stdout)}
    assert (places["Greenland"]["kind"], places["Greenland"]["parent"]) == ("region", "Denmark")
    assert places["Nuuk"]["parent"] == "Greenland"
    assert places["Soviet Union"]["country"] == "SUHH"


def test_sources_without_urls_are_publishers(run: Invoke) -> None:
    result = run("import", "--create", str(HISTORIC), "--mapping", str(HISTORIC_MAPPING))
    assert result.exit_code == 0, result.output
    assert "sources: 8 added" in result.stdout  # one per publisher
    shown = run("show", "--format", "json", _visit_uid(run, "Mary Ellison", "1978-02-02"))
    assert json.loads(shown.stdout)["sources"][0]["publisher"] == "Rzeczpospolita"


def _visit_uid(run: Invoke, name: str, edtf: str) -> str:
    rows = json.loads(run("visits", name, "--format", "json").stdout)
    return str(next(v["uid"] for v in rows if v["edtf"] == edtf))


def test_roles_over_time_are_shown_by_people(run: Invoke) -> None:
    result = run("import", "--create", str(HISTORIC), "--mapping", str(HISTORIC_MAPPING))
    assert result.exit_code == 0, result.output
    people = {p["name"]: p for p in json.loads(run("people", "--format", "json").stdout)}
    # "Secretary" and "secretary" are one role, named by the mapping's values
    assert people["Mary Ellison"]["roles"] == "Secretary of State (24 Oct 1974–6 Aug 1979)"
    assert people["John Carver"]["roles"] == "Special Envoy (3 Mar 2001–3 Dec 2025)"


def test_without_its_mapping_settings_every_problem_is_listed_at_once(
    run: Invoke, tmp_path: Path
) -> None:
    columns = tmp_path / "columns.yaml"
    settings = ("date_order", "values", "  ", "#")
    lines = HISTORIC_MAPPING.read_text(encoding="utf-8").splitlines()
    columns.write_text(
        "\n".join(line for line in lines if not line.startswith(settings)), encoding="utf-8"
    )
    result = run("import", "--create", "--dry-run", str(HISTORIC), "--mapping", str(columns))
    assert result.exit_code == 2
    assert result.stdout.splitlines()[0] == "  problems: 2 rows in 2 columns"
    assert "    '06.08.1979': 1 row (11)" in result.stdout
    assert "    '10.11.2012': 1 row (15)" in result.stdout
    assert "    'Zanzibar': 1 row (11)" in result.stdout  # the same row: both its problems
    assert result.stderr.startswith(f"error: {HISTORIC}: expected rows that fit their columns")


def test_a_windows_1250_file_is_named_with_the_command_that_converts_it(
    run: Invoke, tmp_path: Path
) -> None:
    table = tmp_path / "wyjazdy.csv"
    shutil.copy(POLISH, table)
    result = run("import", "--create", str(table), "--mapping", str(POLISH_MAPPING))
    assert result.exit_code == 2
    command = f"iconv -f CP1250 -t UTF-8 {shlex.quote(str(table))} > {tmp_path}/wyjazdy.utf8.csv"
    assert result.stderr == (
        f"error: {table}: expected UTF-8 text; byte 0xf3 on line 1 is not UTF-8; it reads as"
        f" cp1250: convert it with {command}, or import it as it is with --encoding cp1250\n"
    )
    result = run(
        "import", "--create", "--encoding", "cp1250", str(table), "--mapping", str(POLISH_MAPPING)
    )
    assert result.exit_code == 0, result.output
    assert [v[2] for v in _visits(run, "Zbigniew Łukaszewicz")] == ["Londyn", "Berlin", "Moskwa"]
    people = json.loads(run("people", "--format", "json").stdout)
    assert "Bożena Wróblewska-Żak" in [p["name"] for p in people]


@pytest.mark.skipif(shutil.which("iconv") is None, reason="iconv is not installed")
def test_the_convert_command_works(run: Invoke, tmp_path: Path) -> None:
    table = tmp_path / "wyjazdy.csv"
    shutil.copy(POLISH, table)
    refused = run("import", "--create", str(table), "--mapping", str(POLISH_MAPPING))
    command = refused.stderr.split("convert it with ", 1)[1].split(", or import it", 1)[0]
    subprocess.run(command, shell=True, check=True)  # the command exactly as shown
    converted = tmp_path / "wyjazdy.utf8.csv"
    result = run("import", "--create", str(converted), "--mapping", str(POLISH_MAPPING))
    assert result.exit_code == 0, result.output
    assert "rows: 5 read, 0 rejected" in result.stdout
