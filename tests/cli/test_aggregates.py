"""``tracker visits`` and ``tracker stats`` are computed by the database; their answers
are the ones the earlier computations gave (kept in ``tests/data/aggregates-expected.json``:
first the per-visit one, then, under the envoy rule of ``tracker.query.sides``, the
SQLAlchemy queries the plain read replaced), on the seed data and on a generated record,
with and without filters, on both backends. When the seed data changes,
``python -m tests.cli.test_aggregates`` writes the file again (``regenerate``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.app import main
from tests.cli.aggregates_data import document

EXPECTED = json.loads(
    (Path(__file__).parent.parent / "data" / "aggregates-expected.json").read_text("utf-8")
)
CASES = [
    [],
    ["--from", "2025-03", "--to", "2025-09"],
    ["--country", "RU"],
    ["--place", "Moscow"],
    ["--from", "2025-12-01"],
]


def _json(db: str, *args: str) -> object:
    result = CliRunner().invoke(main, ["--db", db, *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("data", ["seed", "generated"])
def test_visits_and_stats_answer_as_before(db_url: str, tmp_path: Path, data: str) -> None:
    if data == "seed":
        assert CliRunner().invoke(main, ["--db", db_url, "seed"]).exit_code == 0
    else:
        path = tmp_path / "generated.json"
        path.write_text(json.dumps(document()), encoding="utf-8")
        assert CliRunner().invoke(main, ["--db", db_url, "import", str(path)]).exit_code == 0
    for command in ("visits", "stats"):
        for args in CASES:
            key = " ".join([data, command, *args])
            answer = _json(db_url, command, *args, "--format", "json")
            assert _before_accounts(answer) == EXPECTED[key], key


def _before_accounts(rows: object) -> object:
    """``rows`` without what came after the answers kept: the disputed durations of
    ``stats`` (tests/cli/test_accounts_views.py checks them)."""
    assert isinstance(rows, list)
    return [{k: v for k, v in row.items() if k != "disputed_durations"} for row in rows]


def regenerate(
    path: Path = Path(__file__).parent.parent / "data" / "aggregates-expected.json",
) -> None:
    """Write ``path`` again from what ``visits`` and ``stats`` answer now, on fresh SQLite
    databases: when the seed data changes (``python -m tests.cli.test_aggregates``). Read
    the diff before committing it: every change must be one the data meant."""
    import tempfile

    found = {}
    with tempfile.TemporaryDirectory() as folder:
        for data in ("seed", "generated"):
            db = str(Path(folder) / f"{data}.db")
            if data == "seed":
                assert CliRunner().invoke(main, ["--db", db, "seed"]).exit_code == 0
            else:
                source = Path(folder) / "generated.json"
                source.write_text(json.dumps(document()), encoding="utf-8")
                result = CliRunner().invoke(main, ["--db", db, "import", str(source)])
                assert result.exit_code == 0, result.output
            for command in ("visits", "stats"):
                for args in CASES:
                    key = " ".join([data, command, *args])
                    found[key] = _before_accounts(_json(db, command, *args, "--format", "json"))
    path.write_text(json.dumps(found, ensure_ascii=False, indent=1, sort_keys=True), "utf-8")


if __name__ == "__main__":
    regenerate()
