"""``tracker people|places add|edit|alias|merge``: keeping the registries right.

Each command parses its options into fields, calls one service of
:mod:`tracker.registry` in a write transaction, and shows the record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from cli import completion, messages
from cli.app import CONTEXT_SETTINGS, fields_are
from cli.context import App
from cli.read_commands import people_command, places_command
from tracker.errors import InvalidInput

if TYPE_CHECKING:
    from tracker.registry import Kind

F = TypeVar("F", bound=Callable[..., Any])
pass_app = click.make_pass_decorator(App)

PERSON_FLAGS = {
    "record": "NAME",
    "name": "NAME",
    "into": "INTO",
    "country": "--country",
    "wikidata": "--wikidata",
    "notes": "--notes",
    "alias": "--alias",
    "role": "--role",
    "add role": "--add-role",
    "remove role": "--remove-role",
    "edit": "options",
    "new name": "--name",
}
PLACE_FLAGS = {
    **PERSON_FLAGS,
    "kind": "--kind",
    "parent": "--parent",
    "lat": "--lat",
    "lon": "--lon",
}
ALIAS_FLAGS = {"record": "NAME", "alias": "ALIAS", "alias language": "--lang"}


def _fields(kind: Kind, record: Any) -> list[tuple[str, list[str]]]:
    """A person's or place's fields as label-value lines."""
    from tracker.canonical import canonical

    doc = canonical("people" if kind == "person" else "places", record)
    aliases = [f"{a['name']} ({a['lang']})" if a["lang"] else a["name"] for a in doc["aliases"]]
    lines: list[tuple[str, list[str]]] = [("name", [doc["name"]])]
    if kind == "place":
        lines.append(("kind", [doc["kind"]]))
    lines.append(("country", [doc["country"] or "none"]))
    lines.append(("wikidata", [doc["wikidata"]] if doc["wikidata"] else []))
    if kind == "person":
        roles = [
            ", ".join(x for x in (r["title"], r["organisation"]) if x)
            + (f" ({r['from'] or '?'}–{r['to'] or ''})" if r["from"] or r["to"] else "")
            for r in doc["roles"]
        ]
        lines.append(("roles", roles))
    else:
        parent = record.parent
        lines.append(("parent", [parent.name] if parent is not None else []))
        if doc["lat"] is not None and doc["lon"] is not None:
            lines.append(("coordinates", [f"{doc['lat']}, {doc['lon']}"]))
    lines.append(("aliases", aliases))
    lines.append(("notes", [doc["notes"]] if doc["notes"] else []))
    lines.append(("uid", [doc["uid"]]))
    return lines


def _optional(value: str | None) -> str | None:
    """An option given empty clears its field."""
    return None if value is None or not value.strip() else value


def _changes(**given: Any) -> dict[str, Any]:
    """The fields an edit gives: options left out are not changes; empty ones clear."""
    return {key: _optional(value) for key, value in given.items() if value is not None}


def alias_option(example: str) -> Callable[[F], F]:
    return click.option(
        "--alias",
        "aliases",
        multiple=True,
        metavar="NAME[:LANG]",
        help=f"Another name, with its language (repeatable): '{example}'.",
    )


# -- people ---------------------------------------------------------------------------


def person_options(fn: F) -> F:
    for option in reversed(
        [
            click.option("--country", metavar="CC", help="ISO 3166-1 alpha-2 code, e.g. US."),
            click.option("--wikidata", metavar="QID", help="Wikidata id, e.g. Q7747."),
            click.option("--notes", help="Free text kept on the person."),
        ]
    ):
        fn = option(fn)
    return fn


@people_command.command("add", context_settings=CONTEXT_SETTINGS)
@click.argument("name", shell_complete=completion.people)
@person_options
@alias_option("Владимир Путин:ru")
@click.option(
    "--role",
    "roles",
    multiple=True,
    metavar="TITLE[:ORG[:FROM[:TO]]]",
    help="A role over time (repeatable): 'Special Envoy:United States:2025-01'.",
)
@click.option("--duplicate", is_flag=True, help="Add it even if the name finds a person.")
@pass_app
def people_add_command(
    app: App,
    name: str,
    country: str | None,
    wikidata: str | None,
    notes: str | None,
    aliases: tuple[str, ...],
    roles: tuple[str, ...],
    duplicate: bool,
) -> None:
    """Add a person: name, country, Wikidata id, notes, aliases and roles.

    A name that already finds a person (by name, alias, surname or a declined form)
    is refused, naming them; --duplicate adds a second person anyway.

    Example: tracker people add "Kirill Dmitriev" --country RU --alias "Кирилл Дмитриев:ru"
    """
    from tracker.registry import AliasSpec, RoleSpec

    fields_are(PERSON_FLAGS)
    record = {
        "name": name,
        "country": _optional(country),
        "wikidata": _optional(wikidata),
        "notes": _optional(notes),
        "aliases": [AliasSpec.parse(a).doc() for a in aliases],
        "roles": [RoleSpec.parse(r).doc() for r in roles],
    }
    _add(app, "person", record, duplicate)


@people_command.command("edit", context_settings=CONTEXT_SETTINGS)
@click.argument("name", shell_complete=completion.people)
@click.option("--name", "new_name", metavar="NAME", help="A new name.")
@person_options
@click.option(
    "--add-role",
    "add_roles",
    multiple=True,
    metavar="TITLE[:ORG[:FROM[:TO]]]",
    help="Add a role (repeatable).",
)
@click.option(
    "--remove-role", "remove_roles", multiple=True, metavar="TITLE", help="Remove a role."
)
@pass_app
def people_edit_command(
    app: App,
    name: str,
    new_name: str | None,
    country: str | None,
    wikidata: str | None,
    notes: str | None,
    add_roles: tuple[str, ...],
    remove_roles: tuple[str, ...],
) -> None:
    """Change a person, and show it before and after.

    NAME is a name, an alias or a uid. An empty value clears a field (--country "").

    Example: tracker people edit Witkoff --country US --add-role "Special Envoy::2025-01"
    """
    from tracker.registry import RoleSpec

    fields_are({**PERSON_FLAGS, "name": "--name"})
    changes = _changes(name=new_name, country=country, wikidata=wikidata, notes=notes)
    _edit(
        app,
        "person",
        name,
        changes,
        add_roles=[RoleSpec.parse(r) for r in add_roles],
        remove_roles=list(remove_roles),
    )


def _add(app: App, kind: Kind, record: dict[str, Any], duplicate: bool) -> None:
    from cli.render import print_fields
    from tracker import registry
    from tracker.registry import AlreadyRecorded

    with app.database().writing() as session:
        try:
            added = registry.add(session, kind, record, duplicate=duplicate)
        except AlreadyRecorded as exc:
            group = "people" if kind == "person" else "places"
            exc.hint = messages.ALREADY_RECORDED_HINT.format(group=group)
            raise
        app.err.print(messages.REGISTRY_ADDED.format(kind=kind, uid=added.uid))
        print_fields(app.out, _fields(kind, added))
        if kind == "person" and added.country is None:
            app.err.print(messages.NO_COUNTRY.format(name=added.name))


def _edit(app: App, kind: Kind, ref: str, changes: dict[str, Any], **options: Any) -> None:
    from cli.render import print_before_after
    from tracker import registry

    with app.database().writing() as session:
        record = registry.find(session, kind, ref)
        before = _fields(kind, record)
        record = registry.edit(session, kind, ref, changes, **options)
        print_before_after(app.out, before, _fields(kind, record))


def _alias(
    app: App, kind: Kind, ref: str, aliases: tuple[str, ...], lang: str | None, remove: bool
) -> None:
    from cli.render import print_before_after
    from tracker import registry
    from tracker.registry import AliasSpec

    fields_are(ALIAS_FLAGS)
    with app.database().writing() as session:
        record = registry.find(session, kind, ref)
        before = _fields(kind, record)
        if remove:
            if lang is not None:
                raise InvalidInput("--lang", "no language when removing aliases")
            record = registry.alias(session, kind, ref, remove=aliases)
        else:
            specs = [AliasSpec.parse(a, lang) for a in aliases]
            record = registry.alias(session, kind, ref, specs)
        print_before_after(app.out, before, _fields(kind, record))


@people_command.command("alias", context_settings=CONTEXT_SETTINGS)
@click.argument("name", shell_complete=completion.people)
@click.argument("aliases", metavar="ALIAS...", nargs=-1, required=True)
@click.option("--lang", metavar="LANG", help="The aliases' language: en, pl, ru...")
@click.option("--remove", is_flag=True, help="Remove these aliases instead of adding them.")
@pass_app
def people_alias_command(
    app: App, name: str, aliases: tuple[str, ...], lang: str | None, remove: bool
) -> None:
    """Give a person more names (in any language and script), or remove some.

    An alias that is another person's name or alias is refused: merge them instead.

    Example: tracker people alias "Vladimir Putin" "Władimir Putin" --lang pl
    """
    _alias(app, "person", name, aliases, lang, remove)


def _merge(app: App, kind: Kind, name: str, into: str) -> None:
    from tracker import registry
    from tracker.registry import find

    fields_are({"record": "NAME", "into": "INTO"})
    with app.database().writing() as session:
        gone = find(session, kind, name)
        gone_name, gone_uid = gone.name, gone.uid
        kept, report = registry.merge(session, kind, name, into)
        moved = {s: report.updated[s] for s in ("meetings", "visits", "statements", "places")}
        app.out.print(
            messages.MERGED.format(
                kind=kind, name=gone_name, uid=gone_uid, into=kept.name, into_uid=kept.uid, **moved
            )
        )
        for note in report.notes:
            app.out.print("  " + note)


@people_command.command("merge", context_settings=CONTEXT_SETTINGS)
@click.argument("name", shell_complete=completion.people)
@click.argument("into", shell_complete=completion.people)
@pass_app
def people_merge_command(app: App, name: str, into: str) -> None:
    """Merge the person NAME into the person INTO: every meeting, visit, statement, role
    and alias moves to INTO, NAME becomes one of its aliases, and NAME is removed (its
    uid then reports that it was merged). All or nothing.

    Refused when both took part in one meeting in different roles, naming it.

    Example: tracker people merge Witkoff "Steve Witkoff"
    """
    _merge(app, "person", name, into)


# -- places ---------------------------------------------------------------------------


def place_options(fn: F) -> F:
    from tracker.vocab import PlaceKind

    for option in reversed(
        [
            click.option(
                "--kind",
                type=click.Choice([k.value for k in PlaceKind]),
                help="country, region, city or venue.",
            ),
            click.option("--country", metavar="CC", help="ISO 3166-1 alpha-2 code, e.g. RU."),
            click.option("--parent", metavar="PLACE", help="The place it is in (Kremlin: Moscow)."),
            click.option("--lat", type=float, help="Latitude, -90 to 90."),
            click.option("--lon", type=float, help="Longitude, -180 to 180."),
            click.option("--wikidata", metavar="QID", help="Wikidata id, e.g. Q649."),
            click.option("--notes", help="Free text kept on the place."),
        ]
    ):
        fn = option(fn)
    return fn


@places_command.command("add", context_settings=CONTEXT_SETTINGS)
@click.argument("name", shell_complete=completion.places)
@place_options
@alias_option("Moskwa:pl")
@click.option("--duplicate", is_flag=True, help="Add it even if the name finds a place.")
@pass_app
def places_add_command(
    app: App,
    name: str,
    kind: str | None,
    country: str | None,
    parent: str | None,
    lat: float | None,
    lon: float | None,
    wikidata: str | None,
    notes: str | None,
    aliases: tuple[str, ...],
    duplicate: bool,
) -> None:
    """Add a place: a city (the default), a venue, a region or a country.

    A new city takes its country and coordinates from the offline gazetteer when its
    name is one city there; a name several cities have (Moscow, Geneva) needs
    --country. A name that already finds a place is refused; --duplicate adds it
    anyway.

    Example: tracker places add "Palace of Versailles" --kind venue --parent Versailles
    """
    from tracker.registry import AliasSpec

    fields_are(PLACE_FLAGS)
    record = {
        "name": name,
        "kind": kind,
        "country": _optional(country),
        "parent": _optional(parent),
        "lat": lat,
        "lon": lon,
        "wikidata": _optional(wikidata),
        "notes": _optional(notes),
        "aliases": [AliasSpec.parse(a).doc() for a in aliases],
    }
    _add(app, "place", record, duplicate)


@places_command.command("edit", context_settings=CONTEXT_SETTINGS)
@click.argument("name", shell_complete=completion.places)
@click.option("--name", "new_name", metavar="NAME", help="A new name.")
@place_options
@pass_app
def places_edit_command(
    app: App,
    name: str,
    new_name: str | None,
    kind: str | None,
    country: str | None,
    parent: str | None,
    lat: float | None,
    lon: float | None,
    wikidata: str | None,
    notes: str | None,
) -> None:
    """Change a place, and show it before and after.

    NAME is a name, an alias or a uid. An empty value clears a field (--parent "").

    Example: tracker places edit Kreml --kind venue --parent Moscow
    """

    fields_are({**PLACE_FLAGS, "name": "--name"})
    changes = _changes(
        name=new_name, kind=kind, country=country, parent=parent, wikidata=wikidata, notes=notes
    )
    for key, value in (("lat", lat), ("lon", lon)):
        if value is not None:
            changes[key] = value
    _edit(app, "place", name, changes)


@places_command.command("alias", context_settings=CONTEXT_SETTINGS)
@click.argument("name", shell_complete=completion.places)
@click.argument("aliases", metavar="ALIAS...", nargs=-1, required=True)
@click.option("--lang", metavar="LANG", help="The aliases' language: en, pl, ru...")
@click.option("--remove", is_flag=True, help="Remove these aliases instead of adding them.")
@pass_app
def places_alias_command(
    app: App, name: str, aliases: tuple[str, ...], lang: str | None, remove: bool
) -> None:
    """Give a place more names (in any language and script), or remove some.

    Example: tracker places alias Moscow Moskwa --lang pl
    """
    _alias(app, "place", name, aliases, lang, remove)


@places_command.command("merge", context_settings=CONTEXT_SETTINGS)
@click.argument("name", shell_complete=completion.places)
@click.argument("into", shell_complete=completion.places)
@pass_app
def places_merge_command(app: App, name: str, into: str) -> None:
    """Merge the place NAME into the place INTO: its visits, meetings, child places and
    aliases move to INTO, NAME becomes one of its aliases, and NAME is removed. All or
    nothing.

    Example: tracker places merge Moskva Moscow
    """
    _merge(app, "place", name, into)
