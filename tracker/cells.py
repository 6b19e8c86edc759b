"""A list inside one table cell: ``Marco Rubio; Mike Waltz``.

Values are joined with ``"; "``. A value that holds the separator itself keeps it,
escaped with a backslash (``Smith\\; Jones``; a backslash is doubled), so that any list
survives a csv export and its import: ``split_list(join_list(values)) == values`` for
values without surrounding white space. A cell written before lists were escaped reads
as it did, unless a value held a backslash.
"""

from __future__ import annotations

from collections.abc import Iterable

SEPARATOR = "; "


def escape_item(value: str) -> str:
    """One value of a list cell, with ``\\`` and ``;`` escaped."""
    if "\\" in value or ";" in value:
        return value.replace("\\", "\\\\").replace(";", "\\;")
    return value


def join_list(values: Iterable[str]) -> str:
    """``["Smith; Jones", "Lee"]`` → ``Smith\\; Jones; Lee``."""
    return SEPARATOR.join(map(escape_item, values))


def split_list(cell: str) -> list[str]:
    """The values of a list cell (stripped; empty ones dropped): the inverse of
    ``join_list``."""
    if "\\" not in cell:
        return list(filter(None, map(str.strip, cell.split(";"))))
    values: list[str] = []
    current: list[str] = []
    chars = iter(cell)
    for char in chars:
        if char == "\\":
            current.append(next(chars, "\\"))
        elif char == ";":
            values.append("".join(current))
            current = []
        else:
            current.append(char)
    values.append("".join(current))
    return [part for value in values if (part := value.strip())]


class ListCell(list[str]):
    """A list that is one cell of a table (``disputed``: ``["date", "duration"]``).

    JSON writes it as an array; csv (whose writer writes ``str()`` of a value that is
    not text) and markdown write it joined, ``date; duration``: so a row that holds one
    still goes to the csv writer as it is, with no cell converted on the way.
    """

    __slots__ = ()

    def __str__(self) -> str:
        return join_list(self)
