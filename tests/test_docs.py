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
