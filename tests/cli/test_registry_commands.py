"""``tracker people|places add|edit|alias|merge``: the registries can be kept right,
through the one write layer (both backends)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Invoke, exported
from tests.conftest import fingerprint


def _record(run: Invoke, section: str, name: str) -> dict[str, Any]:
    return next(r for r in exported(run)[section] if r["name"] == name)


def _json(run: Invoke, *args: str) -> Any:
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _refused(run: Invoke, db_url: str, line: str, *args: str) -> None:
    """The command exits 2 with ``line`` (its start) on stderr, and writes nothing."""
    before = fingerprint(db_url)
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(line), result.stderr
    assert "Traceback" not in result.output
    assert fingerprint(db_url) == before


# -- listing stays as it was --------------------------------------------------------


def test_the_bare_command_and_list_both_list(seeded: Invoke) -> None:
    bare = _json(seeded, "people", "--search", "Путин")
    listed = _json(seeded, "people", "list", "--search", "Путин")
    assert bare == listed
    assert [p["name"] for p in bare] == ["Vladimir Putin"]
    assert _json(seeded, "places", "--search", "Moskwa") == _json(
        seeded, "places", "list", "--search", "Moskwa"
    )


# -- people add, edit, alias --------------------------------------------------------


def test_people_add_with_aliases_and_roles(seeded: Invoke) -> None:
    result = seeded(
        "people", "add", "Alexander Stubb", "--country", "fi", "--wikidata", "Q312680",
        "--alias", "Александр Стубб:ru", "--alias", "Stubb", "--notes", "President of Finland",
        "--role", "President of Finland:Finland:2024-03-01",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("Added person ")
    person = _record(seeded, "people", "Alexander Stubb")
    assert person["country"] == "FI"
    assert person["wikidata"] == "Q312680"
    assert person["notes"] == "President of Finland"
    assert person["aliases"] == [
        {"name": "Александр Стубб", "lang": "ru"},
        {"name": "Stubb", "lang": None},
    ]
    assert person["roles"] == [
        {"title": "President of Finland", "organisation": "Finland", "from": "2024-03-01",
         "to": None},
    ]  # fmt: skip
    # Found by the alias, as every name is.
    assert [p["name"] for p in _json(seeded, "people", "--search", "Стубб")] == ["Alexander Stubb"]


def test_people_add_refuses_a_name_that_finds_someone(seeded: Invoke, db_url: str) -> None:
    _refused(
        seeded, db_url,
        "error: NAME: 'Witkoff' already finds the person Steve Witkoff (US; uid"
        " person-steve-witkoff); change it with 'tracker people edit', or add another with"
        " --duplicate",
        "people", "add", "Witkoff",
    )  # fmt: skip
    added = seeded("people", "add", "Witkoff", "--duplicate")
    assert added.exit_code == 0, added.output
    assert "note: Witkoff has no country; set it with 'tracker people edit" in added.stderr


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--country", "Russia1"], "error: --country: expected a country's name"),
        (["--wikidata", "7747"], "error: --wikidata: expected a Wikidata id such as Q7747"),
        (["--alias", "Anna:english"], "error: --alias"),
        (["--role", "Envoy::2025-13"], "error: --role from: expected"),
        (["--role", ":Org"], "error: --role: expected TITLE[:ORGANISATION[:FROM[:TO]]]"),
    ],
)
def test_people_add_refuses_bad_fields(
    seeded: Invoke, db_url: str, args: list[str], line: str
) -> None:
    _refused(seeded, db_url, line, "people", "add", "Anna Nowak", *args)


def test_people_edit_sets_and_clears_fields_and_roles(seeded: Invoke) -> None:
    result = seeded(
        "people", "edit", "Witkoff", "--notes", "Real estate developer",
        "--add-role", "Special Envoy for Peace Missions:United States:2025-03",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Before:\n")
    assert "\nAfter:\n" in result.stdout
    person = _record(seeded, "people", "Steve Witkoff")
    assert person["notes"] == "Real estate developer"
    assert person["roles"][-1] == {
        "title": "Special Envoy for Peace Missions",
        "organisation": "United States",
        "from": "2025-03",
        "to": None,
    }
    assert person["aliases"]  # not given: left alone
    removed = seeded(
        "people", "edit", "Witkoff", "--remove-role", "special envoy for peace missions",
        "--notes", "",
    )  # fmt: skip
    assert removed.exit_code == 0, removed.output
    person = _record(seeded, "people", "Steve Witkoff")
    assert person["notes"] is None
    assert [r["title"] for r in person["roles"]] == ["US Special Envoy to the Middle East"]


def test_people_edit_refuses_what_it_cannot_do(seeded: Invoke, db_url: str) -> None:
    _refused(
        seeded, db_url, "error: NAME: no person named 'Nobody Atall'",
        "people", "edit", "Nobody Atall", "--country", "US",
    )  # fmt: skip
    _refused(
        seeded, db_url, "error: --name: expected a name no other person has (Vladimir Putin",
        "people", "edit", "Witkoff", "--name", "vladimir putin",
    )  # fmt: skip
    _refused(
        seeded, db_url, "error: --country: expected a country's name",
        "people", "edit", "Witkoff", "--country", "Atlantis",
    )  # fmt: skip
    _refused(
        seeded, db_url, "error: --remove-role: expected a role Steve Witkoff has",
        "people", "edit", "Witkoff", "--remove-role", "Pope",
    )  # fmt: skip


def test_people_alias_adds_and_removes(seeded: Invoke, db_url: str) -> None:
    added = seeded("people", "alias", "Putin", "W. Putin", "Путин В. В.", "--lang", "pl")
    assert added.exit_code == 0, added.output
    aliases = _record(seeded, "people", "Vladimir Putin")["aliases"]
    assert aliases[-2:] == [
        {"name": "W. Putin", "lang": "pl"},
        {"name": "Путин В. В.", "lang": "pl"},
    ]
    removed = seeded("people", "alias", "Putin", "w. putin", "--remove")
    assert removed.exit_code == 0, removed.output
    names = [a["name"] for a in _record(seeded, "people", "Vladimir Putin")["aliases"]]
    assert "W. Putin" not in names
    assert "Путин В. В." in names
    _refused(
        seeded, db_url,
        "error: ALIAS: expected a name no other person has (Steve Witkoff",
        "people", "alias", "Putin", "Steve Witkoff",
    )  # fmt: skip
    _refused(
        seeded, db_url, "error: ALIAS: expected an alias of Vladimir Putin",
        "people", "alias", "Putin", "Vova", "--remove",
    )  # fmt: skip


# -- people merge -------------------------------------------------------------------


def _without_ids(value: Any) -> Any:
    """A listing with the uids and ids of records taken out (they differ by path)."""
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k not in ("uid", "id", "ref")}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def _answers(run: Invoke) -> list[Any]:
    return [
        _without_ids(_json(run, *args))
        for args in (
            ["timeline", "--envoy", "Steve Witkoff"],
            ["timeline"],
            ["visits"],
            ["visits", "Steve Witkoff"],
            ["stats"],
        )
    ]


STUB_ROWS = (
    "traveller,date,city,country,title,source_url\n"
    "Witkoff,2025-09-01,Kazan,RU,,https://example.org/kazan\n"
    "Witkoff,2025-09-02,Kazan,RU,Talks in Kazan,https://example.org/kazan\n"
)


def test_an_imported_stub_is_fixed_by_one_merge(
    run: Invoke, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A table imported with --create before Steve Witkoff was known made a stub
    "Witkoff"; once merged, every answer is what importing the table after him gives."""
    table = tmp_path / "x.csv"
    table.write_text(STUB_ROWS, encoding="utf-8")
    imported = run("import", str(table), "--create")
    assert imported.exit_code == 0, imported.output
    assert "  created person: 'Witkoff'\n" in imported.stdout
    assert run("seed").exit_code == 0
    assert len(_json(run, "timeline", "--envoy", "Steve Witkoff")) == len(
        _json(run, "timeline", "--envoy", "person-steve-witkoff")
    )
    split = _json(run, "people", "--search", "Witkoff")
    assert [p["name"] for p in split] == ["Steve Witkoff", "Witkoff"]

    merged = run("people", "merge", "Witkoff", "Steve Witkoff")
    assert merged.exit_code == 0, merged.output
    assert merged.stdout.startswith("Merged person 'Witkoff' (")
    assert "into 'Steve Witkoff' (person-steve-witkoff): 1 meeting(s), 2 visit(s)" in (
        merged.stdout
    )

    # The same table, imported after the seed into another database: the reference.
    from click.testing import CliRunner

    from cli.app import main

    other = str(tmp_path_factory.mktemp("reference") / "reference.db")
    reference = CliRunner()

    def there(*args: str) -> Any:
        return reference.invoke(main, ["--db", other, *args])

    assert there("seed").exit_code == 0
    assert there("import", str(table), "--create").exit_code == 0
    assert _answers(run) == _answers(there)
    people = [p["name"] for p in _json(run, "people", "--search", "Witkoff")]
    assert people == ["Steve Witkoff"]
    aliases = _record(run, "people", "Steve Witkoff")["aliases"]
    assert {"name": "Witkoff", "lang": None} in aliases


