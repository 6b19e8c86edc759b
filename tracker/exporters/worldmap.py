"""A world map drawn offline: country outlines from the ``world-atlas`` TopoJSON shipped
as package data (``assets/countries-110m.json``: Natural Earth at 1:110 million), in an
equirectangular projection, as one SVG path.

TopoJSON keeps each border once, as an "arc" of quantised, delta-encoded positions;
a polygon's rings list the arcs they follow (``~i`` for arc ``i`` reversed). Decoding
that takes a few lines, so the map needs no library and no network.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

WIDTH = 1000.0
TOP = 84.0
"""The latitudes drawn: from 84° N down to 58° S (Antarctica is left out)."""
BOTTOM = -58.0
ANTARCTICA = "010"
"""Its ISO 3166-1 numeric code, the ``id`` world-atlas gives each country."""
HEIGHT = round(WIDTH / 360 * (TOP - BOTTOM), 1)


def project(lon: float, lat: float) -> tuple[float, float]:
    """SVG x and y of a position (WGS 84 degrees), equirectangular."""
    x = (lon + 180.0) / 360.0 * WIDTH
    y = (TOP - lat) / 360.0 * WIDTH
    return round(x, 1), round(y, 1)


def _arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Every arc as absolute longitude and latitude pairs."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> str:
    """The subpath of one ring. A ring that crosses the antimeridian (Russia's east,
    Fiji) is unwrapped to continuous longitudes and drawn again 360° over, so that each
    side of the map shows its part; the SVG clips what falls outside."""
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])  # arcs share their end points
    if len(points) < 3:
        return ""
    unwrapped = [points[0]]
    for lon, lat in points[1:]:
        previous = unwrapped[-1][0]
        while lon - previous > 180:
            lon -= 360
        while lon - previous < -180:
            lon += 360
        unwrapped.append((lon, lat))
    shifts = [0.0]
    if min(lon for lon, _lat in unwrapped) < -180:
        shifts.append(360.0)
    if max(lon for lon, _lat in unwrapped) > 180:
        shifts.append(-360.0)
    return "".join(_subpath([(lon + shift, lat) for lon, lat in unwrapped]) for shift in shifts)


def _subpath(points: list[tuple[float, float]]) -> str:
    projected = [project(lon, lat) for lon, lat in points]
    kept = [projected[0]]
    for point in projected[1:]:
        if point != kept[-1]:
            kept.append(point)
    return "M" + "L".join(f"{x:g},{y:g}" for x, y in kept) + "Z"


@cache
def land_path() -> str:
    """The ``d`` of one SVG path drawing every country's outline."""
    text = resources.files("tracker.exporters").joinpath("assets/countries-110m.json")
    topology = json.loads(text.read_text(encoding="utf-8"))
    arcs = _arcs(topology)
    parts: list[str] = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry.get("id") == ANTARCTICA:
            continue  # below the map's southern edge, and a ring around the pole
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        for polygon in polygons:
            parts.extend(_ring(arcs, ring) for ring in polygon)
    return "".join(parts)
