"""One self-contained page: readable offline, printable, no network request.

The page has a title, the filters used, a world map (country outlines from the
shipped Natural Earth TopoJSON, ``tracker.exporters.worldmap``, with a marker per place
sized by its meetings and linked to them), a lane per envoy along a time axis (an
inline SVG with a mark per meeting placed by its dates; a meeting of several envoys has
a mark in each of their lanes) and the table of meetings below them. Each meeting
expands (``<details>``) to its participants with their roles and sides, its statements
with their speakers, the accounts of its facts that have them (each value with its
sources, what was said and by whom, the preferred one and the disputed facts marked),
and its sources. A search box and an envoy filter work offline
(one inline script, allowed by its hash in the page's Content-Security-Policy, which
allows nothing else); without scripts the page reads the same, all rows shown. The
table reflows: columns that wrap on wide screens, one card per meeting on a phone.
Every value from the data goes through ``html.escape``.

The lanes, the map and the envoy filter are known only once every meeting has been
read, so the marks and the table rows are written to spooled temporary files as they
are read (in memory while small, on disk beyond that) and copied into the page at the
end: one pass over the database, with flat memory. Statements and accounts are read
once per batch of meetings.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import IO, TextIO
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker import __version__
from tracker.accounts import MEETING_FIELDS, Fact, facts, meeting_accounts, shown
from tracker.exporters import lanes, worldmap
from tracker.exporters.base import Export, Exporter, Summary, batched
from tracker.exporters.ics import uncertain
from tracker.exporters.markup import anchor, attr, escape
from tracker.exporters.places import Atlas
from tracker.models import Account, Source, Statement
from tracker.query import (
    BATCH,
    Row,
    SourceRef,
    TimelineRecord,
    format_duration,
    shown_edtf,
    when_of,
)
from tracker.vocab import MeetingStatus

SPOOL_BYTES = 4 * 1024 * 1024
MARKER_MIN = 3.0
MARKER_MAX = 14.0
"""Radii of the map's markers (SVG units on a 1000-wide map): the area grows with the
number of meetings at a place, up to the place with the most."""


@cache
def _asset(name: str) -> str:
    return resources.files("tracker.exporters").joinpath(f"assets/{name}").read_text("utf-8")


@cache
def policy() -> str:
    """The page's Content-Security-Policy: nothing from anywhere; inline styles; the one
    inline script, by its hash."""
    digest = hashlib.sha256(_asset("page.js").encode("utf-8")).digest()
    script = base64.b64encode(digest).decode("ascii")
    return (
        "default-src 'none'; style-src 'unsafe-inline'; "
        f"script-src 'sha256-{script}'; base-uri 'none'; form-action 'none'"
    )


def _place(row: Row) -> str:
    parts = (row["venue"], row["city"], row["country"])
    return ", ".join(dict.fromkeys(part for part in parts if part))


def _link(source: Source | SourceRef) -> str:
    """A source as a link (its title, else publisher, else host), or as text without URL."""
    label = source.title or source.publisher
    if source.url and source.url.startswith(("https://", "http://")):
        host = (urlsplit(source.url).hostname or source.url).removeprefix("www.")
        text = f"{label} ({host})" if label else host
        return f'<a href="{attr(source.url)}">{escape(text)}</a>'
    return escape(label or source.url or source.uid)


def _fact(fact: Fact) -> str:
    """A fact's accounts, numbered as `tracker account list` numbers them: each value
    with what was said, by whom, a note and its sources."""
    name = fact.field.replace("_", " ").capitalize()
    mark = ' <span class="disputed">disputed</span>' if fact.disputed else ""
    items = []
    for account in fact.accounts:
        chosen = account is fact.chosen
        # Who said it and in what language, as statements give it: "Yuri Ushakov (ru)".
        who = account.speaker.name if account.speaker is not None else ""
        if account.language:
            who = f"{who} ({account.language})".lstrip()
        lang = f' lang="{attr(account.language)}"' if account.language else ""
        sources = "; ".join(_link(link.source) for link in account.source_links)
        items.append(
            ('<li class="preferred">' if chosen else "<li>")
            + f'<span class="value">{escape(shown(account))}</span>'
            + (' <span class="chosen">preferred</span>' if chosen else "")
            + (f"<blockquote{lang}>{escape(account.quote)}</blockquote>" if account.quote else "")
            + (f'<p class="said">{escape(who)}</p>' if who else "")
            + (f'<p class="note">{escape(account.note)}</p>' if account.note else "")
            + (f'<p class="from">Source: {sources}</p>' if sources else "")
            + "</li>"
        )
    return f"<dt>{escape(name)}{mark}</dt><dd><ol>{''.join(items)}</ol></dd>"


def _spool() -> IO[str]:
    """A text file kept in memory up to ``SPOOL_BYTES``, on disk beyond."""
    return tempfile.SpooledTemporaryFile(
        max_size=SPOOL_BYTES, mode="w+", encoding="utf-8", newline=""
    )


@dataclass
class _Spot:
    """A marker of the map: a place, its position, its meetings and the first of them."""

    uid: str
    name: str
    x: float
    y: float
    meetings: int
    first: str


class HtmlExporter(Exporter):
    name = "html"
    extensions = ("html", "htm")
    media_type = "text/html; charset=utf-8"
    summary = (
        "one self-contained page: a map, a lane per envoy along a time axis, then the "
        "meetings, each expanding to its participants, statements and sources"
    )
    reads_orm = True  # statements and accounts

    def write(self, export: Export, stream: TextIO) -> int:
        summary = export.summary()
        envoys: dict[str, int] = {}
        outcomes: set[str] = set()
        spots: dict[int, _Spot] = {}
        atlas = Atlas(export.read)
        any_uncertain = False
        any_not_held = False
        count = 0
        loose = 0
        with _spool() as marks, _spool() as unassigned, _spool() as rows:
            axis = (
                lanes.Axis(summary.earliest, summary.latest)
                if summary.earliest is not None and summary.latest is not None
                else None
            )
            for record, statements, accounts in self._with_details(export):
                count += 1
                row = record.row
                place_id = record.place_id
                place = atlas.places.get(place_id) if place_id is not None else None
                rows.write(self._row(record, statements, accounts, place.uid if place else ""))
                outcomes.add(row["outcome"])
                any_not_held = any_not_held or row["status"] != MeetingStatus.HELD.value
                if place_id is not None and place is not None:
                    self._count(spots, atlas, place_id, row["uid"])
                latest = date.fromisoformat(row["latest"])
                is_uncertain = uncertain(when_of(row["edtf"], record.earliest, latest))
                any_uncertain = any_uncertain or is_uncertain
                if axis is None:
                    continue
                if not record.envoys:
                    # The lane of meetings without an envoy goes last: drawn at y 0 here
                    # and moved below the other lanes once their number is known.
                    unassigned.write(lanes.mark(record, 0, axis, latest, is_uncertain))
                    loose += 1
                for envoy in record.envoy_names:
                    lane = envoys.setdefault(envoy, len(envoys))
                    marks.write(lanes.mark(record, lane, axis, latest, is_uncertain))
            stream.write(self._head(export, summary, count))
            if count:
                stream.write(self._map(list(spots.values())))
            if axis is not None and count:
                names = list(envoys) + ([lanes.NO_ENVOY] if loose else [])
                stream.write(lanes.figure_start(axis, names, count))
                marks.seek(0)
                shutil.copyfileobj(marks, stream)
                if loose:
                    stream.write(
                        f'<g transform="translate(0 {len(envoys) * lanes.LANE_HEIGHT})">\n'
                    )
                    unassigned.seek(0)
                    shutil.copyfileobj(unassigned, stream)
                    stream.write("</g>\n")
                stream.write(lanes.figure_svg_end())
                stream.write(lanes.legend(outcomes, any_uncertain, any_not_held))
                stream.write("</figure>\n</section>\n")
            stream.write(self._table_start(count, sorted(envoys)))
            rows.seek(0)
            shutil.copyfileobj(rows, stream)
            stream.write(self._tail(count))
        return count

    def _with_details(
        self, export: Export
    ) -> Iterator[tuple[TimelineRecord, list[Statement], list[Account]]]:
        """The records, each with its meeting's statements (speakers and sources loaded)
        and accounts, read once per batch of records."""
        for batch in batched(export.records(), BATCH):
            ids = [record.id for record in batch]
            accounts = meeting_accounts(export.session, ids)
            said: dict[int, list[Statement]] = {}
            query = (
                select(Statement)
                .where(Statement.meeting_id.in_(ids))
                .order_by(Statement.earliest, Statement.id)
                .options(selectinload(Statement.speaker), selectinload(Statement.sources))
            )
            for statement in export.session.scalars(query):
                assert statement.meeting_id is not None
                said.setdefault(statement.meeting_id, []).append(statement)
            for record in batch:
                yield record, said.get(record.id, []), accounts.get(record.id, [])

    @staticmethod
    def _count(spots: dict[int, _Spot], atlas: object, place_id: int, uid: str) -> None:
        from tracker.exporters.places import Atlas

        assert isinstance(atlas, Atlas)
        if place_id in spots:
            spots[place_id].meetings += 1
            return
        point = atlas.point(place_id)
        if point is None:
            return
        x, y = worldmap.project(point.lon, point.lat)
        spots[place_id] = _Spot(
            atlas.places[place_id].uid, atlas.places[place_id].name, x, y, 1, uid
        )

    # -- pieces of the page -------------------------------------------------------------

    def _head(self, export: Export, summary: Summary, count: int) -> str:
        title = escape(export.title)
        if count == 0:
            span = "No meetings match."
        elif summary.earliest == summary.latest or summary.latest is None:
            span = f"{count} meeting{'s' if count != 1 else ''}, {summary.earliest}."
        else:
            span = (
                f"{count} meeting{'s' if count != 1 else ''}, "
                f"from {summary.earliest} to {summary.latest}."
            )
        labels = export.filter_labels()
        if labels:
            filters = "".join(
                f"<div><dt>{escape(label)}</dt><dd>{escape(value)}</dd></div>"
                for label, value in labels
            )
            filters_html = f'<dl class="filters" aria-label="Filters">{filters}</dl>'
        else:
            filters_html = '<p class="meta">Filters: none (the whole database).</p>'
        return (
            "<!DOCTYPE html>\n"
            '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{policy()}">\n'
            f'<meta name="generator" content="tracker {__version__}">\n'
            f"<title>{title}</title>\n<style>\n{_asset('page.css')}</style>\n</head>\n"
            f"<body>\n<header>\n<h1>{title}</h1>\n"
            f'<p class="meta" id="summary" data-meetings="{count}">{escape(span)}</p>\n'
            f"{filters_html}\n</header>\n<main>\n"
        )

    def _map(self, spots: list[_Spot]) -> str:
        height = worldmap.HEIGHT
        most = max((spot.meetings for spot in spots), default=1)
        markers = []
        # The largest first, so that a small marker is never hidden under a large one.
        for spot in sorted(spots, key=lambda s: (-s.meetings, s.name, s.uid)):
            radius = MARKER_MIN + (MARKER_MAX - MARKER_MIN) * (spot.meetings / most) ** 0.5
            label = f"{spot.name}: {spot.meetings} meeting{'s' if spot.meetings != 1 else ''}"
            markers.append(
                f'<a class="spot" href="#{attr(anchor(spot.first))}" '
                f'data-place="{attr(spot.uid)}" data-name="{attr(spot.name)}">'
                f'<circle cx="{spot.x:g}" cy="{spot.y:g}" r="{radius:.1f}">'
                f"<title>{escape(label)}</title></circle></a>\n"
            )
        placed = sum(spot.meetings for spot in spots)
        return (
            '<section aria-labelledby="map-heading">\n'
            '<h2 id="map-heading">Where</h2>\n<figure>\n'
            f'<svg class="map" viewBox="0 0 {worldmap.WIDTH:g} {height:g}" role="img" '
            'aria-labelledby="map-title" xmlns="http://www.w3.org/2000/svg">\n'
            '<title id="map-title">Places of the meetings on a world map</title>\n'
            f'<path class="land" d="{worldmap.land_path()}"/>\n'
            + "".join(markers)
            + "</svg>\n<figcaption>A marker per place, its area by the number of meetings "
            f"there ({placed} of them placed); select one to list its meetings. A place "
            "without coordinates of its own is drawn at the nearest place above it that "
            "has them. Country outlines: Natural Earth.</figcaption>\n</figure>\n</section>\n"
        )

    def _table_start(self, count: int, envoys: list[str]) -> str:
        headers = ("Date", "Meeting", "Envoys", "Counterparts", "Duration", "Outcome")
        columns = ("date", "meeting", "envoys", "counterparts", "duration", "outcome")
        head = "".join(f'<th scope="col">{h}</th>' for h in headers)
        cols = "".join(f'<col class="{c}">' for c in columns)
        options = "".join(
            f'<option value="{attr(name)}">{escape(name)}</option>' for name in envoys
        )
        controls = (
            '<form class="controls" id="controls" role="search" hidden>'
            '<label>Search<input type="search" id="search" autocomplete="off" '
            'placeholder="a name, a word, a place"></label>'
            f'<label>Envoy<select id="envoy"><option value="">All envoys</option>{options}'
            "</select></label>"
            '<p id="place" hidden>Place: <strong id="place-name"></strong> '
            '<button type="button" id="clear-place">All places</button></p>'
            '<output id="shown" aria-live="polite"></output></form>\n'
        )
        return (
            '<section aria-labelledby="table-heading">\n'
            '<h2 id="table-heading">Meetings</h2>\n'
            + (controls if count else "")
            + f"<table>\n<caption>{count} meeting{'s' if count != 1 else ''} in chronological "
            "order; dates as the sources give them. Select a meeting for its participants, "
            "statements and sources.</caption>\n"
            f"<colgroup>{cols}</colgroup>\n<thead><tr>{head}</tr></thead>\n<tbody>\n"
        )

    def _row(
        self,
        record: TimelineRecord,
        statements: list[Statement],
        accounts: list[Account],
        place_uid: str,
    ) -> str:
        row = record.row
        duration = format_duration(row["duration_minutes"], row["duration_qualifier"]) or ""
        held = row["status"] == MeetingStatus.HELD.value
        status = "" if held else f' <span class="status">{escape(row["status"])}</span>'
        what = " · ".join(part for part in (row["kind"], _place(row)) if part)
        summary = escape(row["outcome_summary"] or "")
        return (
            f'<tr id="{attr(anchor(row["uid"]))}" data-uid="{attr(row["uid"])}" '
            f'data-envoys="{attr(chr(10).join(record.envoy_names))}" '
            f'data-place="{attr(place_uid)}"'
            f"{'' if held else ' class=' + chr(34) + 'not-held' + chr(34)}>"
            f'<td class="date" data-label="Date" title="EDTF {attr(row["edtf"])}">'
            f"{escape(row['date'])}</td>"
            f'<th scope="row" data-label="Meeting"><details><summary>{escape(row["title"])}'
            f"</summary>{self._more(record, statements, accounts)}</details>"
            f'<p class="what">{escape(what)}{status}</p></th>'
            f'<td data-label="Envoys">{escape(row["envoys"] or "")}</td>'
            f'<td data-label="Counterparts">{escape(row["counterparts"] or "")}</td>'
            f'<td data-label="Duration">{escape(duration)}</td>'
            f'<td data-label="Outcome"><span class="outcome-name">{escape(row["outcome"])}'
            f"</span>{' ' + summary if summary else ''}</td></tr>\n"
        )

    def _more(
        self, record: TimelineRecord, statements: list[Statement], accounts: list[Account]
    ) -> str:
        """What a meeting expands to: participants, statements, accounts, sources."""
        parts = ['<div class="more">']
        people = []
        for participant in record.participants:
            about = ", ".join(p for p in (participant.role, participant.side) if p)
            people.append(
                f"<li>{escape(participant.name)}"
                + (f" ({escape(about)})" if about else "")
                + "</li>"
            )
        if people:
            parts.append("<h3>Participants</h3><ul>" + "".join(people) + "</ul>")
        said = []
        for statement in statements:
            when = shown_edtf(statement.edtf)
            about = ", ".join(p for p in (statement.kind, when, statement.language) if p)
            sources = "; ".join(_link(source) for source in statement.sources)
            said.append(
                f"<li><strong>{escape(statement.speaker.name)}</strong> ({escape(about)})"
                f"<blockquote>{escape(statement.text)}</blockquote>"
                + (f"Source: {sources}" if sources else "")
                + "</li>"
            )
        if said:
            parts.append("<h3>Statements</h3><ul>" + "".join(said) + "</ul>")
        told = facts(MEETING_FIELDS, accounts, record.row["disputed"])
        if told:
            parts.append(
                '<h3>Accounts</h3><dl class="accounts">' + "".join(map(_fact, told)) + "</dl>"
            )
        links = [f"<li>{_link(source)}</li>" for source in record.sources]
        if links:
            parts.append("<h3>Sources</h3><ul>" + "".join(links) + "</ul>")
        parts.append("</div>")
        return "".join(parts)

    def _tail(self, count: int) -> str:
        empty = '<tr><td colspan="6">No meetings match.</td></tr>\n' if count == 0 else ""
        return (
            f"{empty}</tbody>\n</table>\n</section>\n</main>\n"
            f"<footer><p>Exported by tracker {__version__}. A mark spans the days a "
            "meeting's date covers; one dated only to a month spans the month.</p></footer>\n"
            f"<script>{_asset('page.js')}</script>\n"
            "</body>\n</html>\n"
        )