def test_seed_follows_a_seeded_person_merged_into_a_stub(run: Invoke, tmp_path: Path) -> None:
    """Merged the other way round, the seeded Steve Witkoff into the stub "Witkoff":
    the seed's record of him follows the merge to the stub, which stands for him; the
    fields the merge made differ from the seed (the stub's name, its aliases) are kept
    and reported."""
    table = tmp_path / "x.csv"
    table.write_text(STUB_ROWS, encoding="utf-8")
    assert run("import", str(table), "--create").exit_code == 0
    assert run("seed").exit_code == 0
    stub = _record(run, "people", "Witkoff")["uid"]
    unmerged = run("export").stdout_bytes
    merged = run("people", "merge", "person-steve-witkoff", stub)
    assert merged.exit_code == 0, merged.output
    before = exported(run)

    again = run("seed")
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[0] == "Seed data: 0 added, 0 updated, 171 unchanged."
    assert f"  kept local changes: person {stub} (aliases, name)" in again.stdout
    assert exported(run) == before
    witkoff = _record(run, "people", "Witkoff")
    assert (witkoff["uid"], witkoff["country"]) == (stub, "US")
    assert "person-steve-witkoff" not in [p["uid"] for p in before["people"]]
    talks = next(m for m in before["meetings"] if m["uid"] == TALKS)
    assert stub in [p["person"] for p in talks["participants"]]
    # The merged uid, named on the command line, still says what became of it.
    gone = run("people", "edit", "person-steve-witkoff", "--notes", "x")
    assert gone.exit_code == 2
    assert "(Steve Witkoff, merged into Witkoff" in gone.stderr
    # Undoing the merge gives Steve Witkoff back his own uid, and the record as it was.
    undone = run("undo")
    assert undone.exit_code == 0, undone.output
    assert run("export").stdout_bytes == unmerged
    assert run("seed").stdout.splitlines()[0] == "Seed data: 0 added, 0 updated, 171 unchanged."


