"""``tracker account``: competing accounts of one fact of a meeting or a visit."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from cli import messages
from cli.app import CONTEXT_SETTINGS, fields_are, main
from cli.context import App
from cli.read_commands import format_option
from cli.render import ACCOUNT_COLUMNS, Listing, account_cells, renderer
from tracker.accounts import ACCOUNT_KEYS
from tracker.formats import Table

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

pass_app = click.make_pass_decorator(App)

ACCOUNT_FLAGS = {
    "field": "FIELD",
    "value": "VALUE",
    "number": "N",
    "source": "--source",
    "publisher": "--publisher",
    "source title": "--source-title",
    "quote": "--quote",
    "speaker": "--speaker",
    "language": "--language",
    "note": "--note",
}
ACCOUNT_TABLE = Table(ACCOUNT_KEYS, right=frozenset({"n"}))
FIELD_HELP = (
    "A meeting's date, venue (or place), duration, participants, outcome, outcome_summary "
    "(or summary), status; a visit's date, destination (or place)."
)


@main.group("account", context_settings=CONTEXT_SETTINGS)
def account_group() -> None:
    """Competing accounts of one fact, each with its sources: add, prefer, list, delete.

    A fact of a meeting (date, venue, duration, participants, outcome, outcome_summary,
    status) or of a visit (date, destination) may carry several accounts, each a value
    with its sources, an optional quote (who said it, in what language) and a note. The
    preferred one (the first recorded, unless you prefer another) is the record's value.

    Example: tracker account add m:22 duration '5h+' -s 'Polish news report (crediting Reuters)'
    """


@account_group.command("add")
@click.argument("ref")
@click.argument("field", metavar="FIELD")
@click.argument("value")
@click.option(
    "--source",
    "-s",
    "sources",
    multiple=True,
    metavar="URL",
    help="A source URL, or a publisher's name when there is no URL (repeatable; required).",
)
@click.option("--publisher", help="The first source's publisher.")
@click.option("--source-title", help="The first source's title.")
@click.option("--quote", help="The words the account rests on, as reported.")
@click.option("--speaker", metavar="NAME", help="Who said it (a known person).")
@click.option("--language", metavar="LANG", help="The language of the quote (pl, en, ru).")
@click.option("--note", help="A note on this account.")
@click.option("--prefer", is_flag=True, help="Make it the preferred account (the record's value).")
@pass_app
def account_add(
    app: App,
    ref: str,
    field: str,
    value: str,
    sources: tuple[str, ...],
    publisher: str | None,
    source_title: str | None,
    quote: str | None,
    speaker: str | None,
    language: str | None,
    note: str | None,
    prefer: bool,
) -> None:
    """Record what a source says one fact of a meeting or a visit was.

    REF is a uid, m:ID, v:ID or a bare id, as `tracker show` takes. FIELD is one fact
    (a meeting's date, venue, duration, participants, outcome, outcome_summary, status;
    a visit's date, destination; 'place' and 'summary' as `tracker edit` names them).
    VALUE is typed as `tracker log` takes it: 2025-12-02, 5h+, ~3h, Kremlin, no-agreement,
    'Witkoff, Kushner, Putin:host'. When the fact had a value of its own, it becomes the
    first account (credited to the record's sources) and stays the preferred one.

    Example: tracker account add m:22 duration 5h -s Reuters --quote 'Pięć godzin' --language pl
    """
    from tracker.query import find_record
    from tracker.write.accounts import AccountRequest, add_account

    fields_are(ACCOUNT_FLAGS)
    request = AccountRequest(
        field=field,
        value=value,
        sources=list(sources),
        quote=quote,
        speaker=speaker,
        language=language,
        note=note,
        prefer=prefer,
        publisher=publisher,
        source_title=source_title,
    )
    with app.database().writing() as session:
        record = find_record(session, ref)
        account, moved = add_account(session, record, request)
        app.out.print(
            messages.ACCOUNT_ADDED.format(
                field=account.field, n=account.position + 1, uid=record.uid
            )
        )
        _print_accounts(app, session, record, account.field)
    for line in moved:
        app.err.print(line)


@account_group.command("prefer")
@click.argument("ref")
@click.argument("field", metavar="FIELD")
@click.argument("number", metavar="N", type=int)
@pass_app
def account_prefer(app: App, ref: str, field: str, number: int) -> None:
    """Make account N of a fact the preferred one: the record takes its value.

    Example: tracker account prefer meeting-2025-12-02-witkoff-kushner-putin duration 2
    """
    from tracker.query import find_record
    from tracker.write.accounts import prefer_account

    fields_are(ACCOUNT_FLAGS)
    with app.database().writing() as session:
        record = find_record(session, ref)
        account, moved = prefer_account(session, record, field, number)
        app.out.print(
            messages.ACCOUNT_PREFERRED.format(field=account.field, n=number, uid=record.uid)
        )
        _print_accounts(app, session, record, account.field)
    for line in moved:
        app.err.print(line)


@account_group.command("list")
@click.argument("ref")
@click.argument("field", metavar="[FIELD]", required=False)
@format_option
@pass_app
def account_list(app: App, ref: str, field: str | None, fmt: str) -> None:
    """List the accounts of a meeting's or a visit's facts (or of one FIELD), numbered
    as `prefer` and `delete` take them; * marks the preferred one, ! a disputed fact.

    Example: tracker account list meeting-2025-12-02-witkoff-kushner-putin --format json
    """
    from tracker.accounts import account_rows, field_named
    from tracker.query import find_record

    fields_are(ACCOUNT_FLAGS)
    with app.database().reading() as session:
        record = find_record(session, ref)
        name = field_named(record, field) if field is not None else None
        rows = [account_cells(row) for row in account_rows(session, record, name)]
    count = renderer(fmt).render(app.out, Listing(rows, ACCOUNT_TABLE, ACCOUNT_COLUMNS))
    if count == 0 and fmt == "table":
        app.err.print(messages.NO_ACCOUNTS)


@account_group.command("delete")
@click.argument("ref")
@click.argument("field", metavar="FIELD")
@click.argument("number", metavar="N", type=int)
@pass_app
def account_delete(app: App, ref: str, field: str, number: int) -> None:
    """Delete account N of a fact; when it was the preferred one, the first of the others
    becomes preferred and the record takes its value.

    Example: tracker account delete m:22 duration 2
    """
    from tracker.query import find_record
    from tracker.write.accounts import delete_account

    fields_are(ACCOUNT_FLAGS)
    with app.database().writing() as session:
        record = find_record(session, ref)
        account, moved = delete_account(session, record, field, number)
        app.out.print(
            messages.ACCOUNT_DELETED.format(field=account.field, n=number, uid=record.uid)
        )
        _print_accounts(app, session, record, account.field)
    for line in moved:
        app.err.print(line)


def _print_accounts(app: App, session: Session, record: object, field: str) -> None:
    from tracker.accounts import account_rows
    from tracker.models import Meeting, Visit

    assert isinstance(record, Meeting | Visit)
    rows = [account_cells(row) for row in account_rows(session, record, field)]
    renderer("table").render(app.out, Listing(rows, ACCOUNT_TABLE, ACCOUNT_COLUMNS))
