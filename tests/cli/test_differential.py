"""The same meetings through ``log``, a tracker/1 document and a foreign CSV table give
the same record, on each backend: the three paths share one write layer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.app import main
from tests.conftest import fresh_postgres_schema, postgres_schema_url

REGISTRY = {
    "format": "tracker/1",
    "people": [
        {"uid": "p-witkoff", "name": "Steve Witkoff", "country": "US"},
        {"uid": "p-kushner", "name": "Jared Kushner", "country": "US"},
        {
            "uid": "p-putin",
            "name": "Vladimir Putin",
            "country": "RU",
            "aliases": [{"name": "Władimir Putin", "lang": "pl"}],
        },
        {"uid": "p-ushakov", "name": "Yuri Ushakov", "country": "RU"},
    ],
    "places": [
        {"uid": "pl-russia", "name": "Russia", "kind": "country", "country": "RU"},
        {"uid": "pl-moscow", "name": "Moscow", "kind": "city", "country": "RU",
         "parent": "pl-russia"},
        {"uid": "pl-kremlin", "name": "Kremlin", "kind": "venue", "country": "RU",
         "parent": "pl-moscow", "aliases": [{"name": "Kreml", "lang": "pl"}]},
    ],
}  # fmt: skip

LOGS = [
    ["log", "-e", "Witkoffowi", "-e", "Kushner", "-w", "Władimir Putin", "-w", "Ushakov",
     "-d", "2025-12-02", "-p", "Kreml", "-k", "talks", "-t", "Talks on the peace plan",
     "--duration", "5h+", "--outcome", "no-agreement", "-s", "https://example.org/a"],
    ["log", "-e", "Witkoff", "-w", "Putin", "-d", "2025-12-02", "-p", "Kremlin",
     "-k", "working-meal", "-t", "Working dinner", "-s", "Reuters"],
    ["log", "-e", "Witkoff", "-w", "Putin", "-d", "2025-08-06", "-p", "Moscow", "-k", "meeting",
     "-t", "Summer meeting", "--duration", "~3h", "-s", "https://example.org/b"],
]  # fmt: skip

CSV = (
    "traveller,date,venue,city,country,counterparts,kind,title,duration,outcome,sources\n"
    "Witkoffowi; Kushner,2025-12-02,Kreml,Moscow,RU,Władimir Putin; Ushakov,talks,"
    "Talks on the peace plan,5h+,no-agreement,https://example.org/a\n"
    "Witkoff,2025-12-02,Kremlin,Moscow,RU,Putin,working-meal,Working dinner,,,Reuters\n"
    "Witkoff,2025-08-06,,Moscow,RU,Putin,meeting,Summer meeting,~3h,,https://example.org/b\n"
)

DOCUMENT = {
    "format": "tracker/1",
    "sources": [
        {"uid": "s-a", "url": "https://example.org/a"},
        {"uid": "s-r", "publisher": "Reuters"},
        {"uid": "s-b", "url": "https://example.org/b"},
    ],
    "visits": [
        {"uid": "v-dec", "travellers": [{"person": "Witkoffowi", "role": "envoy"},
                                        {"person": "Kushner", "role": "envoy"}],
         "destination": "Moscow", "date": "2025-12-02", "sources": ["s-a"]},
        {"uid": "v-aug", "travellers": [{"person": "Witkoff", "role": "envoy"}],
         "destination": "Moscow", "date": "2025-08-06", "sources": ["s-b"]},
    ],
    "meetings": [
        {"visit": "v-dec", "kind": "talks", "title": "Talks on the peace plan",
         "date": "2025-12-02", "venue": "Kreml",
         "duration": {"minutes": 300, "qualifier": "at-least"},
         "participants": [
             {"person": "Witkoffowi", "side": "US", "role": "envoy"},
             {"person": "Kushner", "side": "US", "role": "envoy"},
             {"person": "Władimir Putin", "side": "RU", "role": "host"},
             {"person": "Ushakov", "side": "RU", "role": "host"}],
         "outcome": "no-agreement", "sources": ["s-a"]},
        {"visit": "v-dec", "kind": "working-meal", "title": "Working dinner", "date": "2025-12-02",
         "venue": "Kremlin",
         "participants": [{"person": "Witkoff", "side": "US", "role": "envoy"},
                          {"person": "Putin", "side": "RU", "role": "host"}],
         "sources": ["s-r"]},
        {"visit": "v-aug", "kind": "meeting", "title": "Summer meeting", "date": "2025-08-06",
         "venue": "Moscow", "duration": {"minutes": 180, "qualifier": "about"},
         "participants": [{"person": "Witkoff", "side": "US", "role": "envoy"},
                          {"person": "Putin", "side": "RU", "role": "host"}],
         "sources": ["s-b"]},
    ],
}  # fmt: skip


@pytest.fixture
def databases(db_url: str, tmp_path: Path) -> Iterator[list[str]]:
    """Three empty databases on the backend of ``db_url``."""
    if "://" not in db_url:
        yield [str(tmp_path / f"{name}.db") for name in ("log", "document", "csv")]
        return
    with ExitStack() as stack:
        yield [postgres_schema_url(stack.enter_context(fresh_postgres_schema())) for _ in "abc"]


def _run(db: str, *args: str) -> Any:
    result = CliRunner().invoke(main, ["--db", db, *args])
    assert result.exit_code == 0, result.output
    return result


def _record(db: str) -> Any:
    """The whole record, with the uids a path makes up replaced by what they name."""
    document = json.loads(_run(db, "export").stdout)
    sources = {s["uid"]: s["url"] or s["publisher"] for s in document["sources"]}
    visits = {v["uid"]: (v["date"], v["destination"]) for v in document["visits"]}
    for source in document["sources"]:
        source["uid"] = sources[source["uid"]]
    for visit in document["visits"]:
        visit["uid"] = visits[visit["uid"]]
        visit["sources"] = [sources[s] for s in visit["sources"]]
    for meeting in document["meetings"]:
        meeting["uid"] = (meeting["date"], meeting["title"])
        meeting["visit"] = visits.get(meeting["visit"])
        meeting["sources"] = [sources[s] for s in meeting["sources"]]
    for section in ("sources", "visits", "meetings"):
        document[section].sort(key=lambda record: str(record["uid"]))
    return document


def test_log_a_document_and_a_csv_make_the_same_record(
    databases: list[str], tmp_path: Path
) -> None:
    registry = tmp_path / "registry.json"
    registry.write_text(json.dumps(REGISTRY), encoding="utf-8")
    for db in databases:
        _run(db, "import", str(registry))
    by_log, by_document, by_csv = databases
    for args in LOGS:
        _run(by_log, *args)
    document = tmp_path / "meetings.json"
    document.write_text(json.dumps(DOCUMENT), encoding="utf-8")
    _run(by_document, "import", str(document))
    table = tmp_path / "meetings.csv"
    table.write_text(CSV, encoding="utf-8")
    _run(by_csv, "import", str(table))
    logged = _record(by_log)
    assert len(logged["meetings"]) == 3
    assert len(logged["visits"]) == 2
    assert _record(by_document) == logged
    assert _record(by_csv) == logged
    # And each path, given the same meetings again, adds nothing.
    _run(by_document, "import", str(document))
    _run(by_csv, "import", str(table))
    assert _record(by_document) == logged
    assert _record(by_csv) == logged
