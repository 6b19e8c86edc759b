"""One self-contained HTML page: readable offline, printable, no network request.

The page has a title, the filters used, a lane per envoy along a time axis (an inline
SVG with a mark per meeting placed by its dates; a meeting of several envoys has a mark
in each of their lanes) and the full table below it (``<table>`` with a caption and
header cells). Styles are inline; there are no scripts, fonts or images. Every value
from the data goes through ``html.escape``.

The lanes are known only once every meeting has been read, so the marks and the table
rows are written to two spooled temporary files as they are read (in memory while
small, on disk beyond that) and copied into the page at the end: one pass over the
database, with flat memory.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from html import escape as html_escape
from typing import IO, TextIO
from urllib.parse import urlsplit

from tracker import __version__
from tracker.dates import Point
from tracker.exporters.base import Export, Exporter, Summary, when_of
from tracker.exporters.ics import uncertain
from tracker.query import Row, TimelineEntry, format_duration
from tracker.text import visible
from tracker.vocab import Outcome

SPOOL_BYTES = 4 * 1024 * 1024
WHITESPACE = "\n\t"
"""Characters of the data written as they are: the page shows them as white space."""

# The lane figure, in SVG user units.
WIDTH = 1000
LABEL_WIDTH = 190
PLOT_LEFT = 200
PLOT_RIGHT = 985
AXIS_HEIGHT = 34
LANE_HEIGHT = 30
MARK_HEIGHT = 16
MIN_MARK_WIDTH = 4.0
LABEL_CHARS = 26
MAX_YEAR_TICKS = 15
YEAR_STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000)
NO_ENVOY = "(no envoy)"

OUTCOME_COLOURS = {
    Outcome.AGREEMENT.value: "#1a7a36",
    Outcome.PARTIAL_AGREEMENT.value: "#2f6db5",
    Outcome.NO_AGREEMENT.value: "#b3202e",
    Outcome.POSTPONED.value: "#a35a00",
    Outcome.UNKNOWN.value: "#555555",
}

STYLE = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 80rem; padding: 1.5rem; color: #1a1a1a; background: #fff;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 1.75rem 0 .5rem; border-bottom: 1px solid #ccc; }
.meta { color: #444; margin: .25rem 0; }
dl.filters { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; margin: .5rem 0; }
dl.filters div { display: flex; gap: .35rem; }
dl.filters dt { font-weight: 600; }
dl.filters dd { margin: 0; }
figure { margin: 0; }
svg.lanes { width: 100%; height: auto; display: block; font-size: 12px; }
svg.lanes .lane-bg { fill: #f4f4f4; }
svg.lanes .lane-label { fill: #1a1a1a; font-weight: 600; }
svg.lanes .tick { stroke: #d0d0d0; stroke-width: 1; }
svg.lanes .tick-label { fill: #444; }
svg.lanes .mark { stroke: #fff; stroke-width: .5; }
svg.lanes .mark.uncertain { fill-opacity: .45; stroke: #1a1a1a; stroke-dasharray: 3 2; }
svg.lanes a:focus .mark, svg.lanes a:hover .mark { stroke: #000; stroke-width: 2; }
.legend { display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin: .5rem 0 0; padding: 0;
  list-style: none; color: #333; font-size: .9rem; }
.swatch { display: inline-block; width: .9rem; height: .9rem; margin-right: .3rem;
  vertical-align: -.1rem; border-radius: 2px; }
.swatch.uncertain { opacity: .45; outline: 1px dashed #1a1a1a; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
caption { text-align: left; color: #333; padding: .25rem 0 .5rem; }
th, td { border-bottom: 1px solid #ddd; padding: .35rem .5rem; text-align: left;
  vertical-align: top; }
thead th { background: #eef1f5; border-bottom: 2px solid #8a96a8; }
tbody th { font-weight: 600; min-width: 12rem; }
td.num { text-align: right; white-space: nowrap; }
td.date { white-space: nowrap; }
td.summary { min-width: 18rem; }
td.sources { overflow-wrap: anywhere; min-width: 8rem; }
tbody tr:target { background: #fff4c2; }
a { color: #0b4f9c; }
.outcome { white-space: nowrap; }
footer { margin-top: 2rem; color: #555; font-size: .85rem; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 9pt; }
  h2 { break-after: avoid; }
  figure { break-inside: avoid; }
  .table-wrap { overflow: visible; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


class _Axis:
    """Days mapped to x positions between ``PLOT_LEFT`` and ``PLOT_RIGHT``."""

    def __init__(self, first: date, last: date) -> None:
        self.first = first
        self.days = max((last - first).days + 1, 1)
        self.last = last

    def x(self, day: date) -> float:
        return PLOT_LEFT + (day - self.first).days / self.days * (PLOT_RIGHT - PLOT_LEFT)

    def width(self, first: date, last: date) -> float:
        span = ((last - first).days + 1) / self.days * (PLOT_RIGHT - PLOT_LEFT)
        return max(span, MIN_MARK_WIDTH)

    def ticks(self) -> list[tuple[date, str]]:
        """Month starts (every 1 or 3 months) over spans of up to 42 months; beyond, year
        starts every 1, 2, 5, 10, 20, 50, … years, at most ``MAX_YEAR_TICKS`` of them
        (a record that reaches year 9999 still gets a readable axis)."""
        first, last = self.first, self.last
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        if months <= 42:
            step = 1 if months <= 14 else 3
            starts = [_month_start(first, n) for n in range(months)]
            chosen = [m for m in starts if (m.month - 1) % step == 0] or starts[:1]
            return [(m, Point(m.year, m.month).display()) for m in chosen]
        years = last.year - first.year + 1
        step = next(s for s in YEAR_STEPS if years <= s * MAX_YEAR_TICKS)
        start = first.year if first.month == 1 else first.year + 1
        start = -(-start // step) * step  # the first multiple of the step
        chosen = [date(year, 1, 1) for year in range(start, last.year + 1, step)]
        return [(day, str(day.year)) for day in chosen] or [
            (date(first.year, first.month, 1), str(first.year))
        ]


def _month_start(first: date, offset: int) -> date:
    """The first day of the month ``offset`` months after ``first``'s."""
    index = first.month - 1 + offset
    return date(first.year + index // 12, index % 12 + 1, 1)


def escape(value: str) -> str:
    """``value`` for the page: hidden characters shown as escapes (``\\x1b``, ``\\u202e``,
    as the terminal views show them; line breaks and tabs are whitespace here), then
    HTML-escaped."""
    return html_escape(visible(value, keep=WHITESPACE), quote=True)


def _attr(value: str) -> str:
    return escape(value)


def _short(name: str) -> str:
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"


def _place(row: Row) -> str:
    parts = (row["venue"], row["city"], row["country"])
    return ", ".join(dict.fromkeys(part for part in parts if part))


def _sources(cell: str | None) -> str:
    items = []
    for part in (cell or "").split("; "):
        if not part:
            continue
        if part.startswith(("https://", "http://")):
            host = urlsplit(part).hostname or part
            host = host.removeprefix("www.")
            items.append(f'<a href="{_attr(part)}" title="{_attr(part)}">{escape(host)}</a>')
        else:
            items.append(escape(part))
    return "<br>".join(items)


def _spool() -> IO[str]:
    """A text file kept in memory up to ``SPOOL_BYTES``, on disk beyond."""
    return tempfile.SpooledTemporaryFile(
        max_size=SPOOL_BYTES, mode="w+", encoding="utf-8", newline=""
    )


def _anchor(uid: str) -> str:
    return "m-" + uid


class HtmlExporter(Exporter):
    name = "html"
    extensions = ("html", "htm")
    media_type = "text/html; charset=utf-8"
    summary = "one self-contained page: a lane per envoy along a time axis, then the table"

    def write(self, export: Export, stream: TextIO) -> int:
        summary = export.summary()
        lanes: dict[str, int] = {}
        outcomes: set[str] = set()
        any_uncertain = False
        count = 0
        loose = 0
        with _spool() as marks, _spool() as unassigned, _spool() as rows:
            axis = (
                _Axis(summary.earliest, summary.latest)
                if summary.earliest is not None and summary.latest is not None
                else None
            )
            for entry in export.entries():
                count += 1
                row = entry.row
                rows.write(self._row(entry))
                outcomes.add(row["outcome"])
                latest = date.fromisoformat(row["latest"])
                is_uncertain = uncertain(when_of(row["edtf"], entry.earliest, latest))
                any_uncertain = any_uncertain or is_uncertain
                if axis is None:
                    continue
                if not entry.envoys:
                    # The lane of meetings without an envoy goes last: drawn at y 0 here
                    # and moved below the other lanes once their number is known.
                    unassigned.write(self._mark(entry, 0, axis, latest, is_uncertain))
                    loose += 1
                for envoy in entry.envoys:
                    lane = lanes.setdefault(envoy, len(lanes))
                    marks.write(self._mark(entry, lane, axis, latest, is_uncertain))
            stream.write(self._head(export, summary, count))
            if axis is not None and count:
                names = list(lanes) + ([NO_ENVOY] if loose else [])
                stream.write(self._figure_start(axis, names, count))
                marks.seek(0)
                shutil.copyfileobj(marks, stream)
                if loose:
                    stream.write(f'<g transform="translate(0 {len(lanes) * LANE_HEIGHT})">\n')
                    unassigned.seek(0)
                    shutil.copyfileobj(unassigned, stream)
                    stream.write("</g>\n")
                stream.write("</svg>\n")
                stream.write(self._legend(outcomes, any_uncertain))
                stream.write("</figure>\n</section>\n")
            stream.write(self._table_start(count))
            rows.seek(0)
            shutil.copyfileobj(rows, stream)
            stream.write(self._tail(count))
        return count

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
            f'<meta name="generator" content="tracker {__version__}">\n'
            f"<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            f"<header>\n<h1>{title}</h1>\n"
            f'<p class="meta" id="summary" data-meetings="{count}">{escape(span)}</p>\n'
            f"{filters_html}\n</header>\n<main>\n"
        )

    def _figure_start(self, axis: _Axis, lanes: list[str], count: int) -> str:
        height = AXIS_HEIGHT + LANE_HEIGHT * max(len(lanes), 1) + 6
        parts = [
            '<section aria-labelledby="lanes-heading">\n'
            '<h2 id="lanes-heading">Envoys over time</h2>\n<figure>\n'
            f'<svg class="lanes" viewBox="0 0 {WIDTH} {height}" role="img" '
            'aria-labelledby="lanes-title lanes-desc" xmlns="http://www.w3.org/2000/svg">\n'
            '<title id="lanes-title">Meetings by envoy along a time axis</title>\n'
            f'<desc id="lanes-desc">{len(lanes)} lanes, one per envoy; {count} meetings, '
            "each a mark placed by its dates and coloured by its outcome.</desc>\n"
        ]
        for lane, name in enumerate(lanes):
            y = AXIS_HEIGHT + lane * LANE_HEIGHT
            parts.append(
                f'<rect class="lane-bg" x="0" y="{y + 2}" width="{WIDTH}" '
                f'height="{LANE_HEIGHT - 4}" rx="3"/>'
                f'<text class="lane-label" x="8" y="{y + LANE_HEIGHT / 2 + 4:.1f}">'
                f"<title>{escape(name)}</title>{escape(_short(name))}</text>\n"
            )
        for day, label in axis.ticks():
            x = axis.x(day)
            parts.append(
                f'<line class="tick" x1="{x:.1f}" y1="{AXIS_HEIGHT - 6}" x2="{x:.1f}" '
                f'y2="{height - 4}"/><text class="tick-label" x="{x + 3:.1f}" '
                f'y="{AXIS_HEIGHT - 12}">{escape(label)}</text>\n'
            )
        return "".join(parts)

    def _mark(
        self, entry: TimelineEntry, lane: int, axis: _Axis, latest: date, is_uncertain: bool
    ) -> str:
        row = entry.row
        x = axis.x(entry.earliest)
        width = axis.width(entry.earliest, latest)
        x = min(x, PLOT_RIGHT - width)
        y = AXIS_HEIGHT + lane * LANE_HEIGHT + (LANE_HEIGHT - MARK_HEIGHT) / 2
        colour = OUTCOME_COLOURS.get(row["outcome"], OUTCOME_COLOURS[Outcome.UNKNOWN.value])
        css = "mark uncertain" if is_uncertain else "mark"
        label = f"{row['date']}: {row['title']} ({row['outcome']})"
        return (
            f'<a href="#{_attr(_anchor(row["uid"]))}">'
            f'<rect class="{css}" data-uid="{_attr(row["uid"])}" x="{x:.1f}" y="{y:.1f}" '
            f'width="{width:.1f}" height="{MARK_HEIGHT}" rx="2" fill="{colour}">'
            f"<title>{escape(label)}</title></rect></a>\n"
        )

    def _legend(self, outcomes: set[str], any_uncertain: bool) -> str:
        items = [
            f'<li><span class="swatch" style="background:{colour}"></span>{escape(outcome)}</li>'
            for outcome, colour in OUTCOME_COLOURS.items()
            if outcome in outcomes
        ]
        if any_uncertain:
            items.append(
                '<li><span class="swatch uncertain" style="background:#555555"></span>'
                "date not given to the day, or approximate (the mark spans its bounds)</li>"
            )
        return (
            '<figcaption><ul class="legend" aria-label="Outcome colours">'
            + "".join(items)
            + "</ul></figcaption>\n"
        )

    def _table_start(self, count: int) -> str:
        headers = (
            "Date",
            "Title",
            "Kind",
            "Envoys",
            "Counterparts",
            "Place",
            "Duration",
            "Outcome",
            "Summary",
            "Sources",
        )
        head = "".join(f'<th scope="col">{h}</th>' for h in headers)
        return (
            '<section aria-labelledby="table-heading">\n'
            '<h2 id="table-heading">Meetings</h2>\n<div class="table-wrap">\n'
            f"<table>\n<caption>{count} meeting{'s' if count != 1 else ''} in chronological "
            "order; dates as the sources give them.</caption>\n"
            f"<thead><tr>{head}</tr></thead>\n<tbody>\n"
        )

    def _row(self, entry: TimelineEntry) -> str:
        row = entry.row
        duration = format_duration(row["duration_minutes"], row["duration_qualifier"]) or ""
        return (
            f'<tr id="{_attr(_anchor(row["uid"]))}" data-uid="{_attr(row["uid"])}">'
            f'<td class="date" title="EDTF {_attr(row["edtf"])}">{escape(row["date"])}</td>'
            f'<th scope="row">{escape(row["title"])}</th>'
            f"<td>{escape(row['kind'])}</td>"
            f"<td>{escape(row['envoys'] or '')}</td>"
            f"<td>{escape(row['counterparts'] or '')}</td>"
            f"<td>{escape(_place(row))}</td>"
            f'<td class="num">{escape(duration)}</td>'
            f'<td class="outcome">{escape(row["outcome"])}</td>'
            f'<td class="summary">{escape(row["outcome_summary"] or "")}</td>'
            f'<td class="sources">{_sources(row["sources"])}</td></tr>\n'
        )

    def _tail(self, count: int) -> str:
        empty = '<tr><td colspan="10">No meetings match.</td></tr>\n' if count == 0 else ""
        return (
            f"{empty}</tbody>\n</table>\n</div>\n</section>\n</main>\n"
            f"<footer><p>Exported by tracker {__version__}. A mark spans the days a "
            "meeting's date covers; one dated only to a month spans the month.</p></footer>\n"
            "</body>\n</html>\n"
        )
