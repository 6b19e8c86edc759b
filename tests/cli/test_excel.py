"""``--excel``: csv for Excel from a listing and from ``tracker export``, the same bytes
either way, on both backends."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import Result

from tests.cli.conftest import Invoke

FORMULAS = (
    "traveller,date,country,city,title,summary\n"
    'Steve Witkoff,2026-01-20,RU,Moscow,"=HYPERLINK(""https://example.org"",""x"")",'
    "+44 20 7946 0000\n"
    "Steve Witkoff,2026-01-21,RU,Moscow,@SUM(A1:A2),-1\n"
)


@pytest.fixture
def seeded(run: Invoke, tmp_path: Path) -> Invoke:
    assert run("seed").exit_code == 0
    path = tmp_path / "formulas.csv"
    path.write_text(FORMULAS, encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 0, result.output
    return run


def _ok(result: Result) -> str:
    """The exact text written (line ends as they are: ``stdout`` would make CRLF LF)."""
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return result.stdout_bytes.decode("utf-8")


def test_a_listing_and_the_export_write_the_same_excel_csv(seeded: Invoke, tmp_path: Path) -> None:
    listed = _ok(seeded("timeline", "--format", "csv", "--excel"))
    exported = _ok(seeded("export", "--format", "csv", "--excel"))
    assert listed == exported
    target = tmp_path / "timeline.csv"
    assert seeded("export", "--excel", "-o", str(target)).exit_code == 0
    assert target.read_bytes() == listed.encode("utf-8")
    assert target.read_bytes().startswith(b"\xef\xbb\xbf" + b"date,edtf,")


def test_excel_csv_has_a_bom_crlf_and_no_formula_cells(seeded: Invoke) -> None:
    text = _ok(seeded("timeline", "--from", "2026", "--format", "csv", "--excel"))
    assert text.startswith("\ufeffdate,")
    assert text.count("\r\n") == text.count("\n") == 3
    rows = list(csv.DictReader(io.StringIO(text[1:], newline="")))
    assert [(r["title"], r["outcome_summary"]) for r in rows] == [
        ('\'=HYPERLINK("https://example.org","x")', "'+44 20 7946 0000"),
        ("'@SUM(A1:A2)", "'-1"),
    ]
    plain = _ok(seeded("timeline", "--from", "2026", "--format", "csv"))
    assert not plain.startswith("\ufeff")
    assert "'=HYPERLINK" not in plain
    assert '"=HYPERLINK(""https://example.org"",""x"")"' in plain


def test_excel_keeps_cyrillic_and_en_dashes(seeded: Invoke) -> None:
    text = _ok(seeded("people", "--format", "csv", "--excel"))
    assert text.startswith("\ufeffname,")
    assert "Андрій Єрмак (uk)" in text
    assert "Feb 2020–28 Nov 2025" in text


@pytest.mark.parametrize(
    "args",
    [
        ("stats", "--excel"),
        ("timeline", "--format", "json", "--excel"),
        ("timeline", "--view", "tree", "--excel"),
        ("timeline", "--view", "lanes", "--excel"),
        ("history", "--excel"),
        ("export", "--format", "ndjson", "--excel"),
    ],
)
def test_excel_is_for_csv_only(seeded: Invoke, args: tuple[str, ...], tmp_path: Path) -> None:
    result = seeded(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: --excel: expected --format csv")
    target = tmp_path / "out.html"
    refused = seeded("export", "--format", "html", "--excel", "-o", str(target))
    assert refused.exit_code == 2
    assert not target.exists()
