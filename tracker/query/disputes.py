"""Which facts of which meetings (or visits) are disputed: the one question every view
asks of the accounts.

A fact is *disputed* when its accounts give more than one value (two sources giving
the same value agree: their accounts share a ``value_key``, defined here beside the
rule that counts it, and stored on each account by the write layer). The
database answers it, grouped by record and field, in SQL written once (``_DISPUTES``):
``disputed_fields`` for a batch of records (the ``disputed`` column and the marks of the
timeline, ``tracker show``, ``tracker account list``, the html page), and
``disputed_meetings_sql`` as a subquery (``--disputed``, the disputed durations of
``tracker stats``). ``disputed_accounts`` gives the accounts of one record's disputed
facts, side by side, for ``tracker show``; ``disputed_then`` the same of a record as the
history keeps it (``tracker show --as-of``), the rule (``_DISPUTED``) asked of its
accounts. Each runs on a plain read (``tracker.sql.Reader``) or on a SQLAlchemy
session; nothing here imports SQLAlchemy until a session asks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, cast

from tracker.cells import ListCell
from tracker.vocab import AccountField

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

    from tracker.sql import Reader

RecordKind = Literal["meeting", "visit"]

FIELD_ORDER: dict[str, int] = {
    name.value: index
    for index, name in enumerate(
        (
            AccountField.DATE,
            AccountField.VENUE,
            AccountField.DESTINATION,
            AccountField.DURATION,
            AccountField.PARTICIPANTS,
            AccountField.OUTCOME,
            AccountField.OUTCOME_SUMMARY,
            AccountField.STATUS,
        )
    )
}
"""The order disputed fields are listed in: a record's facts as `tracker show` lists them."""


def value_key(field: str, value: Any) -> str:
    """One text for what a value of ``field`` says (the canonical value; the people of
    participants, in any order): equal for values that say the same. Every account
    stores its key (``account.value_key``), and the rule counts them."""
    import json

    if field == AccountField.PARTICIPANTS.value:
        return json.dumps(sorted({p["person"] for p in value or ()}))
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


_DISPUTED = "count(DISTINCT value_key) > 1"
"""The rule, over the accounts of one fact: more than one value (``value_key``)."""

_DISPUTES = (
    "SELECT {record}_id, field FROM account WHERE {record}_id IS NOT NULL{only}"
    " GROUP BY {record}_id, field HAVING " + _DISPUTED
)
"""``(record id, field)`` for every disputed fact of the meetings (or visits): the
accounts of one fact with more than one value. ``{only}`` narrows the accounts read."""


def disputed_meetings_sql(field: AccountField | None = None) -> str:
    """A SELECT of ``meeting_id``: the meetings with a disputed fact (of ``field``, when
    given), for ``meeting.id IN (...)``. It takes no parameter."""
    only = "" if field is None else f" AND field = '{AccountField(field).value}'"
    return f"SELECT DISTINCT meeting_id FROM ({_DISPUTES.format(record='meeting', only=only)}) d"


def disputed_fields(
    read: Reader | Session | Connection, ids: Sequence[int], kind: RecordKind = "meeting"
) -> dict[int, ListCell]:
    """The disputed facts of each of the meetings (or visits) ``ids`` that has one, as
    field names in the order of ``FIELD_ORDER``: one statement, whatever the number of
    ids (callers pass a batch)."""
    if not ids:
        return {}
    rows: list[Any]
    if hasattr(read, "sql"):  # a plain read
        plain = cast("Reader", read)
        only = " AND " + plain.sql.among(f"{kind}_id", "ids")
        rows = plain.all(_DISPUTES.format(record=kind, only=only), {"ids": plain.sql.ids(ids)})
    else:
        from sqlalchemy import bindparam, text

        only = f" AND {kind}_id IN :ids"
        query = text(_DISPUTES.format(record=kind, only=only))
        query = query.bindparams(bindparam("ids", expanding=True))
        rows = list(read.execute(query, {"ids": list(ids)}))
    found: dict[int, ListCell] = {}
    for record_id, field in rows:
        found.setdefault(record_id, ListCell()).append(field)
    for fields in found.values():
        fields.sort(key=FIELD_ORDER.__getitem__)
    return found


def _all(read: Reader | Session | Connection, query: str, params: dict[str, Any]) -> list[Any]:
    """Every row of ``query`` (no list parameter), on a plain read or a session."""
    if hasattr(read, "sql"):
        return cast("Reader", read).all(query, params)
    from sqlalchemy import text

    return list(read.execute(text(query), params))


_ACCOUNTS = (
    "SELECT a.id, a.field, a.preferred, a.value, a.quote, a.language, a.note,"
    " speaker.name, place.name, place.uid"
    " FROM account AS a"
    " LEFT JOIN person AS speaker ON speaker.id = a.speaker_id"
    " LEFT JOIN place ON place.id = a.place_id"
    " WHERE a.{record}_id = :id ORDER BY a.field, a.position, a.id"
)
_ACCOUNT_SOURCES = (
    "SELECT link.account_id, s.uid, s.publisher, s.title, s.url, s.published, s.language"
    " FROM account_source AS link JOIN source AS s ON s.id = link.source_id"
    " WHERE link.account_id IN (SELECT id FROM account WHERE {record}_id = :id)"
    " ORDER BY link.account_id, link.position"
)
_ACCOUNT_PEOPLE = (
    "SELECT ap.account_id, person.name, person.uid, ap.side, ap.role"
    " FROM account_person AS ap JOIN person ON person.id = ap.person_id"
    " WHERE ap.account_id IN (SELECT id FROM account WHERE {record}_id = :id)"
    " ORDER BY ap.account_id, ap.position"
)


