"""The read side: ``tracker visits``, ``timeline``, ``show``, ``people``, ``places``,
``stats``. Each parses its options, calls one service of ``tracker.query`` in a read
transaction and renders the result."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import click

from cli import completion, messages
from cli.app import CONTEXT_SETTINGS, LazySubgroup, main
from cli.context import App
from cli.render import (
    DISPUTED_MARK,
    FORMATS,
    STATUS_COLUMN,
    Column,
    Listing,
    print_detail,
    print_json,
    print_lanes,
    print_tree,
    renderer,
)
from tracker.formats import Table, excel_refused
from tracker.query.display import format_duration
from tracker.query.where import Filters, date_range

if TYPE_CHECKING:
    from tracker.query.display import Row
    from tracker.query.timeline import TimelineRecord

F = TypeVar("F", bound=Callable[..., Any])

pass_app = click.make_pass_decorator(App)

# What these commands say when there is nothing to list (on stderr, table format only).

# -- shared options -------------------------------------------------------------------


def format_option(fn: F) -> F:
    fn = excel_option(fn)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="Output format: a table (plain columns into a pipe), or csv, json, ndjson, markdown.",
    )(fn)


def _set_excel(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    ctx.ensure_object(App).excel = value


def excel_option(fn: F) -> F:
    """``--excel``, which every command that writes csv takes; it sets ``App.excel``."""
    return click.option(
        "--excel",
        is_flag=True,
        expose_value=False,
        callback=_set_excel,
        help="With --format csv: a file for Excel (a UTF-8 byte-order mark, and cells that "
        "begin like a formula, with = + - @, prefixed with ' so that they never run).",
    )(fn)


def date_options(fn: F) -> F:
    fn = click.option(
        "--to",
        "date_to",
        metavar="EDTF",
        help="Only what overlaps the time up to this date (2025-04, 2025-12-31).",
    )(fn)
    return click.option(
        "--from",
        "date_from",
        metavar="EDTF",
        help="Only what overlaps the time from this date on (2025, 2025-04, 2025-04-11).",
    )(fn)


def place_options(fn: F) -> F:
    fn = click.option(
        "--country",
        metavar="CODE|NAME",
        shell_complete=completion.countries,
        help="Only in this country: an ISO code (RU, RUS, 643) or a name in any language"
        " (Rosja); a former country (USSR, Yugoslavia) finds what was recorded under it.",
    )(fn)
    return click.option(
        "--place",
        metavar="NAME",
        shell_complete=completion.places,
        help="Only at this place or any place under it (Moscow includes the Kremlin).",
    )(fn)


def _render(app: App, fmt: str, listing: Listing, empty: str) -> None:
    count = renderer(fmt, excel=app.excel).render(app.out, listing)
    if count == 0 and fmt == "table":
        app.err.print(empty)


# -- visits ---------------------------------------------------------------------------

COUNTS = frozenset({"visits", "meetings"})
ENVOY_TABLE = Table(
    (
        "envoy",
        "visits",
        "meetings",
        "first",
        "first_edtf",
        "last",
        "last_edtf",
        "destinations",
        "uid",
    ),
    right=COUNTS,
)
# The columns every per-envoy listing (visits, stats) begins with.
ENVOY_SPAN_COLUMNS = (
    Column("envoy", "envoy", style="bold"),
    Column("visits", "visits", "right"),
    Column("meetings", "meetings", "right"),
    Column("first", "first", style="cyan", drop=4),
    Column("last", "last", style="cyan", drop=5),
)
ENVOY_COLUMNS = (*ENVOY_SPAN_COLUMNS, Column("destinations", "destinations", wrap="words"))
VISIT_TABLE = Table(
    (
        "n",
        "date",
        "edtf",
        "earliest",
        "latest",
        "destination",
        "country",
        "days",
        "days_since_previous",
        "days_since_previous_about",
        "meetings",
        "counterparts",
        "outcome",
        "outcome_summary",
        "uid",
    ),
    right=frozenset({"n", "days", "days_since_previous", "meetings"}),
)
VISIT_COLUMNS = (
    Column("number", "#", "right"),
    Column("date", "date", style="cyan"),
    Column("destination", "destination", style="bold"),
    Column("country", "country", drop=1),
    Column("days", "days", "right", drop=2),
    Column("since", "since", "right", drop=4),
    Column("meetings", "meetings", "right", drop=3),
    Column("counterparts", "counterparts", wrap="names", drop=6),
    Column("outcome", "outcome", drop=5),
)


@main.command("visits", context_settings=CONTEXT_SETTINGS)
@click.argument("envoy", required=False, shell_complete=completion.travellers)
@date_options
@place_options
@format_option
@pass_app
def visits_command(
    app: App,
    envoy: str | None,
    date_from: str | None,
    date_to: str | None,
    place: str | None,
    country: str | None,
    fmt: str,
) -> None:
    """List envoys (anyone who travelled on a recorded visit) with their visits, meetings
    (of those visits, taken part in as an envoy), first and last visit and destinations;
    or, given ENVOY (a name or any alias, in any script), that envoy's visits in order:
    date, destination, days, days since the previous visit began, meetings, counterparts
    and the outcome of the main meeting.

    Example: tracker visits "Стив Уиткофф" --from 2025-04 --to 2025-08
    """
    from tracker.query.travels import envoy_visits, envoys_summary

    filters = Filters(date_from=date_from, date_to=date_to, place=place, country=country)
    with app.reading() as read:
        if envoy is None:
            listing = Listing(envoys_summary(read, filters), ENVOY_TABLE, ENVOY_COLUMNS)
            _render(app, fmt, listing, messages.NO_ENVOYS)
            return
        rows = envoy_visits(read, envoy, filters)
        shown = [{**row, "number": f"#{row['n']}", "since": _since(row)} for row in rows]
        _render(
            app,
            fmt,
            Listing(shown, VISIT_TABLE, VISIT_COLUMNS),
            messages.NO_VISITS.format(name=envoy),
        )


def _since(row: dict[str, Any]) -> str | None:
    """``42 d`` since the previous visit began; ``c. 42 d`` when a date is not to the day."""
    days = row["days_since_previous"]
    if days is None:
        return None
    return ("c. " if row["days_since_previous_about"] else "") + f"{days} d"


# -- timeline -------------------------------------------------------------------------

TIMELINE_COLUMNS = (
    Column("date", "date", style="cyan"),
    Column("kind", "kind", drop=1),
    STATUS_COLUMN,
    Column("heading", "title", style="bold", wrap="words"),
    Column("envoys", "envoys", wrap="names", drop=6),
    Column("counterparts", "counterparts", wrap="names", drop=5),
    Column("place", "place", wrap="words", drop=3),
    Column("duration", "duration", "right", drop=2),
    Column("outcome", "outcome", drop=4),
)


def _timeline_cells(row: dict[str, Any]) -> dict[str, Any]:
    where = ", ".join(
        dict.fromkeys(part for part in (row["venue"], row["city"], row["country"]) if part)
    )
    return {
        **row,
        "place": where,
        "duration": format_duration(row["duration_minutes"], row["duration_qualifier"]),
        # The title as the table shows it: marked when a fact of the meeting is
        # disputed (the mark takes no column of its own, which a narrow terminal needs).
        "heading": f"{DISPUTED_MARK} {row['title']}" if row["disputed"] else row["title"],
    }


class _Marked:
    """The timeline's rows or entries as they are read, noting whether a view marked one
    (a meeting with a disputed fact), so that the legend follows the view."""

    def __init__(self) -> None:
        self.any = False

    def rows(self, rows: Iterable[Row]) -> Iterator[Row]:
        for row in rows:
            self.any = self.any or bool(row["disputed"])
            yield row

    def entries(self, records: Iterable[TimelineRecord]) -> Iterator[TimelineRecord]:
        for record in records:
            self.any = self.any or bool(record.row["disputed"])
            yield record

    def legend(self, app: App, fmt: str) -> None:
        """The mark's meaning under the view, on a terminal (a pipe gets the view alone)."""
        if self.any and fmt == "table" and app.out.is_terminal:
            app.out.print(messages.DISPUTED_LEGEND, style="dim", highlight=False)


