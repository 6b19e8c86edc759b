"""Hostile and malformed input, across commands and import formats.

Every case must exit 2 (bad input) with exactly one line on stderr, no traceback, and
leave the database exactly as it was (a fingerprint of every table, compared before
and after). The corpus runs against one seeded database per backend: a case that
changed it would fail on its own fingerprint.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.app import main
from tests.conftest import BACKENDS, fingerprint, fresh_postgres_schema, postgres_schema_url
from tracker import exporters

# -- the corpus -----------------------------------------------------------------------

BAD_DATES = [
    "2025-13", "2025-02-30", "2025-02-29", "2025-00-10", "2025-04-00", "0000", "99999",
    "2025-12-03/2025-12-02", "2025-04-11/..", "../2025", "2025-04-11/", "/2025",
    "tomorrow", "12/02/2025", "11.04.2025", "2 Dec", "31 Feb 2025", "Foo 2025", "2025-4-1",
    "2025-04-11T25:00+00:00",
    "2025-04-11T10:00", "2025-04-11T10:00+25:00", "2025-04-11 10:00", "1e5", "NaN",
    "2025-04~~", "2025-04-11\x00", "2025-04-11\n2025-04-12", "2025'; DROP TABLE meeting; --",
    "\x1b[31m2025", "\u202e2025", "2025\u200b", "Y-170000002", "-0100", "x" * 100_000,
]  # fmt: skip

BAD_DURATIONS = [
    "five hours", "-5h", "5", "h", "m", "5x", "5h5h", "1e9h", "∞", "5h++", "~", "NaN h",
    "999999h", "\x00", "5h; DROP TABLE meeting",
]  # fmt: skip

BAD_NAMES = [
    "", "   ", "\x00", "!!!", "\x1b[31mred\x1b[0m", "\u202eevil", "Put\u200bin", "a\tb\nc",
    "x" * 1_000_000, "Robert'); DROP TABLE person;--", "[bold]Nobody[/bold]",
    "Steve Witkof",  # unknown without --create
    "Vladimir",  # two seeded people
]  # fmt: skip

BAD_TEXT = ["\x00", "a\x00b", "x" * 1_000_001]

BAD_REFS = [
    "", "m:", "m:abc", "v:-1", "m:99999999999999999999", "'; DROP TABLE meeting; --",
    "\x1b[2J", "meeting-does-not-exist", "v:0", "m:1.5", "\x00",
]  # fmt: skip

LOG = ["log", "-e", "Witkoff", "-d", "2025-12-02", "-p", "Kreml", "-t", "Talks", "-s", "X"]


def _with(args: list[str], flag: str, value: str) -> list[str]:
    args = list(args)
    if flag in args:
        args[args.index(flag) + 1] = value
    else:
        args += [flag, value]
    return args


def _cases() -> Iterator[tuple[str, list[str], dict[str, bytes]]]:
    """(id, arguments, files to write) for each case; FILE in arguments is replaced."""
    for value in BAD_DATES:
        yield "log-date", _with(LOG, "-d", value), {}
        yield "timeline-from", ["timeline", "--from", value], {}
        yield "visits-to", ["visits", "Witkoff", "--to", value], {}
        yield "edit-date", ["edit", "meeting-2025-04-25-witkoff-putin", "--date", value], {}
    for value in BAD_DURATIONS:
        yield "log-duration", _with(LOG, "--duration", value), {}
        yield "edit-duration", ["edit", "meeting-2025-04-25-witkoff-putin", "--duration", value], {}
    for value in BAD_NAMES:
        yield "log-envoy", _with(LOG, "-e", value), {}
        yield "log-with", _with(LOG, "-w", value), {}
        yield "log-place", _with(LOG, "-p", value), {}
        yield "visits-name", ["visits", value], {}
        yield "timeline-envoy", ["timeline", "--envoy", value], {}
        yield "log-statement", _with(LOG, "--statement", f"{value}: words"), {}
    for value in BAD_TEXT:
        yield "log-title", _with(LOG, "-t", value), {}
        yield "log-summary", _with(LOG, "--summary", value), {}
        yield "edit-notes", ["edit", "meeting-2025-04-25-witkoff-putin", "--notes", value], {}
    for value in BAD_REFS:
        yield "show", ["show", value], {}
        yield "edit", ["edit", value, "--title", "x"], {}
        yield "delete", ["delete", value, "--yes"], {}
    for choice_flag in ("--outcome", "--kind", "--status"):
        for value in ("victory", "", "TALKS; --", "\x1b[31m"):
            yield f"log{choice_flag}", _with(LOG, choice_flag, value), {}
    for flag, value in [
        ("--with", "Putin:emperor"), ("--with", "Putin:host:" + "x" * 200),
        ("--statement", "no colon"), ("--statement", ": nobody"), ("--statement", "Putin:   "),
        ("--source", "http://exa mple.org"), ("--source", "https://x.org/\x1b[31m"),
        ("--country", "Atlantis"), ("--country", "R1"), ("--topic", "\x00"), ("--topic", ""),
    ]:  # fmt: skip
        yield f"log{flag}", _with(LOG, flag, value), {}
    yield "edit-nothing", ["edit", "meeting-2025-04-25-witkoff-putin"], {}
    yield (
        "edit-visit-outcome",
        ["edit", "visit-2025-04-25-witkoff-moscow", "--outcome", "agreement"],
        {},
    )
    yield "delete-without-yes", ["delete", "meeting-2025-04-25-witkoff-putin"], {}
    yield "timeline-outcome", ["timeline", "--outcome", "victory"], {}
    yield "timeline-format", ["timeline", "--format", "xml"], {}
    yield "timeline-view", ["timeline", "--view", "gantt"], {}
    yield "export-format", ["export", "--format", "docx"], {}
    yield "unknown-option", ["timeline", "--frm", "2025"], {}
    yield "unknown-command", ["frobnicate"], {}
    yield "db-bad-url", ["--db", "mysql://root@localhost/x", "db", "info"], {}
    yield from _document_cases()
    yield from _input_safety_cases()


def _doc(**sections: object) -> bytes:
    return json.dumps({"format": "tracker/1", **sections}).encode()


PERSON = {"uid": "p-x", "name": "X Person"}
MEETING = {"uid": "m-x", "title": "T", "date": "2025-04"}


def _document_cases() -> Iterator[tuple[str, list[str], dict[str, bytes]]]:
    def imp(
        case: str, content: bytes, name: str = "doc.json"
    ) -> tuple[str, list[str], dict[str, bytes]]:
        return f"import-{case}", ["import", f"FILE:{name}"], {name: content}

    yield imp("not-json", b"{not json")
    yield imp("truncated", b'{"format": "tracker/1", "people": [')
    yield imp("list", b"[]")
    yield imp("string", b'"tracker/1"')
    yield imp("no-format", b"{}")
    yield imp("wrong-format", b'{"format": "tracker/2"}')
    yield imp("unknown-section", _doc(persons=[]))
    yield imp("section-not-list", _doc(people={"a": 1}))
    yield imp("record-not-map", _doc(people=["Putin"]))
    yield imp("utf16", '{"format": "tracker/1"}'.encode("utf-16"))
    yield imp("latin1", '{"format": "tracker/1", "people": [{"name": "Łódź"}]}'.encode("cp1250"))
    yield imp("nul-bytes", b'{"format": "tracker/1", "people": [{"name": "a\\u0000b"}]}')
    yield imp("duplicate-uid", _doc(people=[PERSON, PERSON]))
    yield imp("bad-uid", _doc(people=[{**PERSON, "uid": "has space"}]))
    yield imp("uid-too-long", _doc(people=[{**PERSON, "uid": "u" * 65}]))
    yield imp("uid-number", _doc(people=[{**PERSON, "uid": 7}]))
    yield imp("unknown-field", _doc(people=[{**PERSON, "nmae": "x"}]))
    yield imp("name-list", _doc(people=[{**PERSON, "name": ["a"]}]))
    yield imp("name-empty", _doc(people=[{**PERSON, "name": ""}]))
    yield imp("name-control", _doc(people=[{**PERSON, "name": "a\u001bb"}]))
    yield imp("name-huge", _doc(people=[{**PERSON, "name": "x" * 1_000_000}]))
    yield imp("country-unknown", _doc(people=[{**PERSON, "country": "Atlantis"}]))
    yield imp("alias-no-name", _doc(people=[{**PERSON, "aliases": [{"lang": "pl"}]}]))
    yield imp(
        "alias-bad-lang", _doc(people=[{**PERSON, "aliases": [{"name": "A", "lang": "Polish!"}]}])
    )
    yield imp(
        "role-bad-date", _doc(people=[{**PERSON, "roles": [{"title": "x", "from": "2025-13"}]}])
    )
    yield imp("place-no-kind", _doc(places=[{"uid": "pl", "name": "P"}]))
    yield imp("place-bad-kind", _doc(places=[{"uid": "pl", "name": "P", "kind": "planet"}]))
    yield imp("place-lat", _doc(places=[{"uid": "pl", "name": "P", "kind": "city", "lat": 91}]))
    yield imp(
        "place-lat-nan",
        b'{"format": "tracker/1", "places": [{"uid": "p", "name": "P", "kind": "city", '
        b'"lat": NaN}]}',
    )
    yield imp(
        "place-parent-missing",
        _doc(places=[{"uid": "pl", "name": "P", "kind": "city", "parent": "nowhere"}]),
    )
    yield imp(
        "place-self-parent",
        _doc(places=[{"uid": "pl", "name": "P", "kind": "city", "parent": "pl"}]),
    )
    yield imp("source-empty", _doc(sources=[{"uid": "s"}]))
    yield imp("source-js-url", _doc(sources=[{"uid": "s", "url": "javascript:alert(1)"}]))
    yield imp("source-url-space", _doc(sources=[{"uid": "s", "url": "https://a b"}]))
    yield imp("meeting-no-title", _doc(meetings=[{"uid": "m", "date": "2025"}]))
    yield imp("meeting-no-date", _doc(meetings=[{"uid": "m", "title": "T"}]))
    for date in ("2025-02-30", "2025-12-03/2025-12-02", "2025-04-11/..", "soon", "0000"):
        yield imp(f"meeting-date-{date}", _doc(meetings=[{**MEETING, "date": date}]))
    yield imp("meeting-date-number", _doc(meetings=[{**MEETING, "date": 2025.5}]))
    yield imp("meeting-bad-kind", _doc(meetings=[{**MEETING, "kind": "duel"}]))
    yield imp("meeting-bad-outcome", _doc(meetings=[{**MEETING, "outcome": "victory"}]))
    yield imp("meeting-bad-status", _doc(meetings=[{**MEETING, "status": "rumoured"}]))
    yield imp("duration-string", _doc(meetings=[{**MEETING, "duration": "5h"}]))
    yield imp("duration-negative", _doc(meetings=[{**MEETING, "duration": {"minutes": -5}}]))
    yield imp("duration-float", _doc(meetings=[{**MEETING, "duration": {"minutes": 1.5}}]))
    yield imp("duration-bool", _doc(meetings=[{**MEETING, "duration": {"minutes": True}}]))
    yield imp("duration-huge", _doc(meetings=[{**MEETING, "duration": {"minutes": 10**30}}]))
    yield imp(
        "duration-qualifier",
        _doc(meetings=[{**MEETING, "duration": {"minutes": 5, "qualifier": "roughly"}}]),
    )
    yield imp(
        "participant-missing",
        _doc(meetings=[{**MEETING, "participants": [{"person": "Nobody Atall"}]}]),
    )
    yield imp(
        "participant-role",
        _doc(
            people=[PERSON],
            meetings=[{**MEETING, "participants": [{"person": "p-x", "role": "king"}]}],
        ),
    )
    yield imp(
        "participant-twice",
        _doc(
            people=[PERSON],
            meetings=[{**MEETING, "participants": [{"person": "p-x"}, {"person": "p-x"}]}],
        ),
    )
    yield imp(
        "participant-ambiguous",
        _doc(meetings=[{**MEETING, "participants": [{"person": "Vladimir"}]}]),
    )
    yield imp("venue-missing", _doc(meetings=[{**MEETING, "venue": "Atlantis"}]))
    yield imp("visit-missing", _doc(meetings=[{**MEETING, "visit": "no-such-visit"}]))
    yield imp("source-missing", _doc(meetings=[{**MEETING, "sources": ["no-such-source"]}]))
    yield imp("topics-not-list", _doc(meetings=[{**MEETING, "topics": "peace"}]))
    yield imp("visit-no-travellers", _doc(visits=[{"uid": "v", "date": "2025", "travellers": []}]))
    yield imp(
        "visit-traveller-missing",
        _doc(visits=[{"uid": "v", "date": "2025", "travellers": [{"person": "Nobody Atall"}]}]),
    )
    yield imp("statement-no-speaker", _doc(statements=[{"uid": "s", "date": "2025", "text": "x"}]))
    yield imp(
        "statement-no-text", _doc(statements=[{"uid": "s", "date": "2025", "speaker": "putin"}])
    )
    yield imp(
        "statement-meeting-missing",
        _doc(
            statements=[
                {"uid": "s", "date": "2025", "speaker": "putin", "text": "x", "meeting": "nope"}
            ]
        ),
    )
    yield imp("second-record-bad", _doc(people=[PERSON, {"uid": "p-y", "name": ""}]))
    yield imp(
        "yaml-python-tag", b'format: !!python/object/apply:os.system ["echo pwned"]\n', "doc.yaml"
    )
    yield imp("yaml-python-name", b"format: !!python/name:os.system\n", "doc.yaml")
    yield imp("yaml-bad-indent", b"format: tracker/1\npeople:\n - name: a\n  uid: b\n", "doc.yaml")
    yield imp("yaml-tabs", b"format: tracker/1\n\tpeople: []\n", "doc.yaml")
    yield imp(
        "yaml-anchor-bomb",
        b"format: tracker/1\na: &a [x, x]\nb: &b [*a, *a]\npeople: *b\n",
        "doc.yaml",
    )
    yield imp("yaml-scalar", b"just text\n", "doc.yaml")
    yield imp("unknown-extension", b"{}", "doc.txt")
    yield from _csv_cases()


# -- hostile input: document limits, values as written, arguments, validation order ---

LONG_NUMBER = b"1" * 5_000  # past Python's 4,300-digit limit on int()
DEEP_JSON = b"[" * 100_000 + b"]" * 100_000
DEEP_YAML = b"[" * 5_000 + b"]" * 5_000
NOT_UTF8 = "Talks \udcff"  # how Click passes the byte 0xff of an argument


def _input_safety_cases() -> Iterator[tuple[str, list[str], dict[str, bytes]]]:
    def imp(
        case: str, content: bytes, name: str = "doc.yaml"
    ) -> tuple[str, list[str], dict[str, bytes]]:
        return f"input-{case}", ["import", f"FILE:{name}"], {name: content}

    def yaml_meeting(fields: bytes) -> bytes:
        return b"format: tracker/1\nmeetings:\n  - {uid: m-x, title: T, " + fields + b"}\n"

    def json_meeting(fields: bytes) -> bytes:
        return (
            b'{"format": "tracker/1", "meetings": [{"uid": "m-x", "title": "T", ' + fields + b"}]}"
        )

    # Unquoted YAML dates reach the date parser as text, and get its error.
    for date in (b"2025-02-29", b"2025-13-01", b"2025-12-02T25:00:00", b"2025-02-30 10:00:00"):
        yield imp(f"yaml-unquoted-date-{date.decode()}", yaml_meeting(b"date: " + date))
    yield imp(
        "yaml-unquoted-role-date",
        b"format: tracker/1\npeople:\n"
        b"  - {uid: p-x, name: X Person, roles: [{title: T, from: 2025-02-29}]}\n",
    )
    # Numbers longer than any field holds: refused naming the field.
    yield imp(
        "json-long-minutes",
        json_meeting(b'"date": "2025-04", "duration": {"minutes": ' + LONG_NUMBER + b"}"),
        "doc.json",
    )
    yield imp(
        "yaml-long-minutes",
        yaml_meeting(b"date: '2025-04', duration: {minutes: " + LONG_NUMBER + b"}"),
    )
    yield imp(
        "json-long-lat",
        b'{"format": "tracker/1", "places": [{"uid": "pl", "name": "P", "kind": "city", '
        b'"lat": ' + LONG_NUMBER + b"}]}",
        "doc.json",
    )
    yield imp("json-long-format", b'{"format": ' + LONG_NUMBER + b"}", "doc.json")
    yield imp("yaml-tag-long-int", b"format: !!int " + LONG_NUMBER + b"\n")
    # Half a surrogate pair, escaped in JSON, is not text any database can store.
    yield imp(
        "json-lone-surrogate", json_meeting(b'"notes": "a\\ud800b", "date": "2025-04"'), "doc.json"
    )
    # Nesting far deeper than any document needs.
    yield imp("json-deep", json_meeting(b'"date": "2025-04", "notes": ' + DEEP_JSON), "doc.json")
    yield imp("yaml-deep", yaml_meeting(b"date: '2025-04', notes: " + DEEP_YAML))
    # A key given twice is refused, not silently overwritten by the last one.
    yield imp(
        "json-duplicate-key",
        json_meeting(b'"title": "U", "date": "2025-04"'),
        "doc.json",
    )
    yield imp(
        "json-duplicate-section",
        b'{"format": "tracker/1", "people": [], "people": [{"uid": "p-x", "name": "X Person"}]}',
        "doc.json",
    )
    yield imp("yaml-duplicate-key", yaml_meeting(b"title: U, date: '2025-04'"))
    yield imp(
        "yaml-duplicate-section",
        b"format: tracker/1\npeople: []\npeople:\n  - {uid: p-x, name: X Person}\n",
    )
    # Aliases (and merge keys, which need them) have no place in a tracker document.
    yield imp("yaml-alias", b"format: tracker/1\npeople: &none []\nplaces: *none\n")
    yield imp(
        "yaml-alias-value",
        b"format: tracker/1\npeople:\n  - {uid: p-x, name: &n X Person, notes: *n}\n",
    )
    yield imp(
        "yaml-merge-key",
        b"format: tracker/1\npeople:\n  - {uid: p-x, name: X Person, <<: {notes: merged}}\n",
    )
    # Explicit tags beyond plain text, numbers, booleans, null, lists and mappings.
    yield imp("yaml-tag-int", yaml_meeting(b"date: '2025-04', duration: {minutes: !!int abc}"))
    yield imp(
        "yaml-tag-float",
        b"format: tracker/1\nplaces:\n  - {uid: pl, name: P, kind: city, lat: !!float north}\n",
    )
    yield imp("yaml-tag-bool", yaml_meeting(b"date: '2025-04', notes: !!bool maybe"))
    yield imp("yaml-tag-timestamp", yaml_meeting(b"date: !!timestamp 2025-02-30"))
    yield imp("yaml-tag-set", yaml_meeting(b"date: '2025-04', topics: !!set {a: null}"))
    yield imp("yaml-tag-binary", yaml_meeting(b"date: '2025-04', notes: !!binary aGVsbG8="))
    # The mapping file of a CSV import is read the same way.
    for case, mapping in (
        ("duplicate", b"notes: notes\nnotes: notes\n"),
        ("alias", b"&k notes: *k\n"),
        ("deep", b"traveller: " + DEEP_YAML + b"\n"),
    ):
        yield (
            f"input-mapping-{case}",
            ["import", "FILE:t.csv", "--mapping", "FILE:m.yaml"],
            {"t.csv": TRIPS_HEADER + TRIP, "m.yaml": mapping},
        )
    # Invalid UTF-8 in an argument names the option; nothing is written or created.
    for flag in ("-t", "--summary", "--notes", "--topic", "--publisher", "--source-title"):
        yield f"input-utf8{flag}", _with(LOG, flag, NOT_UTF8), {}
    yield "input-utf8-statement", _with(LOG, "--statement", f"Putin: {NOT_UTF8}"), {}
    yield "input-utf8-edit", ["edit", "meeting-2025-04-25-witkoff-putin", "--title", NOT_UTF8], {}
    yield "input-utf8-export-title", ["export", "--format", "html", "--title", NOT_UTF8], {}
    yield "input-utf8-db", ["--db", "FILE:\udcff.db", "timeline"], {}
    # A duration that rounds to nothing is refused, not stored as 0 minutes.
    for value in ("0.001h", "~0.004h", "0.008h+", "<=0,005h"):
        yield "input-duration-rounds-to-zero", _with(LOG, "--duration", value), {}
    yield (
        "input-edit-duration-rounds-to-zero",
        ["edit", "meeting-2025-04-25-witkoff-putin", "--duration", "0.001h"],
        {},
    )
    yield (
        "input-csv-duration-rounds-to-zero",
        ["import", "FILE:t.csv"],
        {
            "t.csv": b"traveller,date,city,country,title,duration\n"
            b"Steve Witkoff,2025-09-01,Moscow,RU,Talks,0.001h\n"
        },
    )
    # Bad filters are refused before any output: not even a csv header.
    listings = (
        ["timeline"],
        ["timeline", "--view", "lanes"],
        ["visits"],
        ["visits", "Witkoff"],
        ["stats"],
    )
    for listing in listings:
        for fmt in ("table", "csv", "json", "ndjson", "markdown"):
            for flag, value in (
                ("--from", "2025-13"),
                ("--to", "2025-02-30"),
                ("--country", "Atlantis"),
            ):
                yield (
                    "input-order-" + "-".join(listing),
                    [*listing, flag, value, "--format", fmt],
                    {},
                )
    for fmt in exporters.names():
        for flag, value in (
            ("--from", "2025-13"),
            ("--envoy", "Nobody Atall"),
            ("--outcome", "victory"),
        ):
            yield "input-order-export", ["export", flag, value, "--format", fmt], {}
    for flag, value in (
        ("--envoy", "Nobody Atall"),
        ("--outcome", "victory"),
        ("--with", "Nobody Atall"),
        ("--place", "Atlantis"),
        ("--search", "!!!"),
    ):
        yield "input-order-timeline", ["timeline", flag, value, "--format", "csv"], {}


TRIPS_HEADER = b"traveller,start,end,country,city,notes\n"
TRIP = b"Steve Witkoff,2025-09-01,,RU,Moscow,x\n"


def _csv_cases() -> Iterator[tuple[str, list[str], dict[str, bytes]]]:
    def imp(case: str, content: bytes, *options: str) -> tuple[str, list[str], dict[str, bytes]]:
        return f"csv-{case}", ["import", "FILE:t.csv", *options], {"t.csv": content}

    # Three good trips (distinct: a repeated row is a problem of its own) before the bad one.
    rows = [f"Steve Witkoff,2025-09-0{day},,RU,Moscow,x\n".encode() for day in (1, 2, 3)]
    yield imp("empty", b"")
    yield imp("header-only-unknown", b"a,b,c\n1,2,3\n")
    yield imp("utf16", (TRIPS_HEADER + TRIP).decode().encode("utf-16"))
    yield imp("cp1250", "traveller,start,country\nŁukasz,2025,PL\n".encode("cp1250"))
    yield imp("unterminated-quote", TRIPS_HEADER + b'"Steve Witkoff,2025-09-01,,RU,Moscow,x\n')
    yield imp("too-many-columns", TRIPS_HEADER + b"Steve Witkoff,2025-09-01,,RU,Moscow,x,extra\n")
    yield imp("too-few-columns", TRIPS_HEADER + b"Steve Witkoff,2025-09-01\n")
    yield imp("nul-byte", TRIPS_HEADER + b"Steve\x00Witkoff,2025-09-01,,RU,Moscow,x\n")
    for date in (
        "2025-02-30",
        "2025-13",
        "soon",
        "2025-12-03/2025-12-02",
        "'; DROP TABLE visit;--",
    ):
        yield imp(
            f"bad-start-{date[:12]}",
            TRIPS_HEADER + b"".join(rows) + f"Steve Witkoff,{date},,RU,Moscow,x\n".encode(),
        )
    yield imp(
        "end-before-start", TRIPS_HEADER + b"Steve Witkoff,2025-09-05,2025-09-01,RU,Moscow,x\n"
    )
    yield imp("bad-country", TRIPS_HEADER + b"Steve Witkoff,2025-09-01,,Atlantis,Moscow,x\n")
    yield imp("empty-traveller", TRIPS_HEADER + b",2025-09-01,,RU,Moscow,x\n")
    yield imp("control-traveller", TRIPS_HEADER + b"\x1b[31mred,2025-09-01,,RU,Moscow,x\n")
    yield imp("no-date", TRIPS_HEADER + b"Steve Witkoff,,,RU,Moscow,x\n")
    yield imp("bad-map-syntax", TRIPS_HEADER + TRIP, "--map", "traveller")
    yield imp("bad-map-field", TRIPS_HEADER + TRIP, "--map", "notes=remarkz")
    yield imp("map-missing-column", TRIPS_HEADER + TRIP, "--map", "Nope=traveller")
    yield imp("bad-delimiter", TRIPS_HEADER + TRIP, "--delimiter", "ab")
    yield imp("csv-option-on-json", TRIPS_HEADER + TRIP, "--format", "json")
    yield imp(
        "bad-duration",
        b"traveller,date,city,country,title,duration\n"
        b"Steve Witkoff,2025-09-01,Moscow,RU,Talks,five hours\n",
    )
    yield imp(
        "bad-outcome",
        b"traveller,date,city,country,title,outcome\n"
        b"Steve Witkoff,2025-09-01,Moscow,RU,Talks,victory\n",
    )
    yield imp(
        "bad-kind",
        b"traveller,date,city,country,title,kind\nSteve Witkoff,2025-09-01,Moscow,RU,Talks,duel\n",
    )
    yield imp(
        "bad-source-url",
        b"traveller,date,city,country,source_url\n"
        b"Steve Witkoff,2025-09-01,Moscow,RU,javascript:alert(1)\n",
    )
    yield imp(
        "huge-field",
        TRIPS_HEADER + b"Steve Witkoff,2025-09-01,,RU,Moscow," + b"x" * 1_100_000 + b"\n",
    )
    yield imp(
        "timeline-bad-edtf",
        b"date,edtf,earliest,latest,kind,title,envoys,counterparts,venue,"
        b"city,country,duration_minutes,duration_qualifier,outcome,outcome_summary,sources,uid\n"
        b"x,2025-02-30,,,talks,T,Steve Witkoff,,,Moscow,RU,,,unknown,,https://a.org,u1\n",
    )


CASES = list(_cases())


# -- running it -----------------------------------------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def seeded_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        url = str(tmp_path_factory.mktemp("corpus") / "tracker.db")
        yield from _seeded(url)
    else:
        with fresh_postgres_schema() as schema:
            yield from _seeded(postgres_schema_url(schema))


def _seeded(url: str) -> Iterator[str]:
    result = CliRunner().invoke(main, ["--db", url, "seed"])
    assert result.exit_code == 0, result.output
    yield url


@pytest.mark.parametrize(("args", "files"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    seeded_url: str, tmp_path: Path, args: list[str], files: dict[str, bytes]
) -> None:
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    argv = [str(tmp_path / a[5:]) if a.startswith("FILE:") else a for a in args]
    if argv[0] != "--db":
        argv = ["--db", seeded_url, *argv]
    before = fingerprint(seeded_url)
    result = CliRunner().invoke(main, argv, env={"COLUMNS": "120"})
    assert result.exit_code == 2, (result.exit_code, result.output[:500])
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert result.stderr.count("\n") == 1, result.stderr[:500]
    assert len(result.stderr) < 2_000
    assert "Traceback" not in result.stderr
    assert "\x1b" not in result.stderr
    assert "\x00" not in result.stderr
    assert "pwned" not in result.output
    assert fingerprint(seeded_url) == before


def test_the_corpus_is_large() -> None:
    assert len(CASES) >= 200