def disputed_accounts(
    read: Reader | Session | Connection, kind: RecordKind, record_id: int
) -> list[dict[str, Any]]:
    """Every disputed fact of one meeting (or visit), in the order of ``FIELD_ORDER``,
    with its accounts side by side: ``{"field", "accounts": [...]}``, each account with
    ``n`` (from 1, as `tracker account` numbers them), ``preferred`` (the record's
    value), ``value`` (as people read it), ``canonical`` (as the tracker/1 document
    writes it), ``sources`` (each with ``uid``, ``publisher``, ``title``, ``url``,
    ``published``, ``language``), ``quote``, ``speaker``, ``language`` and ``note``."""
    import json

    from tracker.query.display import shown_value

    fields = disputed_fields(read, [record_id], kind).get(record_id)
    if not fields:
        return []
    params = {"id": record_id}
    sources: dict[int, list[dict[str, Any]]] = {}
    for account_id, uid, publisher, title, url, published, language in _all(
        read, _ACCOUNT_SOURCES.format(record=kind), params
    ):
        sources.setdefault(account_id, []).append(
            {
                "uid": uid,
                "publisher": publisher,
                "title": title,
                "url": url,
                "published": published,
                "language": language,
            }
        )
    people: dict[int, list[tuple[str, dict[str, Any]]]] = {}
    for account_id, name, uid, side, role in _all(
        read, _ACCOUNT_PEOPLE.format(record=kind), params
    ):
        people.setdefault(account_id, []).append(
            (name, {"person": uid, "side": side, "role": role})
        )
    groups: dict[str, list[dict[str, Any]]] = {field: [] for field in fields}
    for (
        account_id,
        field,
        preferred,
        value,
        quote,
        language,
        note,
        speaker,
        place,
        place_uid,
    ) in _all(read, _ACCOUNTS.format(record=kind), params):
        if field not in groups:
            continue
        named = people.get(account_id, [])
        if field == AccountField.PARTICIPANTS.value:
            canonical: Any = [doc for _name, doc in named]
        elif field in (AccountField.VENUE.value, AccountField.DESTINATION.value):
            canonical = place_uid
        else:
            canonical = json.loads(value) if value is not None else None
        groups[field].append(
            {
                "n": len(groups[field]) + 1,
                "preferred": bool(preferred),
                "value": shown_value(
                    field, canonical, place=place, people=[name for name, _doc in named]
                ),
                "canonical": canonical,
                "sources": sources.get(account_id, []),
                "quote": quote,
                "speaker": speaker,
                "language": language,
                "note": note,
            }
        )
    _first_preferred(groups)
    return [{"field": field, "accounts": groups[field]} for field in fields]


_SOURCE_KEYS = ("uid", "publisher", "title", "url", "published", "language")


def _first_preferred(groups: dict[str, list[dict[str, Any]]]) -> None:
    """A fact none of whose accounts is marked preferred has the first recorded."""
    for accounts in groups.values():
        if accounts and not any(account["preferred"] for account in accounts):
            accounts[0]["preferred"] = True


_DISPUTED_THEN = (
    "WITH account(field, value_key) AS (VALUES {rows})"
    " SELECT field FROM account GROUP BY field HAVING " + _DISPUTED
)


def disputed_then(
    read: Reader | Session | Connection, state: dict[str, Any]
) -> list[dict[str, Any]]:
    """The disputed facts of a meeting or visit in its tracker/1 form (the state the
    history keeps of it, as ``tracker show --as-of`` prints it), each with its accounts
    side by side as ``disputed_accounts`` gives them. The state names its sources,
    places and people by uid, and so do these accounts (a source as ``{"uid"}`` alone,
    a venue or participants by their uids): what they were called then is not kept."""
    from tracker.query.display import shown_value

    accounts = state.get("accounts") or []
    if not accounts:
        return []
    rows = ", ".join(f"(CAST(:f{i} AS TEXT), CAST(:k{i} AS TEXT))" for i in range(len(accounts)))
    params: dict[str, Any] = {}
    for i, account in enumerate(accounts):
        params[f"f{i}"] = account["field"]
        params[f"k{i}"] = value_key(account["field"], account["value"])
    found = {field for (field,) in _all(read, _DISPUTED_THEN.format(rows=rows), params)}
    fields = sorted(found, key=FIELD_ORDER.__getitem__)
    groups: dict[str, list[dict[str, Any]]] = {field: [] for field in fields}
    for account in accounts:
        field = account["field"]
        if field not in groups:
            continue
        value = account["value"]
        quote = account.get("quote") or {}
        groups[field].append(
            {
                "n": len(groups[field]) + 1,
                "preferred": bool(account["preferred"]),
                "value": shown_value(
                    field,
                    value,
                    place=value,
                    people=[p["person"] for p in value or ()]
                    if field == AccountField.PARTICIPANTS.value
                    else (),
                ),
                "canonical": value,
                "sources": [
                    dict.fromkeys(_SOURCE_KEYS) | {"uid": uid} for uid in account["sources"]
                ],
                "quote": quote.get("text"),
                "speaker": quote.get("speaker"),
                "language": quote.get("language"),
                "note": account.get("note"),
            }
        )
    _first_preferred(groups)
    return [{"field": field, "accounts": groups[field]} for field in fields]
