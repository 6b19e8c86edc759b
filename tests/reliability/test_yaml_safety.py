"""YAML is read with the safe loader only: tags that would construct Python objects or
run code are rejected as bad input, and nothing runs."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.app import main
from tracker.document import parse_document_text
from tracker.errors import InvalidInput

ROOT = Path(__file__).resolve().parents[2]


def _payloads(marker: Path) -> list[str]:
    command = f"touch {marker}"
    return [
        f'format: !!python/object/apply:os.system ["{command}"]\n',
        f'format: !!python/object/apply:subprocess.check_call [["touch", "{marker}"]]\n',
        "format: !!python/object/new:os.system\n  args: ['" + command + "']\n",
        "format: !!python/name:os.system\n",
        "format: !!python/module:os\n",
        "format: tracker/1\nmeetings:\n  - !!python/object:builtins.object {}\n",
    ]


@pytest.mark.parametrize("index", range(6))
def test_object_tags_are_rejected_and_never_run(tmp_path: Path, index: int) -> None:
    marker = tmp_path / "ran"
    payload = _payloads(marker)[index]
    with pytest.raises(InvalidInput, match="expected a YAML document"):
        parse_document_text(payload, origin="evil.yaml")
    path = tmp_path / "evil.yaml"
    path.write_text(payload, encoding="utf-8")
    database = tmp_path / "tracker.db"
    result = CliRunner().invoke(main, ["--db", str(database), "import", str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}: expected a YAML document")
    assert result.stderr.count("\n") == 1
    assert not marker.exists()
    assert not database.exists()


def test_no_yaml_reading_path_uses_an_unsafe_loader() -> None:
    # Every YAML read in the application goes through yaml.safe_load (seeds included:
    # they are parsed by tracker.document.parse_document_text).
    unsafe = {"load", "load_all", "unsafe_load", "unsafe_load_all", "full_load", "full_load_all"}
    found = []
    safe_loads = 0
    for folder in ("tracker", "cli", "db", "seeds"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                    if node.value.id == "yaml" and node.attr in unsafe | {"Loader", "FullLoader"}:
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} yaml.{node.attr}")
                    if node.value.id == "yaml" and node.attr == "safe_load":
                        safe_loads += 1
    assert found == []
    assert safe_loads >= 1
