"""Every table view on a terminal 80 and 200 cells wide, on the seed data, on both
backends: nothing is cut (no name, no header word, no month label), no line is wider
than the terminal, and the columns of least value go first."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from rich.console import Console

from tests.cli.conftest import Invoke

Terminal = Callable[..., list[str]]

VIEWS = [
    ("visits",),
    ("visits", "Witkoff"),
    ("timeline",),
    ("timeline", "--view", "lanes"),
    ("stats",),
    ("stats", "--with", "Putin"),
    ("counterparts",),
    ("people",),
    ("places",),
    ("history",),
]


@pytest.fixture
def seeded(run: Invoke) -> Invoke:
    result = run("seed")
    assert result.exit_code == 0, result.output
    return run


@pytest.fixture
def terminal(seeded: Invoke, monkeypatch: pytest.MonkeyPatch) -> Terminal:
    """Run a command as on a terminal ``width`` cells wide; its lines."""

    def invoke(width: int, *args: str) -> list[str]:
        def console(*, stderr: bool) -> Console:
            return Console(
                stderr=stderr,
                width=width,
                force_terminal=True,
                color_system=None,
                highlight=False,
                markup=False,
                emoji=False,
            )

        monkeypatch.setattr("cli.context.make_console", console)
        result = seeded(*args)
        assert result.exit_code == 0, result.output
        return [line.rstrip() for line in result.stdout.splitlines()]

    return invoke


NAME_KEYS = ("envoy", "counterpart", "envoys", "counterparts", "name", "destination", "parent")
"""The keys of the names a view shows whole on one line (an envoy, a person or a
place named in a column of its own or in a list of names)."""
WRAPPED_KEYS = ("destinations",)
"""The keys of the names a view shows in free text, which wraps between words."""


def _names(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> set[str]:
    found: set[str] = set()
    for row in rows:
        for key in keys:
            if row.get(key):
                found.update(name.strip() for name in str(row[key]).split("; "))
    return found


def _headers(lines: list[str]) -> list[str]:
    """The header words of a table: the lines above its rule."""
    rule = next(i for i, line in enumerate(lines) if line.startswith("─"))
    return " ".join(lines[:rule]).split()


@pytest.mark.parametrize("args", VIEWS, ids=" ".join)
@pytest.mark.parametrize("width", [80, 200])
def test_nothing_is_cut(terminal: Terminal, seeded: Invoke, width: int, args: tuple[str]) -> None:
    lines = terminal(width, *args)
    assert lines
    assert all(len(line) <= width for line in lines), max(lines, key=len)
    text = "\n".join(lines)
    assert "…" not in text
    rows = json.loads(seeded(*args, "--format", "json").stdout)
    for name in _names(rows, NAME_KEYS):
        assert name in text, f"{name!r} is not shown whole at {width} cells"
    words = {word.strip(";,") for word in text.split()}
    for name in _names(rows, WRAPPED_KEYS):
        for word in name.split():
            assert word.strip(";,") in words, f"{name!r} is cut at {width} cells"


def test_stats_at_80_keeps_what_matters_most(terminal: Terminal) -> None:
    assert _headers(terminal(80, "stats")) == ["envoy", "visits", "meetings", "talks", "outcomes"]
    assert _headers(terminal(200, "stats")) == [
        "envoy",
        "visits",
        "meetings",
        "first",
        "last",
        "mean",
        "gap",
        "(days)",
        "longest",
        "gap",
        "(days)",
        "talks",
        "no",
        "duration",
        "disputed",
        "outcomes",
    ]
    (witkoff,) = [line for line in terminal(80, "stats") if line.startswith("Steve Witkoff")]
    assert "at least c. 25 h 30 min" in witkoff


def test_the_timeline_at_80_drops_kind_duration_place_outcome(terminal: Terminal) -> None:
    assert _headers(terminal(80, "timeline")) == [
        "date",
        "status",
        "title",
        "envoys",
        "counterparts",
    ]
    assert _headers(terminal(200, "timeline")) == [
        "date",
        "kind",
        "status",
        "title",
        "envoys",
        "counterparts",
        "place",
        "duration",
        "outcome",
    ]


def test_lists_of_names_take_a_line_each_when_narrow(terminal: Terminal) -> None:
    lines = terminal(80, "visits", "Witkoff")
    (first,) = [i for i, line in enumerate(lines) if line.startswith("#4 ")]
    assert lines[first].split()[-2:] == ["Dmitriev", "unknown"]
    assert lines[first + 1].split() == ["Vladimir", "Putin"]
    assert lines[first + 2].split() == ["Yuri", "Ushakov"]
    wide = terminal(200, "visits", "Witkoff")
    assert "Kirill Dmitriev; Vladimir Putin; Yuri Ushakov" in "\n".join(wide)


def test_lanes_label_their_months_by_name_with_the_year(terminal: Terminal) -> None:
    lines = terminal(80, "timeline", "--view", "lanes")
    words = " ".join(lines).split()
    months = ["Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    assert [word for word in words if word in months] == months
    assert "2025" in words
    assert all("202…" not in line and len(line) <= 80 for line in lines)
    wide = terminal(200, "timeline", "--view", "lanes")
    assert sum(1 for line in wide if line.startswith("─")) == 1  # one table
    header = _headers(wide)
    assert header[:3] == ["2025", "envoy", "status"]
    assert header[3:] == months
