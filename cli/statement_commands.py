"""``tracker statement add|edit|delete``: statements with their own speaker, kind,
language, date and sources."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from cli import completion, messages
from cli.app import CONTEXT_SETTINGS, fields_are, main
from cli.context import App
from cli.write_commands import source_options
from tracker.errors import InvalidInput
from tracker.vocab import StatementKind

F = TypeVar("F", bound=Callable[..., Any])
pass_app = click.make_pass_decorator(App)

FLAGS = {
    "statement": "REF",
    "speaker": "--speaker",
    "text": "--text",
    "meeting": "--meeting",
    "REF": "--meeting",
    "kind": "--kind",
    "date": "--date",
    "language": "--lang",
    "notes": "--notes",
    "source": "--source",
    "publisher": "--publisher",
    "source title": "--source-title",
    "remove source": "--remove-source",
    "edit": "options",
}


def _fields(statement: Any) -> list[tuple[str, list[str]]]:
    from tracker.dates import display

    meeting = statement.meeting
    return [
        ("speaker", [statement.speaker.name]),
        ("kind", [statement.kind]),
        ("date", [display(statement.edtf)]),
        ("language", [statement.language] if statement.language else []),
        ("text", [statement.text]),
        ("meeting", [f"m:{meeting.id} {meeting.title}"] if meeting is not None else []),
        (
            "sources",
            [
                s.url or " – ".join(x for x in (s.publisher, s.title) if x)
                for s in statement.sources
            ],
        ),
        ("notes", [statement.notes] if statement.notes else []),
        ("ref", [f"s:{statement.id}"]),
        ("uid", [statement.uid]),
    ]


def _source_line(source: Any) -> str:
    return str(source.url or " – ".join(x for x in (source.publisher, source.title) if x))


def statement_options(fn: F) -> F:
    for option in reversed(
        [
            click.option(
                "--speaker",
                metavar="NAME",
                help="Who said it: any name or alias.",
                shell_complete=completion.people,
            ),
            click.option("--text", help="What was said, as reported."),
            click.option(
                "--meeting", metavar="REF", help="The meeting it is about: m:ID or its uid."
            ),
            click.option(
                "--kind",
                type=click.Choice([k.value for k in StatementKind]),
                help="quote, readout, assessment or reaction (a third party's).",
            ),
            click.option(
                "--date", metavar="EDTF", help="When it was said (default: the meeting's day)."
            ),
            click.option("--lang", "language", metavar="LANG", help="Its language: en, pl, ru..."),
            click.option("--notes", help="Free text kept on the statement."),
        ]
    ):
        fn = option(fn)
    return fn


@main.group("statement", context_settings=CONTEXT_SETTINGS)
def statement_group() -> None:
    """A statement with its own speaker, kind, language, date and sources: add, edit, delete.

    Example: tracker statement add --meeting m:20 --speaker Uszakow --text "…" -s Reuters
    """


@statement_group.command("add", context_settings=CONTEXT_SETTINGS)
@statement_options
@source_options("A source that reports it: a URL, or a publisher's name (repeatable; required).")
@pass_app
def statement_add_command(
    app: App,
    speaker: str | None,
    text: str | None,
    meeting: str | None,
    kind: str | None,
    date: str | None,
    language: str | None,
    notes: str | None,
    sources: tuple[str, ...],
    publisher: str | None,
    source_title: str | None,
) -> None:
    """Record a statement: who said what, when, in what language, about which meeting,
    and the sources that report it.

    --speaker, --text and a --source are required, and --date unless it is about a
    meeting (it then defaults to the meeting's day). The same speaker, meeting and
    text recorded already is refused, naming it.

    Example: tracker statement add --meeting m:20 --speaker Ushakov --lang ru --text "…" -s TASS
    """
    from cli.render import print_fields
    from tracker.records import source_specs
    from tracker.statements import StatementFields, add_statement

    fields_are(FLAGS)
    for value, option in ((speaker, "--speaker"), (text, "--text")):
        if not value or not value.strip():
            raise InvalidInput(option, "a value (it is required)")
    if date is None and meeting is None:
        raise InvalidInput("--date", "a date, or --meeting to date it by its meeting")
    given = StatementFields(speaker, text, meeting, kind, date, language, notes)
    with app.database().writing() as session:
        statement = add_statement(session, given, source_specs(sources, publisher, source_title))
        app.err.print(messages.STATEMENT_ADDED.format(id=statement.id, uid=statement.uid))
        print_fields(app.out, _fields(statement))


@statement_group.command("edit", context_settings=CONTEXT_SETTINGS)
@click.argument("ref")
@statement_options
@click.option(
    "--add-source", "add_sources", multiple=True, metavar="URL", help="Add a source (repeatable)."
)
@click.option(
    "--remove-source",
    "remove_sources",
    multiple=True,
    metavar="URL",
    help="Remove a source, by URL, publisher or uid (repeatable).",
)
@pass_app
def statement_edit_command(
    app: App,
    ref: str,
    speaker: str | None,
    text: str | None,
    meeting: str | None,
    kind: str | None,
    date: str | None,
    language: str | None,
    notes: str | None,
    add_sources: tuple[str, ...],
    remove_sources: tuple[str, ...],
) -> None:
    """Change a statement, and show it before and after.

    REF is s:ID or the statement's uid. An empty value clears an optional field
    (--lang "", --meeting "").

    Example: tracker statement edit s:3 --lang pl --add-source https://example.org/report
    """
    from cli.render import print_before_after
    from tracker.records import source_specs
    from tracker.statements import StatementFields, edit_statement, find_statement

    fields_are({**FLAGS, "source": "--add-source"})
    given = StatementFields(speaker, text, meeting, kind, date, language, notes)
    with app.database().writing() as session:
        statement = find_statement(session, ref)
        before = _fields(statement)
        statement = edit_statement(
            session,
            statement,
            given,
            add_sources=source_specs(add_sources, None, None),
            remove_sources=list(remove_sources),
        )
        session.refresh(statement)
        print_before_after(app.out, before, _fields(statement))


@statement_group.command("delete", context_settings=CONTEXT_SETTINGS)
@click.argument("ref")
@click.option("--yes", "-y", is_flag=True, help="Do not ask first.")
@pass_app
def statement_delete_command(app: App, ref: str, yes: bool) -> None:
    """Delete a statement; asks first. Its reference is never given to another.

    Example: tracker statement delete s:3 --yes
    """
    from tracker.statements import delete_statement, find_statement

    fields_are(FLAGS)
    with app.database().writing() as session:
        statement = find_statement(session, ref)
        if not yes:
            if not sys.stdin.isatty():
                raise InvalidInput("--yes", "--yes to delete when not on a terminal")
            prompt = messages.DELETE_PROMPT.format(
                what="statement", label=statement.text[:60], uid=statement.uid
            )
            if not click.confirm(prompt, default=False, err=True):
                raise click.Abort()
        delete_statement(session, statement)
    app.out.print(messages.STATEMENT_DELETED.format(ref=ref.strip()))
