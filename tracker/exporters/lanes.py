"""The lanes figure of the html page: a lane per envoy along a time axis, an inline SVG
with a mark per meeting placed by its dates and coloured by its outcome.

The SVG is drawn ``WIDTH`` units wide and never shown narrower than ``WIDTH`` pixels
(the page's style), so its labels are never smaller than their font size: on a screen
narrower than that (a phone) the figure scrolls sideways inside its own box, which the
keyboard can reach, and the page itself does not; the envoys' names stay in view at the
box's left edge while it scrolls."""

from __future__ import annotations

from datetime import date

from tracker.dates import Point
from tracker.exporters.markup import anchor, attr, escape
from tracker.query import TimelineRecord
from tracker.vocab import MeetingStatus, Outcome

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


class Axis:
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


def short(name: str) -> str:
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"


def figure_start(axis: Axis, lanes: list[str], count: int) -> str:
    height = AXIS_HEIGHT + LANE_HEIGHT * max(len(lanes), 1) + 6
    parts = [
        '<section aria-labelledby="lanes-heading">\n'
        '<h2 id="lanes-heading">Envoys over time</h2>\n<figure>\n'
        '<div class="lanes-box" role="region" aria-labelledby="lanes-heading" tabindex="0">\n'
        '<div class="lanes-plot">\n'
        # The envoys' names again, in html: where the figure scrolls (a phone) they stay
        # at the box's left edge, over their lanes (the page's style); hidden elsewhere.
        '<ul class="lane-names" aria-hidden="true">'
        + "".join(f"<li>{escape(short(name))}</li>" for name in lanes)
        + "</ul>\n"
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
            f"<title>{escape(name)}</title>{escape(short(name))}</text>\n"
        )
    for day, label in axis.ticks():
        x = axis.x(day)
        parts.append(
            f'<line class="tick" x1="{x:.1f}" y1="{AXIS_HEIGHT - 6}" x2="{x:.1f}" '
            f'y2="{height - 4}"/><text class="tick-label" x="{x + 3:.1f}" '
            f'y="{AXIS_HEIGHT - 12}">{escape(label)}</text>\n'
        )
    return "".join(parts)


def figure_svg_end() -> str:
    """What closes the SVG that ``figure_start`` opened, and its scrolling box."""
    return (
        "</svg>\n</div>\n</div>\n"
        '<p class="scroll-hint">The figure scrolls sideways for the later months.</p>\n'
    )


def mark(record: TimelineRecord, lane: int, axis: Axis, latest: date, is_uncertain: bool) -> str:
    row = record.row
    earliest = record.earliest
    x = axis.x(earliest)
    width = axis.width(earliest, latest)
    x = min(x, PLOT_RIGHT - width)
    y = AXIS_HEIGHT + lane * LANE_HEIGHT + (LANE_HEIGHT - MARK_HEIGHT) / 2
    colour = OUTCOME_COLOURS.get(row["outcome"], OUTCOME_COLOURS[Outcome.UNKNOWN.value])
    css = "mark uncertain" if is_uncertain else "mark"
    label = f"{row['date']}: {row['title']} ({row['outcome']})"
    paint = f'fill="{colour}"'
    if row["status"] != MeetingStatus.HELD.value:
        # Not held: an outline in the outcome's colour, and the status in its title.
        css += " not-held"
        label = f"{row['date']}: {row['title']} ({row['status']}; {row['outcome']})"
        paint = f'fill="#ffffff" style="stroke:{colour}"'
    return (
        f'<a href="#{attr(anchor(row["uid"]))}">'
        f'<rect class="{css}" data-uid="{attr(row["uid"])}" x="{x:.1f}" y="{y:.1f}" '
        f'width="{width:.1f}" height="{MARK_HEIGHT}" rx="2" {paint}>'
        f"<title>{escape(label)}</title></rect></a>\n"
    )


def legend(outcomes: set[str], any_uncertain: bool, any_not_held: bool = False) -> str:
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
    if any_not_held:
        items.append(
            '<li><span class="swatch not-held"></span>'
            "announced, postponed or cancelled: not held (an outline)</li>"
        )
    return (
        '<figcaption><ul class="legend" aria-label="Outcome colours">'
        + "".join(items)
        + "</ul></figcaption>\n"
    )
