"""The read commands print, on the seed data, exactly what they printed when they read
through the ORM (``tests/data/read_outputs.json``, captured from that code), in every
format, on both backends: moving them to the plain read changed no byte. What they
print has grown since by the disputed facts (``show``'s accounts side by side, the
``disputed`` column of ``stats``), and the file with it. When the seed data changes,
``python -m tests.cli.test_read_outputs`` writes the file again (``regenerate``)."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke

EXPECTED: dict[str, str] = json.loads(
    (Path(__file__).parent.parent / "data" / "read_outputs.json").read_text("utf-8")
)


@pytest.fixture
def outputs(seeded: Invoke) -> dict[str, str]:
    found = {}
    for line in EXPECTED:
        result = seeded(*shlex.split(line))
        assert result.exit_code == 0, (line, result.output)
        found[line] = result.stdout_bytes.decode("utf-8")  # as printed: csv ends lines with CRLF
    return found


def test_the_reads_print_what_they_printed(outputs: dict[str, str]) -> None:
    assert [line for line in EXPECTED if outputs[line] != EXPECTED[line]] == []


def regenerate(path: Path = Path(__file__).parent.parent / "data" / "read_outputs.json") -> None:
    """Write ``path`` again from what the reads print now, on a freshly seeded SQLite
    database: when the seed data changes (``python -m tests.cli.test_read_outputs``).
    Read the diff before committing it: every change must be one the seed meant."""
    import tempfile

    from click.testing import CliRunner

    from cli.app import main

    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "seed.db")
        runner = CliRunner()
        assert runner.invoke(main, ["--db", db, "seed"]).exit_code == 0
        found = {}
        for line in EXPECTED:
            result = runner.invoke(main, ["--db", db, *shlex.split(line)])
            assert result.exit_code == 0, (line, result.output)
            found[line] = result.stdout_bytes.decode("utf-8")
    path.write_text(json.dumps(found, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    regenerate()
