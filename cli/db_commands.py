"""``tracker db``: schema and database care."""

from __future__ import annotations

import click
from rich.table import Table

from cli import messages
from cli.app import CONTEXT_SETTINGS, main
from cli.context import App
from tracker.text import visible

pass_app = click.make_pass_decorator(App)

# Kept here until cli/messages.py takes them.


@main.group("db", context_settings=CONTEXT_SETTINGS)
def db_group() -> None:
    """Schema and database care: upgrade, current, info, backup, prune-history.

    Example: tracker db info
    """


@db_group.command("upgrade")
@pass_app
def db_upgrade(app: App) -> None:
    """Create the schema, or bring it to the newest revision.

    Every command does this on first use; this does it explicitly.

    Example: tracker --db postgresql+psycopg://postgres@127.0.0.1/test db upgrade
    """
    from db.revisions import HEAD
    from db.schema import connected, stored_revision, upgrade

    database = app.database(upgrade=False)
    with connected(database) as connection:
        before = stored_revision(connection)
    if before == HEAD:
        url = visible(database.display_url)
        app.out.print(messages.ALREADY_AT_HEAD.format(url=url, revision=HEAD))
        return
    revision = upgrade(database)
    app.out.print(messages.UPGRADED.format(url=visible(database.display_url), revision=revision))


@db_group.command("current")
@pass_app
def db_current(app: App) -> None:
    """Print the schema revision the database is at.

    Example: tracker db current
    """
    from db.revisions import HEAD
    from db.schema import connected, stored_revision

    database = app.database(upgrade=False)
    with connected(database) as connection:
        revision = stored_revision(connection)
    if revision is None:
        app.out.print(messages.CURRENT_NONE)
    else:
        suffix = " (head)" if revision == HEAD else ""
        app.out.print(messages.CURRENT.format(revision=revision) + suffix)


@db_group.command("info")
@pass_app
def db_info(app: App) -> None:
    """Show the database: URL (password masked), backend, revision, rows per table.

    Example: tracker --db ~/tracker.db db info
    """
    from cli.render import print_fields
    from db.schema import connected, row_counts, stored_revision

    database = app.database()
    with connected(database) as connection:
        revision = stored_revision(connection)
        counts = row_counts(connection)
    print_fields(
        app.out,
        [
            ("url", [database.display_url]),
            ("backend", [database.backend]),
            ("revision", [revision or "none"]),
        ],
    )
    table = Table("table", "rows", box=None, pad_edge=False)
    table.columns[1].justify = "right"
    for name, count in counts.items():
        table.add_row(name, str(count))
    app.out.print(table)


@db_group.command("backup")
@click.argument("file", type=click.Path(path_type=str), metavar="FILE")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@pass_app
def db_backup(app: App, file: str, force: bool) -> None:
    """Copy a SQLite database to FILE, consistently, even while others write to it.

    The copy is a single file, private to you (mode 0600), checked before it replaces
    anything; FILE is never left half-written, and is never the database itself or a
    symbolic link. A PostgreSQL database is backed up with pg_dump instead.

    Example: tracker db backup ~/tracker-2025-12-02.db
    """
    from db.backup import backup_database

    backup = backup_database(app.database_url(), file, force=force)
    app.out.print(
        messages.BACKED_UP.format(
            source=visible(backup.source), path=visible(str(backup.path)), size=backup.size
        )
    )


@db_group.command("prune-history")
@click.option(
    "--before", required=True, metavar="WHEN", help="Remove change sets made before this."
)
@pass_app
def db_prune_history(app: App, before: str) -> None:
    """Remove the change sets made before a date or time; the records stay as they are.

    The prune is itself recorded, and the history then starts at WHEN: 'export
    --as-of' and 'show --as-of' reach no further back. WHEN is a date (2026-01-01,
    midnight UTC) or a date-time.

    Example: tracker db prune-history --before 2026-01-01
    """
    from datetime import UTC, datetime

    from tracker.errors import InvalidInput
    from tracker.history.prune import prune_history
    from tracker.history.read import moment, shown_time

    cutoff = moment(before, "--before")
    if cutoff > datetime.now(UTC):
        raise InvalidInput("--before", "a date or time that has passed", before)
    with app.database().writing() as session:
        sets, changes = prune_history(session, cutoff)
    app.out.print(messages.PRUNED.format(sets=sets, changes=changes, before=shown_time(cutoff)))
