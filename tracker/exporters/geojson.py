"""GeoJSON (RFC 7946): a FeatureCollection of the places where the selected meetings and
visits happened, each with them.

A Feature per place (``id`` its uid): a ``Point`` geometry in WGS 84 longitude and
latitude (the place's own coordinates, or its nearest parent's: ``coordinates_of``
says whose), or ``null`` when no place up its chain has any; ``properties`` hold the
place (uid, name, kind, country, parent) and what happened there: ``meetings`` (uid,
date as shown, edtf, kind, title, status, envoys, counterparts, duration, outcome) and
``visits`` (uid, date, edtf, travellers, purpose), with their counts. Features are
written one per line, by place name.

A feature is complete only once every meeting has been read, so the export holds a
small record per meeting and visit in memory until it writes (the timeline formats
stream instead).
"""

from __future__ import annotations

import json
from typing import TextIO

from tracker.exporters.base import Export, Exporter
from tracker.exporters.places import atlas_of, feature


class GeoJsonExporter(Exporter):
    name = "geojson"
    extensions = ("geojson",)
    media_type = "application/geo+json"
    summary = "places with their visits and meetings (RFC 7946 FeatureCollection)"

    def write(self, export: Export, stream: TextIO) -> int:
        atlas, count = atlas_of(export)
        stream.write('{"type": "FeatureCollection", "features": [')
        for index, spot in enumerate(atlas.ordered()):
            stream.write(",\n  " if index else "\n  ")
            stream.write(json.dumps(feature(spot), ensure_ascii=False))
        stream.write("\n]}\n" if atlas.spots else "]}\n")
        return count
