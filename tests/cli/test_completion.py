"""Shell completion, driven as bash, zsh and fish drive it: commands, options, formats
and the names of people, envoys, places and countries from the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.app import main


def complete(db: str, words: str, shell: str = "bash") -> list[str]:
    """What ``tracker --db DB WORDS<TAB>`` offers, as ``type,value`` lines (bash), or
    the values (zsh, fish)."""
    line = f"tracker --db {db} {words}"
    incomplete = "" if words.endswith(" ") else line.split()[-1]
    env = {
        "_TRACKER_COMPLETE": f"{shell}_complete",
        "COMP_WORDS": line,
        "COMP_CWORD": str(len(line.split()) - (0 if words.endswith(" ") else 1)),
    }
    if shell == "fish":
        env["COMP_CWORD"] = incomplete
    result = CliRunner().invoke(main, [], env=env, prog_name="tracker")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    if shell == "zsh":  # type, value, description
        return [lines[i + 1] for i in range(0, len(lines) - 2, 3) if lines[i] == "plain"]
    if shell == "fish":
        return [line.removeprefix("plain,") for line in lines if line]
    return [line for line in lines if line]


@pytest.fixture
def db(db_url: str) -> str:
    result = CliRunner().invoke(main, ["--db", db_url, "seed"])
    assert result.exit_code == 0, result.output
    return db_url


def test_commands_options_and_formats(db: str) -> None:
    assert complete(db, "vis") == ["plain,visits"]
    assert "plain,--format" in complete(db, "export --fo")
    assert complete(db, "export --format g") == ["plain,graphml", "plain,gexf", "plain,geojson"]
    assert complete(db, "timeline --outcome no") == ["plain,no-agreement"]


def test_envoys_people_and_names_with_spaces(db: str) -> None:
    # bash inserts what it is given: the space is escaped.
    assert complete(db, "visits Wit") == ["plain,Steve\\ Witkoff", "plain,Steven\\ Witkoff"]
    assert complete(db, "visits Wit", "zsh") == ["Steve Witkoff", "Steven Witkoff"]
    assert complete(db, "visits Wit", "fish") == ["Steve Witkoff", "Steven Witkoff"]
    # Peskov never travelled nor led a side: a person, not an envoy.
    assert complete(db, "visits Pesk") == []
    assert complete(db, "timeline --with Pesk") == ["plain,Dmitry\\ Peskov"]
    # Any word of a name, and any alias, offered as typed.
    assert complete(db, "log -w put", "zsh") == ["Vladimir Putin", "Władimir Putin"]
    assert complete(db, "log -w wlad", "zsh") == ["Władimir Putin"]
    assert complete(db, "export --envoy Кушн", "zsh") == ["Джаред Кушнер"]


def test_envoy_names_are_the_envoys_of_meetings(db: str) -> None:
    # An envoy is who took part in a meeting as its envoy (the one rule): Dmitriev, at
    # the Kremlin talks. Yermak travelled to Geneva and took part as a principal, Putin
    # travelled to Anchorage as his side's principal: neither is an envoy of a meeting.
    for words in ("timeline --envoy ", "counterparts ", "export --envoy "):
        assert "Kirill Dmitriev" in complete(db, words + "Dmitr", "zsh")
        assert complete(db, words + "Yerm", "zsh") == []
        assert complete(db, words + "Vladimir", "zsh") == []
    # A traveller's visits are what `visits NAME` lists: it offers who travelled.
    assert "Andriy Yermak" in complete(db, "visits Yerm", "zsh")
    assert complete(db, "visits Vladimir", "zsh") == ["Vladimir Putin"]


def test_places_and_countries(db: str) -> None:
    assert complete(db, "timeline --place Mosk", "zsh") == ["Moskwa"]
    assert complete(db, "export --place Kreml", "zsh") == ["Kreml", "Kremlin", "Moscow Kremlin"]
    countries = complete(db, "timeline --country R", "zsh")
    assert countries[0] == "RU"
    assert {"Russia", "Rosja"} <= set(countries)
    assert "Moscow" not in complete(db, "timeline --country Mo", "zsh")
    assert complete(db, "edit m:1 --place Gen", "zsh") == ["Geneva", "Genève", "Genewa"]


def test_without_a_database_nothing_is_offered_or_created(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    assert complete(str(missing), "visits Wit") == []
    assert complete(str(missing), "vis") == ["plain,visits"]
    assert not missing.exists()
