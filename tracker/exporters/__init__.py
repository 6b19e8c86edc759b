"""Exporters: the timeline and the document in the formats people use.

The registry is a list of formats, each with a ``name`` (what ``--format`` takes),
``extensions``, a ``media_type``, a ``summary`` and an ``Exporter`` class with one
method, ``write(export, stream)``. ``register`` adds an ``Exporter`` class, or a
``Format`` that names where its class lives (``"package.module:Class"``), imported only
when that format is written: ``--format`` choices, file extensions and media types are
known without loading html, ics or networkx. The built-in formats are registered with
``register`` exactly as a plugin would register its own (and a plugin may pass either).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tracker.errors import InvalidInput

if TYPE_CHECKING:
    from tracker.exporters.base import DEFAULT_TITLE, Export, Exporter, Summary


@dataclass(frozen=True)
class Format:
    """One registered format: what ``--format`` and a file name know of it, and its
    exporter class (given, or imported from ``home`` on first use)."""

    name: str
    extensions: tuple[str, ...]
    media_type: str
    summary: str
    home: str | None = None
    """``"package.module:Class"``: where the exporter class is, for a lazy format."""
    exporter: type[Exporter] | None = field(default=None, compare=False)

    @classmethod
    def of(cls, exporter: type[Exporter]) -> Format:
        """The format of an exporter class (its metadata is the class's own)."""
        return cls(
            exporter.name,
            tuple(exporter.extensions),
            exporter.media_type,
            exporter.summary,
            exporter=exporter,
        )

    def load(self) -> type[Exporter]:
        """The exporter class (importing its module, for a lazy format)."""
        if self.exporter is not None:
            return self.exporter
        if self.home is None:
            raise LookupError(f"format {self.name!r} names no exporter")
        module, _colon, name = self.home.partition(":")
        loaded: type[Exporter] = getattr(importlib.import_module(module), name)
        return loaded


EXPORTERS: list[Format] = []


def register(exporter: type[Exporter] | Format) -> type[Exporter] | Format:
    """Add ``exporter`` (an ``Exporter`` class, or a ``Format`` naming where its class
    is) to the registry; usable as a class decorator. A name already registered is
    replaced, so a plugin can override a built-in format."""
    entry = exporter if isinstance(exporter, Format) else Format.of(exporter)
    EXPORTERS[:] = [known for known in EXPORTERS if known.name != entry.name]
    EXPORTERS.append(entry)
    return exporter


for _builtin in (
    Format(
        "csv",
        ("csv",),
        "text/csv; charset=utf-8; header=present",
        "the timeline table, RFC 4180 (UTF-8, CRLF, a header row)",
        "tracker.exporters.table:CsvExporter",
    ),
    Format(
        "markdown",
        ("md", "markdown"),
        "text/markdown; charset=utf-8; variant=GFM",
        "the timeline table as a pipe table (every cell escaped)",
        "tracker.exporters.table:MarkdownExporter",
    ),
    Format(
        "ndjson",
        ("ndjson", "jsonl"),
        "application/x-ndjson",
        "the timeline table, one JSON object per line",
        "tracker.exporters.table:NdjsonExporter",
    ),
    Format(
        "json",
        ("json",),
        "application/json",
        "the lossless tracker/1 document (what tracker import reads)",
        "tracker.exporters.document:JsonExporter",
    ),
    Format(
        "yaml",
        ("yaml", "yml"),
        "application/yaml",
        "the lossless tracker/1 document as YAML",
        "tracker.exporters.document:YamlExporter",
    ),
    Format(
        "html",
        ("html", "htm"),
        "text/html; charset=utf-8",
        "one self-contained page: a map, a lane per envoy along a time axis, then the "
        "meetings, each expanding to its participants, statements and sources",
        "tracker.exporters.html:HtmlExporter",
    ),
    Format(
        "ics",
        ("ics",),
        "text/calendar; charset=utf-8",
        "iCalendar: an event per meeting (timed or all-day) and per visit",
        "tracker.exporters.ics:IcsExporter",
    ),
    Format(
        "timelinejs",
        ("json",),
        "application/json",
        "TimelineJS3 JSON (events, start_date, text, group = envoy, unique_id)",
        "tracker.exporters.timelinejs:TimelineJsExporter",
    ),
    Format(
        "graphml",
        ("graphml",),
        "application/graphml+xml",
        "who met whom: people as nodes, an edge per pair who met (GraphML, networkx)",
        "tracker.exporters.network:GraphmlExporter",
    ),
    Format(
        "gexf",
        ("gexf",),
        "application/gexf+xml",
        "who met whom: people as nodes, an edge per pair who met (GEXF 1.2, networkx)",
        "tracker.exporters.network:GexfExporter",
    ),
    Format(
        "geojson",
        ("geojson",),
        "application/geo+json",
        "places with their visits and meetings (RFC 7946 FeatureCollection)",
        "tracker.exporters.geojson:GeoJsonExporter",
    ),
):
    register(_builtin)


def names() -> list[str]:
    """The registered format names, in registration order."""
    return [entry.name for entry in EXPORTERS]


def format_named(name: str) -> Format:
    """The format registered as ``name``; InvalidInput naming the known ones."""
    for entry in EXPORTERS:
        if entry.name == name:
            return entry
    raise InvalidInput("--format", "one of " + ", ".join(names()), name)


def exporter_named(name: str) -> Exporter:
    """An instance of the exporter registered as ``name`` (its module imported now)."""
    return format_named(name).load()()


def name_for_extension(filename: str) -> str | None:
    """The format a file name asks for by its extension (the first format registered
    for it: ``.json`` is the json document, not timelinejs); ``None`` when none is."""
    _stem, dot, extension = filename.rpartition(".")
    if not dot:
        return None
    for entry in EXPORTERS:
        if extension.lower() in entry.extensions:
            return entry.name
    return None


def known_extensions() -> list[str]:
    """Every extension some format is picked for, with its dot (``.csv``)."""
    return list(dict.fromkeys(f".{ext}" for entry in EXPORTERS for ext in entry.extensions))


_BASE = ("DEFAULT_TITLE", "Export", "Exporter", "Summary")
_BUILTIN_CLASSES = {entry.home.partition(":")[2]: entry.home for entry in EXPORTERS if entry.home}


def __getattr__(name: str) -> Any:
    """What a plugin imports from here (``Exporter``, ``Export``, a built-in exporter
    class to extend), imported on first use so that the registry alone stays light."""
    if name in _BASE:
        return getattr(importlib.import_module("tracker.exporters.base"), name)
    home = _BUILTIN_CLASSES.get(name)
    if home is not None:
        module, _colon, attribute = home.partition(":")
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'tracker.exporters' has no attribute {name!r}")


__all__ = [
    "DEFAULT_TITLE",
    "EXPORTERS",
    "Export",
    "Exporter",
    "Format",
    "Summary",
    "exporter_named",
    "format_named",
    "known_extensions",
    "name_for_extension",
    "names",
    "register",
]
