"""Nothing heavy on start-up or the read path: commands load what they use."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.app import main

HEAVY = ("alembic", "icalendar", "edtf", "yaml", "rapidfuzz", "tracker.exporters", "sqlalchemy")

PROBE = """
import json, sys
from cli.app import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)), file=sys.stderr)
"""


def _loaded(*args: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return list(json.loads(result.stderr.strip().splitlines()[-1]))


def test_help_and_version_load_nothing_heavy() -> None:
    assert _loaded("--help") == []
    assert _loaded("--version") == []


@pytest.mark.parametrize(
    "args",
    [["timeline"], ["visits", "witkoff"], ["timeline", "--search", "Kremlin"], ["stats"]],
)
def test_read_commands_load_only_the_database_layer(tmp_path: Path, args: list[str]) -> None:
    path = str(tmp_path / "tracker.db")
    assert CliRunner().invoke(main, ["--db", path, "seed"]).exit_code == 0
    assert _loaded("--db", path, *args) == ["sqlalchemy"]
