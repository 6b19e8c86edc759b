"""Exporters: the timeline and the document in the formats people use.

The registry is a list of ``Exporter`` classes, each with a ``name`` (what ``--format``
takes), ``extensions``, a ``media_type`` and one method, ``write(export, stream)``.
The built-in exporters are registered with ``register`` exactly as a plugin would
register its own; the command line builds its ``--format`` choice from ``names()``.
"""

from __future__ import annotations

from tracker.errors import InvalidInput
from tracker.exporters.base import DEFAULT_TITLE, Export, Exporter, Summary
from tracker.exporters.document import JsonExporter, YamlExporter
from tracker.exporters.geojson import GeoJsonExporter
from tracker.exporters.html import HtmlExporter
from tracker.exporters.ics import IcsExporter
from tracker.exporters.network import GexfExporter, GraphmlExporter
from tracker.exporters.table import CsvExporter, MarkdownExporter, NdjsonExporter
from tracker.exporters.timelinejs import TimelineJsExporter

EXPORTERS: list[type[Exporter]] = []


def register(exporter: type[Exporter]) -> type[Exporter]:
    """Add ``exporter`` to the registry (usable as a class decorator). A name already
    registered is replaced, so a plugin can override a built-in format."""
    EXPORTERS[:] = [known for known in EXPORTERS if known.name != exporter.name]
    EXPORTERS.append(exporter)
    return exporter


for _builtin in (
    CsvExporter,
    MarkdownExporter,
    NdjsonExporter,
    JsonExporter,
    YamlExporter,
    HtmlExporter,
    IcsExporter,
    TimelineJsExporter,
    GraphmlExporter,
    GexfExporter,
    GeoJsonExporter,
):
    register(_builtin)


def names() -> list[str]:
    """The registered format names, in registration order."""
    return [exporter.name for exporter in EXPORTERS]


def exporter_named(name: str) -> Exporter:
    """An instance of the exporter registered as ``name``."""
    for exporter in EXPORTERS:
        if exporter.name == name:
            return exporter()
    raise InvalidInput("--format", "one of " + ", ".join(names()), name)


def name_for_extension(filename: str) -> str | None:
    """The format a file name asks for by its extension (the first exporter registered
    for it: ``.json`` is the json document, not timelinejs); ``None`` when none is."""
    _stem, dot, extension = filename.rpartition(".")
    if not dot:
        return None
    for exporter in EXPORTERS:
        if extension.lower() in exporter.extensions:
            return exporter.name
    return None


def known_extensions() -> list[str]:
    """Every extension some exporter is picked for, with its dot (``.csv``)."""
    return list(dict.fromkeys(f".{ext}" for exporter in EXPORTERS for ext in exporter.extensions))


__all__ = [
    "DEFAULT_TITLE",
    "EXPORTERS",
    "CsvExporter",
    "Export",
    "Exporter",
    "GeoJsonExporter",
    "GexfExporter",
    "GraphmlExporter",
    "HtmlExporter",
    "IcsExporter",
    "JsonExporter",
    "MarkdownExporter",
    "NdjsonExporter",
    "Summary",
    "TimelineJsExporter",
    "YamlExporter",
    "exporter_named",
    "known_extensions",
    "name_for_extension",
    "names",
    "register",
]
