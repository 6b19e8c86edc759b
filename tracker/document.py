"""The document format ``tracker/1``: a lossless reader and writer.

A document is a mapping::

    {"format": "tracker/1", "people": [...], "places": [...], "sources": [...],
     "visits": [...], "meetings": [...], "statements": [...]}

Records refer to each other by uid, or by name for people and places. This module
parses the text; :mod:`tracker.loader` loads a document through the write layer (a
record updates the fields it gives and leaves the rest alone; loading a file twice
changes nothing), :mod:`tracker.dump` writes one, and :mod:`tracker.canonical` holds
each record's canonical form.
"""

from __future__ import annotations

from typing import Any

from tracker.dump import document_json, document_yaml, dump_document
from tracker.errors import InvalidInput
from tracker.loader import FORMAT, SECTIONS, SINGULAR, load_document
from tracker.write.report import ChangeReport as LoadReport

Doc = dict[str, Any]

__all__ = [
    "FORMAT",
    "SECTIONS",
    "SINGULAR",
    "LoadReport",
    "document_json",
    "document_yaml",
    "dump_document",
    "load_document",
    "parse_document_text",
]


def parse_document_text(text: str, *, origin: str, kind: str | None = None) -> Doc:
    """Parse JSON or YAML text into a document mapping, within the bounds and rules of
    ``tracker.structured`` (no aliases, bounded nesting, each key once, text as written).

    ``kind`` is ``json`` or ``yaml``; when ``None`` it is guessed from ``origin``'s
    extension, then from the text.
    """
    if kind is None:
        lowered = origin.lower()
        if lowered.endswith(".json"):
            kind = "json"
        elif lowered.endswith((".yaml", ".yml")):
            kind = "yaml"
        else:
            kind = "json" if text.lstrip().startswith(("{", "[")) else "yaml"
    from tracker.structured import parse_text  # loads yaml: only when a document is read

    data = parse_text(text, origin=origin, kind=kind)
    if not isinstance(data, dict):
        raise InvalidInput(origin, f'a mapping with "format": "{FORMAT}"')
    return data
