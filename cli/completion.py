"""Shell completion: the names of people, envoys, places and countries, read from the
database that ``--db`` (or ``TRACKER_DB``) names.

Click completes commands, options and choices (formats, kinds, outcomes) by itself; the
options and arguments that take a name get one of the functions below as their
``shell_complete``. Completion never creates, upgrades or writes a database: without
one, or on any failure, it offers nothing rather than print an error into the shell.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import click
from click.shell_completion import BashComplete, CompletionItem, add_completion_class

from tracker.vocab import Outcome

Complete = Callable[[click.Context, click.Parameter, str], list[CompletionItem]]

_BASH_SPECIAL = re.compile(r"""([\s'"\\$`!&|;<>()*?\[\]{}#~])""")


class QuotingBashComplete(BashComplete):
    """Bash inserts a completion as it is: a name with a space would become two words.
    Special characters are escaped with a backslash, as bash's own file completion does
    (zsh and fish quote what they insert themselves)."""

    name = "bash"

    def format_completion(self, item: CompletionItem) -> str:
        value = item.value
        if item.type == "plain":
            value = _BASH_SPECIAL.sub(r"\\\1", value)
        return f"{item.type},{value}"


add_completion_class(QuotingBashComplete)


def _names(ctx: click.Context, lookup: Callable[[Any], list[str]]) -> list[CompletionItem]:
    """``lookup(session)`` on the database of the command line, read-only; nothing when
    there is no database yet or anything goes wrong."""
    from db.engine import nothing_stored, open_database, resolve_url

    target = ctx.find_root().params.get("target")
    try:
        url = resolve_url(target)
        if nothing_stored(url):
            return []
        database = open_database(url, upgrade=False)
        try:
            with database.reading() as session:
                return [CompletionItem(name) for name in lookup(session)]
        finally:
            database.dispose()
    except Exception:
        return []


def people(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    from tracker import suggest

    return _names(ctx, lambda session: suggest.people(session, incomplete))


def envoys(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    from tracker import suggest

    return _names(ctx, lambda session: suggest.people(session, incomplete, among="envoys"))


def travellers(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    from tracker import suggest

    return _names(ctx, lambda session: suggest.people(session, incomplete, among="travellers"))


def places(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    from tracker import suggest

    return _names(ctx, lambda session: suggest.places(session, incomplete))


def countries(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    from tracker import suggest

    return _names(ctx, lambda session: suggest.places(session, incomplete, countries_only=True))


def outcomes(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    return [CompletionItem(o.value) for o in Outcome if o.value.startswith(incomplete)]
