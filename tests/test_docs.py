"""Every command has help with an example, and the README documents every command."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cli.app import COMMANDS as LAZY
from cli.app import main

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        path = (*prefix, name)
        found.append(path)
        if isinstance(command, click.Group):
            found.extend(_commands(command, path))
    return found


COMMANDS = [(), *_commands(main)]


@pytest.mark.parametrize("name", sorted(LAZY))
def test_the_help_summary_is_the_commands_own(name: str) -> None:
    command = main.get_command(click.Context(main), name)
    assert command is not None
    assert command.get_short_help_str(1000) == LAZY[name][1]


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "tracker")
def test_help_has_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "-h"])
    assert result.exit_code == 0, result.output
    examples = [line for line in result.stdout.splitlines() if "Example: tracker" in line]
    assert examples, f"'tracker {' '.join(path)} -h' shows no example"


@pytest.mark.parametrize("path", COMMANDS[1:], ids=" ".join)
def test_readme_documents_the_command(path: tuple[str, ...]) -> None:
    assert f"tracker {' '.join(path)}" in README


def test_the_licence_is_the_one_pyproject_names_and_ships() -> None:
    import tomllib

    root = Path(__file__).parent.parent
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT"
    (path,) = project["license-files"]
    text = (root / path).read_text(encoding="utf-8")
    assert text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in text
    assert f"[`{path}`]({path})" in README


def test_the_readme_names_the_python_the_project_needs() -> None:
    import tomllib

    root = Path(__file__).parent.parent
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    version = project["requires-python"].removeprefix(">=")
    assert f"Python {version} or newer" in README


def test_the_default_database_is_where_the_readme_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    result = CliRunner().invoke(main, ["db", "info"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    assert f"sqlite:///{tmp_path}/tracker/tracker.db" in result.stdout
    assert "`$XDG_DATA_HOME/tracker/tracker.db` when that is set" in README
    assert "`~/.local/share/tracker/tracker.db`" in README
