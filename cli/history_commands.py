"""``tracker history`` and ``tracker undo``: who changed what and when, and reverting a
change set."""

from __future__ import annotations

import json
from typing import Any

import click
from rich.text import Text

from cli import messages
from cli.app import CONTEXT_SETTINGS, main
from cli.context import App
from cli.read_commands import format_option
from cli.render import Column, Listing, print_disputes, print_fields, print_json, renderer, safe
from tracker.errors import InvalidInput
from tracker.formats import Table, excel_refused

pass_app = click.make_pass_decorator(App)

HISTORY_COLUMNS = (
    Column("number", "#", "right", style="bold"),
    Column("at", "at (UTC)"),
    Column("who", "who", drop=2),
    Column("command", "command", wrap="words"),
    Column("added", "added", "right", style="green"),
    Column("updated", "updated", "right", style="yellow"),
    Column("deleted", "deleted", "right", style="red"),
    Column("undoes", "undoes", "right", drop=1),
)
OP_STYLE = {"added": "green", "updated": "yellow", "deleted": "red"}


@main.command("history", context_settings=CONTEXT_SETTINGS)
@click.argument("ref", required=False)
@click.argument("number", required=False, metavar="[N]")
@click.option("--who", metavar="NAME", help="Only the change sets of this person.")
@click.option(
    "--from", "start", metavar="WHEN", help="Only change sets made at or after this date or time."
)
@click.option("--to", "end", metavar="WHEN", help="Only change sets made up to this date or time.")
@format_option
@pass_app
def history_command(
    app: App,
    ref: str | None,
    number: str | None,
    who: str | None,
    start: str | None,
    end: str | None,
    fmt: str,
) -> None:
    """Who changed what and when: the change sets, newest first; 'history show N': what
    change set N changed, field by field.

    Every write (log, edit, delete, seed, import, undo, prune-history) is one change
    set: when (UTC), who (--as NAME, TRACKER_USER or your system user; on PostgreSQL
    also the database role), the command line (passwords masked) and each record it
    touched, before and after. REF (a uid, m:ID or v:ID) lists only the change sets
    that touched that record; WHEN is a date (2026-11-29) or a date-time (UTC unless
    it gives an offset).

    Example: tracker history meeting-2025-04-25-witkoff-putin --from 2026-11-01
    """
    if ref == "show":
        _show(app, number, fmt)
        return
    if number is not None:
        raise click.UsageError(f"Got unexpected extra argument ({number})")
    from tracker.history.read import HISTORY_KEYS, history_rows, moment, record_uid

    since = moment(start, "--from") if start else None
    until = moment(end, "--to", end=True) if end else None
    with app.database().reading() as session:
        uid = record_uid(session, ref) if ref is not None else None
        rows = history_rows(session, uid=uid, who=who, start=since, end=until)
        listing = Listing(rows, Table(HISTORY_KEYS), HISTORY_COLUMNS)
        if renderer(fmt, excel=app.excel).render(app.out, listing) == 0 and fmt == "table":
            app.err.print(messages.NO_CHANGE_SETS)


def change_set_number(value: str | None, field: str) -> int:
    if value is None or not value.strip().isdigit() or len(value.strip()) > 18:
        raise InvalidInput(field, "a change set number (see 'tracker history')", value)
    return int(value)


def _show(app: App, number: str | None, fmt: str) -> None:
    from tracker.history.read import change_set, record_changes, shown_time

    wanted = change_set_number(number, "N")
    if app.excel:
        raise excel_refused(fmt)
    with app.database().reading() as session:
        found = change_set(session, wanted)
        changes = record_changes(session, found)
        head: dict[str, Any] = {
            "number": found.id,
            "at": shown_time(found.at),
            "who": found.who,
            "role": found.role,
            "command": found.command,
            "undoes": found.undoes,
        }
    if fmt == "json":
        print_json(
            app.out,
            {
                **head,
                "changes": [
                    {
                        "kind": c.kind,
                        "uid": c.uid,
                        "op": c.op,
                        "before": c.before,
                        "after": c.after,
                    }
                    for c in changes
                ],
            },
        )
        return
    if fmt != "table":
        raise InvalidInput("--format", "table or json for 'history show'", fmt)
    print_fields(
        app.out,
        [
            ("change set", [str(found.id)]),
            ("at", [head["at"]]),
            ("who", [head["who"] + (f" (database role {head['role']})" if head["role"] else "")]),
            ("command", [head["command"]]),
            ("undoes", [f"change set {head['undoes']}"] if head["undoes"] else []),
        ],
    )
    for change in changes:
        app.out.print()
        print_record_change(app, change)


def print_record_change(app: App, change: Any) -> None:
    """One record of a change set: its kind, uid and what happened, then each field
    that changed, before in red and after in green on a terminal."""
    style = OP_STYLE.get(change.op, "")
    app.out.print(
        Text.assemble((f"{change.kind} {safe(change.uid)}", "bold"), " ", (change.op, style))
    )
    fields = change.fields()
    width = max((len(key) for key, _b, _a in fields), default=0) + 2
    for key, before, after in fields:
        line = Text("  " + key.ljust(width))
        if change.op == "updated":
            line.append(_value(before), style="red")
            line.append(" → ")
            line.append(_value(after), style="green")
        elif change.op == "added":
            line.append(_value(after), style="green")
        else:
            line.append(_value(before), style="red")
        app.out.print(line, soft_wrap=True)


def show_as_of(app: App, ref: str, when: str, fmt: str) -> None:
    """``tracker show REF --as-of WHEN``: the record as it stood then, field by field."""
    from tracker.history.read import moment, record_as_of, record_uid
    from tracker.query.disputes import disputed_then

    stamp = moment(when, "--as-of", end=True)
    with app.database().reading() as session:
        state = record_as_of(session, record_uid(session, ref), stamp)
        if state.after is None:
            raise InvalidInput("--as-of", f"a time when {state.kind} {state.uid} existed", when)
        if fmt == "json":
            print_json(app.out, state.after)
            return
        disputed = disputed_then(session, state.after)
    print_fields(
        app.out,
        [("record", [state.kind])] + [(key, [_value(value)]) for key, value in state.after.items()],
    )
    print_disputes(app.out, disputed)


def _value(value: Any) -> str:
    return safe(json.dumps(value, ensure_ascii=False))


@main.command("undo", context_settings=CONTEXT_SETTINGS)
@click.argument("number", required=False, metavar="[N]")
@click.option("--force", is_flag=True, help="Revert it even if later changes touched its records.")
@pass_app
def undo_command(app: App, number: str | None, force: bool) -> None:
    """Revert change set N (default: your newest), as a new change set.

    Every record it touched goes back to its state before it: records it changed or
    deleted are restored (same uids), records it added are deleted. If a later change
    touched the same records it refuses, naming them, unless --force. Undoing an undo
    does it again. Records added since that refer to a record it added (a meeting added
    to its visit) are never deleted: it refuses.

    Example: tracker undo 12
    """
    from tracker.history.record import RECORDED
    from tracker.history.undo import newest_of, undo

    database = app.database()
    with database.writing() as session:
        wanted = (
            change_set_number(number, "N")
            if number is not None
            else newest_of(session, database.author.name)
        )
        done = undo(session, wanted, force=force)
    recorded = session.info.get(RECORDED)
    if recorded is None:
        app.out.print(messages.UNDONE_NOTHING.format(number=done.number))
        return
    app.out.print(
        messages.UNDONE.format(
            number=done.number, restored=done.restored, deleted=done.deleted, recorded=recorded
        )
    )
