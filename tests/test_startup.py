"""Nothing heavy on start-up or the read path: commands load what they use."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from cli.app import main

HEAVY = (
    "alembic",
    "icalendar",
    "edtf",
    "yaml",
    "rapidfuzz",
    "networkx",
    "tracker.exporters",
    "sqlalchemy",
)

PROBE = """
import json, sys
from cli.app import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
loaded = [m for m in sys.modules if m in {heavy!r} or m.startswith("tracker.exporters.")]
print(json.dumps(sorted(loaded)), file=sys.stderr)
"""


def _loaded(*args: str, watched: tuple[str, ...] = HEAVY) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=watched), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return list(json.loads(result.stderr.strip().splitlines()[-1]))


def test_help_and_version_load_nothing_heavy() -> None:
    assert _loaded("--help") == []
    assert _loaded("--version") == []


# Every read command, on a SQLite file at the current schema: it reads on the plain
# DB-API driver (db/reading.py) and loads no SQLAlchemy at all. An export loads the
# exporter registry and its own format's module, and no other exporter's.
TABLE_EXPORT = ["tracker.exporters", "tracker.exporters.base", "tracker.exporters.table"]
READS = [
    pytest.param(["visits"], [], id="visits"),
    pytest.param(["visits", "witkoff"], [], id="visits ENVOY"),
    pytest.param(["stats"], [], id="stats"),
    pytest.param(["stats", "--with", "Putin"], [], id="stats --with"),
    pytest.param(["counterparts"], [], id="counterparts"),
    pytest.param(["people"], [], id="people"),
    pytest.param(["places", "--search", "Moskwa"], [], id="places"),
    pytest.param(["show", "meeting-2025-12-02-witkoff-kushner-putin"], [], id="show"),
    pytest.param(["timeline"], [], id="timeline"),
    pytest.param(["timeline", "--search", "Kremlin"], [], id="timeline --search"),
    pytest.param(["export", "--format", "csv"], TABLE_EXPORT, id="export csv"),
    pytest.param(["export", "--format", "ndjson"], TABLE_EXPORT, id="export ndjson"),
    pytest.param(["export", "--format", "markdown"], TABLE_EXPORT, id="export markdown"),
    pytest.param(
        ["export", "--format", "timelinejs"],
        ["tracker.exporters", "tracker.exporters.base", "tracker.exporters.timelinejs"],
        id="export timelinejs",
    ),
    pytest.param(
        ["export", "--format", "geojson"],
        [
            "tracker.exporters",
            "tracker.exporters.base",
            "tracker.exporters.geojson",
            "tracker.exporters.places",
        ],
        id="export geojson",
    ),
    pytest.param(
        ["export", "--format", "ics"],
        ["icalendar", "tracker.exporters", "tracker.exporters.base", "tracker.exporters.ics"],
        id="export ics",
    ),
    pytest.param(
        ["export", "--format", "graphml"],
        ["networkx", "tracker.exporters", "tracker.exporters.base", "tracker.exporters.network"],
        id="export graphml",
    ),
]


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("startup") / "tracker.db")
    assert CliRunner().invoke(main, ["--db", path, "seed"]).exit_code == 0
    return path


@pytest.mark.parametrize(("args", "expected"), READS)
def test_read_commands_load_no_sqlalchemy(
    seeded_file: str, args: list[str], expected: list[str]
) -> None:
    assert _loaded("--db", seeded_file, *args) == expected


def test_an_ascii_name_is_looked_up_without_the_transliteration_tables(
    seeded_file: str,
) -> None:
    # anyascii (and the importlib.resources it loads) only for a name that needs it: a
    # full name found by its key needs none (a surname alone reads the whole index of
    # names, aliases in every script among them).
    assert _loaded("--db", seeded_file, "visits", "steve witkoff", watched=("anyascii",)) == []
    assert _loaded("--db", seeded_file, "visits", "Стив Уиткофф", watched=("anyascii",)) == [
        "anyascii"
    ]


def test_checking_an_output_path_loads_no_sqlalchemy() -> None:
    # export -o and import --rejects check their path before the database is opened,
    # against its file: on the plain read, without the engine.
    script = "import sys; from db.outputs import check_output; print('sqlalchemy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