@main.command("timeline", context_settings=CONTEXT_SETTINGS)
@click.option(
    "--envoy",
    metavar="NAME",
    shell_complete=completion.envoys,
    help="Only the meetings this person took part in as an envoy (role envoy).",
)
@click.option(
    "--with",
    "with_person",
    metavar="NAME",
    shell_complete=completion.people,
    help="Only meetings this person attended.",
)
@place_options
@date_options
@click.option("--topic", metavar="TOPIC", help="Only meetings on this topic.")
@click.option(
    "--outcome",
    metavar="OUTCOME",
    shell_complete=completion.outcomes,
    help="Only meetings with this outcome (agreement, partial-agreement, no-agreement, "
    "postponed, unknown).",
)
@click.option(
    "--search",
    metavar="TEXT",
    help="Only meetings whose title, outcome summary, notes or a statement contain every "
    "word of TEXT.",
)
@click.option(
    "--disputed",
    is_flag=True,
    help="Only meetings with a disputed fact: accounts of it that give more than one "
    "value (see 'tracker account').",
)
@click.option(
    "--view",
    type=click.Choice(["table", "tree", "lanes"]),
    default="table",
    show_default=True,
    help="table: a row per meeting; tree: year, month, meeting; lanes: a row per envoy and "
    "a column per month (meetings per month).",
)
@format_option
@pass_app
def timeline_command(
    app: App,
    envoy: str | None,
    with_person: str | None,
    place: str | None,
    country: str | None,
    date_from: str | None,
    date_to: str | None,
    topic: str | None,
    outcome: str | None,
    search: str | None,
    disputed: bool,
    view: str,
    fmt: str,
) -> None:
    """The meetings in chronological order (earliest day, then latest, then id), filtered.

    A meeting dated only to a month comes before the meetings on days of that month. The
    tree view is for the terminal (--format table); lanes can be printed in any format.

    Example: tracker timeline --envoy Witkoff --from 2025-04 --to 2025-04 --view tree
    """
    if view == "tree" and fmt != "table":
        raise click.UsageError("--view tree prints only as a table; leave out --format")
    if app.excel and fmt != "csv":  # the tree and the lanes on a terminal do not render
        raise excel_refused(fmt)
    from tracker.query.timeline import TIMELINE_TABLE, lanes, timeline_records, timeline_rows

    filters = Filters(
        date_from=date_from,
        date_to=date_to,
        place=place,
        country=country,
        envoy=envoy,
        with_person=with_person,
        topic=topic,
        outcome=outcome,
        search=search,
        disputed=disputed,
    )
    marked = _Marked()
    with app.reading() as read:
        if view == "table":
            rows_read = marked.rows(timeline_rows(read, filters))
            listing = Listing(map(_timeline_cells, rows_read), TIMELINE_TABLE, TIMELINE_COLUMNS)
            _render(app, fmt, listing, messages.NO_MEETINGS)
            marked.legend(app, fmt)
            return
        records = marked.entries(timeline_records(read, filters))
        if view == "tree":
            if print_tree(app.out, records) == 0:
                app.err.print(messages.NO_MEETINGS)
            marked.legend(app, fmt)
            return
        if view == "lanes":
            months, rows = lanes(records, date_range(filters))
            lead = [
                Column("envoy", "envoy", style="bold"),
                STATUS_COLUMN,
            ]
            if fmt == "table":
                shown = [_lane_cells(row) for row in rows]
                if not shown:
                    app.err.print(messages.NO_MEETINGS)
                    return
                print_lanes(app.out, lead, months, shown)
                marked.legend(app, fmt)
                return
            columns = [*lead, *(Column(m, m, "right", style="green") for m in months)]
            table = Table(["envoy", "status", *months], right=frozenset(months))
            _render(app, fmt, Listing(rows, table, columns), messages.NO_MEETINGS)


