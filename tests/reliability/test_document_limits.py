"""Documents and tables from someone else: bounded, and read as written.

- A hostile file fails fast with bounded memory: an alias bomb, nesting 100,000 deep,
  numbers of 5,000 digits, an endless stream (``/dev/zero``) or a huge file each exit 2
  with one line, in a child process whose address space is capped, and the child's
  peak memory stays small.
- YAML keeps the text as written where text is expected: ``0x1F``, ``12:30``, ``1_000``
  and ``yes`` are not turned into numbers or booleans, unquoted dates reach the date
  parser as text, and a key given twice is refused, in JSON as in YAML.
- Hypothesis: any text parses into a document or is refused as bad input, and any
  document the exporter writes reads back the same.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.app import main
from tracker.document import document_json, document_yaml, parse_document_text
from tracker.errors import InvalidInput

COMMAND = [sys.executable, "-c", "from cli.app import main; main()"]
ADDRESS_SPACE = 3 * 1024**3
"""The child's address-space cap: an unbounded read or expansion fails instead of
taking the machine down."""
PEAK_RSS_KIB = 300 * 1024
"""A refused file never costs more than this (the interpreter and its imports take about
100 MiB)."""
SAFETY_TIMEOUT = 120


# -- hostile files, in a child process ------------------------------------------------


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def _run(db: str, *args: str) -> tuple[int, str, int]:
    """Exit status, stderr and peak RSS (KiB) of ``tracker --db DB ARGS`` in a capped
    child process (its own peak, from ``os.wait4``).

    A child of this process starts with this process's peak (Linux carries it over
    fork and exec), which a long test run makes larger than the cap; so where GNU time
    is at hand, it spawns the command and reports the command's own peak."""
    gnu_time = Path("/usr/bin/time")
    report = Path(tempfile.mkstemp(suffix=".peak")[1])
    timed = [str(gnu_time), "-f", "%M", "-o", str(report)] if gnu_time.exists() else []
    child = subprocess.Popen(
        [*timed, *COMMAND, "--db", db, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=_capped,
    )
    assert child.stderr is not None
    timer = threading.Timer(SAFETY_TIMEOUT, child.kill)
    timer.start()
    try:
        stderr = child.stderr.read()
        _, status, usage = os.wait4(child.pid, 0)
    finally:
        timer.cancel()
        child.stderr.close()
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode == -signal.SIGKILL:
        pytest.fail(f"still running after {SAFETY_TIMEOUT} s: {args}")
    peak = usage.ru_maxrss
    if timed:
        lines = report.read_text().split()
        peak = int(lines[-1]) if lines and lines[-1].isdigit() else peak
    report.unlink()
    return child.returncode, stderr.decode("utf-8", "replace"), peak


def _alias_bomb() -> bytes:
    """Ten nested alias levels, each nine times the one below: 9**10 names once expanded."""
    levels = ['&a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghij"
    for below, name in itertools.pairwise(names):
        levels.append(f"&{name} [" + ",".join([f"*{below}"] * 9) + "]")
    return (
        "format: tracker/1\npeople:\n  - uid: p-bomb\n    name: [" + ", ".join(levels) + "]\n"
    ).encode()


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as handle:
        handle.truncate(size)
    return path


HOSTILE_FILES = {
    "alias-bomb.yaml": (lambda tmp: _write(tmp / "bomb.yaml", _alias_bomb()), r"alias"),
    "deep.json": (
        lambda tmp: _write(
            tmp / "deep.json",
            b'{"format": "tracker/1", "people": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        ),
        r"nested at most 100 levels",
    ),
    "deep.yaml": (
        lambda tmp: _write(
            tmp / "deep.yaml", b"format: tracker/1\npeople: " + b"[" * 5_000 + b"]" * 5_000
        ),
        r"nested at most 100 levels",
    ),
    "digits.json": (
        lambda tmp: _write(
            tmp / "digits.json",
            b'{"format": "tracker/1", "meetings": [{"uid": "m", "title": "T", "date": "2025",'
            b' "duration": {"minutes": ' + b"7" * 5_000 + b"}}]}",
        ),
        r"meetings\[0\]\.duration\.minutes: expected a whole number",
    ),
    "huge.json": (lambda tmp: _sparse(tmp / "huge.json", 10 * 1024**3), r"at most 64 MiB"),
    "huge.csv": (lambda tmp: _sparse(tmp / "huge.csv", 10 * 1024**3), r"at most 1 GiB"),
}


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_a_hostile_file_fails_fast_with_bounded_memory(
    db_url: str, tmp_path: Path, name: str
) -> None:
    make, reason = HOSTILE_FILES[name]
    path = make(tmp_path)
    status, stderr, peak = _run(db_url, "import", str(path))
    assert status == 2, stderr[-500:]
    assert stderr.count("\n") == 1, stderr[-500:]
    assert stderr.startswith(f"error: {path}"), stderr
    assert re.search(reason, stderr), stderr
    assert peak < PEAK_RSS_KIB, f"peak {peak // 1024} MiB"


@pytest.mark.parametrize("fmt", ["json", "yaml", "csv"])
def test_an_endless_stream_is_refused_at_once(tmp_path: Path, fmt: str) -> None:
    db = tmp_path / "tracker.db"
    status, stderr, peak = _run(str(db), "import", "/dev/zero", "--format", fmt)
    assert status == 2, stderr[-500:]
    assert stderr.startswith("error: /dev/zero: expected "), stderr
    assert stderr.count("\n") == 1
    assert peak < PEAK_RSS_KIB, f"peak {peak // 1024} MiB"
    assert not db.exists()


def test_an_endless_mapping_file_is_refused_at_once(tmp_path: Path) -> None:
    table = _write(tmp_path / "t.csv", b"traveller,start,country\nSteve Witkoff,2025-09,RU\n")
    db = tmp_path / "tracker.db"
    status, stderr, peak = _run(str(db), "import", str(table), "--mapping", "/dev/zero")
    assert status == 2, stderr[-500:]
    assert stderr.startswith("error: /dev/zero: expected "), stderr
    assert peak < PEAK_RSS_KIB, f"peak {peak // 1024} MiB"
    assert not db.exists()


# -- values as written ----------------------------------------------------------------

AS_WRITTEN = {
    "0x1F": "0x1F",
    "12:30": "12:30",
    "1_000": "1_000",
    "yes": "yes",
    "off": "off",
    "007": "007",
    "+5": "+5",
    "1.50": "1.50",
    "1e5": "1e5",
    ".inf": ".inf",
    "2025-04-11": "2025-04-11",
    "2025-02-29": "2025-02-29",
    "1" * 30: "1" * 30,
}


@pytest.mark.parametrize("written", sorted(AS_WRITTEN))
def test_yaml_keeps_text_as_written(written: str) -> None:
    document = parse_document_text(
        f"format: tracker/1\nmeetings:\n  - {{title: {written}, notes: {written}}}\n",
        origin="doc.yaml",
    )
    meeting = document["meetings"][0]
    assert str(meeting["title"]) == AS_WRITTEN[written]
    assert str(meeting["notes"]) == AS_WRITTEN[written]


def test_json_numbers_in_text_fields_keep_their_digits() -> None:
    document = parse_document_text(
        '{"format": "tracker/1", "meetings": [{"title": 1.50, "notes": 1E5}]}', origin="d.json"
    )
    assert [str(v) for v in document["meetings"][0].values()] == ["1.50", "1E5"]


def test_numbers_and_dates_still_read_where_they_belong() -> None:
    document = parse_document_text(
        "format: tracker/1\n"
        "places: [{uid: pl, name: P, kind: city, lat: 55.750, lon: -37}]\n"
        "meetings: [{uid: m, title: T, date: 2025-04-11, duration: {minutes: 90}}]\n",
        origin="doc.yaml",
    )
    place, meeting = document["places"][0], document["meetings"][0]
    assert (place["lat"], place["lon"]) == (55.75, -37)
    assert meeting["duration"]["minutes"] == 90
    assert meeting["date"] == "2025-04-11"


def test_yaml_as_written_is_stored_as_written(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "doc.yaml"
    path.write_text(
        "format: tracker/1\n"
        "people: [{uid: p-x, name: X Person}]\n"
        "places: [{uid: pl, name: Moscow, kind: city, country: RU}]\n"
        "visits: [{uid: v, travellers: [{person: p-x}], destination: pl, date: 2025-04-11}]\n"
        "meetings:\n"
        "  - {uid: m, visit: v, title: 0x1F, notes: 12:30, outcome_summary: 1_000,"
        " date: 2025-04-11}\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    result = runner.invoke(main, ["--db", db_url, "import", str(path)])
    assert result.exit_code == 0, result.output
    shown = runner.invoke(main, ["--db", db_url, "show", "m", "--format", "json"])
    detail = json.loads(shown.stdout)
    assert (detail["title"], detail["notes"], detail["outcome_summary"]) == (
        "0x1F",
        "12:30",
        "1_000",
    )
    assert detail["edtf"] == "2025-04-11"


@pytest.mark.parametrize(
    ("text", "origin", "key"),
    [
        ('{"format": "tracker/1", "format": "tracker/1"}', "d.json", "format"),
        ('{"format": "tracker/1", "people": [{"name": "A", "name": "B"}]}', "d.json", "name"),
        ("format: tracker/1\nformat: tracker/1\n", "d.yaml", "format"),
        ("format: tracker/1\npeople:\n  - {name: A, name: B}\n", "d.yaml", "name"),
    ],
)
def test_a_key_given_twice_is_refused_naming_it(text: str, origin: str, key: str) -> None:
    with pytest.raises(InvalidInput, match=rf"^{origin}: expected each key once .*'{key}'"):
        parse_document_text(text, origin=origin)


@pytest.mark.parametrize(
    "text",
    [
        '{"format": "tracker/1", "people": [{"name": "a\\ud800"}]}',
        '{"format": "tracker/1", "\\udc80": 1}',
        '{"format": "tracker/1", "notes": ["x", ["\\ud83d"]]}',
    ],
)
def test_half_a_surrogate_pair_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match=r"^d\.json: expected text in Unicode"):
        parse_document_text(text, origin="d.json")
    pair = parse_document_text('{"format": "tracker/1", "t": "\\ud83d\\ude00"}', origin="d.json")
    assert pair["t"] == "\U0001f600"


def test_aliases_are_refused_and_anchors_alone_are_harmless() -> None:
    with pytest.raises(InvalidInput, match=r"^d\.yaml: expected a document without aliases"):
        parse_document_text("format: tracker/1\npeople: &p []\nplaces: *p\n", origin="d.yaml")
    document = parse_document_text("format: tracker/1\npeople: &p []\n", origin="d.yaml")
    assert document == {"format": "tracker/1", "people": []}


def test_the_yaml_writer_never_writes_an_alias() -> None:
    shared = {"name": "Kreml", "lang": "pl"}
    document = {"format": "tracker/1", "places": [{"aliases": [shared]}, {"aliases": [shared]}]}
    text = document_yaml(document)
    assert "&" not in text
    assert "*" not in text
    assert parse_document_text(text, origin="d.yaml") == document


# -- properties -----------------------------------------------------------------------

YAMLISH = st.text(alphabet="ab01:-_.,+~ x&*!|>'\"[]{}#%@`\n\t\\", max_size=40)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(YAMLISH, st.text(max_size=60)), kind=st.sampled_from(["json", "yaml"]))
def test_any_text_parses_or_is_refused_as_bad_input(text: str, kind: str) -> None:
    try:
        document = parse_document_text(text, origin=f"d.{kind}", kind=kind)
    except InvalidInput as exc:
        message = str(exc)
    else:
        assert isinstance(document, dict)
        return
    assert message.startswith(f"d.{kind}: expected ")


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30).filter(lambda s: "\x00" not in s),
    st.text(alphabet="0123456789:_.-+xeE ", max_size=12),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=8), inner, max_size=4),
    ),
    max_leaves=20,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.text(max_size=10), VALUES, max_size=5))
def test_what_the_writers_write_reads_back_the_same(value: dict[str, object]) -> None:
    for text, origin in ((document_json(value), "d.json"), (document_yaml(value), "d.yaml")):
        try:
            parsed = parse_document_text(text, origin=origin)
        except InvalidInput as exc:  # the writers' text is always a document
            pytest.fail(f"{origin}: {exc}\n{text}")
        assert parsed == value
        assert _types(parsed) == _types(value)


def _types(value: object) -> object:
    """The shape of ``value`` with the type of each scalar (a float that remembers how it
    was written is a float)."""
    if isinstance(value, dict):
        return {key: _types(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_types(item) for item in value]
    return float if isinstance(value, float) else type(value)
