"""``tracker account add|prefer|list|delete``, accounts in the tracker/1 document, and
edits of a fact that has accounts."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli.app import main
from tests.cli.conftest import Invoke
from tests.conftest import fingerprint, fresh_postgres_schema, postgres_schema_url

REPORT = "Polish news report (crediting Reuters)"
KREMLIN = "https://www.kremlin.ru/events/president/news/1"


@pytest.fixture
def talks(run: Invoke) -> Invoke:
    """One meeting of 2 Dec 2025, logged as lasting over five hours (the report's text)."""
    result = run(
        "log", "-e", "Steve Witkoff", "-w", "Vladimir Putin", "-d", "2025-12-02",
        "-p", "Kremlin", "-t", "Talks", "--duration", "5h+", "-s", REPORT, "--create",
        "--country", "RU",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert run("log", "-e", "Jared Kushner", "-d", "2025-12-01", "-p", "Moscow", "-t",
               "Walk", "-s", REPORT, "--create", "--country", "RU").exit_code == 0  # fmt: skip
    return run


def _accounts(run: Invoke, field: str | None = None) -> list[dict[str, Any]]:
    args = ["account", "list", "m:1", "--format", "json"]
    if field is not None:
        args.insert(3, field)
    result = run(*args)
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def _meeting(run: Invoke) -> dict[str, Any]:
    document = json.loads(run("export").stdout)
    meeting: dict[str, Any] = next(m for m in document["meetings"] if m["title"] == "Talks")
    return meeting


def test_add_keeps_the_recorded_value_as_the_first_and_preferred_account(talks: Invoke) -> None:
    result = talks(
        "account", "add", "m:1", "duration", "5h", "-s", REPORT,
        "--quote", "Pięć godzin negocjacji", "--language", "pl", "--note", "the headline",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("Added account 2 of duration to ")
    rows = _accounts(talks)
    assert [(r["n"], r["value"], r["preferred"], r["disputed"]) for r in rows] == [
        (1, "at least 5 h", True, True),
        (2, "5 h", False, True),
    ]
    assert rows[0]["sources"] == [REPORT]
    assert rows[1]["quote"] == "Pięć godzin negocjacji"
    assert rows[1]["language"] == "pl"
    assert rows[1]["note"] == "the headline"
    # The record keeps the value of its preferred account.
    assert _meeting(talks)["duration"] == {"minutes": 300, "qualifier": "at-least"}


def test_the_first_account_of_a_fact_without_a_value_sets_it(talks: Invoke) -> None:
    result = talks("account", "add", "m:1", "outcome", "no-agreement", "-s", KREMLIN,
                   "--speaker", "Vladimir Putin")  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = _accounts(talks, "outcome")
    assert [(r["value"], r["preferred"], r["disputed"]) for r in rows] == [
        ("no-agreement", True, False)
    ]
    assert rows[0]["speaker"] == "Vladimir Putin"
    assert _meeting(talks)["outcome"] == "no-agreement"


def test_the_same_value_again_is_no_dispute(talks: Invoke) -> None:
    assert talks("account", "add", "m:1", "duration", "5h+", "-s", KREMLIN).exit_code == 0
    rows = _accounts(talks)
    assert [(r["value"], r["disputed"]) for r in rows] == [("at least 5 h", False)]


def test_prefer_sets_the_record_value(talks: Invoke) -> None:
    assert talks("account", "add", "m:1", "duration", "5h", "-s", KREMLIN).exit_code == 0
    result = talks("account", "prefer", "m:1", "duration", "2")
    assert result.exit_code == 0, result.output
    assert [r["preferred"] for r in _accounts(talks)] == [False, True]
    assert _meeting(talks)["duration"] == {"minutes": 300, "qualifier": "exact"}
    shown = talks("show", "m:1").stdout
    assert "duration      5 h" in shown


def test_prefer_a_venue_moves_the_meeting_to_the_visit_it_falls_in(talks: Invoke) -> None:
    # Kushner's walk of 1 Dec is a visit to Moscow; a venue in another city moves the
    # talks out of their visit, as `tracker edit --place` would.
    assert talks("log", "-e", "Steve Witkoff", "-d", "2025-12-02", "-p", "St Petersburg",
                 "-t", "Elsewhere", "-s", REPORT, "--create").exit_code == 0  # fmt: skip
    result = talks("account", "add", "m:1", "place", "St Petersburg", "-s", KREMLIN, "--prefer")
    assert result.exit_code == 0, result.output
    assert "Moved to visit" in result.stderr
    meeting = _meeting(talks)
    assert meeting["venue"] != _accounts(talks, "venue")[0]["canonical"]
    assert [r["preferred"] for r in _accounts(talks, "venue")] == [False, True]


def test_delete_the_preferred_account_prefers_the_next(talks: Invoke) -> None:
    assert talks("account", "add", "m:1", "duration", "~5h", "-s", KREMLIN).exit_code == 0
    assert talks("account", "add", "m:1", "duration", "5h", "-s", "TASS").exit_code == 0
    result = talks("account", "delete", "m:1", "duration", "1")
    assert result.exit_code == 0, result.output
    rows = _accounts(talks)
    assert [(r["n"], r["value"], r["preferred"]) for r in rows] == [
        (1, "about 5 h", True),
        (2, "5 h", False),
    ]
    assert _meeting(talks)["duration"] == {"minutes": 300, "qualifier": "about"}
    assert talks("account", "delete", "m:1", "duration", "2").exit_code == 0
    assert talks("account", "delete", "m:1", "duration", "1").exit_code == 0
    assert _accounts(talks) == []
    # The last account gone, the record keeps its value.
    assert _meeting(talks)["duration"] == {"minutes": 300, "qualifier": "about"}
    assert "accounts" not in _meeting(talks)


def test_visit_accounts(talks: Invoke) -> None:
    result = talks("account", "add", "v:1", "date", "2025-12-02/2025-12-03", "-s", KREMLIN)
    assert result.exit_code == 0, result.output
    listed = json.loads(talks("account", "list", "v:1", "--format", "json").stdout)
    assert [(r["field"], r["value"]) for r in listed] == [
        ("date", "2 Dec 2025"),
        ("date", "2–3 Dec 2025"),
    ]


def test_the_html_page_shows_each_fact_with_its_accounts_escaped(talks: Invoke) -> None:
    hostile = "<script>alert(1)</script>"
    assert talks("people", "add", f"Speaker {hostile}", "--country", "RU").exit_code == 0
    result = talks(
        "account", "add", "m:1", "duration", "5h", "-s", KREMLIN,
        "--quote", f"Five hours {hostile}", "--speaker", f"Speaker {hostile}",
        "--language", "ru", "--note", "A note <img src=x onerror=alert(2)>",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    result = talks("account", "add", "m:1", "duration", "~5h", "-s", f"Pub {hostile}")
    assert result.exit_code == 0, result.output
    page = talks("export", "--format", "html").stdout
    start = page.index("<summary>Talks</summary>")
    row = page[start : page.index("</tr>", start)]
    accounts = row[row.index("<h3>Accounts</h3>") : row.index("<h3>Sources</h3>")]
    assert '<dt>Duration <span class="disputed">disputed</span></dt>' in accounts
    values = re.findall(r'<span class="value">([^<]*)</span>', accounts)
    assert values == ["at least 5 h", "5 h", "about 5 h"]
    assert accounts.count('<span class="chosen">preferred</span>') == 1
    assert '<li class="preferred"><span class="value">at least 5 h</span>' in accounts
    # Each account with its own sources: a link for a URL, text for a publisher.
    first, second, third = accounts.split("<li")[1:]
    assert f"Source: {REPORT}</p>" in first
    assert f'<a href="{KREMLIN}">kremlin.ru</a>' in second
    assert "Source: Pub &lt;script&gt;alert(1)&lt;/script&gt;</p>" in third
    assert "<a " not in third
    assert (
        '<blockquote lang="ru">Five hours &lt;script&gt;alert(1)&lt;/script&gt;</blockquote>'
        in second
    )
    assert '<p class="said">Speaker &lt;script&gt;alert(1)&lt;/script&gt; (ru)</p>' in second
    assert "A note &lt;img src=x onerror=alert(2)&gt;" in second
    assert "<script>alert" not in page
    assert "<img" not in page
    # A meeting without accounts has no such part.
    walk = page[page.index("<summary>Walk</summary>") :]
    assert "<h3>Accounts</h3>" not in walk[: walk.index("</tr>")]


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["m:1", "colour", "red", "-s", KREMLIN], "error: FIELD: expected a fact a meeting has"),
        (["v:1", "duration", "5h", "-s", KREMLIN], "error: FIELD: expected a fact a visit has"),
        (["m:1", "duration", "five", "-s", KREMLIN], "error: VALUE: expected a duration"),
        (["m:1", "duration", "5h"], "error: --source: expected at least one source"),
        (["m:1", "place", "Atlantis", "-s", KREMLIN], "error: VALUE: no place"),
        (["m:1", "outcome", "won", "-s", KREMLIN], "error: VALUE: expected one of agreement"),
        (["m:1", "duration", "5h", "-s", KREMLIN, "--speaker", "Nobody Known"],
         "error: --speaker: no person"),
        (["m:1", "duration", "5h", "-s", KREMLIN, "--language", "Polish!"],
         "error: --language: expected"),
        (["m:9", "duration", "5h", "-s", KREMLIN], "error: "),
    ],
)  # fmt: skip
def test_bad_input_writes_nothing(talks: Invoke, db_url: str, args: list[str], line: str) -> None:
    before = fingerprint(db_url)
    result = talks("account", "add", *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(line), result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.output
    assert fingerprint(db_url) == before


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["prefer", "m:1", "duration", "3"], "error: N: expected an account number from 1 to 2"),
        (["prefer", "m:1", "outcome", "1"], "error: FIELD: expected a fact with accounts"),
        (["delete", "m:1", "duration", "0"], "error: N: expected an account number from 1 to 2"),
    ],
)
def test_bad_numbers_write_nothing(talks: Invoke, db_url: str, args: list[str], line: str) -> None:
    assert talks("account", "add", "m:1", "duration", "5h", "-s", KREMLIN).exit_code == 0
    before = fingerprint(db_url)
    result = talks("account", *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(line), result.stderr
    assert fingerprint(db_url) == before


def test_edit_of_a_fact_with_accounts_is_refused(talks: Invoke, db_url: str) -> None:
    assert talks("account", "add", "m:1", "duration", "5h", "-s", KREMLIN).exit_code == 0
    before = fingerprint(db_url)
    result = talks("edit", "m:1", "--duration", "4h")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --duration: expected no change to a fact that has")
    assert fingerprint(db_url) == before
    # Other facts still edit as before.
    assert talks("edit", "m:1", "--outcome", "no-agreement").exit_code == 0


# -- the document -------------------------------------------------------------------------


@contextmanager
def _another_database(db_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database on the same backend as ``db_url``."""
    if "://" not in db_url:
        yield str(tmp_path / "copy.db")
        return
    with fresh_postgres_schema() as schema:
        yield postgres_schema_url(schema)


def _tracker(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", url, *args])


def test_round_trip_with_accounts(talks: Invoke, tmp_path: Path, db_url: str) -> None:
    assert (
        talks(
            "account",
            "add",
            "m:1",
            "duration",
            "5h",
            "-s",
            KREMLIN,
            "--quote",
            "Pięć godzin",
            "--speaker",
            "Vladimir Putin",
            "--language",
            "pl",
        ).exit_code
        == 0
    )
    assert talks("account", "add", "m:1", "participants",
                 "Steve Witkoff, Vladimir Putin, Jared Kushner:envoy:US",
                 "-s", KREMLIN).exit_code == 0  # fmt: skip
    assert talks("account", "add", "m:1", "place", "Moscow", "-s", "TASS").exit_code == 0
    assert talks("account", "add", "v:1", "date", "2025-12-01/2025-12-03", "-s", "TASS",
                 "--note", "arrived the day before").exit_code == 0  # fmt: skip
    assert talks("account", "prefer", "m:1", "duration", "2").exit_code == 0
    first = talks("export", "--format", "json").stdout
    meeting = next(m for m in json.loads(first)["meetings"] if m["title"] == "Talks")
    assert [(a["field"], a["preferred"]) for a in meeting["accounts"]] == [
        ("duration", False),
        ("duration", True),
        ("participants", True),
        ("participants", False),
        ("venue", True),
        ("venue", False),
    ]
    assert meeting["accounts"][1]["quote"] == {
        "text": "Pięć godzin",
        "speaker": meeting["participants"][1]["person"],
        "language": "pl",
    }
    path = tmp_path / "out.json"
    path.write_text(first, encoding="utf-8")
    with _another_database(db_url, tmp_path) as other:
        result = _tracker(other, "import", str(path))
        assert result.exit_code == 0, result.output
        assert _tracker(other, "export", "--format", "json").stdout == first
        # Loading it again changes nothing.
        assert "2 unchanged" in _tracker(other, "import", str(path)).stdout


OLD_DOCUMENT = {
    "format": "tracker/1",
    "people": [
        {"uid": "p-witkoff", "name": "Steve Witkoff", "country": "US", "wikidata": None,
         "notes": None, "aliases": [], "roles": []},
        {"uid": "p-putin", "name": "Vladimir Putin", "country": "RU", "wikidata": None,
         "notes": None, "aliases": [{"name": "Władimir Putin", "lang": "pl"}], "roles": []},
    ],
    "places": [
        {"uid": "moscow", "name": "Moscow", "kind": "city", "country": "RU", "parent": None,
         "lat": None, "lon": None, "wikidata": None, "notes": None, "aliases": []},
    ],
    "sources": [
        {"uid": "s1", "url": None, "publisher": REPORT, "title": None,
         "published": "2025-12-02", "language": "pl", "notes": None},
    ],
    "visits": [
        {"uid": "v1", "travellers": [{"person": "p-witkoff", "role": "envoy"}],
         "destination": "moscow", "date": "2025-12-02", "purpose": None, "notes": None,
         "sources": ["s1"]},
    ],
    "meetings": [
        {"uid": "m1", "visit": "v1", "kind": "talks", "title": "Talks", "date": "2025-12-02",
         "venue": "moscow", "duration": {"minutes": 300, "qualifier": "at-least"},
         "participants": [{"person": "p-witkoff", "side": "US", "role": "envoy"},
                          {"person": "p-putin", "side": "RU", "role": "host"}],
         "topics": [], "outcome": "no-agreement", "outcome_summary": None, "status": "held",
         "notes": None, "sources": ["s1"]},
    ],
    "statements": [],
}  # fmt: skip
"""A document as tracker wrote it before accounts existed (its other records in today's
shape: a place's Wikidata id came later too, and an export writes it)."""


def test_a_document_from_before_accounts_imports_and_exports_the_same(
    run: Invoke, tmp_path: Path
) -> None:
    path = tmp_path / "old.json"
    path.write_text(json.dumps(OLD_DOCUMENT, ensure_ascii=False, indent=2) + "\n")
    result = run("import", str(path))
    assert result.exit_code == 0, result.output
    assert run("export", "--format", "json").stdout == path.read_text()


def test_a_document_without_accounts_keeps_the_accounts_stored(
    run: Invoke, tmp_path: Path, db_url: str
) -> None:
    path = tmp_path / "old.json"
    path.write_text(json.dumps(OLD_DOCUMENT, ensure_ascii=False))
    assert run("import", str(path)).exit_code == 0
    assert run("account", "add", "m1", "duration", "5h", "-s", KREMLIN).exit_code == 0
    result = run("import", str(path))
    assert result.exit_code == 0, result.output
    assert "1 unchanged" in result.stdout
    assert len(json.loads(run("account", "list", "m1", "--format", "json").stdout)) == 2
    # A document that gives another value than the preferred account's is refused.
    changed = json.loads(json.dumps(OLD_DOCUMENT))
    changed["meetings"][0]["duration"] = {"minutes": 240, "qualifier": "exact"}
    path.write_text(json.dumps(changed))
    before = fingerprint(db_url)
    result = run("import", str(path))
    assert result.exit_code == 2
    assert "meetings[0].duration: expected the value of its preferred account" in result.stderr
    assert fingerprint(db_url) == before


@pytest.mark.parametrize(
    ("accounts", "line"),
    [
        ([{"field": "colour", "value": "red"}], "meetings[0].accounts[0].field: expected one of"),
        ([{"field": "destination", "value": "moscow"}],
         "meetings[0].accounts[0].field: expected one of date, venue"),
        ([{"field": "duration", "value": {"minutes": "five"}}],
         "meetings[0].accounts[0].value.minutes: expected a whole number"),
        ([{"field": "duration", "value": {"minutes": 300, "qualifier": "at-least"},
           "sources": ["nowhere"]}], "meetings[0].accounts[0].sources[0]: no source"),
        ([{"field": "duration", "value": {"minutes": 300, "qualifier": "at-least"}},
          {"field": "duration", "value": {"minutes": 300}, "preferred": True},
          {"field": "duration", "value": {"minutes": 240}, "preferred": True}],
         "meetings[0].accounts: expected one preferred account of duration"),
        ([{"field": "duration", "value": {"minutes": 240}, "preferred": True}],
         "meetings[0].duration: expected the value of its preferred account"),
        ([{"field": "duration", "value": {"minutes": 300, "qualifier": "at-least"},
           "quote": {"speaker": "Nobody Known"}}], "meetings[0].accounts[0].quote.speaker"),
    ],
)  # fmt: skip
def test_bad_accounts_in_a_document_write_nothing(
    run: Invoke, tmp_path: Path, db_url: str, accounts: list[dict[str, Any]], line: str
) -> None:
    document = json.loads(json.dumps(OLD_DOCUMENT))
    document["meetings"][0]["accounts"] = accounts
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    before = fingerprint(db_url)
    result = run("import", str(path))
    assert result.exit_code == 2, result.output
    assert line in result.stderr, result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert fingerprint(db_url) == before
