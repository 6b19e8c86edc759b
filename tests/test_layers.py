"""The layers as DESIGN.md draws them, read from the source: ``tracker/`` never imports
Click, Rich or ``cli``; no module of ``db/`` or ``tracker/`` is part of an import cycle
(at run time: imports for type checking only are left out); only ``db/`` knows which
database it is on (``db/dialects.py`` holds what differs)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("tracker", "db", "cli")


@cache
def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path) -> Iterator[str]:
    """Every module ``path`` imports when it runs (at the top or inside a function)."""
    modules = _modules()

    def walk(node: ast.AST) -> Iterator[str]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking_only(child):
                for other in child.orelse:
                    yield from walk(other)
                continue
            if isinstance(child, ast.Import):
                yield from (alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and not child.level:
                # ``from package import module`` imports that module, not the rest of the
                # package (which every module of a package imports first, cycle or not).
                named = [f"{child.module}.{alias.name}" for alias in child.names]
                yield from named
                if not all(name in modules for name in named):
                    yield child.module
            yield from walk(child)

    yield from walk(ast.parse(path.read_text("utf-8")))


def test_the_domain_imports_no_click_rich_or_cli() -> None:
    found = [
        (name, imported)
        for name, path in _modules().items()
        if name.split(".")[0] == "tracker"
        for imported in _imports(path)
        if imported.split(".")[0] in ("click", "rich", "cli")
    ]
    assert found == []


@pytest.mark.parametrize("layer", ["db", "tracker"])
def test_no_import_cycle(layer: str) -> None:
    """No module of the layer is part of an import cycle, even one that an import inside
    a function hides: a module that needs one below it while that one needs it back holds
    a piece that belongs lower down."""
    modules = _modules()
    graph = {
        name: {imported for imported in _imports(path) if imported in modules and imported != name}
        for name, path in modules.items()
    }

    def cycle_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        seen: set[str] = set()
        while stack:
            node, trail = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    return [*trail, start]
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*trail, nxt]))
        return None

    starts = [name for name in graph if name.split(".")[0] == layer]
    cycles = [cycle for name in starts if (cycle := cycle_from(name)) is not None]
    assert cycles == []


DIALECTS = {"sqlite", "postgresql", "postgres", "psycopg"}
ASKED = re.compile(r"(\.dialect|\.dialect\.name|get_backend_name\(\)|\.backend)$")


def _branches_on_the_dialect(path: Path) -> Iterator[int]:
    """Lines of ``path`` that test which database they are on: a comparison with a
    dialect's name or with a ``dialect`` attribute, or SQL compiled for one dialect."""
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            named = any(isinstance(side, ast.Constant) and side.value in DIALECTS for side in sides)
            asked = any(ASKED.search(ast.unparse(side)) for side in sides)
            if named or asked:
                yield node.lineno
        elif (isinstance(node, ast.Call) and ast.unparse(node.func) == "compiles") and len(
            node.args
        ) > 1:
            yield node.lineno


def test_only_the_database_layer_knows_the_dialects() -> None:
    found = [
        (name, line)
        for name, path in _modules().items()
        if name.split(".")[0] != "db"
        for line in _branches_on_the_dialect(path)
    ]
    assert found == []