def _lane_cells(row: Row) -> Row:
    """A lane as the table shows it: an empty month blank, and a month with a meeting
    whose facts are disputed marked (``2!``)."""
    disputed = row.get("disputed", {})
    return {
        key: (f"{value}{DISPUTED_MARK}" if disputed.get(key) else value or "")
        for key, value in row.items()
        if key != "disputed"
    }


# -- show -----------------------------------------------------------------------------


@main.command("show", context_settings=CONTEXT_SETTINGS)
@click.argument("ref")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table: labelled fields; json: one object.",
)
@click.option(
    "--as-of",
    "as_of",
    metavar="WHEN",
    help="The record as it stood then, as the tracker/1 document writes it: a date "
    "(its last moment) or a date-time, UTC unless it gives an offset.",
)
@pass_app
def show_command(app: App, ref: str, fmt: str, as_of: str | None) -> None:
    """Show one meeting or visit in full. REF is its uid, m:ID or v:ID, or a bare id
    (a meeting first, then a visit); with --as-of, any record by its uid, as it stood
    then (see 'tracker history').

    Example: tracker show meeting-2025-04-25-witkoff-putin
    """
    if as_of is not None:
        from cli.history_commands import show_as_of

        show_as_of(app, ref, as_of, fmt)
        return
    from tracker.query.detail import find_ref, record_detail

    with app.reading() as read:
        detail = record_detail(read, find_ref(read, ref))
    if fmt == "json":
        print_json(app.out, detail)
    else:
        print_detail(app.out, detail)


