"""YAML is read with one loader, built on PyYAML's safe constructor and knowing only the
core tags: tags that would construct Python objects or run code are rejected as bad
input, and nothing runs."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from click.testing import CliRunner
from yaml.constructor import SafeConstructor

from cli.app import main
from tracker import structured
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
    # Every YAML read in the application (seeds and mapping files included) goes through
    # tracker.structured: no module calls PyYAML's loading functions or names one of its
    # loaders, and the one loader there constructs only plain data.
    loading = {"load", "load_all", "safe_load", "safe_load_all", "unsafe_load"}
    loading |= {"unsafe_load_all", "full_load", "full_load_all", "parse", "compose"}
    loaders = {"Loader", "FullLoader", "UnsafeLoader", "SafeLoader", "CLoader", "CSafeLoader"}
    found = []
    for folder in ("tracker", "cli", "db", "seeds"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "yaml"
                    and node.attr in loading | loaders
                ):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} yaml.{node.attr}")
    assert found == []
    constructors = structured._Constructor.yaml_constructors
    assert issubclass(structured._Constructor, SafeConstructor)
    assert set(constructors) == {
        None,
        *(f"tag:yaml.org,2002:{tag}" for tag in ("null", "bool", "int", "float", "str")),
        *(f"tag:yaml.org,2002:{tag}" for tag in ("seq", "map")),
    }
    assert constructors[None] is SafeConstructor.construct_undefined
    assert structured._Constructor.yaml_multi_constructors == {}