def _stub_in_a_meeting(seeded: Invoke, role: str) -> str:
    """A second record of Kirill Dmitriev, with an alias, a role and a statement, at a
    meeting the real one attended too; returns the stub's uid."""
    added = seeded(
        "people", "add", "Kirill A. Dmitriev", "--alias", "K. A. Dmitriev:en",
        "--role", "Head of RDIF:Russian Direct Investment Fund",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    logged = seeded(
        "log", "-e", "Witkoff", "-w", "Kirill A. Dmitriev:adviser", "-w", f"Kirill Dmitriev:{role}",
        "-d", "2025-10-24", "-p", "Miami", "-t", "Talks in Miami", "-s", "https://example.org/m",
        "--statement", "Kirill A. Dmitriev: Constructive talks",
    )  # fmt: skip
    assert logged.exit_code == 0, logged.output
    return str(_record(seeded, "people", "Kirill A. Dmitriev")["uid"])


def test_merge_moves_every_reference_and_leaves_a_tombstone(seeded: Invoke, tmp_path: Path) -> None:
    stub = _stub_in_a_meeting(seeded, "adviser")
    result = seeded("people", "merge", "Kirill A. Dmitriev", "Kirill Dmitriev")
    assert result.exit_code == 0, result.output
    document = exported(seeded)
    assert stub not in [p["uid"] for p in document["people"]]
    dmitriev = _record(seeded, "people", "Kirill Dmitriev")
    assert {"name": "Kirill A. Dmitriev", "lang": None} in dmitriev["aliases"]
    assert {"name": "K. A. Dmitriev", "lang": "en"} in dmitriev["aliases"]
    assert "Head of RDIF" in [r["title"] for r in dmitriev["roles"]]
    meeting = next(m for m in document["meetings"] if m["title"] == "Talks in Miami")
    assert [(p["person"], p["role"]) for p in meeting["participants"]] == [
        ("person-steve-witkoff", "envoy"),
        ("person-kirill-dmitriev", "adviser"),
    ]
    statement = next(s for s in document["statements"] if s["text"] == "Constructive talks")
    assert statement["speaker"] == "person-kirill-dmitriev"
    # The stub's uid says what became of it, wherever it is used.
    gone = seeded("people", "edit", stub, "--country", "RU")
    assert gone.exit_code == 2
    assert gone.stderr.startswith(
        f"error: NAME: person {stub} (Kirill A. Dmitriev, merged into Kirill Dmitriev"
    )
    path = tmp_path / "doc.json"
    path.write_text(
        json.dumps(
            {
                "format": "tracker/1",
                "statements": [
                    {"speaker": stub, "date": "2025-10-24", "text": "More", "sources": []}
                ],
            }
        ),
        encoding="utf-8",
    )
    # A document naming the merged uid follows it to the kept person.
    referenced = seeded("import", str(path))
    assert referenced.exit_code == 0, referenced.output
    statement = next(s for s in exported(seeded)["statements"] if s["text"] == "More")
    assert statement["speaker"] == "person-kirill-dmitriev"
    record = {"uid": stub, "name": "Kirill Dmitriev", "notes": "Head of RDIF"}
    path.write_text(json.dumps({"format": "tracker/1", "people": [record]}), encoding="utf-8")
    again = seeded("import", str(path))
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[0].endswith("0 added, 1 updated, 0 unchanged.")
    assert _record(seeded, "people", "Kirill Dmitriev")["notes"] == "Head of RDIF"
    # The name the stub had now finds the kept person.
    assert [p["name"] for p in _json(seeded, "people", "--search", "Kirill A. Dmitriev")] == [
        "Kirill Dmitriev"
    ]


def test_merge_refuses_two_roles_in_one_meeting(seeded: Invoke, db_url: str) -> None:
    _stub_in_a_meeting(seeded, "host")
    _refused(
        seeded, db_url,
        "error: INTO: expected people who never took part in one meeting in different roles;"
        " m:",
        "people", "merge", "Kirill A. Dmitriev", "Kirill Dmitriev",
    )  # fmt: skip
    result = seeded("people", "merge", "Kirill A. Dmitriev", "Kirill Dmitriev")
    assert "'Talks in Miami'" in result.stderr
    assert "has Kirill A. Dmitriev as adviser and Kirill Dmitriev as host" in result.stderr


def test_merge_refuses_a_person_into_itself(seeded: Invoke, db_url: str) -> None:
    _refused(
        seeded, db_url, "error: INTO: expected another person than the one merged",
        "people", "merge", "Witkoff", "Steve Witkoff",
    )  # fmt: skip


# -- places -------------------------------------------------------------------------


def test_a_new_city_takes_country_and_coordinates_from_the_gazetteer(
    run: Invoke, db_url: str
) -> None:
    result = run("places", "add", "Doha")
    assert result.exit_code == 0, result.output
    doha = _record(run, "places", "Doha")
    assert (doha["kind"], doha["country"]) == ("city", "QA")
    assert doha["lat"] == pytest.approx(25.29, abs=0.05)
    assert doha["lon"] == pytest.approx(51.53, abs=0.05)
    # A name several cities have is never guessed, however large one of them is.
    _refused(
        run, db_url,
        "error: --country: expected the country of 'Moscow' (a code such as RU): cities of"
        " that name are in RU, US",
        "places", "add", "Moscow",
    )  # fmt: skip
    _refused(
        run, db_url,
        "error: --country: expected the country of 'Xyzzyville' (a code such as RU): the"
        " gazetteer knows no city of that name",
        "places", "add", "Xyzzyville",
    )  # fmt: skip
    assert run("places", "add", "Moscow", "--country", "RU").exit_code == 0
    moscow = _record(run, "places", "Moscow")
    assert moscow["lat"] == pytest.approx(55.75, abs=0.05)
    assert run("places", "add", "Xyzzyville", "--country", "PL").exit_code == 0
    assert _record(run, "places", "Xyzzyville")["lat"] is None


def test_log_create_takes_a_citys_country_from_the_gazetteer(run: Invoke, db_url: str) -> None:
    args = ["log", "-e", "Jan Kowalski", "-d", "2025-09-01", "-t", "T", "-s", "Reuters", "--create"]
    _refused(
        run, db_url, "error: --country: expected the country of 'Geneva'", *args, "-p", "Geneva"
    )
    logged = run(*args, "-p", "Doha")
    assert logged.exit_code == 0, logged.output
    assert _record(run, "places", "Doha")["country"] == "QA"
    assert (
        "note: Jan Kowalski has no country; set it with"
        " 'tracker people edit \"Jan Kowalski\" --country XX'" in logged.stderr
    )
    fixed = run("people", "edit", "Jan Kowalski", "--country", "PL")
    assert fixed.exit_code == 0, fixed.output
    assert _record(run, "people", "Jan Kowalski")["country"] == "PL"


def test_places_add_edit_and_alias(seeded: Invoke, db_url: str) -> None:
    added = seeded(
        "places", "add", "Senate Palace", "--kind", "venue", "--parent", "Kreml",
        "--alias", "Сенатский дворец:ru", "--lat", "55.7527", "--lon", "37.6186",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    palace = _record(seeded, "places", "Senate Palace")
    assert (palace["kind"], palace["parent"]) == ("venue", "place-kremlin")
    assert palace["aliases"] == [{"name": "Сенатский дворец", "lang": "ru"}]
    edited = seeded("places", "edit", "Сенатский дворец", "--country", "RU", "--parent", "")
    assert edited.exit_code == 0, edited.output
    palace = _record(seeded, "places", "Senate Palace")
    assert (palace["country"], palace["parent"]) == ("RU", None)
    aliased = seeded("places", "alias", "Senate Palace", "Pałac Senacki", "--lang", "pl")
    assert aliased.exit_code == 0, aliased.output
    _refused(
        seeded, db_url, "error: --parent: no place named 'Atlantis'",
        "places", "edit", "Senate Palace", "--parent", "Atlantis",
    )  # fmt: skip
    _refused(
        seeded, db_url, "error: --lat: expected a number from -90 to 90",
        "places", "edit", "Senate Palace", "--lat", "91",
    )  # fmt: skip


def test_places_add_and_edit_a_wikidata_id(seeded: Invoke, db_url: str) -> None:
    added = seeded("places", "add", "Helsinki", "--country", "FI", "--wikidata", "Q1757")
    assert added.exit_code == 0, added.output
    assert "\nwikidata     Q1757\n" in added.stdout
    assert _record(seeded, "places", "Helsinki")["wikidata"] == "Q1757"
    listed = _json(seeded, "places", "--search", "Helsinki")
    assert [(p["name"], p["wikidata"]) for p in listed] == [("Helsinki", "Q1757")]
    # The seeded places carry theirs, in the document and in the listing.
    assert _record(seeded, "places", "Moscow")["wikidata"] == "Q649"
    assert [p["wikidata"] for p in _json(seeded, "places", "--search", "Moskwa")] == ["Q649"]
    _refused(
        seeded, db_url, "error: --wikidata: expected a Wikidata id such as Q7747, got '1757'",
        "places", "edit", "Helsinki", "--wikidata", "1757",
    )  # fmt: skip
    edited = seeded("places", "edit", "Helsinki", "--notes", "Capital of Finland")
    assert edited.exit_code == 0, edited.output
    assert _record(seeded, "places", "Helsinki")["wikidata"] == "Q1757"  # not given: kept
    cleared = seeded("places", "edit", "Helsinki", "--wikidata", "")
    assert cleared.exit_code == 0, cleared.output
    assert _record(seeded, "places", "Helsinki")["wikidata"] is None


def test_places_merge_takes_a_wikidata_id_the_kept_place_lacks(seeded: Invoke) -> None:
    assert seeded("places", "edit", "Moscow", "--wikidata", "").exit_code == 0
    added = seeded(
        "places", "add", "Moskva", "--country", "RU", "--wikidata", "Q649", "--duplicate"
    )
    assert added.exit_code == 0, added.output
    stub = _record(seeded, "places", "Moskva")["uid"]
    merged = seeded("places", "merge", stub, "place-moscow")
    assert merged.exit_code == 0, merged.output
    assert _record(seeded, "places", "Moscow")["wikidata"] == "Q649"


def test_places_merge_moves_venues_visits_and_children(seeded: Invoke) -> None:
    logged = seeded(
        "log", "-e", "Witkoff", "-w", "Putin", "-d", "2025-09-10", "-p", "Kremlin Senate",
        "--country", "RU", "--create", "-t", "Talks in the Senate", "-s", "Reuters",
    )  # fmt: skip
    assert logged.exit_code == 0, logged.output
    child = seeded("places", "add", "Oval Hall", "--kind", "venue", "--parent", "Kremlin Senate")
    assert child.exit_code == 0, child.output
    merged = seeded("places", "merge", "Kremlin Senate", "Kremlin")
    assert merged.exit_code == 0, merged.output
    document = exported(seeded)
    assert "Kremlin Senate" not in [p["name"] for p in document["places"]]
    meeting = next(m for m in document["meetings"] if m["title"] == "Talks in the Senate")
    assert meeting["venue"] == "place-kremlin"
    visit = next(v for v in document["visits"] if v["uid"] == meeting["visit"])
    assert visit["destination"] == "place-moscow"
    assert _record(seeded, "places", "Oval Hall")["parent"] == "place-kremlin"
    kremlin = _record(seeded, "places", "Kremlin")
    assert {"name": "Kremlin Senate", "lang": None} in kremlin["aliases"]
    row = next(
        r for r in _json(seeded, "timeline", "--envoy", "Witkoff")
        if r["title"] == "Talks in the Senate"
    )  # fmt: skip
    assert (row["venue"], row["city"]) == ("Kremlin", "Moscow")


def test_an_import_takes_a_new_citys_country_from_the_gazetteer(
    run: Invoke, db_url: str, tmp_path: Path
) -> None:
    table = tmp_path / "cities.csv"
    table.write_text(
        "traveller,date,city\nJan Kowalski,2025-09-01,Doha\nJan Kowalski,2025-09-05,Moscow\n",
        encoding="utf-8",
    )
    refused = run("import", str(table), "--create")
    assert refused.exit_code == 2, refused.output
    assert "row 3: expected the country of 'Moscow' (a code such as RU)" in refused.stderr
    kept = run("import", str(table), "--create", "--skip-invalid")
    assert kept.exit_code == 0, kept.output
    assert "  rows: 2 read, 1 rejected\n" in kept.stdout
    doha = _record(run, "places", "Doha")
    assert (doha["kind"], doha["country"]) == ("city", "QA")
    assert _record(run, "places", "Qatar")["kind"] == "country"


def test_an_import_takes_a_new_citys_coordinates_from_the_gazetteer(
    run: Invoke, tmp_path: Path
) -> None:
    table = tmp_path / "cities.csv"
    table.write_text(
        "traveller,date,city,country\n"
        "Jan Kowalski,2025-09-01,Riyadh,SA\n"
        "Jan Kowalski,2025-09-05,Moscow,RU\n"  # in two countries: the row's picks one
        "Jan Kowalski,2025-09-07,Moscow,RU\n"
        "Jan Kowalski,2025-09-09,Doha,\n"  # the country from the gazetteer too
        "Jan Kowalski,2025-09-11,Xyzzyville,PL\n",  # a city the gazetteer does not know
        encoding="utf-8",
    )
    imported = run("import", str(table), "--create")
    assert imported.exit_code == 0, imported.output
    places = {p["name"]: p for p in exported(run)["places"]}
    for name, country, lat, lon in (
        ("Riyadh", "SA", 24.69, 46.72),
        ("Moscow", "RU", 55.75, 37.62),
        ("Doha", "QA", 25.29, 51.53),
    ):
        place = places[name]
        assert (place["kind"], place["country"]) == ("city", country)
        assert place["lat"] == pytest.approx(lat, abs=0.05), name
        assert place["lon"] == pytest.approx(lon, abs=0.05), name
    assert (places["Xyzzyville"]["country"], places["Xyzzyville"]["lat"]) == ("PL", None)
    assert places["Russia"]["lat"] is None  # a country is no city


def test_log_create_with_a_country_takes_the_citys_coordinates(run: Invoke) -> None:
    logged = run(
        "log", "-e", "Jan Kowalski", "-d", "2025-09-01", "-t", "T", "-s", "Reuters",
        "-p", "Moscow", "--country", "RU", "--create",
    )  # fmt: skip
    assert logged.exit_code == 0, logged.output
    moscow = _record(run, "places", "Moscow")
    assert moscow["country"] == "RU"
    assert moscow["lat"] == pytest.approx(55.75, abs=0.05)
    assert moscow["lon"] == pytest.approx(37.62, abs=0.05)


def test_a_merge_is_one_change_set_that_undo_reverts(seeded: Invoke, tmp_path: Path) -> None:
    assert seeded("people", "add", "Witkoff", "--duplicate").exit_code == 0
    table = tmp_path / "x.csv"
    table.write_text(
        "traveller,date,city,country,counterparts\nWitkoff,2025-09-01,Moscow,RU,Putin\n"
        "Witkoff,2025-12-02,Moscow,RU,Putin\n",
        encoding="utf-8",
    )
    assert seeded("import", str(table)).exit_code == 0
    before = exported(seeded)
    merged = seeded("people", "merge", "Witkoff", "Steve Witkoff")
    assert merged.exit_code == 0, merged.output
    assert "Joined visit" in merged.stdout  # the stub's 2 Dec trip was Witkoff's
    assert exported(seeded) != before
    undone = seeded("undo")
    assert undone.exit_code == 0, undone.output
    assert exported(seeded) == before


# -- merges move accounts -------------------------------------------------------------

TALKS = "meeting-2025-12-02-witkoff-kushner-putin"
REUTERS = "https://www.reuters.com/world/europe/example"


def _accounts(run: Invoke, ref: str, field: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = _json(run, "account", "list", ref, field)
    return rows


def test_people_merge_moves_accounts_onto_the_kept_person(
    seeded: Invoke, db_url: str, tmp_path: Path
) -> None:
    """A second record of Yuri Ushakov speaks in an account and is one of the
    participants of two: the merge gives both to the kept Ushakov, an account that then
    names him twice names him once, and an account that then repeats another is one."""
    added = seeded("people", "add", "Yu. V. Ushakov", "--country", "RU")
    assert added.exit_code == 0, added.output
    for args in (
        ["duration", "5h", "-s", REUTERS, "--speaker", "Yu. V. Ushakov", "--quote", "pięć"],
        ["participants", "Witkoff, Kushner, Putin, Yu. V. Ushakov, Yuri Ushakov", "-s", REUTERS],
        ["participants", "Witkoff, Kushner, Putin, Yu. V. Ushakov", "-s", REUTERS],
        ["participants", "Witkoff, Kushner, Putin, Yuri Ushakov", "-s", REUTERS],
    ):
        result = seeded("account", "add", TALKS, *args)
        assert result.exit_code == 0, result.output
    before = exported(seeded)
    assert len(_accounts(seeded, TALKS, "participants")) == 4  # the record's first

    merged = seeded("people", "merge", "Yu. V. Ushakov", "Yuri Ushakov")
    assert merged.exit_code == 0, merged.output
    assert "Traceback" not in merged.output
    said = [r for r in _accounts(seeded, TALKS, "duration") if r["quote"] == "pięć"]
    assert [r["speaker"] for r in said] == ["Yuri Ushakov"]
    people = _accounts(seeded, TALKS, "participants")
    # The second names Ushakov once, as it named the kept record (an adviser); the
    # fourth now repeats it (the same people, roles and source): one account. The
    # third named only the other record, typed without a role: it keeps its own.
    four = ["person-steve-witkoff", "person-jared-kushner", "person-vladimir-putin"]
    four.append("person-yuri-ushakov")
    assert [[p["person"] for p in r["canonical"]] for r in people[1:]] == [four, four]
    assert [r["canonical"][3]["role"] for r in people[1:]] == ["adviser", None]
    assert [r["preferred"] for r in people] == [True, False, False]
    meeting = next(m for m in exported(seeded)["meetings"] if m["uid"] == TALKS)
    assert all(
        "Yu. V. Ushakov" not in json.dumps(account) for account in meeting.get("accounts", [])
    )
    # One change set: undo gives the export back exactly.
    undone = seeded("undo")
    assert undone.exit_code == 0, undone.output
    assert exported(seeded) == before


def test_places_merge_moves_place_accounts_onto_the_kept_place(seeded: Invoke) -> None:
    logged = seeded(
        "log", "-e", "Witkoff", "-w", "Putin", "-d", "2025-09-10", "-p", "Kremlin Senate",
        "--country", "RU", "--create", "-t", "Talks in the Senate", "-s", REUTERS,
    )  # fmt: skip
    assert logged.exit_code == 0, logged.output
    meeting = next(m for m in exported(seeded)["meetings"] if m["title"] == "Talks in the Senate")
    ref = meeting["uid"]
    added = seeded("places", "add", "Moskwa Miasto", "--kind", "city", "--country", "RU")
    assert added.exit_code == 0, added.output
    for args in (
        [ref, "venue", "Kremlin Senate", "-s", REUTERS],
        [ref, "venue", "Kremlin", "-s", REUTERS],
        [ref, "venue", "Kremlin", "-s", "TASS", "--note", "the Kremlin's own readout"],
        [meeting["visit"], "destination", "Moskwa Miasto", "-s", "TASS"],
    ):
        result = seeded("account", "add", *args)
        assert result.exit_code == 0, result.output
    before = exported(seeded)

    merged = seeded("places", "merge", "Kremlin Senate", "Kremlin")
    assert merged.exit_code == 0, merged.output
    venues = _accounts(seeded, ref, "venue")
    # The first two now say the same from the same source: one account, preferred, the
    # record's value; the third says so too, from another source: no dispute left.
    assert [(r["value"], r["sources"], r["preferred"]) for r in venues] == [
        ("Kremlin", [REUTERS], True),
        ("Kremlin", ["TASS"], False),
    ]
    assert {r["disputed"] for r in venues} == {False}
    assert next(m for m in exported(seeded)["meetings"] if m["uid"] == ref)["venue"] == (
        "place-kremlin"
    )
    undone = seeded("undo")
    assert undone.exit_code == 0, undone.output
    assert exported(seeded) == before

    merged = seeded("places", "merge", "Moskwa Miasto", "Moscow")
    assert merged.exit_code == 0, merged.output
    # The visit's own destination (the Senate, logged as a city) stays account 1.
    senate = next(v for v in before["visits"] if v["uid"] == meeting["visit"])["destination"]
    destinations = _accounts(seeded, meeting["visit"], "destination")
    assert [r["canonical"] for r in destinations] == [senate, "place-moscow"]
    undone = seeded("undo")
    assert undone.exit_code == 0, undone.output
    assert exported(seeded) == before


@pytest.fixture
def two_trips(run: Invoke) -> Invoke:
    """Steve Witkoff's talks in Moscow on 2 Dec 2025 (visit v:1), and a walk there on
    2-3 Dec logged for a stub "Witkoff" (visit v:2), whose dates two sources give
    differently: the merge of the stub makes the two visits one trip."""
    for args in (
        ["-e", "Steve Witkoff", "-d", "2025-12-02", "-t", "Talks", "-s", REUTERS, "--create"],
        ["-e", "Witkoff", "-d", "2025-12-02/2025-12-03", "-t", "Walk", "-s", "TASS"],
    ):
        if args[1] == "Witkoff":
            added = run("people", "add", "Witkoff", "--duplicate", "--country", "US")
            assert added.exit_code == 0, added.output
        logged = run("log", *args, "-w", "Vladimir Putin", "-p", "Moscow", "--country", "RU")
        assert logged.exit_code == 0, logged.output
    added = run("account", "add", "v:2", "date", "2025-12-03", "-s", "https://tass.com/x")
    assert added.exit_code == 0, added.output
    return run


def _facts(run: Invoke, ref: str) -> list[tuple[str, str, list[str], bool]]:
    rows = _json(run, "account", "list", ref)
    return [(r["field"], r["value"], r["sources"], r["preferred"]) for r in rows]


def test_visits_joined_by_a_merge_keep_their_accounts(two_trips: Invoke) -> None:
    before = exported(two_trips)
    gone = _facts(two_trips, "v:2")
    assert gone == [
        ("date", "2–3 Dec 2025", ["TASS"], True),
        ("date", "3 Dec 2025", ["https://tass.com/x"], False),
    ]
    merged = two_trips("people", "merge", "Witkoff", "Steve Witkoff")
    assert merged.exit_code == 0, merged.output
    assert "Joined visit v:2 to v:1 (2–3 Dec 2025, Moscow): one trip." in merged.stdout
    # The joined trip's dates are the first account's (the stub's trip, from TASS),
    # which stays the record's value; the other account is still told beside it.
    assert _facts(two_trips, "v:1") == gone
    (visit,) = exported(two_trips)["visits"]
    assert visit["date"] == "2025-12-02/2025-12-03"
    assert [a["value"] for a in visit["accounts"]] == ["2025-12-02/2025-12-03", "2025-12-03"]
    assert _json(two_trips, "show", "v:1")["disputed"][0]["field"] == "date"
    undone = two_trips("undo")
    assert undone.exit_code == 0, undone.output
    assert exported(two_trips) == before


def test_a_joined_trip_keeps_its_value_the_preferred_account(two_trips: Invoke) -> None:
    # The kept visit's own accounts say 2 Dec and 1-2 Dec; the trip joined spans 2-3 Dec,
    # which only the stub's first account gives: it becomes the preferred one.
    added = two_trips("account", "add", "v:1", "date", "2025-12-01/2025-12-02", "-s", "RIA")
    assert added.exit_code == 0, added.output
    merged = two_trips("people", "merge", "Witkoff", "Steve Witkoff")
    assert merged.exit_code == 0, merged.output
    assert [(f[1], f[3]) for f in _facts(two_trips, "v:1")] == [
        ("2 Dec 2025", False),
        ("1–2 Dec 2025", False),
        ("2–3 Dec 2025", True),
        ("3 Dec 2025", False),
    ]
    # With 1-2 Dec preferred, the joined trip spans 1-3 Dec, which no source gives: the
    # span becomes an account of its own, credited to the trip's sources, as the value
    # a record had before its first account is.
    assert two_trips("undo").exit_code == 0
    assert two_trips("account", "prefer", "v:1", "date", "2").exit_code == 0
    merged = two_trips("people", "merge", "Witkoff", "Steve Witkoff")
    assert merged.exit_code == 0, merged.output
    facts = _facts(two_trips, "v:1")
    assert [(f[1], f[3]) for f in facts] == [
        ("2 Dec 2025", False),
        ("1–2 Dec 2025", False),
        ("2–3 Dec 2025", False),
        ("3 Dec 2025", False),
        ("1–3 Dec 2025", True),
    ]
    assert facts[-1][2] == [REUTERS, "TASS"]
    (visit,) = exported(two_trips)["visits"]
    assert visit["date"] == "2025-12-01/2025-12-03"
