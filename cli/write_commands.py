"""``tracker log``, ``tracker edit`` and ``tracker delete``: writing records."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from cli import completion, messages
from cli.app import CONTEXT_SETTINGS, fields_are, main
from cli.context import App
from tracker.errors import InvalidInput

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tracker.models import Visit
from tracker.vocab import MeetingKind, MeetingStatus, Outcome, StatementKind

pass_app = click.make_pass_decorator(App)
F = TypeVar("F", bound=Callable[..., Any])


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def source_options(help_text: str) -> Callable[[F], F]:
    """``--source`` (repeatable), and ``--publisher`` and ``--source-title`` of the first."""

    def decorate(fn: F) -> F:
        fn = click.option("--source-title", help="The first source's title.")(fn)
        fn = click.option("--publisher", help="The first source's publisher.")(fn)
        return click.option(
            "--source", "-s", "sources", multiple=True, metavar="URL", help=help_text
        )(fn)

    return decorate


@main.command("log", context_settings=CONTEXT_SETTINGS)
@click.option(
    "--envoy",
    "-e",
    "envoys",
    multiple=True,
    metavar="NAME",
    shell_complete=completion.people,
    help="An envoy (repeatable); any name or alias, in any script.",
)
@click.option(
    "--date",
    "-d",
    "when",
    metavar="EDTF",
    help="When: 2025-12-02, 2025-04, 2025-12-02T17:00+03:00, today, yesterday.",
)
@click.option(
    "--place",
    "-p",
    metavar="PLACE",
    shell_complete=completion.places,
    help="Where: a venue (Kremlin) or a city; the visit goes to its city.",
)
@click.option("--title", "-t", help="What to call the meeting.")
@click.option(
    "--kind",
    "-k",
    default=MeetingKind.TALKS.value,
    show_default=True,
    type=click.Choice([k.value for k in MeetingKind]),
    help="Kind of meeting.",
)
@click.option(
    "--with",
    "-w",
    "counterparts",
    multiple=True,
    metavar="NAME[:ROLE[:SIDE]]",
    shell_complete=completion.people,
    help="A counterpart (repeatable), e.g. 'Jurij Uszakow:adviser:RU'.",
)
@click.option("--topic", "topics", multiple=True, help="A topic (repeatable).")
@click.option(
    "--duration",
    metavar="TEXT",
    help="5h, 90m, 3h30m, ~3h (about), 5h+ (at least), <=2h (at most).",
)
@click.option(
    "--outcome",
    default=Outcome.UNKNOWN.value,
    show_default=True,
    type=click.Choice([o.value for o in Outcome]),
    help="What came of it.",
)
@click.option("--summary", help="The outcome in a sentence, as reported.")
@click.option(
    "--status",
    default=MeetingStatus.HELD.value,
    show_default=True,
    type=click.Choice([s.value for s in MeetingStatus]),
)
@click.option(
    "--statement",
    "statements",
    multiple=True,
    metavar='"SPEAKER: TEXT"',
    help="Who said what about it (repeatable).",
)
@click.option(
    "--statement-source",
    "statement_sources",
    multiple=True,
    metavar="URL",
    help="The statements' own source (repeatable; default: the meeting's sources).",
)
@click.option("--statement-lang", metavar="LANG", help="The statements' language: en, pl, ru...")
@click.option(
    "--statement-kind",
    type=click.Choice([k.value for k in StatementKind]),
    default=StatementKind.QUOTE.value,
    show_default=True,
    help="What the statements are.",
)
@source_options("A source URL, or a publisher's name when there is no URL (repeatable).")
@click.option("--notes", help="Free text kept on the meeting.")
@click.option(
    "--country",
    metavar="CODE|NAME",
    shell_complete=completion.countries,
    help="The country of a place created by --create: a code or a name in any language"
    " (RU, Rosja, USSR).",
)
@click.option("--no-visit", is_flag=True, help="Not part of a trip (calls never are).")
@click.option("--create", is_flag=True, help="Create unknown people and places without asking.")
@click.option(
    "--duplicate",
    is_flag=True,
    help="Log it even if it probably repeats a recorded meeting.",
)
@pass_app
def log_command(
    app: App,
    envoys: tuple[str, ...],
    when: str | None,
    place: str | None,
    title: str | None,
    kind: str,
    counterparts: tuple[str, ...],
    topics: tuple[str, ...],
    duration: str | None,
    outcome: str,
    summary: str | None,
    status: str,
    statements: tuple[str, ...],
    statement_sources: tuple[str, ...],
    statement_lang: str | None,
    statement_kind: str,
    sources: tuple[str, ...],
    publisher: str | None,
    source_title: str | None,
    notes: str | None,
    country: str | None,
    no_visit: bool,
    create: bool,
    duplicate: bool,
) -> None:
    """Log a meeting, and its visit: a meeting in a city where the envoy has a visit
    on that date joins it; otherwise a new visit is made.

    On a terminal it asks for what is missing and offers the known names; otherwise a
    missing required field (--envoy, --date, --title, --source, and --place unless it
    is a call) exits 2 naming it. An unknown name gets "did you mean" and is created
    only when you confirm, or with --create. A meeting that probably repeats a recorded
    one (same kind, overlapping dates, same venue or city, a shared envoy and a shared
    counterpart) is refused, naming it; --duplicate logs it anyway.

    Example: tracker log -e Witkoff -w Putin -d 2025-12-02 -p Kreml -t Talks -s Reuters
    """
    from tracker.records import Counterpart, LogRequest, SaidLine, log_meeting, unknown_names
    from tracker.write.report import ChangeReport
    from tracker.write.writer import ProbableDuplicate

    fields_are(LOG_FLAGS)
    interactive = _interactive()
    envoy_list = list(envoys) or _ask(interactive, "--envoy", "Envoy", known_envoys(app))
    when = when or _ask(interactive, "--date", "Date (EDTF, e.g. 2025-12-02)")[0]
    if place is None and kind != MeetingKind.CALL.value and not no_visit:
        place = _ask(interactive, "--place", "Place (venue or city)")[0]
    title = title or _ask(interactive, "--title", "Title")[0]
    source_list = list(sources) or _ask(interactive, "--source", "Source URL (or publisher)")
    request = LogRequest(
        envoys=envoy_list,
        date=when,
        title=title,
        place=place,
        kind=kind,
        counterparts=[Counterpart.parse(c) for c in counterparts],
        topics=list(topics),
        duration=duration,
        outcome=outcome,
        summary=summary,
        status=status,
        statements=[SaidLine.parse(s) for s in statements],
        sources=source_list,
        publisher=publisher,
        source_title=source_title,
        notes=notes,
        country=country,
        no_visit=no_visit,
        duplicate=duplicate,
        statement_sources=list(statement_sources),
        statement_language=statement_lang,
        statement_kind=statement_kind,
    )
    database = app.database()
    with database.writing() as session:
        missing = unknown_names(session, request)
        to_create = []
        for unknown in missing:
            if create:
                to_create.append(unknown.name)
                continue
            hint = (
                f"; did you mean {', '.join(unknown.suggestions)}?" if unknown.suggestions else ""
            )
            if not interactive:
                raise InvalidInput(
                    unknown.field,
                    f"a known {unknown.kind} (or --create to add {unknown.name!r}){hint}",
                    unknown.name,
                )
            app.err.print(f"No {unknown.kind} named {unknown.name!r}{hint}")
            if not click.confirm(
                f"Create {unknown.kind} {unknown.name!r}?", default=False, err=True
            ):
                raise click.Abort()
            to_create.append(unknown.name)
        report = ChangeReport()
        try:
            meeting = log_meeting(session, request, create=to_create, report=report)
        except ProbableDuplicate as exc:
            exc.hint = messages.DUPLICATE_HINT.format(ref=exc.refs[0])
            raise
        from cli.render import print_detail
        from tracker.backend import reader
        from tracker.query.detail import meeting_detail

        # Rendered now (it reads the session), shown once committed: a reader that goes
        # away must not take the write with it.
        with app.out.capture() as shown:
            print_detail(app.out, meeting_detail(reader(session), meeting.id))
        uid = meeting.uid
        no_country = [n.name for n in report.new_names if n.kind == "person" and n.country is None]
    app.err.print(messages.LOGGED.format(uid=uid))
    for name in no_country:
        app.err.print(messages.NO_COUNTRY.format(name=name))
    app.out.file.write(shown.get())


LOG_FLAGS = {
    "envoy": "--envoy",
    "counterpart": "--with",
    "date": "--date",
    "place": "--place",
    "title": "--title",
    "kind": "--kind",
    "topic": "--topic",
    "duration": "--duration",
    "outcome": "--outcome",
    "summary": "--summary",
    "status": "--status",
    "statement": "--statement",
    "statement kind": "--statement-kind",
    "statement source": "--statement-source",
    "statement language": "--statement-lang",
    "source": "--source",
    "publisher": "--publisher",
    "source title": "--source-title",
    "notes": "--notes",
    "country": "--country",
}
EDIT_FLAGS = {
    **LOG_FLAGS,
    "purpose": "--purpose",
    "topic": "--add-topic",
    "source": "--add-source",
    "edit": "REF",
}


def known_envoys(app: App) -> list[str]:
    """Names of the people who took part in a meeting as its envoy (what ``-e`` means),
    to offer at the prompt."""
    from tracker import suggest

    with app.database().reading() as session:
        return suggest.names(session, "envoys")


def _ask(interactive: bool, option: str, label: str, offer: list[str] | None = None) -> list[str]:
    if not interactive:
        raise InvalidInput(option, "a value (it is required when not on a terminal)")
    if offer:
        click.echo(f"Known: {', '.join(offer[:20])}", err=True)
    value = click.prompt(label, err=True).strip()
    if not value:
        raise InvalidInput(option, "a value")
    return [value]


@main.command("edit", context_settings=CONTEXT_SETTINGS)
@click.argument("ref")
@click.option("--title", help="New title (meetings).")
@click.option("--date", "when", metavar="EDTF", help="New date.")
@click.option("--kind", type=click.Choice([k.value for k in MeetingKind]), help="New kind.")
@click.option(
    "--place",
    shell_complete=completion.places,
    help="New venue (meetings) or destination (visits).",
)
@click.option("--duration", help="New duration: 5h, ~3h, 5h+, <=2h, or 'none'.")
@click.option("--outcome", type=click.Choice([o.value for o in Outcome]), help="New outcome.")
@click.option("--summary", help="New outcome summary.")
@click.option("--status", type=click.Choice([s.value for s in MeetingStatus]))
@click.option("--notes", help="New notes.")
@click.option("--purpose", help="New purpose (visits).")
@click.option("--add-topic", "add_topics", multiple=True, help="Add a topic (repeatable).")
@click.option(
    "--add-source", "add_sources", multiple=True, metavar="URL", help="Add a source (repeatable)."
)
@pass_app
def edit_command(
    app: App,
    ref: str,
    title: str | None,
    when: str | None,
    kind: str | None,
    place: str | None,
    duration: str | None,
    outcome: str | None,
    summary: str | None,
    status: str | None,
    notes: str | None,
    purpose: str | None,
    add_topics: tuple[str, ...],
    add_sources: tuple[str, ...],
) -> None:
    """Change a meeting or a visit, and show it before and after.

    REF is a uid, m:ID, v:ID or a bare id, as `tracker show` takes.

    Example: tracker edit meeting-2025-04-25-witkoff-putin --duration ~3h --outcome unknown
    """
    from cli.render import meeting_fields, print_before_after, visit_fields
    from tracker.backend import reader
    from tracker.models import Meeting
    from tracker.query.detail import find_record, meeting_detail, visit_detail
    from tracker.records import Changes, edit_record

    changes = Changes(
        title=title,
        date=when,
        kind=kind,
        place=place,
        duration=duration,
        outcome=outcome,
        summary=summary,
        status=status,
        notes=notes,
        purpose=purpose,
        add_topics=list(add_topics),
        add_sources=list(add_sources),
    )

    fields_are(EDIT_FLAGS)

    def fields(session: Session, record: Meeting | Visit) -> list[tuple[str, list[str]]]:
        if isinstance(record, Meeting):
            return meeting_fields(meeting_detail(reader(session), record.id))
        return visit_fields(visit_detail(reader(session), record.id))

    with app.database().writing() as session:
        record = find_record(session, ref)
        # Taken before, shown after: bad input prints nothing on stdout.
        before = fields(session, record)
        moved = edit_record(session, record, changes)
        session.refresh(record)
        with app.out.capture() as shown:  # shown once committed, as log's is
            print_before_after(app.out, before, fields(session, record))
    app.out.file.write(shown.get())
    for line in moved:
        app.err.print(line)


@main.command("delete", context_settings=CONTEXT_SETTINGS)
@click.argument("ref")
@click.option("--yes", "-y", is_flag=True, help="Do not ask first.")
@pass_app
def delete_command(app: App, ref: str, yes: bool) -> None:
    """Delete a meeting (with its statements) or a visit (with its meetings); asks first.

    Example: tracker delete m:42 --yes
    """
    from tracker.models import Meeting
    from tracker.query import find_record
    from tracker.records import delete_record

    with app.database().writing() as session:
        record = find_record(session, ref)
        label = record.title if isinstance(record, Meeting) else f"visit {record.edtf}"
        what = "meeting" if isinstance(record, Meeting) else "visit"
        if not yes:
            if not sys.stdin.isatty():
                raise InvalidInput("--yes", "--yes to delete when not on a terminal")
            prompt = messages.DELETE_PROMPT.format(what=what, label=label, uid=record.uid)
            if not click.confirm(prompt, default=False, err=True):
                raise click.Abort()
        deleted = delete_record(session, record)
    counts = {
        "visits": deleted.visits,
        "meetings": deleted.meetings,
        "statements": deleted.statements,
    }
    if deleted.emptied is not None:
        app.out.print(messages.DELETED_EMPTY.format(uid=deleted.emptied.uid, **counts))
    else:
        app.out.print(messages.DELETED.format(**counts))
