"""The lossless ``tracker/1`` document (json, yaml): the selected meetings with their
visits, statements, people, places and sources; the whole database when nothing is
filtered. ``tracker import`` reads it back.

The document is sorted and cross-referenced as a whole (``dump_document``), so it is
built in memory before it is written, unlike the streaming formats.
"""

from __future__ import annotations

from typing import TextIO

from tracker.exporters.base import Export, Exporter

# tracker.document is imported when a document is written, not with the registry.


class _DocumentExporter(Exporter):
    reads_orm = True  # ``dump_document`` reads the models


class JsonExporter(_DocumentExporter):
    name = "json"
    extensions = ("json",)
    media_type = "application/json"
    summary = "the lossless tracker/1 document (what tracker import reads)"

    def write(self, export: Export, stream: TextIO) -> int:
        from tracker.document import document_json

        document = export.document()
        stream.write(document_json(document))
        return len(document["meetings"])


class YamlExporter(_DocumentExporter):
    name = "yaml"
    extensions = ("yaml", "yml")
    media_type = "application/yaml"
    summary = "the lossless tracker/1 document as YAML"

    def write(self, export: Export, stream: TextIO) -> int:
        from tracker.document import document_yaml

        document = export.document()
        stream.write(document_yaml(document))
        return len(document["meetings"])