# -- registries -----------------------------------------------------------------------

PEOPLE_TABLE = Table(("name", "country", "aliases", "roles", "wikidata", "uid"))
PEOPLE_COLUMNS = (
    Column("name", "name", style="bold"),
    Column("country", "country", drop=1),
    Column("aliases", "aliases", wrap="words", drop=3),
    Column("roles", "roles", wrap="words", drop=2),
)
PLACE_TABLE = Table(("name", "kind", "country", "parent", "aliases", "wikidata", "uid"))
PLACE_COLUMNS = (
    Column("name", "name", style="bold"),
    Column("kind", "kind", drop=2),
    Column("country", "country", drop=1),
    Column("parent", "parent", drop=3),
    Column("aliases", "aliases", wrap="words", drop=4),
)


REGISTRY_WRITES = ("add", "edit", "merge", "alias")


def _registry_group(name: str) -> Callable[[Callable[..., Any]], LazySubgroup]:
    return main.group(
        name,
        cls=LazySubgroup,
        invoke_without_command=True,
        context_settings=CONTEXT_SETTINGS,
        lazy=dict.fromkeys(REGISTRY_WRITES, "cli.registry_commands"),
    )  # type: ignore[return-value]


def _list_people(app: App, search: str | None, fmt: str) -> None:
    from tracker.query.registries import people_rows

    with app.reading() as read:
        rows = people_rows(read, search)
        _render(app, fmt, Listing(rows, PEOPLE_TABLE, PEOPLE_COLUMNS), messages.NO_PEOPLE)


def _list_places(app: App, search: str | None, fmt: str) -> None:
    from tracker.query.registries import place_rows

    with app.reading() as read:
        rows = place_rows(read, search)
        _render(app, fmt, Listing(rows, PLACE_TABLE, PLACE_COLUMNS), messages.NO_PLACES)


def search_option(what: str) -> Callable[[F], F]:
    return click.option(
        "--search", metavar="NAME", help=f"Only {what} whose name or an alias matches."
    )


@_registry_group("people")
@search_option("people")
@format_option
@click.pass_context
def people_command(ctx: click.Context, search: str | None, fmt: str) -> None:
    """The people registry: name, country, aliases (with their language) and roles.

    Without a subcommand, or with `list`, it lists the people; `add`, `edit`, `alias`
    and `merge` keep the registry right (each has its own -h).

    Example: tracker people --search Путин --format json
    """
    if ctx.invoked_subcommand is None:
        _list_people(ctx.ensure_object(App), search, fmt)


@people_command.command("list", context_settings=CONTEXT_SETTINGS)
@search_option("people")
@format_option
@pass_app
def people_list_command(app: App, search: str | None, fmt: str) -> None:
    """List the people: name, country, aliases (with their language) and roles.

    Example: tracker people list --search Witkoff
    """
    _list_people(app, search, fmt)


@_registry_group("places")
@search_option("places")
@format_option
@click.pass_context
def places_command(ctx: click.Context, search: str | None, fmt: str) -> None:
    """The places registry: name, kind, country, parent place and aliases.

    Without a subcommand, or with `list`, it lists the places; `add`, `edit`, `alias`
    and `merge` keep the registry right (each has its own -h).

    Example: tracker places --search Moskwa
    """
    if ctx.invoked_subcommand is None:
        _list_places(ctx.ensure_object(App), search, fmt)


@places_command.command("list", context_settings=CONTEXT_SETTINGS)
@search_option("places")
@format_option
@pass_app
def places_list_command(app: App, search: str | None, fmt: str) -> None:
    """List the places: name, kind, country, parent place and aliases.

    Example: tracker places list --search Moskwa --format json
    """
    _list_places(app, search, fmt)


# -- stats ----------------------------------------------------------------------------

STATS_TABLE = Table(
    (
        "envoy",
        "visits",
        "meetings",
        "first",
        "first_edtf",
        "last",
        "last_edtf",
        "mean_gap_days",
        "longest_gap_days",
        "talks",
        "talks_minutes",
        "talks_at_least",
        "talks_about",
        "meetings_without_duration",
        "disputed_durations",
        "outcomes",
        "uid",
    ),
    right=COUNTS
    | {
        "mean_gap_days",
        "longest_gap_days",
        "talks_minutes",
        "meetings_without_duration",
        "disputed_durations",
    },
)
STATS_COLUMNS = (
    *ENVOY_SPAN_COLUMNS,
    Column("mean_gap_days", "mean gap (days)", "right", drop=2),
    Column("longest_gap_days", "longest gap (days)", "right", drop=3),
    Column("talks", "talks", "right", drop=7),
    Column("meetings_without_duration", "no duration", "right", drop=1),
    # Shown only when a meeting's duration is disputed; blank for an envoy with none.
    Column("disputed_durations", "disputed", "right", blank=0, only_when_filled=True, drop=1),
    Column("outcomes", "outcomes", wrap="words", drop=6),
)


@main.command("stats", context_settings=CONTEXT_SETTINGS)
@click.option(
    "--with",
    "with_person",
    metavar="NAME",
    shell_complete=completion.people,
    help="Only the meetings held with this counterpart: per envoy, the meetings, hours of "
    "talks, first and last, and outcomes (the rows of 'tracker counterparts').",
)
@date_options
@place_options
@format_option
@pass_app
def stats_command(
    app: App,
    with_person: str | None,
    date_from: str | None,
    date_to: str | None,
    place: str | None,
    country: str | None,
    fmt: str,
) -> None:
    """Per envoy: visits, meetings (of those visits, taken part in as an envoy), first
    and last visit, mean and longest gap between consecutive visits (days), hours of
    talks with their qualifiers (and how many meetings had no duration), and outcomes.

    The hours count each meeting's duration as its preferred account gives it (see
    'tracker account'); "disputed" says how many of the meetings have a disputed one.

    With --with NAME, per envoy who met NAME: the held meetings with NAME, their hours
    ("at least c. 12 h"), the first and the last, and their outcomes.

    Example: tracker stats --with Putin --from 2025 --to 2025
    """
    from tracker.counterparts import counterpart_rows
    from tracker.query.travels import envoy_stats

    filters = Filters(date_from=date_from, date_to=date_to, place=place, country=country)
    with app.reading() as read:
        if with_person is not None:
            pairs = counterpart_rows(read, filters, counterpart=with_person)
            listing = Listing(pairs, _counterpart_table(), COUNTERPART_COLUMNS)
            _render(app, fmt, listing, messages.NO_COUNTERPARTS)
            return
        rows = envoy_stats(read, filters)
        _render(app, fmt, Listing(rows, STATS_TABLE, STATS_COLUMNS), messages.NO_ENVOYS)


# -- counterparts ---------------------------------------------------------------------


def _counterpart_table() -> Table:
    from tracker.counterparts import COUNTERPART_KEYS

    return Table(COUNTERPART_KEYS, right=frozenset({"meetings", "talks_minutes"}))


COUNTERPART_COLUMNS = (
    Column("envoy", "envoy", style="bold"),
    Column("counterpart", "counterpart", style="bold"),
    Column("meetings", "meetings", "right"),
    Column("talks", "talks", "right", drop=4),
    Column("first", "first", style="cyan", drop=1),
    Column("last", "last", style="cyan", drop=2),
    Column("outcomes", "outcomes", wrap="words", drop=3),
)


@main.command("counterparts", context_settings=CONTEXT_SETTINGS)
@click.argument("envoy", required=False, shell_complete=completion.envoys)
@date_options
@place_options
@format_option
@pass_app
def counterparts_command(
    app: App,
    envoy: str | None,
    date_from: str | None,
    date_to: str | None,
    place: str | None,
    country: str | None,
    fmt: str,
) -> None:
    """Who met whom: per envoy and counterpart, the held meetings, hours of talks with
    their qualifiers, the first and the last, and the outcomes.

    An envoy is a participant in the role of envoy; their counterparts are the people
    they met at a held meeting (on another side, or on none). Given ENVOY (a name or any
    alias), only that envoy's counterparts, the most met first.

    Example: tracker counterparts Witkoff --from 2025-01 --to 2025-12
    """
    from tracker.counterparts import counterpart_rows

    filters = Filters(date_from=date_from, date_to=date_to, place=place, country=country)
    with app.reading() as read:
        rows = counterpart_rows(read, filters, envoy=envoy)
        listing = Listing(rows, _counterpart_table(), COUNTERPART_COLUMNS)
        _render(app, fmt, listing, messages.NO_COUNTERPARTS)
